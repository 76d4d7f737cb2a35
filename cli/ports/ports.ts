/**
 * `ipckit ports [--json|--yaml]`: lists the live message ports in the runtime directory, with the
 * process serving each. A port whose owner was killed is not listed.
 *
 * @module
 */

import type { CommandSpec } from "../_spec.ts";

/** `ipckit ports`. */
export const spec = {
  name: "ports",
  summary: "List the live message ports and the processes serving them",
  options: [
    {
      flags: "--json",
      description: "print one JSON array of {name, pid, since}",
      conflicts: ["--yaml"],
    },
    {
      flags: "--yaml",
      description: "print one YAML list of {name, pid, since}",
      conflicts: ["--json"],
    },
  ],
  examples: [
    "ipckit ports",
    "ipckit ports --json | jq -r '.[].name'",
  ],
} as const satisfies CommandSpec;
