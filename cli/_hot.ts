/**
 * The hot commands: those called in loops, whose start-up counts most. The installed ipckit
 * (`scripts/build.ts`) bundles each of them on its own, into one file that holds everything its
 * ordinary run needs (or a few, see `split`), and the installed command (a shell script,
 * `scripts/install.ts`) runs that file alone for their command lines. Loading one module instead
 * of the whole program's graph of a dozen saves a tenth of a command's start-up.
 *
 * @module
 */

/** A hot command: its name, and the modules and exports of its spec and its run. */
export interface HotCommand {
  /** The command's name, as on the command line (`"daemon status"`). */
  readonly name: string;
  /** The module (in `cli/`) and export of its {@linkcode CommandSpec}. */
  readonly spec: readonly [string, string];
  /** The module (in `cli/`) and export of its run function. */
  readonly run: readonly [string, string];
  /**
   * Bundled with code splitting: what it loads lazily (the pasteboard library, the UTI table,
   * the desktop clipboard) is larger than the few more modules its start then loads.
   * @default {false}
   */
  readonly split?: boolean;
}

/** Every hot command. */
export const HOT_COMMANDS: readonly HotCommand[] = [
  {
    name: "post",
    spec: ["notifications/post.ts", "spec"],
    run: ["notifications/post_run.ts", "run"],
  },
  {
    name: "state",
    spec: ["notifications/state.ts", "spec"],
    run: ["notifications/state_run.ts", "run"],
  },
  { name: "send", spec: ["ports/send.ts", "spec"], run: ["ports/send_run.ts", "run"] },
  {
    name: "copy",
    spec: ["pasteboard/copy.ts", "spec"],
    run: ["pasteboard/copy_run.ts", "run"],
    split: true,
  },
  {
    name: "paste",
    spec: ["pasteboard/paste.ts", "spec"],
    run: ["pasteboard/paste_run.ts", "run"],
    split: true,
  },
  {
    name: "daemon status",
    spec: ["broker/daemon.ts", "statusSpec"],
    run: ["broker/daemon_status.ts", "status"],
  },
  {
    name: "tell",
    spec: ["scripting/tell.ts", "spec"],
    run: ["scripting/tell_run.ts", "run"],
    split: true,
  },
];

/** Where a hot command's bundle is, installed: `hot/post.js`, `hot/daemon-status.js`. */
export function hotBundleName(name: string): string {
  return `hot/${name.replace(" ", "-")}.js`;
}
