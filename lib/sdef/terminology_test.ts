import assert from "node:assert/strict";
import { loadDictionary } from "./load.ts";
import { Terminology, type TerminologyIndex, terminologyTable } from "./terminology.ts";

const TEXT = `<dictionary><suite name="S" code="ssss">
  <class name="window" code="cwin" plural="windows">
    <synonym name="pane"/>
    <property name="current tab" code="cTab" type="tab"/>
    <property name="name" code="pnam" type="text"/>
  </class>
  <class name="tab" code="bTab"><property name="name" code="pnam" type="text"/></class>
  <enumeration name="save options" code="savo">
    <enumerator name="yes" code="yes "/><enumerator name="no" code="no  "/>
  </enumeration>
  <command name="path to" code="earsffdr"><parameter name="from" code="from" type="text"/></command>
  <command name="path to resource" code="sysorpth"><parameter name="in bundle" code="in B" type="file"/></command>
  <command name="secret" code="ssssSecr" hidden="yes"/>
</suite></dictionary>`;

const dict = await loadDictionary(TEXT);
const terms = Terminology.fromDictionary(dict);

Deno.test("Terminology looks names up by code and codes up by name, any case", () => {
  assert.equal(terms.code("property", "current tab"), "cTab");
  assert.equal(terms.code("property", "Current  Tab"), "cTab");
  assert.equal(terms.name("class", "cwin"), "window");
  assert.equal(terms.code("plural", "windows"), "cwin");
  assert.equal(terms.code("enumerator", "no"), "no  ");
  assert.equal(terms.name("enumerator", "yes "), "yes");
  assert.equal(terms.code("command", "path to resource"), "sysorpth");
  assert.equal(terms.parameterCode("sysorpth", "in bundle"), "in B");
  assert.equal(terms.code("class", "pane"), "cwin");
  assert.equal(terms.name("class", "bTab"), "tab");
  assert.equal(terms.code("class", "nothing"), undefined);
});

Deno.test("Terminology.match() finds the longest multi-word term", () => {
  const words = ["path", "to", "resource", "x"];
  assert.deepEqual(terms.match(words, 0), {
    kind: "command",
    name: "path to resource",
    code: "sysorpth",
    words: 3,
  });
  assert.deepEqual(terms.match(["path", "to", "x"], 0), {
    kind: "command",
    name: "path to",
    code: "earsffdr",
    words: 2,
  });
  assert.deepEqual(terms.match(["get", "current", "tab"], 1), {
    kind: "property",
    name: "current tab",
    code: "cTab",
    words: 2,
  });
  assert.deepEqual(terms.match(["every", "windows"], 1), {
    kind: "plural",
    name: "window",
    code: "cwin",
    words: 1,
  });
  assert.equal(terms.match(["current"], 0), undefined);
  assert.equal(terms.match(["path", "to"], 0, { kinds: ["class"] }), undefined);
});

Deno.test("terminologyTable() lists each name and code once and can leave hidden terms out", () => {
  const table = terminologyTable(dict);
  assert.deepEqual(table.properties, [["current tab", "cTab"], ["name", "pnam"]]);
  assert.ok(table.commands.some((c) => c.name === "secret"));
  assert.ok(
    !terminologyTable(dict, { omitHidden: true }).commands.some((c) => c.name === "secret"),
  );
  assert.deepEqual(table.synonyms, [["pane", "window"]]);
  // A table round-trips through the constructor, as generated bridges use it.
  assert.equal(
    new Terminology(JSON.parse(JSON.stringify(table))).code("property", "current tab"),
    "cTab",
  );
});

Deno.test("a synonym given only by its code is in the table and reads as its term", async () => {
  const dict = await loadDictionary(`<dictionary><suite name="S" code="ssss">
  <class name="box" code="Boxx"><synonym code="BoxY"/><synonym name="crate" code="Crat"/></class>
  <command name="open box" code="sssOpenB"><synonym code="sssOldOp"/></command>
</suite></dictionary>`);
  const table = terminologyTable(dict);
  assert.deepEqual(table.codeSynonyms, [["BoxY", "box"], ["Crat", "box"], [
    "sssOldOp",
    "open box",
  ]]);
  assert.deepEqual(table.synonyms, [["crate", "box"]]);
  const terms = new Terminology(table);
  assert.equal(terms.name("class", "BoxY"), "box");
  assert.equal(terms.name("class", "Crat"), "box");
  assert.equal(terms.name("class", "Boxx"), "box");
  assert.equal(terms.name("command", "sssOldOp"), "open box");
  assert.equal(terms.code("class", "crate"), "Boxx");
});

Deno.test("a Terminology built from its index, through JSON, finds what the built one finds", () => {
  const index = JSON.parse(JSON.stringify(terms.index()));
  const again = new Terminology(terms.table, index);
  assert.deepEqual(again.index(), terms.index());
  for (const words of [["path", "to", "resource", "x"], ["path", "to", "x"], ["windows"], ["x"]]) {
    assert.deepEqual(again.match(words, 0), terms.match(words, 0));
  }
  assert.equal(again.code("class", "pane"), "cwin");
  assert.equal(again.name("enumerator", "yes "), "yes");
  assert.equal(again.parameterCode("sysorpth", "in bundle"), "in B");
});

Deno.test("an index of another version is not used: the lookups are built from the table", () => {
  const stale = { ...terms.index(), v: 0, byName: [] } as unknown as TerminologyIndex;
  const built = new Terminology(terms.table, stale);
  assert.equal(built.code("property", "current tab"), "cTab");
  assert.deepEqual(built.index(), terms.index());
});
