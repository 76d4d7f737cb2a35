/**
 * ipckit's System Events: the Linux machine in Apple System Events' terms
 * (`sdef/SystemEvents.sdef`): processes from `/proc` (name, unix id, user, memory, CPU time,
 * command line; quit and kill), disk items, files and folders (name, POSIX path, size, dates,
 * kind; delete, move, make new folder), and ipckit's message ports, pasteboards and
 * notification states.
 *
 * Run: `deno run --allow-read --allow-write --allow-env --allow-run --allow-net --allow-sys=uid
 * scripts/apps/system_events.ts` (see `--help`).
 *
 * @module
 */

import { join } from "node:path";
import { extensionIndex } from "../../lib/uti.ts";
import { type AppProgram, parseAppArgs, runApp } from "./_app_main.ts";
import {
  IpckitObjects,
  systemEventsAccessors,
  SystemEventsApp,
  systemEventsClassOf,
  systemEventsHandlers,
} from "./system_events_model.ts";
import { listPorts } from "../../lib/ports/mod.ts";
import { listStates } from "../../lib/notifications/mod.ts";
import { listPasteboards } from "../../lib/pasteboard/mod.ts";

const PROGRAM: AppProgram = {
  program: "system_events.ts",
  name: "System Events",
  bundleId: "com.apple.systemevents",
  help: `Serves System Events: this Linux machine in Apple System Events' terms and codes
(sdef/SystemEvents.sdef), with what Apple has no terms for in its own ipckit Suite.
  processes      from /proc: name, unix id, user, resident memory, CPU time, command line,
                 parent unix id; quit (SIGTERM), kill [signal NAME] (SIGKILL unless given)
  disk items     files and folders, read when asked: name (settable: renames), POSIX path,
                 size, creation and modification dates, kind, type identifier; delete, move,
                 make new folder/file, duplicate. Reach them from startup disk, home folder,
                 desktop/documents/downloads folder or temporary items folder, or
                 from the application by POSIX path (folder "/etc").
  message ports  the live ipckit ports; pasteboards: every pasteboard written to, with its
                 types and change count; notification states: every notification name
                 with a state (all as of the last second)

Options:
  --runtime-dir DIR   the ipckit runtime directory (default: $IPCKIT_RUNTIME_DIR, else
                      $XDG_RUNTIME_DIR/ipckit, else /tmp/ipckit-UID)
  --ready-file PATH   write this file once System Events answers events
  -h, --help          this help

It runs until Ctrl-C (exit 130), SIGTERM or quit (exit 0). Started twice, the second says
System Events already runs and exits 1.

Example:
  ipckit sdef "System Events"                # its definition, once it runs`,
};

const args = parseAppArgs(PROGRAM);
const runtime = { runtimeDir: args.runtimeDir };
const ipckit = new IpckitObjects({
  ports: () => listPorts(runtime),
  // Neither starts a broker just to look: with none, there are none.
  pasteboards: () => listPasteboards(runtime),
  states: () => listStates(runtime),
});
await ipckit.refresh().catch(() => {});
const model = new SystemEventsApp(await extensionIndex(), ipckit);
let quitApp: (code?: number) => Promise<never> = () => Deno.exit(0);
let refreshing: ReturnType<typeof setTimeout> | undefined;

await runApp(PROGRAM, args, {
  definition: join(import.meta.dirname!, "../../sdef/SystemEvents.sdef"),
  model,
  classes: systemEventsAccessors(model),
  classOf: systemEventsClassOf,
  handlers: systemEventsHandlers(model, () => void quitApp(0)),
}, () => clearTimeout(refreshing)).then(({ quit }) => (quitApp = quit));

// The ipckit objects are read again every second, one read at a time.
async function refreshLoop(): Promise<void> {
  await ipckit.refresh().catch(() => {});
  refreshing = setTimeout(refreshLoop, 1000);
}
refreshing = setTimeout(refreshLoop, 1000);
console.log(`System Events is running (bundle id ${PROGRAM.bundleId})`);
