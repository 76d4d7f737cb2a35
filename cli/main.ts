/**
 * `ipckit`: one program, one subcommand per job. This file lists the commands, each declaration
 * paired with a loader of its work (`*_run.ts`, imported only when it runs), and runs a command
 * line against them (`_main.ts` dispatches and maps errors to exit codes; it is the only place
 * that exits). An ordinary, valid command line is parsed by `_parse.ts`; commander is loaded
 * only for help, usage errors, suggestions and completions; the installed ipckit gives each hot
 * command a bundle of its own (`_hot.ts`, `scripts/build.ts`).
 *
 * @module
 */

import type { Command, CommandSpec, InvocationOf, RunOf } from "./_spec.ts";
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

/**
 * A command whose function `load` imports when it runs. The parsers hand over the options as
 * its declaration types them (`_parse.ts`, `_commander.ts` convert and check each per its kind).
 */
function lazy<S extends CommandSpec>(spec: S, load: () => Promise<RunOf<S>>): Command {
  return {
    spec,
    async run(invocation: InvocationOf<S>): Promise<number> {
      return await (await load())(invocation);
    },
  };
}

/** Every command, in the order help lists them. */
export const COMMANDS: readonly Command[] = [
  lazy(post.spec, async () => (await import("./notifications/post_run.ts")).run),
  lazy(listen.spec, async () => (await import("./notifications/listen_run.ts")).run),
  lazy(state.spec, async () => (await import("./notifications/state_run.ts")).run),
  lazy(send.spec, async () => (await import("./ports/send_run.ts")).run),
  lazy(serve.spec, async () => (await import("./ports/serve_run.ts")).run),
  lazy(ports.spec, async () => (await import("./ports/ports_run.ts")).run),
  lazy(copy.spec, async () => (await import("./pasteboard/copy_run.ts")).run),
  lazy(paste.spec, async () => (await import("./pasteboard/paste_run.ts")).run),
  lazy(daemon.statusSpec, async () => (await import("./broker/daemon_status.ts")).status),
  lazy(daemon.startSpec, async () => (await import("./broker/daemon_run.ts")).start),
  lazy(daemon.stopSpec, async () => (await import("./broker/daemon_run.ts")).stop),
  lazy(daemon.runSpec, async () => (await import("./broker/daemon_run.ts")).run),
  lazy(services.listSpec, async () => (await import("./launch/services_run.ts")).list),
  lazy(services.loadSpec, async () => (await import("./launch/services_run.ts")).load),
  lazy(services.unloadSpec, async () => (await import("./launch/services_run.ts")).unload),
  lazy(services.startSpec, async () => (await import("./launch/services_run.ts")).start),
  lazy(services.stopSpec, async () => (await import("./launch/services_run.ts")).stop),
  lazy(services.kickstartSpec, async () => (await import("./launch/services_run.ts")).kickstart),
  lazy(services.printSpec, async () => (await import("./launch/services_run.ts")).print),
  lazy(services.logSpec, async () => (await import("./launch/services_run.ts")).log),
  lazy(services.checkSpec, async () => (await import("./launch/services_run.ts")).check),
  lazy(sdp.spec, async () => (await import("./scripting/sdp_run.ts")).run),
  lazy(notifyutil.spec, async () => (await import("./notifications/notifyutil_run.ts")).run),
  lazy(monitor.spec, async () => (await import("./ports/monitor_run.ts")).run),
  lazy(sdef.spec, async () => (await import("./scripting/sdef_run.ts")).run),
  lazy(apps.spec, async () => (await import("./scripting/apps_run.ts")).run),
  lazy(tell.spec, async () => (await import("./scripting/tell_run.ts")).run),
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
