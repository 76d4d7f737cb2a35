/**
 * TextEdit as a real process, driven through the scripting client with the events the TextEdit
 * scripts in ../shared/testdata/applescript/ send: make new document with properties, exists,
 * make new paragraph at end of paragraphs with data, every word, count paragraphs, set text,
 * font and size, open, save in, close saving, quit saving no.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { AppConnection } from "../../lib/scripting/client.ts";
import { ObjectSpecifier, type Value } from "../../lib/wire/value.ts";
import {
  at,
  constant,
  every,
  get,
  insertion,
  named,
  prop,
  set,
  spec,
  type,
} from "../scripting/_orchard.ts";
import { APPS, withApp } from "./_apps.ts";

const DOC = "docu";
const TEXT = "ctxt";
const PARA = "cpar";
const WORD = "cwor";

function make(client: AppConnection, params: Record<string, Value>) {
  return client.send({ code: "corecrel", params });
}

/**
 * `text of <doc>`: the document's text, whose paragraphs, words, … are its elements; `get`
 * answers it with the string, as Cocoa does.
 */
function textOf(doc: ObjectSpecifier): ObjectSpecifier {
  return prop(TEXT, doc);
}

Deno.test("TextEdit: make new document with properties {name, text}; words, paragraphs, count", async () => {
  await withApp(APPS.textedit, "TextEdit", async (client) => {
    // 20: make new document with properties {name:"Word Frequencies", text:the_report}
    const doc = await make(client, {
      kocl: type(DOC),
      prdt: { pnam: "Word Frequencies", ctxt: "the cat\nsat on the mat\n" },
    });
    assert.ok(doc instanceof ObjectSpecifier);
    assert.equal(await get(client, prop("pnam", at(DOC, 1))), "Word Frequencies");
    assert.equal(await get(client, textOf(at(DOC, 1))), "the cat\nsat on the mat\n");
    // 39: every word of (the text of) document 1
    assert.deepEqual(await get(client, prop(TEXT, every(WORD, textOf(at(DOC, 1))))), [
      "the",
      "cat",
      "sat",
      "on",
      "the",
      "mat",
    ]);
    // 46: tell document 1 to count paragraphs (the document's text is its implicit container)
    assert.equal(
      await client.send({ code: "corecnte", params: { "----": every(PARA, at(DOC, 1)) } }),
      2n,
    );
    assert.equal(await get(client, prop(TEXT, at(PARA, 1, at(DOC, 1)))), "the cat\n");
    assert.equal(
      await get(client, prop(TEXT, at(PARA, 2, textOf(at(DOC, 1))))),
      "sat on the mat\n",
    );
    // 39: every word of document 1: the words themselves, as TextEdit answers
    assert.deepEqual(await get(client, every(WORD, at(DOC, 1))), [
      "the",
      "cat",
      "sat",
      "on",
      "the",
      "mat",
    ]);
    assert.equal(await get(client, at(PARA, 2, at(DOC, 1))), "sat on the mat\n");
    assert.deepEqual(
      await get(client, prop("pALL", at(DOC, 1))).then((r) => (r as Record<string, Value>).ctxt),
      "the cat\nsat on the mat\n",
    );
    // words of paragraph 2, a range of words
    assert.deepEqual(
      await get(client, prop(TEXT, spec(WORD, at(PARA, 2, textOf(at(DOC, 1))), "range", [1n, 2n]))),
      ["sat", "on"],
    );
    // 37: if exists document 1 then set text of document 1 to "Hello!"
    assert.equal(await client.send({ code: "coredoex", params: { "----": at(DOC, 1) } }), true);
    await set(client, textOf(at(DOC, 1)), "Hello!");
    assert.equal(await get(client, textOf(at(DOC, 1))), "Hello!");
    assert.equal(await get(client, prop("imod", at(DOC, 1))), true);
  });
});

Deno.test("TextEdit: make new paragraph at end of paragraphs with data; font, size, attribute runs", async () => {
  await withApp(APPS.textedit, "TextEdit", async (client) => {
    // 21: if not (exists document "Phone List") then make new document with properties {name:…}
    assert.equal(
      await client.send({ code: "coredoex", params: { "----": named(DOC, "Phone List") } }),
      false,
    );
    await make(client, { kocl: type(DOC), prdt: { pnam: "Phone List" } });
    const text = textOf(named(DOC, "Phone List"));
    // 21, 38: make new paragraph at end of paragraphs of text of document "Phone List" with
    // data …; 40: make new paragraph at end of document "Phone List" with data …
    const wheres = [
      insertion("end", every(PARA, text)),
      insertion("end", named(DOC, "Phone List")),
    ];
    for (const [i, line] of ["Ann\t555-1234\n", "Bob\t555-9876\n"].entries()) {
      await make(client, { kocl: type(PARA), insh: wheres[i], data: line });
    }
    assert.equal(await get(client, text), "Ann\t555-1234\nBob\t555-9876\n");
    await make(client, {
      kocl: type(PARA),
      insh: insertion("beginning", every(PARA, named(DOC, "Phone List"))),
      data: "Name\tPhone\n",
    });
    assert.equal(await get(client, at(PARA, 1, named(DOC, "Phone List"))), "Name\tPhone\n");
    await client.send({ code: "coredelo", params: { "----": at(PARA, 1, text) } });
    // 42: set size (of the text) to 18; a word in another font
    await set(client, prop("ptsz", text), 18n);
    await set(client, prop("font", at(WORD, 1, text)), "Courier");
    assert.deepEqual(await get(client, prop("ptsz", every(PARA, text))), [18n, 18n]);
    assert.deepEqual(await get(client, prop(TEXT, every("catr", text))), [
      "Ann",
      "\t555-1234\nBob\t555-9876\n",
    ]);
    assert.deepEqual(await get(client, prop("font", every("catr", text))), [
      "Courier",
      "Helvetica",
    ]);
    // delete paragraph 1
    await client.send({ code: "coredelo", params: { "----": at(PARA, 1, text) } });
    assert.equal(await get(client, text), "Bob\t555-9876\n");
  });
});

Deno.test("TextEdit: open a file, save in, close saving yes/no, quit saving no", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-textedit-" });
  try {
    await Deno.writeTextFile(`${dir}/notes.txt`, "one\ntwo\n");
    await withApp(APPS.textedit, "TextEdit", async (client, app) => {
      // 43: open file …
      const opened = await client.send({
        code: "aevtodoc",
        params: { "----": `${dir}/notes.txt` },
      });
      assert.ok(opened instanceof ObjectSpecifier);
      assert.equal(await get(client, prop("pnam", at(DOC, 1))), "notes.txt");
      assert.equal(await get(client, prop("ppth", at(DOC, 1))), `${dir}/notes.txt`);
      await set(client, textOf(at(DOC, 1)), "changed\n");
      // 45: close front document saving yes → written
      await client.send({
        code: "coreclos",
        params: { "----": at(DOC, 1), savo: constant("yes ") },
      });
      assert.equal(await Deno.readTextFile(`${dir}/notes.txt`), "changed\n");
      assert.equal(await client.send({ code: "corecnte", params: { "----": every(DOC) } }), 0n);
      // save … in a new file
      await make(client, { kocl: type(DOC), prdt: { ctxt: "draft" } });
      await client.send({ code: "coresave", params: { "----": at(DOC, 1), kfil: `${dir}/d.txt` } });
      assert.equal(await Deno.readTextFile(`${dir}/d.txt`), "draft");
      // close (saving ask) a changed document without a file: refused, nothing lost
      await make(client, { kocl: type(DOC), prdt: { ctxt: "keep" } });
      await assert.rejects(
        () => client.send({ code: "coreclos", params: { "----": at(DOC, 1) } }),
        { number: -128 },
      );
      assert.equal(await get(client, textOf(at(DOC, 1))), "keep");
      // opening a missing file: -43 naming it
      await assert.rejects(
        () => client.send({ code: "aevtodoc", params: { "----": `${dir}/none.txt` } }),
        { number: -43 },
      );
      // 22: quit saving no: the app ends, exit 0
      await client.send({ code: "aevtquit", params: { savo: constant("no  ") } });
      assert.equal(await app.exited(), 0);
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("TextEdit: save in never writes through a link planted beside the file (in a shared /tmp)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-textedit-" });
  try {
    const victim = `${dir}/victim`;
    await Deno.writeTextFile(victim, "precious\n");
    await withApp(APPS.textedit, "TextEdit", async (client, app) => {
      // the temporary name TextEdit used to write first: FILE.<pid>.tmp
      await Deno.symlink(victim, `${dir}/d.txt.${app.child.pid}.tmp`);
      await make(client, { kocl: type(DOC), prdt: { ctxt: "draft" } });
      await client.send({ code: "coresave", params: { "----": at(DOC, 1), kfil: `${dir}/d.txt` } });
      assert.equal(await Deno.readTextFile(victim), "precious\n");
      assert.ok((await Deno.lstat(`${dir}/d.txt`)).isFile, "the saved file is a file of its own");
      assert.equal(await Deno.readTextFile(`${dir}/d.txt`), "draft");
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
