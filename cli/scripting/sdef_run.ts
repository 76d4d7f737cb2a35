/**
 * The work of `ipckit sdef` (declared in `sdef.ts`).
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { spec } from "./sdef.ts";
import { UsageError } from "../_errors.ts";
import { writeStdout } from "../_io.ts";

/** Runs `ipckit sdef`: exit 0, 3 when no such app runs, 1 when it does not answer. */
export async function run(invocation: InvocationOf<typeof spec>): Promise<number> {
  const name = invocation.args[0];
  if (name === undefined || name.trim() === "") {
    throw new UsageError("sdef needs an app, as in: ipckit sdef Notes");
  }
  const { connectApp } = await import("../../lib/scripting/client.ts");
  const app = await connectApp(name, { runtimeDir: invocation.runtimeDir });
  let sdef: string, terminology: string;
  try {
    ({ sdef, terminology } = await app.definition());
  } finally {
    app.close();
  }
  const { json, yaml } = invocation.options;
  if (!json && !yaml) {
    await writeStdout(sdef.endsWith("\n") ? sdef : `${sdef}\n`);
    return 0;
  }
  // The app sends its terminology: no XML parser is loaded here.
  const value = JSON.parse(terminology);
  if (json) await writeStdout(`${JSON.stringify(value)}\n`);
  else await writeStdout(await (await import("../../lib/wire/yaml.ts")).toYaml(value));
  return 0;
}
