/**
 * The Notes app's model in-process: what the scripts in ../shared/testdata/applescript/ ask of
 * Notes, done through the accessors the scripting runtime calls, and the store on disk.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  htmlToText,
  type Note,
  notesAccessors,
  NotesStore,
} from "../../scripts/apps/notes_model.ts";

async function withStore(fn: (file: string) => void | Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-notes-" });
  try {
    await fn(`${dir}/ipckit/notes.json`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** make new note at folder F with properties P, as the runtime does it with the accessors. */
function makeNote(store: NotesStore, folder: object, properties: Record<string, unknown>): Note {
  const acc = notesAccessors(store).note;
  const note = acc.create!(properties) as Note;
  acc.insert!(folder, "notes", note, (folder as { notes: Note[] }).notes.length);
  return note;
}

Deno.test("Notes store: a new store has one account with the Notes folder, written to disk", async () => {
  await withStore((file) => {
    const store = NotesStore.open({ file });
    assert.deepEqual(store.app.accounts.map((a) => a.name), ["On My Mac"]);
    assert.deepEqual(store.app.folders.map((f) => f.name), ["Notes"]);
    assert.ok(Deno.statSync(file).isFile);
    assert.equal(Deno.statSync(file).mode! & 0o777, 0o600);
  });
});

Deno.test("Notes store: notes made, renamed, moved and deleted survive a reopen", async () => {
  await withStore((file) => {
    const store = NotesStore.open({ file });
    const acc = notesAccessors(store);
    const notes = store.app.folders[0];
    const archive = acc.folder.create!({ name: "Archive" });
    acc.folder.insert!(store.app.accounts[0], "folders", archive, 1);
    // 10-notes-make-note-at-folder: make new note at folder "Notes" with properties {name, body}
    const a = makeNote(store, notes, { name: "My Note", body: "<div>milk</div><div>eggs</div>" });
    const b = makeNote(store, notes, { body: "<div>Second</div>" });
    // 14-notes-set-body-of-note
    a.body = "New content";
    // 15-notes-move-note-to-folder: move note "My Note" to folder "Archive"
    acc.note.insert!(archive, "notes", a, 0);
    // delete
    acc.note.remove!(notes, "notes", b);

    const again = NotesStore.open({ file });
    const [n, ar] = again.app.folders;
    assert.deepEqual([n.name, ar.name], ["Notes", "Archive"]);
    assert.deepEqual(n.notes.map((x) => x.name), []);
    assert.deepEqual(ar.notes.map((x) => [x.name, x.body, x.id]), [[
      "My Note",
      "New content",
      a.id,
    ]]);
    assert.equal(ar.notes[0].creationDate.getTime(), a.creationDate.getTime());
    assert.equal(ar.notes[0].modificationDate.getTime(), a.modificationDate.getTime());
    assert.equal(ar.notes[0].container, ar);
    // No temporary file is left beside it.
    const dir = file.slice(0, file.lastIndexOf("/"));
    assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["notes.json"]);
  });
});

Deno.test("Notes model: plaintext is the body's text; a note without a name takes its first line", () => {
  assert.equal(
    htmlToText("<div><b>Groceries</b></div><div>milk &amp; eggs<br>bread</div><div>&#x263A;</div>"),
    "Groceries\nmilk & eggs\nbread\n☺",
  );
  return withStore((file) => {
    const store = NotesStore.open({ file });
    const n = makeNote(store, store.app.folders[0], { body: "<h1>Title</h1><p>text</p>" });
    assert.equal(n.name, "Title");
    assert.equal(n.plaintext, "Title\ntext");
  });
});

Deno.test("Notes model: every note whose body contains, notes of a folder, notes of an account", async () => {
  await withStore((file) => {
    const store = NotesStore.open({ file });
    const acc = notesAccessors(store);
    const work = acc.folder.create!({ name: "Work" });
    acc.folder.insert!(store.app, "folders", work, 99);
    const sub = acc.folder.create!({ name: "Sub" });
    acc.folder.insert!(work, "folders", sub, 0);
    makeNote(store, store.app.folders[0], { name: "shopping", body: "buy milk" });
    makeNote(store, work, { name: "plan", body: "no" });
    makeNote(store, sub, { name: "deep", body: "milk too" });
    // 11: every note whose body contains "milk" (the runtime filters app.notes)
    assert.deepEqual(
      store.app.notes.filter((n) => n.body.includes("milk")).map((n) => n.name),
      ["shopping", "deep"],
    );
    // 13: name of every note in folder "Work" (its own notes only)
    assert.deepEqual((work as { notes: Note[] }).notes.map((n) => n.name), ["plan"]);
    // 35: id of every note of an account where name contains "p"
    assert.equal(store.app.accounts[0].notes.length, 3);
    assert.deepEqual(store.app.folders.map((f) => f.name), ["Notes", "Work", "Sub"]);
  });
});

Deno.test("Notes model: make new note without a folder goes to the default folder; by id finds it", async () => {
  await withStore((file) => {
    const store = NotesStore.open({ file });
    const acc = notesAccessors(store).note;
    const n = acc.create!({ name: "loose" }) as Note;
    acc.insert!(store.app, "notes", n, 0);
    assert.equal(n.container, store.app.folders[0]);
    assert.equal(acc.byId!(store.app, "notes", n.id), n);
    assert.equal(acc.byId!(store.app.folders[0], "notes", n.id), n);
    assert.equal(acc.byId!(store.app, "notes", "x-coredata://nope/ICNote/p1"), undefined);
    assert.equal(notesAccessors(store).folder.byId!(store.app, "folders", n.id), undefined);
    assert.match(n.id, /^x-coredata:\/\/[0-9A-F-]{36}\/ICNote\/p\d+$/);
  });
});

Deno.test("Notes model: a folder cannot go into itself; duplicate gives new ids", async () => {
  await withStore((file) => {
    const store = NotesStore.open({ file });
    const acc = notesAccessors(store).folder;
    const top = store.app.folders[0];
    const sub = acc.create!({ name: "Sub" });
    acc.insert!(top, "folders", sub, 0);
    assert.throws(() => acc.insert!(sub, "folders", top, 0), { number: -10024 });
    const n = makeNote(store, top, { name: "a", body: "b" });
    const copy = notesAccessors(store).note.copy!(n) as Note;
    assert.notEqual(copy.id, n.id);
    assert.deepEqual([copy.name, copy.body], ["a", "b"]);
  });
});

Deno.test("Notes store: a file that is not a notes file is one clear error and stays as it was", async () => {
  await withStore((file) => {
    Deno.mkdirSync(file.slice(0, file.lastIndexOf("/")), { recursive: true });
    Deno.writeTextFileSync(file, "{oops");
    assert.throws(() => NotesStore.open({ file }), /not an ipckit notes file.*move it away/);
    assert.equal(Deno.readTextFileSync(file), "{oops");
  });
});
