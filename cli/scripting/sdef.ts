/**
 * `ipckit sdef APP [--json|--yaml]`: prints the scripting definition of a running app, its
 * includes resolved (the standard suite written out), as `sdef /Applications/X.app` does on
 * macOS; `--json` and `--yaml` print its terminology (names and codes) instead.
 *
 * @module
 */

import type { CommandSpec } from "../_spec.ts";

/** `ipckit sdef`. */
export const spec = {
  name: "sdef",
  summary: "Print the scripting definition of a running app (sdef)",
  args: [{
    name: "app",
    description: 'the app: its name or bundle id, any case (Notes, com.example.Notes, id "…")',
    required: true,
  }],
  options: [
    {
      flags: "--json",
      description: "print the terminology (classes, properties, commands… with codes) as JSON",
      conflicts: ["--yaml"],
    },
    { flags: "--yaml", description: "print the terminology as YAML", conflicts: ["--json"] },
  ],
  examples: [
    "ipckit sdef Notes > Notes.sdef",
    "ipckit sdef com.example.Notes | ipckit sdp - --basename Notes > notes.ts",
    "ipckit sdef Orchard --json | jq -r '.commands[].name'",
  ],
} as const satisfies CommandSpec;
