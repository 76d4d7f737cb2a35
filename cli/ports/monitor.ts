/**
 * `ipckit monitor [--json|--yaml] [--count N] [--ready-file PATH]`: watches ipckit's traffic live, as
 * `dbus-monitor` and `busctl monitor` do: notifications (name, object, userInfo size, latency),
 * the broker's requests and events (method, sizes, time taken) and the messages ports handle
 * (port, message id, sizes, time taken). Ports report only while a monitor is attached.
 *
 * @module
 */

import type { CommandSpec } from "../_spec.ts";

/** `ipckit monitor`. */
export const spec = {
  name: "monitor",
  summary: "Watch notifications, broker requests and port messages live (dbus-monitor)",
  options: [
    {
      flags: "--json",
      description: "print JSON Lines: time, type, and each event's fields",
      conflicts: ["--yaml"],
    },
    {
      flags: "--yaml",
      description: "print one YAML document per event, with the same fields",
      conflicts: ["--json"],
    },
    {
      flags: "--count <n>",
      description: "exit after this many events",
      kind: "integer",
      min: 1,
    },
    {
      flags: "--ready-file <path>",
      description: "create this file (holding the pid) once the monitor is attached",
    },
  ],
  examples: [
    "ipckit monitor  # one line per notification, broker request and port message",
    "ipckit monitor --json | jq -c 'select(.type == \"port\")'",
    "ipckit monitor --count 10 --ready-file /tmp/ready",
  ],
} as const satisfies CommandSpec;
