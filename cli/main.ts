/**
 * `ipckit`: one program, one subcommand per job. This file dispatches and maps errors to exit
 * codes; it is the only place that exits.
 *
 * Start-up matters (`post`, `send`, `copy` are called in loops), so an ordinary, valid command
 * line is parsed by the small parser in `_parse.ts` and each command loads what it needs itself;
 * commander is loaded only for help, usage errors, suggestions and completions.
 *
 * @module
 */

import { ExitError, UsageError } from "./_errors.ts";
import { splitExec, StdoutClosed, writeStderr, writeStdout } from "./_io.ts";
import { findCommand, parseFast } from "./_parse.ts";
import type { Command } from "./_spec.ts";
import * as copy from "./copy.ts";
import * as daemon from "./daemon.ts";
import * as listen from "./listen.ts";
import * as post from "./post.ts";
import * as state from "./state.ts";
import * as sdp from "./sdp.ts";
import * as send from "./send.ts";
import * as serve from "./serve.ts";
import * as ports from "./ports.ts";
import * as paste from "./paste.ts";
import { IpcError, NotFoundError, TimeoutError } from "../lib/errors.ts";
import { setBrokerCommand } from "../lib/_broker_command.ts";
import { BUNDLE_V8_FLAGS } from "../lib/permissions.ts";
import { IPCKIT_VERSION } from "../lib/transport/protocol.ts";

/** Every command, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  post,
  listen,
  state,
  send,
  serve,
  ports,
  copy,
  paste,
  ...daemon.commands,
  sdp,
];

/**
 * Runs `ipckit` with the given arguments.
 *
 * @returns the exit code.
 */
export async function main(argv: string[]): Promise<number> {
  let commandName = "";
  try {
    argv = copy.rewriteHabits(argv); // pbcopy/pbpaste's -pboard NAME and -Prefer txt|rtf|ps
    if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
      await writeStdout(`ipckit ${IPCKIT_VERSION}\n`);
      return 0;
    }
    const found = findCommand(argv, COMMANDS);
    let exec: string[] | undefined;
    let words = argv;
    if (found?.command.spec.exec) ({ argv: words, exec } = splitExec(argv));
    if (found) {
      commandName = found.command.spec.name;
      const rest = exec ? findCommand(words, COMMANDS)!.rest : found.rest;
      const invocation = parseFast(found.command.spec, rest, exec);
      if (invocation) return await found.command.run(invocation);
    }
    // Not a literal specifier: the bundler must leave commander (CommonJS, which pulls in
    // Node compatibility) out of the hot bundle; scripts/build.ts bundles it on its own.
    const { runWithCommander }: typeof import("./_commander.ts") = await import(commanderModule());
    return await runWithCommander(words, COMMANDS, exec);
  } catch (error) {
    return report(error, commandName);
  }
}

/** Where `_commander.ts` is: beside this file, or bundled as `commander.js` beside the bundle. */
function commanderModule(): string {
  const bundled = import.meta.url.endsWith(".js");
  return new URL(bundled ? "./commander.js" : "./_commander.ts", import.meta.url).href;
}

/** Prints an error as one line and returns its exit code. */
function report(error: unknown, commandName: string): number {
  if (error instanceof StdoutClosed) return 0;
  if (error instanceof ExitError) {
    if (error.message) writeStderr(`ipckit: ${error.message}`);
    return error.code;
  }
  if (error instanceof UsageError) {
    writeStderr(`ipckit: ${error.message}`);
    writeStderr(`Try 'ipckit ${commandName ? `${commandName} ` : ""}--help'.`);
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

if (import.meta.main) {
  // The broker is this very program, so an installed (bundled) ipckit needs no other file.
  // Run bundled, it shares its code cache with the broker: the same V8 flags for both.
  const bundled = import.meta.url.endsWith(".js");
  setBrokerCommand(() => [
    ...(bundled ? BUNDLE_V8_FLAGS : []),
    Deno.mainModule,
    "daemon",
    "run",
    "--detached",
  ]);
  Deno.exit(await main(Deno.args));
}
