/**
 * `ipckit daemon status|start|stop|run`: the broker, explicitly. Nobody has to start it (every
 * command starts it on demand), but scripts and service managers want to look at it, stop it,
 * or run it in the foreground. The work is in `daemon_status.ts` and `daemon_run.ts`.
 *
 * @module
 */

import type { CommandSpec } from "../_spec.ts";

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

/** `ipckit daemon stop`. */
export const stopSpec = {
  name: "daemon stop",
  summary: "Stop the broker (state is kept; the next command starts it again)",
  examples: ["ipckit daemon stop"],
} as const satisfies CommandSpec;

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
