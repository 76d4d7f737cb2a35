/**
 * What every entry point of `ipckit` shares: running a command line against a list of commands,
 * mapping errors to exit codes (the only place that exits), and starting the program. `main.ts`
 * runs it with every command; the installed ipckit also has a bundle of its own for each hot
 * command (`_hot.ts`), which runs it with that one command and hands anything else to the whole
 * program.
 *
 * @module
 */

import { ExitError, UsageError } from "./_errors.ts";
import { splitExec, StdoutClosed, writeStderr, writeStdout } from "./_io.ts";
import { expandNumericFlags, findCommand, parseFast } from "./_parse.ts";
import type { Command } from "./_spec.ts";
import { rewriteHabits } from "./pasteboard/copy.ts";
import { IpcError, NotFoundError, TimeoutError } from "../lib/errors.ts";
import { setBrokerCommand } from "../lib/broker/command.ts";
import { BUNDLE_V8_FLAGS } from "../lib/permissions.ts";
import { IPCKIT_VERSION } from "../lib/transport/protocol.ts";

/**
 * What runs a command line that no command's fast path takes (help, usage errors, suggestions,
 * completions): it gets the command line (split at `--exec`) and returns the exit code.
 */
export type Otherwise = (argv: string[], exec: string[] | undefined) => Promise<number>;

/**
 * Runs an `ipckit` command line against `commands`: the fast path when one of them takes it,
 * `otherwise` when none does, and every error mapped to its exit code.
 *
 * @returns the exit code.
 */
export async function runCommandLine(
  argv: string[],
  commands: readonly Command[],
  otherwise: Otherwise,
): Promise<number> {
  let commandName = "";
  try {
    argv = rewriteHabits(argv); // pbcopy/pbpaste's -pboard NAME and -Prefer txt|rtf|ps
    if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
      await writeStdout(`ipckit ${IPCKIT_VERSION}\n`);
      return 0;
    }
    let found = findCommand(argv, commands);
    let exec: string[] | undefined;
    let words = argv;
    if (found?.command.spec.exec) ({ argv: words, exec } = splitExec(argv));
    if (found?.command.spec.numericFlag) {
      words = expandNumericFlags(found.command.spec, words);
      found = findCommand(words, commands);
    }
    if (found) {
      commandName = found.command.spec.name;
      const rest = exec ? findCommand(words, commands)!.rest : found.rest;
      const invocation = parseFast(found.command.spec, rest, exec);
      if (invocation) return await found.command.run(invocation);
    }
    return await otherwise(words, exec);
  } catch (error) {
    return report(error, commandName);
  }
}

/** Prints an error as one line and returns its exit code. */
function report(error: unknown, commandName: string): number {
  if (error instanceof StdoutClosed) return 0;
  if (error instanceof ExitError) {
    if (error.message) writeStderr(`ipckit: ${error.message}`);
    return error.code;
  }
  if (error instanceof UsageError) {
    writeStderr(
      `ipckit: ${error.message} (see: ipckit ${commandName ? `${commandName} ` : ""}--help)`,
    );
    return 2;
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof NotFoundError) {
    writeStderr(`ipckit: ${message}`);
    return 3;
  }
  if (error instanceof TimeoutError) {
    writeStderr(`ipckit: ${message}`);
    return 124;
  }
  if (
    error instanceof IpcError || error instanceof Deno.errors.PermissionDenied ||
    error instanceof Deno.errors.NotFound || error instanceof Deno.errors.AlreadyExists ||
    error instanceof Deno.errors.IsADirectory || error instanceof SyntaxError
  ) {
    writeStderr(`ipckit: ${message}`);
    return 1;
  }
  writeStderr(`ipckit: internal error: ${message} (IPCKIT_DEBUG=1 shows where)`);
  if (Deno.env.get("IPCKIT_DEBUG")) writeStderr(String((error as Error)?.stack ?? error));
  return 1;
}

/**
 * Runs the program on `Deno.args` and exits with its code. The broker is this very program
 * (`whole`, the module that runs every command, `Deno.mainModule` by default), so an installed
 * (bundled) ipckit needs no other file; run bundled, it shares its code cache with the broker:
 * the same V8 flags for both.
 */
export async function startProgram(
  main: (argv: string[]) => Promise<number>,
  whole: string = Deno.mainModule,
): Promise<never> {
  const bundled = import.meta.url.endsWith(".js");
  setBrokerCommand(() => [
    ...(bundled ? BUNDLE_V8_FLAGS : []),
    whole,
    "daemon",
    "run",
    "--detached",
  ]);
  Deno.exit(await main(Deno.args));
}

/**
 * Runs a hot command's own bundle: `command` when it takes the command line, the whole program
 * (`main.ts`; bundled, `main.js` one folder up from `hot/`, see `_hot.ts`) for anything else,
 * such as `--help`.
 */
export function startHot(command: Command): Promise<never> {
  const whole =
    new URL(import.meta.url.endsWith(".js") ? "../main.js" : "./main.ts", import.meta.url)
      .href;
  return startProgram(
    (argv) =>
      runCommandLine(argv, [command], async () => {
        const { main }: { main: (argv: string[]) => Promise<number> } = await import(whole);
        return await main(argv);
      }),
    whole,
  );
}
