import assert from "node:assert/strict";
import { parseSdef, parseTypeAttribute } from "./parse.ts";
import { SdefSyntaxError, type SdefWarning } from "./errors.ts";

const FULL = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE dictionary SYSTEM "file://localhost/System/Library/DTDs/sdef.dtd">
<dictionary title="Full">
  <suite name="Full Suite" code="Full" description="Everything." hidden="no">
    <access-group identifier="com.example.full" access="rw"/>
    <class name="box" code="Boxx" plural="boxen" inherits="item" id="box.id" description="A box.">
      <cocoa class="FBox"/>
      <synonym name="crate" code="Crat"/>
      <synonym code="BoxY" hidden="yes"/>
      <access-group identifier="com.example.boxes" access="r"/>
      <documentation><html><![CDATA[<p>Boxes hold <b>things</b>.</p>]]></html></documentation>
      <xref target="lid" hidden="yes"/>
      <contents type="text" access="r"/>
      <property name="label" code="Labl" type="text" access="rw" in-properties="no" description="Its label.">
        <cocoa key="labelText"/>
      </property>
      <property name="sizes" code="Size">
        <type type="integer" list="yes"/>
        <type type="real" hidden="yes"/>
      </property>
      <property name="colour" code="Colr">
        <enumeration name="colours" code="Clrs" inline="2">
          <enumerator name="red" code="Red "/>
          <enumerator name="green" code="Grn "/>
        </enumeration>
      </property>
      <element type="box" access="r" hidden="yes">
        <accessor style="index"/>
        <accessor style="name"/>
      </element>
      <responds-to command="open lid" hidden="yes"><cocoa method="openLid:"/></responds-to>
    </class>
    <class-extension extends="application" description="More.">
      <element type="box"/>
    </class-extension>
    <command name="open lid" code="FullOpen" description="Open it.">
      <direct-parameter type="specifier" requires-access="w" optional="yes" description="The box."/>
      <parameter name="wide" code="Wide" type="boolean" optional="yes" hidden="yes" requires-access="r"/>
      <parameter name="by" code="By  " type="list of text | integer"/>
      <result type="boolean" description="Whether it opened."/>
    </command>
    <event name="lid opened" code="FullOpnd">
      <direct-parameter type="box"/>
    </event>
    <record-type name="shipment" code="Ship" plural="shipments">
      <property name="weight" code="Wght" type="real"/>
    </record-type>
    <value-type name="barcode" code="Barc" description="A barcode."/>
  </suite>
</dictionary>`;

Deno.test("parseSdef() reads every element and attribute of the format", async () => {
  const warnings: SdefWarning[] = [];
  const dict = await parseSdef(FULL, { file: "full.sdef", onWarning: (w) => warnings.push(w) });
  assert.deepEqual(warnings, []);
  assert.equal(dict.title, "Full");
  const [suite] = dict.suites;
  assert.deepEqual([suite.name, suite.code, suite.description, suite.hidden], [
    "Full Suite",
    "Full",
    "Everything.",
    false,
  ]);
  assert.deepEqual(suite.accessGroups, [{ identifier: "com.example.full", access: "rw" }]);

  const [box, ext] = suite.classes;
  assert.deepEqual([box.name, box.code, box.plural, box.inherits, box.id, box.extension], [
    "box",
    "Boxx",
    "boxen",
    "item",
    "box.id",
    false,
  ]);
  assert.deepEqual(box.cocoa, { class: "FBox" });
  assert.deepEqual(box.synonyms, [
    { name: "crate", code: "Crat", hidden: false },
    { name: undefined, code: "BoxY", hidden: true },
  ]);
  assert.deepEqual(box.accessGroups, [{ identifier: "com.example.boxes", access: "r" }]);
  assert.deepEqual(box.documentation, ["<p>Boxes hold <b>things</b>.</p>"]);
  assert.deepEqual(box.xrefs, [{ target: "lid", hidden: true }]);

  const [contents, label, sizes, colour] = box.properties;
  assert.deepEqual([contents.name, contents.code, contents.isContents, contents.access], [
    "contents",
    "pcnt",
    true,
    "r",
  ]);
  assert.deepEqual([label.access, label.inProperties, label.cocoa], ["rw", false, {
    key: "labelText",
  }]);
  assert.deepEqual(sizes.types, [
    { name: "integer", list: true, hidden: false },
    { name: "real", list: false, hidden: true },
  ]);
  assert.deepEqual(colour.types, [{ name: "colours", list: false, hidden: false }]);
  const inline = suite.enumerations.find((e) => e.name === "colours")!;
  assert.deepEqual([inline.code, inline.inline, inline.enumerators.map((e) => e.code)], [
    "Clrs",
    2,
    ["Red ", "Grn "],
  ]);

  assert.deepEqual(box.elements, [{
    type: "box",
    access: "r",
    accessors: ["index", "name"],
    description: undefined,
    hidden: true,
    cocoa: undefined,
    synonyms: [],
    accessGroups: [],
    documentation: [],
    xrefs: [],
    position: box.elements[0].position,
  }]);
  assert.deepEqual(box.respondsTo.map((r) => [r.command, r.hidden, r.cocoa]), [["open lid", true, {
    method: "openLid:",
  }]]);
  assert.deepEqual([ext.name, ext.extension, ext.code, ext.elements.length], [
    "application",
    true,
    "",
    1,
  ]);

  const [open, opened] = suite.commands;
  assert.deepEqual([
    open.kind,
    open.code,
    open.directParameter?.requiresAccess,
    open.directParameter?.optional,
  ], ["command", "FullOpen", "w", true]);
  assert.deepEqual(
    open.parameters.map((p) => [p.name, p.code, p.optional, p.hidden, p.requiresAccess ?? null]),
    [
      ["wide", "Wide", true, true, "r"],
      ["by", "By  ", false, false, null],
    ],
  );
  assert.deepEqual(open.parameters[1].types, [
    { name: "text", list: true, hidden: false },
    { name: "integer", list: false, hidden: false },
  ]);
  assert.deepEqual(open.result?.types, [{ name: "boolean", list: false, hidden: false }]);
  assert.deepEqual([opened.kind, opened.code], ["event", "FullOpnd"]);
  assert.deepEqual(suite.recordTypes.map((r) => [r.name, r.code, r.properties.length]), [[
    "shipment",
    "Ship",
    1,
  ]]);
  assert.deepEqual(suite.valueTypes.map((v) => [v.name, v.code, v.description]), [[
    "barcode",
    "Barc",
    "A barcode.",
  ]]);
});

Deno.test("parseTypeAttribute() reads the older type syntax", () => {
  assert.deepEqual(parseTypeAttribute("list of file"), [{
    name: "file",
    list: true,
    hidden: false,
  }]);
  assert.deepEqual(parseTypeAttribute("text | list of integer"), [
    { name: "text", list: false, hidden: false },
    { name: "integer", list: true, hidden: false },
  ]);
});

async function syntaxError(text: string): Promise<SdefSyntaxError> {
  try {
    await parseSdef(text, { file: "bad.sdef" });
  } catch (e) {
    if (e instanceof SdefSyntaxError) return e;
    throw e;
  }
  throw new Error("no error");
}

Deno.test("truncated XML is a SyntaxError with file, line and column", async () => {
  const e = await syntaxError(`<dictionary>\n  <suite name="A" code="aaaa">\n    <class name="x"`);
  assert.ok(e instanceof SyntaxError);
  assert.equal(e.file, "bad.sdef");
  assert.equal(e.line, 3);
  assert.match(e.message, /^bad\.sdef:3:\d+: not well-formed XML: /);
  assert.doesNotMatch(e.message, /\n/);
});

Deno.test("broken definitions are SyntaxErrors at the element", async () => {
  const cases: [string, RegExp][] = [
    [
      `<dictionary><suite name="A" code="aaa"/></dictionary>`,
      /bad\.sdef:1:13: <suite name="A">: the code "aaa" has 3 characters/,
    ],
    [`<dictionary><suite code="aaaa"/></dictionary>`, /1:13: <suite> needs a "name" attribute/],
    [
      `<dictionary><suite name="A" code="aaaa">\n<command name="go" code="goes"/></suite></dictionary>`,
      /2:1: <command name="go">: the code "goes" has 4 characters; it needs exactly 8/,
    ],
    [`<sdef/>`, /1:1: the root element is <sdef>/],
    [
      `<dictionary><suite name="A" code="aaaa"><class name="x" code="xxxx"><property name="p" code="pppp"/></class></suite></dictionary>`,
      /<property name="p"> needs a type/,
    ],
    [
      `<dictionary><suite name="A" code="aaaa"><enumeration name="e" code="eeee"/></suite></dictionary>`,
      /has no enumerators/,
    ],
    [
      `<dictionary><suite name="A" code="aaaa" hidden="maybe"/></dictionary>`,
      /hidden="maybe" is not "yes" or "no"/,
    ],
    [
      `<dictionary><suite name="A" code="aaaa"><class name="x" code="xxxx"><property name="p" code="pppp" type="text" access="x"/></class></suite></dictionary>`,
      /access="x" must be "r", "w" or "rw"/,
    ],
    [``, /1:1: /],
  ];
  for (const [text, pattern] of cases) {
    const e = await syntaxError(text);
    assert.match(e.message, pattern, text);
  }
});

Deno.test("unknown elements and attributes are warnings, not errors", async () => {
  const warnings: SdefWarning[] = [];
  await parseSdef(
    `<dictionary><suite name="A" code="aaaa" colour="red"><widget/></suite></dictionary>`,
    { file: "w.sdef", onWarning: (w) => warnings.push(w) },
  );
  assert.deepEqual(warnings.map((w) => w.message), [
    `<suite> has an unknown attribute "colour"; it is ignored`,
    `<widget> is not expected inside <suite>; it is ignored`,
  ]);
});

Deno.test("an element left open is named with where it opened, as well as where the parser noticed", async () => {
  const head = `<dictionary>
  <suite name="A" code="aaaa">
    <class name="x" code="xxxx">
      <property name="p" code="pppp" type="text">
`;
  await assert.rejects(
    parseSdef(head + "    </class>\n  </suite>\n</dictionary>\n", { file: "a.sdef" }),
    (e: unknown) => {
      assert.ok(e instanceof SdefSyntaxError, String(e));
      assert.deepEqual([e.line, e.column], [5, 13]);
      assert.equal(
        e.reason,
        "not well-formed XML: </class> closes <property>, opened at 4:7 and still open",
      );
      return true;
    },
  );
  await assert.rejects(parseSdef(head, { file: "a.sdef" }), (e: unknown) => {
    assert.ok(e instanceof SdefSyntaxError, String(e));
    assert.deepEqual([e.line, e.column], [5, 1]);
    assert.equal(e.reason, "not well-formed XML: <property>, opened at 4:7, is never closed");
    return true;
  });
});
