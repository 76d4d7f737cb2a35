/**
 * Bridges against ipckit's own apps (Notes, TextEdit, System Events as processes of their own):
 * what the apps' `tell`-style tests do, written as scripts through the modules `ipckit sdp`
 * generates from their definitions (tests/golden/sdp/*App.ts, whose `application()` finds each
 * app by its bundle id) and through the dynamic bridge (`application("Notes")`).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  application as dynamicApplication,
  type Property,
  ScriptingError,
} from "../../lib/scripting/mod.ts";
import * as Notes from "../golden/sdp/NotesApp.ts";
import * as SystemEvents from "../golden/sdp/SystemEventsApp.ts";
import * as TextEdit from "../golden/sdp/TextEditApp.ts";
import { APPS, startApp } from "../apps/_apps.ts";
import { cleanupRuntimeDir } from "../_helpers.ts";

/** Each bridge to an app: the generated module's, and the dynamic one cast to its types. */
function bridges<App>(
  generated: (o: { runtimeDir: string }) => Promise<App>,
  name: string,
): Record<string, (runtimeDir: string) => Promise<App>> {
  return {
    generated: (runtimeDir) => generated({ runtimeDir }),
    dynamic: async (runtimeDir) => await dynamicApplication(name, { runtimeDir }) as unknown as App,
  };
}

/** Runs `fn` through each bridge, each against a fresh app with its own data directory. */
function appTest<App extends { close(): void }>(
  title: string,
  program: string,
  kinds: Record<string, (runtimeDir: string) => Promise<App>>,
  fn: (app: App, data: string) => Promise<void>,
): void {
  for (const [kind, make] of Object.entries(kinds)) {
    Deno.test(`${title} (${kind} bridge)`, async () => {
      const data = await Deno.realPath(await Deno.makeTempDir({ prefix: "ipckit-bridge-apps-" }));
      const running = await startApp(program, { env: { XDG_DATA_HOME: data, TMPDIR: data } });
      let app: App | undefined;
      try {
        app = await make(running.runtimeDir);
        await fn(app, data);
      } finally {
        app?.close();
        await running.stop();
        await cleanupRuntimeDir(running.runtimeDir);
        await Deno.remove(data, { recursive: true });
      }
    });
  }
}

appTest(
  "Notes: make at a folder, whose compound, notes of a folder, set, move, ids after the move, show, errors",
  APPS.notes,
  bridges(Notes.application, "Notes"),
  async (notes) => {
    const inbox = notes.folders.byName("Notes");
    const made = await notes.make({
      new: "note",
      at: inbox.notes.end(),
      withProperties: { name: "My Note", body: "<div>buy milk</div>" },
    }) as Notes.NotesNote;
    await notes.make({
      new: "note",
      at: inbox.notes.end(),
      withProperties: { name: "Other", body: "milk and eggs" },
    });
    await notes.make({
      new: "folder",
      at: notes.accounts.byName("On My Mac").folders.end(),
      withProperties: { name: "Archive" },
    });
    assert.equal(await made.name.get(), "My Note");
    const id = await made.id.get();
    assert.deepEqual(
      await notes.notes.whose((n) => n.body.contains("milk").and(n.name.startsWith("My")))
        .name.get(),
      ["My Note"],
    );
    assert.deepEqual((await inbox.notes.every().name.get()).sort(), ["My Note", "Other"]);
    await notes.notes.byName("Other").body.set("<div>eggs &amp; ham</div><div>bread</div>");
    assert.equal(await notes.notes.byName("Other").plaintext.get(), "eggs & ham\nbread");
    await made.move({ to: notes.folders.byName("Archive").notes.end() });
    assert.deepEqual(await notes.folders.byName("Archive").notes.every().name.get(), ["My Note"]);
    // By its id from the application, the note is found wherever it moved (make's reference
    // names it in the folder it was made in).
    const moved = notes.notes.byId(id);
    assert.equal(await moved.body.get(), "<div>buy milk</div>");
    assert.equal(await moved.container.name.get(), "Archive");
    assert.ok(await moved.creationDate.get() instanceof Date);
    assert.ok(await notes.exists(moved));
    assert.equal(await notes.exists(notes.notes.byName("Nope")), false);
    await moved.show();
    assert.equal(await notes.notes.count(), 2);
    await notes.notes.byName("Other").delete();
    assert.deepEqual(await notes.notes.every().name.get(), ["My Note"]);
    const missing = await notes.notes.byName("Nope").body.get().catch((e) => e);
    assert.ok(missing instanceof ScriptingError);
    assert.equal(missing.number, -1728);
    assert.match(missing.message, /^Notes got an error: Can’t get note "Nope"/);
    // @ts-expect-error plaintext is read-only, and the app says so too
    const readOnly = await moved.plaintext.set("x").catch((e) => e);
    assert.equal(readOnly.number, -10003);
  },
);

appTest(
  "TextEdit: make a document with text; its words and paragraphs; set its text",
  APPS.textedit,
  bridges(TextEdit.application, "TextEdit"),
  async (textedit) => {
    const doc = await textedit.make({
      new: "document",
      withProperties: { name: "Word Frequencies", text: "the cat\nsat on the mat\n" },
    }) as TextEdit.TextEditDocument;
    assert.equal(await doc.name.get(), "Word Frequencies");
    const first = textedit.documents.at(0);
    // The text's elements are reached through it, typed (a text may come back as a string
    // too, but it is a path on either way).
    const words = await first.text.words.every().get();
    assert.equal(words.length, 6);
    assert.equal(await first.text.paragraphs.count(), 2);
    assert.equal((await first.text.words.range(1, 2).get()).length, 2);
    // The runtime answers `get text of document 1` with a reference to the text object (Cocoa
    // answers the string): its characters are the text of that text, a term the class lacks.
    const text = first.text as unknown as { text: Property<string> };
    assert.equal(await text.text.get(), "the cat\nsat on the mat\n");
    assert.ok(await textedit.exists(first));
    await first.text.set("Hello!");
    assert.equal(await text.text.get(), "Hello!");
    assert.equal(await first.modified.get(), true);
  },
);

appTest(
  "System Events: make a folder and a file, files of a folder, processes whose, kill",
  APPS.systemEvents,
  bridges(SystemEvents.application, "System Events"),
  async (se, tmp) => {
    const temp = se.temporaryItemsFolder;
    await se.make({ new: "folder", at: temp.folders.end(), withProperties: { name: "work" } });
    const work = temp.folders.byName("work");
    await se.make({ new: "file", at: work.files.end(), withProperties: { name: "a.txt" } });
    await Deno.writeTextFile(`${tmp}/work/b.txt`, "hello");
    assert.deepEqual(await work.files.every().name.get(), ["a.txt", "b.txt"]);
    assert.deepEqual(await work.files.whose((f) => f.name.endsWith("b.txt")).name.get(), [
      "b.txt",
    ]);
    assert.equal(await work.files.byName("b.txt").posixPath.get(), `${tmp}/work/b.txt`);
    const sleeper = new Deno.Command("sleep", { args: ["300"], stdin: "null", stdout: "null" })
      .spawn();
    try {
      const mine = se.processes.whose((p) => p.unixId.equals(sleeper.pid));
      assert.deepEqual(await mine.name.get(), ["sleep"]);
      await mine.kill({ signal: "TERM" });
      assert.equal((await sleeper.status).signal, "SIGTERM");
    } finally {
      try {
        sleeper.kill();
      } catch { /* gone */ }
      await sleeper.status;
    }
  },
);
