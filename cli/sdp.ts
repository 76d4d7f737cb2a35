/**
 * `ipckit sdp FILE|- [--basename NAME] [-o OUT.ts] [--hidden] [--import SPECIFIER]`: turns a
 * scripting definition into a typed TypeScript bridge module, as `sdp -fh --basename X` turns
 * one into a Scripting Bridge header on macOS.
 *
 * @module
 */

import type { CommandSpec, Invocation } from "./_spec.ts";
import { ExitError, UsageError } from "./_errors.ts";
import { readStdin, writeStderr, writeStdout } from "./_io.ts";

/** `ipckit sdp`. */
export const spec: CommandSpec = {
  name: "sdp",
  summary: "Generate a typed TypeScript bridge from a scripting definition (sdp -fh)",
  args: [{
    name: "file",
    description: "the scripting definition (.sdef) to read (- for standard input)",
    required: true,
  }],
  options: [
    {
      flags: "--basename <name>",
      description: "prefix of the generated type names (default: the file's name, as in NotesNote)",
    },
    {
      flags: "-o, --output <file>",
      description: "write the module to this file instead of standard output",
    },
    {
      flags: "--hidden",
      description: "keep terms the definition marks hidden (left out by default)",
    },
    {
      flags: "--import <specifier>",
      description:
        'where the module imports ipckit\'s types from (default "ipckit/scripting/mod.ts")',
    },
  ],
  examples: [
    "ipckit sdp Notes.sdef --basename Notes -o notes.ts  # write a bridge whose types are NotesNote, …",
    "ipckit sdef com.example.notes | ipckit sdp - --basename Notes > notes.ts  # from a running app",
    "ipckit sdp Finder.sdef --hidden -o finder.ts  # keep hidden terms too",
    "ipckit sdp Mail.sdef --import ../ipckit/lib/scripting/mod.ts -o mail.ts  # in another project",
  ],
};

/** Runs `ipckit sdp`: exit 0, or 1 for a definition that cannot be read or written. */
export async function run(invocation: Invocation): Promise<number> {
  const file = invocation.args[0];
  if (file === undefined || file === "") {
    throw new UsageError(
      "sdp needs a definition file (or - for standard input), as in: ipckit sdp Notes.sdef",
    );
  }
  const options = invocation.options;
  const basenameOption = stringOption(options.basename, "--basename");
  const output = stringOption(options.output, "--output");
  const importFrom = stringOption(options.import, "--import");
  if (basenameOption !== undefined && !/[\p{L}\p{N}]/u.test(basenameOption)) {
    throw new UsageError(
      `--basename "${basenameOption}" has no letters or digits; give a name such as Notes`,
    );
  }

  const { loadDictionary, SdefSyntaxError, formatWarning } = await import("../lib/sdef/mod.ts");
  const { generateBridge } = await import("../lib/sdp/mod.ts");
  const { basename, extname } = await import("node:path");

  let text: string;
  if (file === "-") text = new TextDecoder().decode(await readStdin());
  else {
    try {
      text = await Deno.readTextFile(file);
    } catch (e) {
      throw new ExitError(1, `cannot read ${file}: ${reason(e)}`);
    }
  }
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
    throw new ExitError(1, `cannot write ${output}: ${reason(e)}`);
  }
  return 0;
}

function stringOption(value: unknown, flag: string): string | undefined {
  if (value === undefined || value === false) return undefined;
  if (typeof value !== "string") throw new UsageError(`${flag} needs a value`);
  return value;
}

function reason(e: unknown): string {
  if (e instanceof Deno.errors.NotFound) return "no such file or directory";
  if (e instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (e instanceof Deno.errors.IsADirectory) return "it is a directory";
  return e instanceof Error ? e.message : String(e);
}
