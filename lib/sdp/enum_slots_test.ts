import assert from "node:assert/strict";
import { loadDictionary } from "../sdef/mod.ts";
import { enumSlots } from "./enum_slots.ts";

Deno.test("enumSlots() names the properties and parameters typed as enumerations only", async () => {
  const dict = await loadDictionary(`<dictionary><suite name="S" code="Suit">
    <enumeration name="ripeness" code="Ripe"><enumerator name="ripe" code="Ripr"/></enumeration>
    <record-type name="result" code="Resu"><property name="state" code="Rsta" type="ripeness"/></record-type>
    <class name="fruit" code="Frui">
      <property name="ripeness" code="Frip" type="ripeness"/>
      <property name="maybe" code="Fmay" type="ripeness | missing value"/>
      <property name="label" code="Flbl" type="ripeness | text"/>
      <property name="name" code="pnam" type="text"/>
    </class>
    <command name="pick" code="SuitPick">
      <direct-parameter type="ripeness"/>
      <parameter name="at least" code="Plst" type="ripeness"/>
      <parameter name="by" code="Pby " type="text"/>
    </command>
  </suite></dictionary>`);
  // Text or a term (ripeness | text) stays text: the app takes a term given as text by name.
  assert.deepEqual(enumSlots(dict), ["Fmay", "Frip", "Rsta", "SuitPick/----", "SuitPick/Plst"]);
});
