/**
 * The work of `ipckit tell` (declared in `tell.ts`): osascript's command line read, the script
 * compiled and run (lib/tell), the result printed in the human or source form or as JSON, and
 * errors printed as osascript prints them, one line, with exit 3 for an app that does not run
 * (-600) and 124 for a timeout (-1712).
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { spec } from "./tell.ts";
import { ExitError, UsageError } from "../_errors.ts";
import { readUserFile, writeStderr, writeStdout } from "../_io.ts";
import {
  compile,
  formatExecutionError,
  humanText,
  jsonValue,
  runScript,
  ScriptError,
  ScriptSyntaxError,
  sourceText,
  type Val,
} from "../../lib/tell/mod.ts";
import { lineColumn } from "../../lib/tell/errors.ts";
import type { Terminology } from "../../lib/sdef/terminology.ts";

/** osascript's command line, read. */
interface TellLine {
  /** The `-e` lines. */
  readonly lines: string[];
  /** The script file, or `-`. */
  readonly file?: string;
  /** `--app APP`. */
  readonly app?: string;
  /** Output in the source form (`-s s`). */
  readonly source: boolean;
  /** Errors to standard output (`-s o`). */
  readonly errorsToStdout: boolean;
  /** `--json`. */
  readonly json: boolean;
  /** `--check`. */
  readonly check: boolean;
  /** `--sdef APP=FILE`, in order. */
  readonly sdefs: [string, string][];
  /** The script's arguments. */
  readonly argv: string[];
}

/** Reads osascript's command line: options until the script, then the script's arguments. */
function parseTellLine(words: readonly string[]): TellLine {
  const lines: string[] = [];
  const sdefs: [string, string][] = [];
  let app: string | undefined;
  let source = false;
  let errorsToStdout = false;
  let json = false;
  let check = false;
  let i = 0;
  const value = (flag: string): string => {
    const v = words[++i];
    if (v === undefined) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  const flags = (text: string) => {
    for (const c of text) {
      if (c === "h") source = false;
      else if (c === "s") source = true;
      else if (c === "e") errorsToStdout = false;
      else if (c === "o") errorsToStdout = true;
      else {
        throw new UsageError(
          `-s takes the flags h, s, e and o, not "${c}" (as in -s s or -ss)`,
        );
      }
    }
  };
  for (; i < words.length; i++) {
    const w = words[i];
    if (w === "--") {
      i++;
      break;
    }
    if (w === "-e") lines.push(value("-e"));
    else if (w.startsWith("-e") && w.length > 2) lines.push(w.slice(2));
    else if (w === "-s") flags(value("-s"));
    else if (/^-s[hseo]+$/.test(w)) flags(w.slice(2));
    else if (w === "-a" || w === "--app") app = value(w);
    else if (w.startsWith("--app=")) app = w.slice(6);
    else if (w === "--json") json = true;
    else if (w === "--check") check = true;
    else if (w === "--sdef") {
      const v = value("--sdef");
      const eq = v.indexOf("=");
      if (eq <= 0 || eq === v.length - 1) {
        throw new UsageError(`--sdef takes APP=FILE, as in --sdef Finder=Finder.sdef, not "${v}"`);
      }
      sdefs.push([v.slice(0, eq), v.slice(eq + 1)]);
    } else if (w === "-l") {
      const lang = value("-l");
      if (lang.toLowerCase() !== "applescript") {
        throw new UsageError(`tell runs AppleScript only, not ${lang}`);
      }
    } else if (w.startsWith("-") && w !== "-") {
      throw new UsageError(
        `unknown option ${w} (tell takes -e, -s, -a/--app, --json, --check, --sdef)`,
      );
    } else break;
  }
  if (json && source) throw new UsageError("--json and -s s cannot be given together");
  const rest = words.slice(i);
  let file: string | undefined;
  if (lines.length === 0) {
    if (app !== undefined) {
      const commands = rest.shift();
      if (commands === undefined) {
        throw new UsageError(
          `--app ${app} needs commands, as in: ipckit tell --app ${app} 'get name of note 1'`,
        );
      }
      lines.push(commands);
    } else {
      file = rest.shift();
      if (file === undefined) {
        throw new UsageError("tell needs a script: -e 'LINE', a file, or - for standard input");
      }
    }
  }
  return { lines, file, app, source, errorsToStdout, json, check, sdefs, argv: rest };
}

async function loadTerms(sdefs: [string, string][]): Promise<Record<string, Terminology>> {
  const out: Record<string, Terminology> = {};
  if (sdefs.length === 0) return out;
  const { readDictionary, Terminology, SdefSyntaxError } = await import("../../lib/sdef/mod.ts");
  for (const [app, file] of sdefs) {
    try {
      out[app] = Terminology.fromDictionary(await readDictionary(file));
    } catch (e) {
      if (e instanceof SdefSyntaxError) throw new ExitError(1, e.message.replace(/\s*\n\s*/g, " "));
      if (e instanceof Deno.errors.NotFound) {
        throw new ExitError(1, `cannot read --sdef ${file}: no such file or directory`);
      }
      throw e;
    }
  }
  return out;
}

/** Runs `ipckit tell`: 0, 1 for a script that fails, 2 usage, 3 app not running, 124 timeout. */
export async function run(invocation: InvocationOf<typeof spec>): Promise<number> {
  const line = parseTellLine(invocation.args);
  const text = line.file !== undefined
    ? new TextDecoder().decode(await readUserFile(line.file, "the script"))
    : line.lines.join("\n");
  const scriptText = text.replace(/^\uFEFF/, "");
  const terminology = await loadTerms(line.sdefs);
  const options = {
    app: line.app,
    terminology,
    runtimeDir: invocation.runtimeDir,
  };
  try {
    if (line.check) {
      await compile(scriptText, options);
      return 0;
    }
    const result = await runScript(scriptText, {
      ...options,
      argv: line.argv,
      log: (t) => writeStderr(t),
    });
    await printResult(result, line);
    return 0;
  } catch (error) {
    if (error instanceof ScriptSyntaxError || error instanceof ScriptError) {
      await printError(error, scriptText, line);
      const code = error instanceof ScriptError
        ? (error.number === -600 ? 3 : error.number === -1712 ? 124 : 1)
        : 1;
      throw new ExitError(code, "");
    }
    throw error;
  }
}

async function printResult(result: Val, line: TellLine): Promise<void> {
  if (line.json) {
    const { toJson } = await import("../../lib/wire/json.ts");
    await writeStdout(`${toJson(jsonValue(result))}\n`);
    return;
  }
  if (result === null) return;
  await writeStdout(`${line.source ? sourceText(result) : humanText(result)}\n`);
}

async function printError(
  error: ScriptSyntaxError | ScriptError,
  source: string,
  line: TellLine,
): Promise<void> {
  let text: string;
  if (line.json) {
    const span = error instanceof ScriptSyntaxError
      ? { start: error.start, end: error.end }
      : error.span;
    const where = span
      ? { start: span.start, end: span.end, ...lineColumn(source, span.start) }
      : {};
    text = JSON.stringify({
      error: {
        kind: error instanceof ScriptSyntaxError ? "syntax" : "execution",
        number: error.number,
        message: error instanceof ScriptSyntaxError ? error.reason : error.message,
        ...(error instanceof ScriptError && error.app ? { app: error.app } : {}),
        ...where,
      },
    });
  } else {
    text = error instanceof ScriptSyntaxError ? error.message : formatExecutionError(error);
  }
  if (line.errorsToStdout) await writeStdout(`${text}\n`);
  else writeStderr(text);
}
