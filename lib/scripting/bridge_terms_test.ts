import assert from "node:assert/strict";
import type { TerminologyTable } from "../sdef/terminology_table.ts";
import { BridgeTerms } from "./bridge_terms.ts";

const TABLE: TerminologyTable = {
  classes: [["application", "capp", "applications"], ["fruit tree", "FTre", "fruit trees"]],
  properties: [["name", "pnam"], ["fruit count", "Afct"], ["name", "Xnam"]],
  enumerations: [["ripeness", "Ripe"]],
  enumerators: [["over ripe", "Ovrp"], ["ripe", "Ripr"]],
  recordTypes: [],
  valueTypes: [],
  commands: [{ name: "count fruit", code: "OrchCntF", parameters: [["minimum weight", "Mwgt"]] }],
  events: [],
};

Deno.test("BridgeTerms looks terms up by their camelCase keys, the first of a name winning", () => {
  const terms = new BridgeTerms(TABLE, ["Frip"]);
  assert.equal(terms.property("fruitCount"), "Afct");
  assert.equal(terms.property("name"), "pnam");
  assert.equal(terms.propertyKey("Afct"), "fruitCount");
  assert.equal(terms.elements("fruitTrees"), "FTre");
  assert.equal(terms.classCode("fruit tree"), "FTre");
  assert.equal(terms.classCode("fruitTree"), "FTre");
  assert.equal(terms.classCode("cobj"), "cobj");
  assert.equal(terms.classCode("nothing"), undefined);
  assert.equal(terms.className("FTre"), "fruit tree");
  const cmd = terms.command("countFruit")!;
  assert.equal(cmd.code, "OrchCntF");
  assert.equal(cmd.parameters.get("minimumWeight"), "Mwgt");
  assert.equal(terms.enumCode("over ripe"), "Ovrp");
  assert.equal(terms.enumTerm("Ripr"), "ripe");
  assert.ok(terms.isEnumSlot("Frip"));
  assert.ok(!terms.isEnumSlot("pnam"));
});

Deno.test("BridgeTerms knows the standard suite's commands when a definition leaves them out", () => {
  const terms = new BridgeTerms(TABLE);
  assert.equal(terms.command("make")?.code, "corecrel");
  assert.equal(terms.command("make")?.parameters.get("withProperties"), "prdt");
  assert.equal(terms.command("duplicate")?.parameters.get("to"), "insh");
  assert.equal(terms.command("move")?.code, "coremove");
});
