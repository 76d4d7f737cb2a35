/**
 * The work of `ipckit sdp` (declared in `sdp.ts`), kept apart so that other commands do
 * not load it.
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { spec } from "./sdp.ts";
import { fileErrorReason } from "../../lib/errors.ts";
import { ExitError, UsageError } from "../_errors.ts";
import { readStdin, readUserFile, writeStderr, writeStdout } from "../_io.ts";

/** Runs `ipckit sdp`: exit 0, or 1 for a definition that cannot be read or written. */
export async function run(invocation: InvocationOf<typeof spec>): Promise<number> {
  const file = invocation.args[0];
  if (file === undefined || file === "") {
    throw new UsageError(
      "sdp needs a definition file (or - for standard input), as in: ipckit sdp Notes.sdef",
    );
  }
  const options = invocation.options;
  const {
    basename: basenameOption,
    output,
    import: importFrom,
    name: appName,
    bundleId,
  } = options;
  if (basenameOption !== undefined && !/[\p{L}\p{N}]/u.test(basenameOption)) {
    throw new UsageError(
      `--basename "${basenameOption}" has no letters or digits; give a name such as Notes`,
    );
  }

  const { loadDictionary, SdefSyntaxError, formatWarning } = await import("../../lib/sdef/mod.ts");
  const { generateBridge } = await import("../../lib/sdp/mod.ts");
  const { basename, extname } = await import("node:path");

  // Bytes: the reader decodes them by their byte order mark or XML declaration.
  let text: Uint8Array;
  if (file === "-") text = await readStdin();
  else text = await readUserFile(file, "the definition");
  const warn = (w: Parameters<typeof formatWarning>[0]) =>
    writeStderr(`ipckit sdp: warning: ${formatWarning(w).replace(/\s*\n\s*/g, " ")}`);
  let code: string;
  try {
    const dict = await loadDictionary(text, { file, onWarning: warn });
    const fromFile = file === "-" ? undefined : basename(file, extname(file));
    code = generateBridge(dict, {
      basename: basenameOption ?? fromFile,
      hidden: options.hidden === true,
      importFrom,
      appName,
      bundleId,
      source: file === "-" ? "standard input" : basename(file),
    });
  } catch (e) {
    if (e instanceof SdefSyntaxError) throw new ExitError(1, e.message.replace(/\s*\n\s*/g, " "));
    throw e;
  }
  if (output === undefined) {
    await writeStdout(code);
    return 0;
  }
  try {
    await Deno.writeTextFile(output, code);
  } catch (e) {
    throw new ExitError(1, `cannot write ${output}: ${fileErrorReason(e)}`);
  }
  return 0;
}
