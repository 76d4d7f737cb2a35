/**
 * `ipckit daemon status|stop|run`: the broker, explicitly. Nobody has to start it (every
 * command starts it on demand), but scripts and service managers want to look at it, stop it,
 * or run it in the foreground.
 *
 * @module
 */

import type { Command, CommandSpec, InvocationOf } from "../_spec.ts";
import { ExitError } from "../_errors.ts";
import { NameTakenError } from "../../lib/errors.ts";
import { writeReadyFile, writeStderr, writeStdout } from "../_io.ts";

/** `ipckit daemon status`. */
export const statusSpec = {
  name: "daemon status",
  summary: "Say whether the broker runs, and its pid, uptime and connections",
  options: [
    { flags: "--json", description: "print one JSON object", conflicts: ["--yaml"] },
    { flags: "--yaml", description: "print one YAML mapping", conflicts: ["--json"] },
  ],
  examples: [
    "ipckit daemon status",
    "ipckit daemon status --json | jq .pid",
    "ipckit daemon status >/dev/null || echo 'no broker'   # exit 3 when none runs",
  ],
} as const satisfies CommandSpec;

/** Prints the broker's status; exit 3 when none runs. */
export async function status(invocation: InvocationOf<typeof statusSpec>): Promise<number> {
  return await (await import("./daemon_status.ts")).status(invocation);
}

/** `ipckit daemon start`. */
export const startSpec = {
  name: "daemon start",
  summary: "Start the broker now unless it runs (every command does this on demand)",
  options: [
    { flags: "--json", description: "print the status as one JSON object", conflicts: ["--yaml"] },
    { flags: "--yaml", description: "print the status as one YAML mapping", conflicts: ["--json"] },
  ],
  examples: [
    "ipckit daemon start",
    "IPCKIT_IDLE_TIMEOUT=60 ipckit daemon start   # a broker that exits after a minute alone",
  ],
} as const satisfies CommandSpec;

/** Starts the broker unless it runs, then prints its status. */
export async function start(invocation: InvocationOf<typeof startSpec>): Promise<number> {
  const { connectBroker } = await import("../../lib/broker/client.ts");
  const connection = await connectBroker({ runtimeDir: invocation.runtimeDir });
  try {
    await connection.request("daemon.ping", null, { timeoutMs: 5000 });
  } finally {
    await connection.close();
  }
  return await status(invocation);
}

/** `ipckit daemon stop`. */
export const stopSpec = {
  name: "daemon stop",
  summary: "Stop the broker (state is kept; the next command starts it again)",
  examples: ["ipckit daemon stop"],
} as const satisfies CommandSpec;

/** Stops the broker; exit 3 when none runs. */
export async function stop(invocation: InvocationOf<typeof stopSpec>): Promise<number> {
  const { stopBroker } = await import("../../lib/broker/client.ts");
  const pid = await stopBroker({ runtimeDir: invocation.runtimeDir });
  if (pid === null) throw new ExitError(3, "no broker is running");
  await writeStdout(`stopped the broker (pid ${pid})\n`);
  return 0;
}

/** `ipckit daemon run`. */
export const runSpec = {
  name: "daemon run",
  summary: "Run the broker in the foreground, logging to standard error too",
  options: [
    {
      flags: "--idle-timeout <duration>",
      description:
        "exit after this long without clients (seconds, or 10m); 0 never (default: IPCKIT_IDLE_TIMEOUT or 300)",
      kind: "duration",
    },
    {
      flags: "--ready-file <path>",
      description: "create this file once the broker accepts connections",
    },
    {
      flags: "--detached",
      description: "run as started on demand (log only to the file)",
      hidden: true,
    },
  ],
  examples: [
    "ipckit daemon run                    # until Ctrl-C",
    "ipckit daemon run --idle-timeout 0   # for a service manager: never exit when idle",
    "ipckit daemon run --ready-file /tmp/broker.ready &",
  ],
} as const satisfies CommandSpec;

/** Runs the broker until it stops. */
export async function run(invocation: InvocationOf<typeof runSpec>): Promise<number> {
  if (invocation.options.detached) {
    const { brokerMain } = await import("../../lib/daemon/main.ts");
    const args = invocation.runtimeDir ? ["--runtime-dir", invocation.runtimeDir] : [];
    return await brokerMain(args);
  }
  const { runBroker } = await import("../../lib/daemon/run.ts");
  try {
    const readyFile = invocation.options.readyFile;
    return await runBroker({
      runtimeDir: invocation.runtimeDir,
      idleTimeoutSeconds: invocation.options.idleTimeout,
      logToStderr: true,
    }, readyFile ? () => writeReadyFile(readyFile) : undefined);
  } catch (error) {
    if (error instanceof NameTakenError) {
      writeStderr(`ipckit: ${error.message}; stop it first with: ipckit daemon stop`);
      return 1;
    }
    throw error;
  }
}

/** The `daemon` commands. */
export const commands: Command[] = [
  { spec: statusSpec, run: status },
  { spec: startSpec, run: start },
  { spec: stopSpec, run: stop },
  { spec: runSpec, run },
];
