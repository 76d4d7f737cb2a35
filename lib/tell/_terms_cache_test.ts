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
