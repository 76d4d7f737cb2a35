/**
 * `ipckit apps [--json|--yaml]`: lists the scriptable apps that run, with their bundle id,
 * process and definition title. An app whose process was killed is not listed.
 *
 * @module
 */

import type { CommandSpec } from "../_spec.ts";

/** `ipckit apps`. */
export const spec = {
  name: "apps",
  summary: "List the running scriptable apps",
  options: [
    {
      flags: "--json",
      description: "print one JSON array of {name, bundleId, pid, title, since}",
      conflicts: ["--yaml"],
    },
    { flags: "--yaml", description: "print the list as YAML", conflicts: ["--json"] },
  ],
  examples: [
    "ipckit apps",
    "ipckit apps --json | jq -r '.[].bundleId'",
  ],
} as const satisfies CommandSpec;
