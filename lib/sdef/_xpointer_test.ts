import assert from "node:assert/strict";
import { loadXmlParser, parseXml, type XmlElement, type XmlNode } from "./xml.ts";
import { evaluateXPointer, XPointerError } from "./_xpointer.ts";

await loadXmlParser();
const doc = parseXml(
  `<dictionary><suite name="A"><command name="open"/><command name="save"/>` +
    `<class name="window" id="win"/><command name="make"/></suite><suite name="B"/></dictionary>`,
  "x.sdef",
);

function names(nodes: XmlNode[]): string[] {
  return nodes.filter((n): n is XmlElement => typeof n !== "string").map((n) =>
    n.attrs["name"] ?? n.name
  );
}

Deno.test("xpointer() selects by a path of element names", () => {
  assert.deepEqual(names(evaluateXPointer(doc, "xpointer(/dictionary/suite)")), ["A", "B"]);
  assert.deepEqual(names(evaluateXPointer(doc, "xpointer(/dictionary/suite/command)")), [
    "open",
    "save",
    "make",
  ]);
  assert.deepEqual(evaluateXPointer(doc, "xpointer(/nothing/here)"), []);
});

Deno.test("xpointer() filters nodes the way real sdef includes do", () => {
  assert.deepEqual(
    names(
      evaluateXPointer(
        doc,
        "xpointer(/dictionary/suite/node()[not(self::command and @name = 'save')])",
      ),
    ),
    ["open", "window", "make"],
  );
  assert.deepEqual(
    names(evaluateXPointer(
      doc,
      "xpointer(/dictionary/suite/node()[not(self::command and ((@name = 'open') or (@name = 'make')))])",
    )),
    ["save", "window"],
  );
  assert.deepEqual(names(evaluateXPointer(doc, `xpointer(/dictionary/suite[@name="B"])`)), ["B"]);
  assert.deepEqual(names(evaluateXPointer(doc, "xpointer(/dictionary/suite[2])")), ["B"]);
  assert.deepEqual(names(evaluateXPointer(doc, "xpointer(/dictionary/suite[last()])")), ["B"]);
  assert.deepEqual(names(evaluateXPointer(doc, "xpointer(/dictionary/*[command])")), ["A"]);
});

Deno.test("element() child sequences and bare names find elements", () => {
  assert.deepEqual(names(evaluateXPointer(doc, "element(/1/1/2)")), ["save"]);
  assert.deepEqual(names(evaluateXPointer(doc, "element(win)")), ["window"]);
  assert.deepEqual(names(evaluateXPointer(doc, "win")), ["window"]);
  assert.deepEqual(names(evaluateXPointer(doc, "element(nope) element(/1/2)")), ["B"]);
});

Deno.test("pointers that cannot be read raise XPointerError", () => {
  assert.throws(() => evaluateXPointer(doc, "xpointer(dictionary/suite)"), XPointerError);
  assert.throws(() => evaluateXPointer(doc, "xpointer(/dictionary/suite[)"), XPointerError);
  assert.throws(() => evaluateXPointer(doc, "foo(/a)"), /not supported/);
  assert.throws(() => evaluateXPointer(doc, "xpointer(/dictionary//suite)"), XPointerError);
});
