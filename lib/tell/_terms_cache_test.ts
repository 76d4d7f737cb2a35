import assert from "node:assert/strict";
import { Terminology } from "../sdef/terminology.ts";
import { APPLESCRIPT_TERMS } from "./terms.ts";
import { readCachedTerms, writeCachedTerms } from "./_terms_cache.ts";

const APP = { bundleId: "com.example.Notes", pid: 4242, since: "2026-01-01T00:00:00Z" };

Deno.test("the terms cache gives back an app's terminology with its lookups built", async () => {
  const runtimeDir = await Deno.makeTempDir();
  try {
    assert.equal(readCachedTerms(APP, { runtimeDir }), undefined);
    const terms = new Terminology(APPLESCRIPT_TERMS);
    await writeCachedTerms(APP, terms, { runtimeDir });
    const cached = readCachedTerms(APP, { runtimeDir });
    assert.ok(cached);
    assert.deepEqual(cached.table, terms.table);
    assert.deepEqual(cached.index(), terms.index());
    assert.deepEqual(cached.match(["text", "item", "delimiters"], 0)?.code, "txdl");
  } finally {
    await Deno.remove(runtimeDir, { recursive: true });
  }
});

Deno.test("a terms cache file that does not read (torn, or of the old form) is no cache", async () => {
  const runtimeDir = await Deno.makeTempDir();
  try {
    await writeCachedTerms(APP, new Terminology(APPLESCRIPT_TERMS), { runtimeDir });
    const [file] = [...Deno.readDirSync(`${runtimeDir}/tell-terms`)].map((e) => e.name);
    const path = `${runtimeDir}/tell-terms/${file}`;
    for (const text of ['{"table": {"classes": [', JSON.stringify(APPLESCRIPT_TERMS), "null"]) {
      await Deno.writeTextFile(path, text);
      assert.equal(readCachedTerms(APP, { runtimeDir }), undefined, text);
    }
  } finally {
    await Deno.remove(runtimeDir, { recursive: true });
  }
});

Deno.test("links planted in the terms cache are neither written through nor read", async () => {
  const runtimeDir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    const terms = new Terminology(APPLESCRIPT_TERMS);
    // A link where the folder goes: refused, so nothing is written where it points.
    await Deno.symlink(outside, `${runtimeDir}/tell-terms`);
    await writeCachedTerms(APP, terms, { runtimeDir });
    assert.deepEqual([...Deno.readDirSync(outside)], []);
    await Deno.remove(`${runtimeDir}/tell-terms`);
    // A link where the file goes: replaced, not written through; a link read back is no cache.
    await writeCachedTerms(APP, terms, { runtimeDir });
    const [file] = [...Deno.readDirSync(`${runtimeDir}/tell-terms`)].map((e) => e.name);
    const path = `${runtimeDir}/tell-terms/${file}`;
    const victim = `${outside}/victim`;
    await Deno.writeTextFile(victim, "mine");
    await Deno.remove(path);
    await Deno.symlink(victim, path);
    assert.equal(readCachedTerms(APP, { runtimeDir }), undefined);
    await writeCachedTerms(APP, terms, { runtimeDir });
    assert.equal(await Deno.readTextFile(victim), "mine");
    assert.ok(!Deno.lstatSync(path).isSymlink);
    assert.ok(readCachedTerms(APP, { runtimeDir }));
  } finally {
    await Deno.remove(runtimeDir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("a link planted where a cache file goes is no cache, even to a file that reads as one", async () => {
  const runtimeDir = await Deno.makeTempDir();
  const outside = await Deno.makeTempDir();
  try {
    await writeCachedTerms(APP, new Terminology(APPLESCRIPT_TERMS), { runtimeDir });
    const [file] = [...Deno.readDirSync(`${runtimeDir}/tell-terms`)].map((e) => e.name);
    const path = `${runtimeDir}/tell-terms/${file}`;
    // A cache file that reads, moved out and linked to: its content is not what is refused.
    await Deno.rename(path, `${outside}/planted`);
    await Deno.symlink(`${outside}/planted`, path);
    assert.equal(readCachedTerms(APP, { runtimeDir }), undefined);
  } finally {
    await Deno.remove(runtimeDir, { recursive: true });
    await Deno.remove(outside, { recursive: true });
  }
});
