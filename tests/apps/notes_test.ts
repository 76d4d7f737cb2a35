/**
 * Notes as a real process, driven through the scripting client with the events the Notes
 * scripts in ../shared/testdata/applescript/ send: make new note at folder, every note whose
 * body contains, first folder whose name, notes of a folder, set body, move, exists and show,
 * its version, plaintext; its notes survive a restart; started twice, it says it already runs.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type AppConnection, connectApp } from "../../lib/scripting/client.ts";
import { ObjectSpecifier, type Value } from "../../lib/wire/value.ts";
import {
  at,
  byId,
  cmp,
  every,
  get,
  insertion,
  its,
  named,
  prop,
  set,
  spec,
  type,
  whose,
} from "../scripting/_orchard.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";
import { APPS, startApp, withApp, withAppAndDir } from "./_apps.ts";

const NOTE = "note";
const FOLDER = "cfol";
const ACCOUNT = "acct";

function make(client: AppConnection, cls: string, where: Value | undefined, props: Value) {
  const params: Record<string, Value> = { kocl: type(cls), prdt: props };
  if (where !== undefined) params.insh = where;
  return client.send({ code: "corecrel", params });
}

function withNotes(fn: (client: AppConnection, data: string) => Promise<void>): Promise<void> {
  return withAppAndDir(APPS.notes, "Notes", "XDG_DATA_HOME", fn);
}

Deno.test("Notes: make new note at folder, whose body contains, notes of a folder, set body, move", async () => {
  await withNotes(async (client) => {
    // 10: make new note at folder "Notes" with properties {name:…, body:…}
    const made = await make(client, NOTE, named(FOLDER, "Notes"), {
      pnam: "My Note",
      body: "<div>buy milk</div>",
    });
    assert.ok(made instanceof ObjectSpecifier);
    assert.equal(made.form, "id");
    assert.match(String(made.seld), /^x-coredata:\/\/.+\/ICNote\/p\d+$/);
    await make(client, NOTE, named(FOLDER, "Notes"), { pnam: "Other", body: "eggs" });
    // 32: make new folder at account "On My Mac" with properties {name:"Archive"}
    await make(client, FOLDER, named(ACCOUNT, "On My Mac"), { pnam: "Archive" });
    // 11: every note whose body contains "milk"
    const found = await get(
      client,
      prop("pnam", whose(NOTE, cmp("contains", its("body"), "milk"))),
    );
    assert.deepEqual(found, ["My Note"]);
    // 12: notes of (first folder whose name = "Archive"): an ordinal over the test's matches
    const firstArchive = spec(
      FOLDER,
      whose(FOLDER, cmp("=", its("pnam"), "Archive")),
      "index",
      "first",
    );
    assert.equal(await get(client, prop("pnam", firstArchive)), "Archive");
    assert.deepEqual(await get(client, every(NOTE, firstArchive)), []);
    assert.deepEqual(
      await get(
        client,
        prop(
          "pnam",
          spec(FOLDER, whose(FOLDER, cmp("contains", its("pnam"), "e")), "index", "last"),
        ),
      ),
      "Archive",
    );
    await assert.rejects(
      () =>
        get(client, spec(FOLDER, whose(FOLDER, cmp("=", its("pnam"), "None")), "index", "first")),
      { number: -1728 },
    );
    // 13: name of every note in folder "Notes" (Notes puts new notes first)
    assert.deepEqual(
      (await get(client, prop("pnam", every(NOTE, named(FOLDER, "Notes")))) as string[]).sort(),
      ["My Note", "Other"],
    );
    // 14: set body of note "My Note" to "New content"
    await set(client, prop("body", named(NOTE, "My Note")), "New content");
    assert.equal(await get(client, prop("body", named(NOTE, "My Note"))), "New content");
    // 34: plaintext of a note
    await set(
      client,
      prop("body", named(NOTE, "Other")),
      "<div>eggs &amp; ham</div><div>bread</div>",
    );
    assert.equal(await get(client, prop("pltx", named(NOTE, "Other"))), "eggs & ham\nbread");
    // 15: move note "My Note" to folder "Archive"
    await client.send({
      code: "coremove",
      params: { "----": named(NOTE, "My Note"), insh: insertion("end", named(FOLDER, "Archive")) },
    });
    assert.deepEqual(await get(client, prop("pnam", every(NOTE, named(FOLDER, "Archive")))), [
      "My Note",
    ]);
    // The reference make answered still names it after it moved: `note id "…"` from the
    // application, as Apple's Notes answers (not through the folder it was made in).
    assert.equal(made.from, "application");
    assert.equal(await get(client, prop("pnam", made)), "My Note");
    assert.deepEqual(await get(client, named(NOTE, "My Note", named(FOLDER, "Archive"))), made);
    assert.equal(await get(client, prop("pnam", byId(NOTE, made.seld))), "My Note");
    // 35: id of every note of account "On My Mac" where name contains "Note"
    const ids = await get(
      client,
      prop("ID  ", whose(NOTE, cmp("contains", its("pnam"), "Note"), named(ACCOUNT, "On My Mac"))),
    );
    assert.deepEqual(ids, [made.seld]);
    // 33: tell account "On My Mac" to tell folder "Archive" to tell note "My Note": id, name, body
    const deep = named(NOTE, "My Note", named(FOLDER, "Archive", named(ACCOUNT, "On My Mac")));
    assert.deepEqual(
      await get(client, prop("pALL", deep)).then((r) => {
        const record = r as Record<string, Value>;
        return [record["ID  "], record.pnam, record.body];
      }),
      [made.seld, "My Note", "New content"],
    );
    // 36: repeat with aNote in every note: the references, then each one's body
    const refs = await get(client, every(NOTE)) as ObjectSpecifier[];
    const bodies = [];
    for (const ref of refs) bodies.push(await get(client, prop("body", ref)));
    assert.deepEqual(bodies.sort(), ["<div>eggs &amp; ham</div><div>bread</div>", "New content"]);
    // plaintext is read-only
    await assert.rejects(() => set(client, prop("pltx", named(NOTE, "Other")), "x"), {
      number: -10003,
    });
  });
});

Deno.test("Notes: exists, show, its version, dates, and count", async () => {
  await withNotes(async (client) => {
    await make(client, NOTE, named(FOLDER, "Notes"), { pnam: "Todo", body: "x" });
    // 31: if exists note "Todo" then show note "Todo"
    assert.equal(
      await client.send({ code: "coredoex", params: { "----": named(NOTE, "Todo") } }),
      true,
    );
    assert.equal(
      await client.send({ code: "coredoex", params: { "----": named(NOTE, "Nope") } }),
      false,
    );
    const shown = await client.send({ code: "notesshw", params: { "----": named(NOTE, "Todo") } });
    assert.ok(shown instanceof ObjectSpecifier);
    // 16: its version
    assert.equal(typeof await get(client, prop("vers", "application")), "string");
    const created = await get(client, prop("ascd", named(NOTE, "Todo")));
    const modified = await get(client, prop("asmo", named(NOTE, "Todo")));
    assert.ok(created instanceof Date && modified instanceof Date);
    assert.ok(Math.abs(created.getTime() - Date.now()) < 60_000);
    assert.equal(await client.send({ code: "corecnte", params: { "----": every(NOTE) } }), 1n);
    // A note that is not there: -1728 naming it.
    await assert.rejects(() => get(client, prop("body", named(NOTE, "Nope"))), { number: -1728 });
    // Notes are made in a folder: an account's notes are read-only.
    await assert.rejects(
      () => make(client, NOTE, named(ACCOUNT, "On My Mac"), { pnam: "x" }),
      { number: -10003 },
    );
    void at;
  });
});

Deno.test("Notes: notes survive a restart; the file is replaced by rename, never left half-written", async () => {
  const data = await Deno.makeTempDir({ prefix: "ipckit-notes-data-" });
  const runtimeDir = await tempRuntimeDir();
  try {
    const env = { XDG_DATA_HOME: data };
    await withApp(APPS.notes, "Notes", async (client) => {
      await make(client, NOTE, named(FOLDER, "Notes"), { pnam: "Keep", body: "<div>me</div>" });
      await make(client, FOLDER, named(ACCOUNT, "On My Mac"), { pnam: "Work" });
      await make(client, NOTE, named(FOLDER, "Work"), { pnam: "Plan", body: "p" });
    }, { env, runtimeDir });
    // No temporary file is left: the notes and the lock that says who uses them.
    assert.deepEqual([...Deno.readDirSync(`${data}/ipckit`)].map((e) => e.name).sort(), [
      "notes.json",
      "notes.json.lock",
    ]);
    await withApp(APPS.notes, "Notes", async (client) => {
      assert.deepEqual(await get(client, prop("pnam", every(NOTE))), ["Keep", "Plan"]);
      assert.deepEqual(await get(client, prop("pnam", every(FOLDER))), ["Notes", "Work"]);
      assert.equal(await get(client, prop("body", named(NOTE, "Keep"))), "<div>me</div>");
    }, { env, runtimeDir });
  } finally {
    await Deno.remove(data, { recursive: true });
    await cleanupRuntimeDir(runtimeDir);
  }
});

Deno.test("Notes: started twice, the second says it already runs (one line, exit 1)", async () => {
  const data = await Deno.makeTempDir({ prefix: "ipckit-notes-data-" });
  const env = { XDG_DATA_HOME: data };
  const first = await startApp(APPS.notes, { env });
  try {
    const second = await startApp(APPS.notes, {
      env,
      runtimeDir: first.runtimeDir,
      waitReady: false,
    });
    const code = await second.refused();
    assert.equal(code, 1);
    const err = second.output().stderr;
    assert.equal(err.trim().split("\n").length, 1, err);
    assert.match(err, /^notes\.ts: Notes already runs \(bundle id com\.apple\.Notes\)/);
  } finally {
    assert.equal(await first.stop(), 0);
    await cleanupRuntimeDir(first.runtimeDir);
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("Notes: a second Notes on the same notes file, in another runtime directory, is refused; the notes stay", async () => {
  const data = await Deno.makeTempDir({ prefix: "ipckit-notes-data-" });
  const env = { XDG_DATA_HOME: data };
  const first = await startApp(APPS.notes, { env });
  try {
    const client = await connectApp("Notes", { runtimeDir: first.runtimeDir });
    try {
      await make(client, NOTE, named(FOLDER, "Notes"), { pnam: "Mine", body: "b" });
    } finally {
      client.close();
    }
    const before = await Deno.readTextFile(`${data}/ipckit/notes.json`);
    const second = await startApp(APPS.notes, { env, waitReady: false });
    assert.equal(await second.refused(), 1);
    const err = second.output().stderr;
    assert.equal(err.trim().split("\n").length, 1, err);
    assert.match(err, /Notes already runs .* with its notes in .*notes\.json: quit it first/);
    await cleanupRuntimeDir(second.runtimeDir);
    assert.equal(await Deno.readTextFile(`${data}/ipckit/notes.json`), before);
  } finally {
    assert.equal(await first.stop(), 0);
    await cleanupRuntimeDir(first.runtimeDir);
    await Deno.remove(data, { recursive: true });
  }
});
