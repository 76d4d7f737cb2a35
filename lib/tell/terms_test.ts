import assert from "node:assert/strict";
import { Terminology } from "../sdef/terminology.ts";
import { appleScriptIndex } from "./_applescript_index.ts";
import { APPLESCRIPT_TERMS, appleScriptTerms } from "./terms.ts";

const INDEX_FILE = new URL("./_applescript_index.ts", import.meta.url);

/** The text of `_applescript_index.ts`: AppleScript's terminology index, one entry a line. */
function indexModule(): string {
  const index = new Terminology(APPLESCRIPT_TERMS).index();
  const lines = (groups: readonly (readonly [string, readonly unknown[]])[]) =>
    groups.map(([key, entries]) =>
      `[${JSON.stringify(key)}, [\n${entries.map((e) => JSON.stringify(e)).join(",\n")}\n]]`
    ).join(",\n");
  const json = `{"v": ${index.v},\n"byName": [\n${lines(index.byName)}\n],\n"byCode": [\n${
    lines(index.byCode)
  }\n],\n"parameters": [\n${lines(index.parameters)}\n],\n"firstWords": [\n${
    index.firstWords.map((e) => JSON.stringify(e)).join(",\n")
  }\n]}`;
  if (json.includes("`") || json.includes("${")) throw new Error("a term the index cannot hold");
  return `// Generated from APPLESCRIPT_TERMS (terms.ts) by terms_test.ts: do not edit. After a change
// to the table: deno task test lib/tell/terms_test.ts -- --update

/**
 * AppleScript's own terminology, its lookups built ahead of time: reading them is a tenth of
 * building them at every start.
 *
 * @module
 */

import type { TerminologyIndex } from "../sdef/terminology.ts";

/** What \`new Terminology(APPLESCRIPT_TERMS).index()\` gives (read when first asked for). */
export function appleScriptIndex(): TerminologyIndex {
  return JSON.parse(INDEX);
}

const INDEX = String.raw\`${json}\`;
`;
}

Deno.test("AppleScript's prebuilt terminology index is the one its table builds", async () => {
  const text = indexModule();
  if (Deno.args.includes("--update")) await Deno.writeTextFile(INDEX_FILE, text);
  assert.equal(
    await Deno.readTextFile(INDEX_FILE),
    text,
    "_applescript_index.ts is out of date: deno task test lib/tell/terms_test.ts -- --update",
  );
  assert.deepEqual(appleScriptIndex(), new Terminology(APPLESCRIPT_TERMS).index());
});

Deno.test("appleScriptTerms() finds AppleScript's terms through the prebuilt index", () => {
  const terms = appleScriptTerms();
  assert.deepEqual(terms.match(["text", "item", "delimiters"], 0), {
    kind: "property",
    name: "text item delimiters",
    code: "txdl",
    words: 3,
  });
  assert.equal(terms.code("class", "app"), "capp");
  assert.equal(terms.name("enumerator", "mar "), "March");
  assert.equal(terms.parameterCode("corecrel", "with properties"), "prdt");
});
