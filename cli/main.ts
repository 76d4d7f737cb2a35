/**
 * `ipckit`: one program, one subcommand per job. This file lists the commands and runs a command
 * line against them (`_main.ts` dispatches and maps errors to exit codes; it is the only place
 * that exits).
 *
 * Start-up matters (`post`, `send`, `copy` are called in loops), so an ordinary, valid command
 * line is parsed by the small parser in `_parse.ts` and each command loads its work (`*_run.ts`)
 * only when it runs; commander is loaded only for help, usage errors, suggestions and
 * completions. The installed ipckit goes further: each hot command has a bundle of its own
 * (`_hot.ts`, `scripts/build.ts`).
 *
 * @module
 */

import type { Command } from "./_spec.ts";
import { runCommandLine, startProgram } from "./_main.ts";
import * as copy from "./pasteboard/copy.ts";
import * as daemon from "./broker/daemon.ts";
import * as listen from "./notifications/listen.ts";
import * as post from "./notifications/post.ts";
import * as state from "./notifications/state.ts";
import * as sdp from "./scripting/sdp.ts";
import * as send from "./ports/send.ts";
import * as serve from "./ports/serve.ts";
import * as ports from "./ports/ports.ts";
import * as paste from "./pasteboard/paste.ts";
import * as notifyutil from "./notifications/notifyutil.ts";
import * as monitor from "./ports/monitor.ts";
import * as services from "./launch/services.ts";
import * as tell from "./scripting/tell.ts";
import * as sdef from "./scripting/sdef.ts";
import * as apps from "./scripting/apps.ts";

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
  ...services.commands,
  sdp,
  notifyutil,
  monitor,
  sdef,
  apps,
  tell,
];

/**
 * Runs `ipckit` with the given arguments.
 *
 * @returns the exit code.
 */
export function main(argv: string[]): Promise<number> {
  return runCommandLine(argv, COMMANDS, async (words, exec) => {
    // Not a literal specifier: the bundler must leave commander (CommonJS, which pulls in
    // Node compatibility) out of the hot bundle; scripts/build.ts bundles it on its own.
    const { runWithCommander }: typeof import("./_commander.ts") = await import(commanderModule());
    return await runWithCommander(words, COMMANDS, exec);
  });
}

/** Where `_commander.ts` is: beside this file, or bundled as `commander.js` beside the bundle. */
function commanderModule(): string {
  const bundled = import.meta.url.endsWith(".js");
  return new URL(bundled ? "./commander.js" : "./_commander.ts", import.meta.url).href;
}

// Not awaited: Deno writes a module's code cache once its evaluation has ended.
if (import.meta.main) startProgram(main);
