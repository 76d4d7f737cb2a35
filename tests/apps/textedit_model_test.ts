/**
 * The TextEdit app's model in-process: the operations the TextEdit scripts in
 * ../shared/testdata/applescript/ use, through the accessors and handlers the runtime calls.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  textEditAccessors,
  TextEditApp,
  type TextEditDocument,
  textEditHandlers,
} from "../../scripts/apps/textedit_model.ts";
import type { HandlerCall } from "../../lib/scripting/types.ts";

function call(direct: unknown, args: Record<string, unknown> = {}): HandlerCall {
  return { direct, args, receivers: [], command: "", event: { code: "" } };
}

function make(app: TextEditApp, properties: Record<string, unknown>): TextEditDocument {
  const acc = textEditAccessors(app).document;
  const doc = acc.create!(properties) as TextEditDocument;
  acc.insert!(app, "documents", doc, 0);
  return doc;
}

Deno.test("TextEdit model: make new document with properties {name, text}; paragraphs, words, characters", () => {
  const app = new TextEditApp();
  // 20: make new document with properties {name:"Word Frequencies", text:the_report}
  const doc = make(app, { name: "Word Frequencies", text: "Hello, world!\nSecond line\n\nlast" });
  assert.equal(app.documents[0], doc);
  assert.equal(doc.name, "Word Frequencies");
  assert.equal(String(doc.text), "Hello, world!\nSecond line\n\nlast");
  // 46: count of paragraphs; paragraph 1 of document 1 (through the document's text)
  assert.deepEqual(doc.text.paragraphs.map(String), [
    "Hello, world!\n",
    "Second line\n",
    "\n",
    "last",
  ]);
  // 39: every word of document 1
  assert.deepEqual(doc.text.words.map(String), ["Hello", "world", "Second", "line", "last"]);
  assert.deepEqual(doc.text.paragraphs[1].words.map(String), ["Second", "line"]);
  assert.equal(doc.text.characters.length, 31);
  assert.equal(String(doc.text.paragraphs[1].characters[0]), "S");
  // Untitled names for documents made without one.
  assert.equal(make(app, {}).name, "Untitled");
  assert.equal(make(app, {}).name, "Untitled 2");
  // An empty document has no paragraphs (44: close empty documents).
  assert.equal(make(app, {}).text.paragraphs.length, 0);
});

Deno.test("TextEdit model: make new paragraph at end of paragraphs with data; set a paragraph", () => {
  const app = new TextEditApp();
  const doc = make(app, { name: "Phone List" });
  const acc = textEditAccessors(app).paragraph;
  // 21: make new paragraph at (end of paragraphs of document "Phone List") with data (...)
  for (const line of ["Ann\t555-1234\n", "Bob\t555-9876\n"]) {
    const p = acc.create!({ data: line });
    acc.insert!(doc.text, "paragraphs", p, doc.text.paragraphs.length);
  }
  assert.equal(String(doc.text), "Ann\t555-1234\nBob\t555-9876\n");
  // at beginning of paragraphs
  acc.insert!(doc, "paragraphs", acc.create!({ data: "Phones\n" }), 0);
  assert.deepEqual(doc.text.paragraphs.map(String), [
    "Phones\n",
    "Ann\t555-1234\n",
    "Bob\t555-9876\n",
  ]);
  // 42: set paragraph 1 to "…"
  doc.text.paragraphs[0].replace("Font Samples\n\n");
  assert.equal(doc.text.paragraphs.length, 4);
  assert.ok(doc.modified);
  // delete paragraph 2
  acc.remove!(doc.text, "paragraphs", doc.text.paragraphs[2]);
  assert.equal(String(doc.text), "Font Samples\n\nBob\t555-9876\n");
});

Deno.test("TextEdit model: font, size and color per range; attribute runs", () => {
  const app = new TextEditApp();
  const doc = make(app, { text: "one two three" });
  assert.deepEqual([doc.text.font, doc.text.size, doc.text.color], ["Helvetica", 12, [0, 0, 0]]);
  // 42: set size to 18 (of the front document's text)
  doc.text.size = 18;
  doc.text.words[1].font = "Courier";
  doc.text.words[2].color = [65535, 0, 0];
  assert.deepEqual(doc.text.attributeRuns.map(String), ["one ", "two", " ", "three"]);
  assert.deepEqual(doc.text.attributeRuns.map((r) => r.font), [
    "Helvetica",
    "Courier",
    "Helvetica",
    "Helvetica",
  ]);
  assert.deepEqual(doc.text.words.map((w) => w.size), [18, 18, 18]);
  assert.deepEqual(doc.text.words[2].color, [65535, 0, 0]);
  assert.throws(() => (doc.text.words[0].color = [1, 2] as never), { number: -1700 });
  // Text typed after a run takes that run's style.
  doc.text = "fresh";
  assert.equal(doc.text.size, 18);
});

Deno.test("TextEdit handlers: open, save in, close saving no/yes/ask, quit saving no", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-textedit-" });
  try {
    const app = new TextEditApp();
    let quitted = 0;
    const h = textEditHandlers(app, () => quitted++);
    await Deno.writeTextFile(`${dir}/a.txt`, "alpha\nbeta\n");
    // 43: open file …
    const doc = await h.open(call(`${dir}/a.txt`)) as TextEditDocument;
    assert.deepEqual([doc.name, doc.path, doc.modified], ["a.txt", `${dir}/a.txt`, false]);
    assert.equal(doc.text.paragraphs.length, 2);
    await assert.rejects(async () => await h.open(call(`${dir}/none.txt`)), { number: -43 });
    await Deno.writeFile(`${dir}/bin`, new Uint8Array([0xff, 0xfe, 0x00]));
    await assert.rejects(async () => await h.open(call(`${dir}/bin`)), /not UTF-8 text/);
    // save … in
    doc.text = "changed";
    const untitled = make(app, { text: "draft" });
    await h.save(call(untitled, { in: `${dir}/draft.txt` }));
    assert.equal(await Deno.readTextFile(`${dir}/draft.txt`), "draft");
    assert.equal(untitled.modified, false);
    // 45: close (saving ask) of a changed document with no file loses nothing: refused
    const fresh = make(app, { text: "keep me" });
    await assert.rejects(async () => await h.close(call(fresh)), { number: -128 });
    assert.ok(app.documents.includes(fresh));
    await h.close(call(fresh, { saving: "no" }));
    assert.ok(!app.documents.includes(fresh));
    // close saving yes writes it
    await h.close(call(doc, { saving: "yes" }));
    assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "changed");
    // 22: quit saving no
    make(app, { text: "unsaved" });
    await h.quit(call(undefined, { saving: "no" }));
    await new Promise((resolve) => setTimeout(resolve, 0)); // quit ends the app after answering
    assert.equal(app.documents.length, 0);
    assert.equal(quitted, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
