/**
 * The work of `ipckit daemon start|stop|run` (see `daemon.ts`), loaded only when it runs.
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { runSpec, startSpec, stopSpec } from "./daemon.ts";
import { status } from "./daemon_status.ts";
import { ExitError } from "../_errors.ts";
import { NameTakenError } from "../../lib/errors.ts";
import { writeReadyFile, writeStderr, writeStdout } from "../_io.ts";

/** Starts the broker unless it runs, then prints its status. */
export async function start(invocation: InvocationOf<typeof startSpec>): Promise<number> {
  const { BROKER_METHODS, connectBroker } = await import("../../lib/broker/mod.ts");
  const connection = await connectBroker({ runtimeDir: invocation.runtimeDir });
  try {
    await connection.request(BROKER_METHODS.ping, null, { timeoutMs: 5000 });
  } finally {
    await connection.close();
  }
  return await status(invocation);
}

/** Stops the broker; exit 3 when none runs. */
export async function stop(invocation: InvocationOf<typeof stopSpec>): Promise<number> {
  const { stopBroker } = await import("../../lib/broker/client.ts");
  const pid = await stopBroker({ runtimeDir: invocation.runtimeDir });
  if (pid === null) throw new ExitError(3, "no broker is running");
  await writeStdout(`stopped the broker (pid ${pid})\n`);
  return 0;
}

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
