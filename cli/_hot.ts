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
  { name: "post", spec: ["post.ts", "spec"], run: ["post_run.ts", "run"] },
  { name: "state", spec: ["state.ts", "spec"], run: ["state_run.ts", "run"] },
  { name: "send", spec: ["send.ts", "spec"], run: ["send_run.ts", "run"] },
  { name: "copy", spec: ["copy.ts", "spec"], run: ["copy_run.ts", "run"], split: true },
  { name: "paste", spec: ["paste.ts", "spec"], run: ["paste_run.ts", "run"], split: true },
  { name: "daemon status", spec: ["daemon.ts", "statusSpec"], run: ["daemon_status.ts", "status"] },
  { name: "tell", spec: ["tell.ts", "spec"], run: ["tell_run.ts", "run"], split: true },
];

/** Where a hot command's bundle is, installed: `hot/post.js`, `hot/daemon-status.js`. */
export function hotBundleName(name: string): string {
  return `hot/${name.replace(" ", "-")}.js`;
}
