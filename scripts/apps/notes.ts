/**
 * ipckit's Notes: a scriptable notes app that speaks Apple Notes' terminology (`sdef/Notes.sdef`),
 * so `make new note at folder "Notes" with properties {name:"x", body:"…"}`, `every note whose
 * body contains "milk"`, `move note "x" to folder "Archive"` and `show note "x"` work as on a Mac.
 * Its notes live in `$XDG_DATA_HOME/ipckit/notes.json` and survive a restart.
 *
 * Run: `deno run --allow-read --allow-write --allow-env --allow-run --allow-net --allow-sys=uid
 * scripts/apps/notes.ts` (see `--help`).
 *
 * @module
 */

import { dirname, join } from "node:path";
import { type AppProgram, parseAppArgs, runApp } from "./_app_main.ts";
import {
  Account,
  defaultNotesFile,
  Folder,
  Note,
  notesAccessors,
  NotesStore,
} from "./notes_model.ts";

const PROGRAM: AppProgram = {
  program: "notes.ts",
  name: "Notes",
  bundleId: "com.apple.Notes",
  help: `Serves Notes, a scriptable notes app with Apple Notes' terms and codes (sdef/Notes.sdef):
accounts, folders and notes (name, body as HTML, plaintext, creation and modification dates,
id), show, move and the standard suite. Notes are kept in $XDG_DATA_HOME/ipckit/notes.json
(now ${defaultNotesFile()}), rewritten on every change.

Options:
  --runtime-dir DIR   the ipckit runtime directory (default: $IPCKIT_RUNTIME_DIR, else
                      $XDG_RUNTIME_DIR/ipckit, else /tmp/ipckit-UID)
  --ready-file PATH   write this file once Notes answers events
  -h, --help          this help

It runs until Ctrl-C (exit 130), SIGTERM or quit (exit 0). Started twice, the second says Notes
already runs and exits 1.

Examples:
  deno task ipckit apps                      # Notes is listed once it runs
  ipckit sdef Notes                          # its definition`,
};

const args = parseAppArgs(PROGRAM);

/**
 * Takes the notes file for this process: an exclusive lock on `FILE.lock`, held while it runs
 * (the kernel lets go when it dies). Two Notes with different runtime directories would
 * otherwise each rewrite the file with their own notes.
 */
async function lockNotesFile(file: string): Promise<Deno.FsFile | null> {
  await Deno.mkdir(dirname(file), { recursive: true, mode: 0o700 });
  const lock = await Deno.open(`${file}.lock`, {
    read: true,
    write: true,
    create: true,
    mode: 0o600,
  });
  if (await lock.tryLock(true)) return lock;
  lock.close();
  return null;
}

let store: NotesStore;
try {
  const file = defaultNotesFile();
  if (!(await lockNotesFile(file))) {
    console.error(
      `${PROGRAM.program}: Notes already runs (bundle id ${PROGRAM.bundleId}) with its notes in ${file}: quit it first, or set XDG_DATA_HOME elsewhere`,
    );
    Deno.exit(1);
  }
  store = NotesStore.open({ file });
} catch (e) {
  console.error(`${PROGRAM.program}: ${(e as Error).message}`);
  Deno.exit(1);
}

/** Where an object is, in words, for `show`. */
function where(object: unknown): string {
  if (object instanceof Note) {
    return `note "${object.name}" (id ${object.id}) in ${where(object.container)}`;
  }
  if (object instanceof Folder) return `folder "${object.name}" of ${where(object.container)}`;
  if (object instanceof Account) return `account "${object.name}"`;
  return "Notes";
}

const { quit } = await runApp(PROGRAM, args, {
  definition: join(import.meta.dirname!, "../../sdef/Notes.sdef"),
  model: store.app,
  classes: notesAccessors(store),
  classOf: (o) =>
    o instanceof Note
      ? "note"
      : o instanceof Folder
      ? "folder"
      : o instanceof Account
      ? "account"
      : undefined,
  handlers: {
    // There is no window: show says where the object is, on standard output.
    show: ({ direct }) => {
      console.log(`Notes: showing ${where(direct)}`);
      return direct;
    },
    quit: () => {
      setTimeout(() => void quit(0), 0);
      return null;
    },
  },
});
console.log(`Notes is running (bundle id ${PROGRAM.bundleId}; notes in ${store.file})`);
