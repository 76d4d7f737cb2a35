/**
 * `ipckit state NAME [VALUE]`: reads or sets the 64-bit state of a notification name, as
 * `notifyutil -g` and `-s` do on macOS. The broker keeps it in a file, so it survives the
 * broker's exits and crashes. Called in loops, so it loads only the client library.
 *
 * @module
 */

import type { CommandSpec } from "../_spec.ts";

/** `ipckit state`. */
export const spec = {
  name: "state",
  summary: "Read or set the 64-bit state of a notification name (notifyutil -g, -s)",
  args: [
    {
      name: "name",
      description: "the notification name",
      required: true,
      complete: "notifications",
    },
    {
      name: "value",
      description: "set the state to this integer (0…2^64-1); without it, print it",
    },
  ],
  options: [
    {
      flags: "--json",
      description: 'print {"name": …, "state": N} (beyond 2^53: {"$uint64": "…"})',
      conflicts: ["--yaml"],
    },
    { flags: "--yaml", description: "print name: and state: as YAML", conflicts: ["--json"] },
  ],
  examples: [
    "ipckit state com.example.battery 87   # set it",
    "ipckit state com.example.battery      # print it: 87",
    "ipckit state com.example.battery --json",
    "ipckit state com.example.never-set    # 0: every name starts at 0",
  ],
} as const satisfies CommandSpec;
