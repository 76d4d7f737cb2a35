/**
 * What the three apps' programs share: their command line (`--help`, `--runtime-dir DIR`,
 * `--ready-file PATH`), serving the model, the one-line refusal when the app already runs, and
 * Ctrl-C (exit 130) and SIGTERM (exit 0) stopping it cleanly.
 *
 * @module
 */

import { fileErrorReason, NameTakenError } from "../../lib/errors.ts";
import { serveScriptableApp } from "../../lib/scripting/app.ts";
import type { ScriptableApp, ScriptableAppOptions } from "../../lib/scripting/types.ts";
import { writeFileReplacing } from "../../lib/transport/no_follow.ts";

/** What an app's program says about itself. */
export interface AppProgram {
  /** The program's file name, for messages (`notes.ts`). */
  program: string;
  /** The display name (`Notes`). */
  name: string;
  /** The bundle id. */
  bundleId: string;
  /** Its help text after the usage line: what it is, its options, examples. */
  help: string;
}

/** The command line of an app. */
export interface AppArgs {
  /** `--runtime-dir`. */
  runtimeDir?: string;
  /** `--ready-file`. */
  readyFile?: string;
}

/** Exit codes, as every ipckit command has them. */
const USAGE = 2;

/**
 * Reads the command line; prints the help and exits 0 for `--help`, and exits 2 with one line
 * for anything it does not know.
 */
export function parseAppArgs(program: AppProgram, args: string[] = Deno.args): AppArgs {
  const out: AppArgs = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [flag, inline] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    if (flag === "--help" || flag === "-h") {
      console.log(
        `Usage: deno run <permissions> scripts/apps/${program.program} [--runtime-dir DIR] [--ready-file PATH]\n\n${program.help}`,
      );
      Deno.exit(0);
    }
    if (flag === "--runtime-dir" || flag === "--ready-file") {
      const value = inline ?? args[++i];
      if (value === undefined || value === "") {
        usage(program, `${flag} needs a value`);
      }
      if (flag === "--runtime-dir") out.runtimeDir = value;
      else out.readyFile = value;
      continue;
    }
    usage(program, `unknown ${arg.startsWith("-") ? "option" : "argument"} ${arg}`);
  }
  return out;
}

function usage(program: AppProgram, what: string): never {
  console.error(`${program.program}: ${what} (see --help)`);
  Deno.exit(USAGE);
}

/**
 * Serves an app until it is stopped: SIGTERM or `quit` (exit 0), Ctrl-C (exit 130). An app
 * that already runs, or a model the runtime refuses, is one line on standard error and exit 1.
 */
export async function runApp(
  program: AppProgram,
  args: AppArgs,
  options: Omit<ScriptableAppOptions, "bundleId" | "name" | "runtimeDir">,
  onStop: () => void | Promise<void> = () => {},
): Promise<{ app: ScriptableApp; quit: (code?: number) => Promise<never> }> {
  let app: ScriptableApp;
  try {
    app = await serveScriptableApp({
      ...options,
      bundleId: program.bundleId,
      name: program.name,
      runtimeDir: args.runtimeDir,
    });
  } catch (e) {
    const why = e instanceof NameTakenError
      ? `${program.name} already runs (bundle id ${program.bundleId}): quit it first, or give another --runtime-dir`
      : `cannot start ${program.name}: ${(e as Error).message.split("\n")[0]}`;
    console.error(`${program.program}: ${why}`);
    Deno.exit(1);
  }
  let stopping: Promise<never> | undefined;
  const quit = (code = 0): Promise<never> => {
    stopping ??= (async () => {
      try {
        await onStop();
      } finally {
        await app.close();
      }
      Deno.exit(code);
    })();
    return stopping;
  };
  Deno.addSignalListener("SIGTERM", () => void quit(0));
  Deno.addSignalListener("SIGINT", () => void quit(130));
  if (args.readyFile) {
    try {
      // Replaced, never written through: a link planted there (in a shared /tmp) is not followed.
      await writeFileReplacing(args.readyFile, `${Deno.pid}\n`);
    } catch (e) {
      console.error(
        `${program.program}: cannot write --ready-file ${args.readyFile}: ${fileErrorReason(e)}`,
      );
      await quit(1);
    }
  }
  return { app, quit };
}
