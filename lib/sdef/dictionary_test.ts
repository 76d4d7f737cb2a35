import assert from "node:assert/strict";
import { loadDictionary } from "./load.ts";
import { defaultPlural } from "./dictionary.ts";
import { SdefSyntaxError, type SdefWarning } from "./errors.ts";

function sdef(body: string): string {
  return `<dictionary title="T">${body}</dictionary>`;
}

async function load(body: string) {
  const warnings: SdefWarning[] = [];
  const dict = await loadDictionary(sdef(body), {
    file: "t.sdef",
    onWarning: (w) => warnings.push(w),
  });
  return { dict, warnings: warnings.map((w) => w.message) };
}

Deno.test("class-extensions merge into their class across suites, in either order", async () => {
  const { dict, warnings } = await load(`
    <suite name="A" code="aaaa">
      <class-extension extends="window"><property name="zoom" code="zoom" type="real"/></class-extension>
    </suite>
    <suite name="B" code="bbbb">
      <class name="window" code="cwin"><property name="name" code="pnam" type="text" access="r"/></class>
      <class-extension extends="window">
        <property name="name" code="pnam" type="text"/>
        <element type="window"/>
        <responds-to command="close"/>
      </class-extension>
    </suite>`);
  assert.deepEqual(warnings, []);
  assert.equal(dict.classes.length, 1);
  const window = dict.classes[0];
  assert.deepEqual(window.properties.map((p) => [p.name, p.access]), [["name", "rw"], [
    "zoom",
    "rw",
  ]]);
  assert.deepEqual(window.elements.map((e) => e.type), ["window"]);
  assert.deepEqual(window.respondsTo.map((r) => r.command), ["close"]);
  assert.equal(window.suite, "B");
});

Deno.test("a class defined twice with the same code merges (Messages' application)", async () => {
  const { dict, warnings } = await load(`
    <suite name="Standard" code="core">
      <class name="application" code="capp"><property name="name" code="pnam" type="text"/></class>
    </suite>
    <suite name="Messages" code="icht">
      <class name="application" code="capp" plural="applications" inherits="application">
        <property name="status" code="stat" type="text"/>
      </class>
    </suite>`);
  assert.deepEqual(warnings, []);
  assert.equal(dict.classes.length, 1);
  assert.equal(dict.application?.inherits, undefined);
  assert.deepEqual(dict.application?.properties.map((p) => p.name), ["name", "status"]);
});

Deno.test("a command defined twice merges its parameters (StandardAdditions' path to)", async () => {
  const { dict, warnings } = await load(`
    <suite name="A" code="aaaa">
      <command name="path to" code="earsffdr">
        <direct-parameter><type type="application"/><type type="script"/></direct-parameter>
        <parameter name="as" code="rtyp" type="type" optional="yes"/>
        <result type="text"/>
      </command>
      <command name="path to" code="earsffdr">
        <direct-parameter type="text"/>
        <parameter name="as" code="rtyp" type="type" optional="yes"/>
        <parameter name="from" code="from" type="text"/>
        <result type="file"/>
      </command>
    </suite>`);
  assert.deepEqual(warnings, []);
  assert.equal(dict.commands.length, 1);
  const [pathTo] = dict.commands;
  assert.deepEqual(pathTo.directParameter?.types.map((t) => t.name), [
    "application",
    "script",
    "text",
  ]);
  // Required only where every definition requires it.
  assert.deepEqual(pathTo.parameters.map((p) => [p.name, p.optional]), [["as", true], [
    "from",
    true,
  ]]);
  assert.deepEqual(pathTo.result?.types.map((t) => t.name), ["text", "file"]);
});

Deno.test("the same name with another code is a warning, and both are kept", async () => {
  const { dict, warnings } = await load(`
    <suite name="A" code="aaaa">
      <command name="go" code="aaaaGoGo"/>
      <command name="go" code="bbbbGoGo"/>
    </suite>`);
  assert.equal(dict.commands.length, 2);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /command "go" is defined again with another code/);
});

Deno.test("inheritance resolves by name or id, and a cycle is an error", async () => {
  const { dict, warnings } = await load(`
    <suite name="A" code="aaaa">
      <class name="item" code="cobj"/>
      <class name="text" code="ctxt" id="text.ctxt" inherits="item"/>
      <class name="word" code="cwor" inherits="text.ctxt"/>
      <class name="orphan" code="orph" inherits="nobody"/>
    </suite>`);
  const word = dict.findClass("word")!;
  assert.equal(word.inherits, "text");
  assert.deepEqual(dict.ancestors(word).map((c) => c.name), ["text", "item"]);
  assert.equal(dict.findClass("orphan")!.inherits, undefined);
  assert.deepEqual(warnings, [
    `class "orphan" inherits from "nobody", which no class defines; it is treated as a root class`,
  ]);
  await assert.rejects(
    load(`<suite name="A" code="aaaa">
      <class name="a" code="aaaa" inherits="b"/><class name="b" code="bbbb" inherits="a"/></suite>`),
    (e: unknown) =>
      e instanceof SdefSyntaxError && /inherits from itself: a → b → a/.test(e.message),
  );
});

Deno.test("type names resolve by name, id, built-in name and code; unknown ones warn", async () => {
  const { dict, warnings } = await load(`
    <suite name="A" code="aaaa">
      <enumeration name="save options" code="savo"><enumerator name="yes" code="yes "/></enumeration>
      <class name="text" code="ctxt" id="text.ctxt">
        <property name="a" code="aaaa" type="savo"/>
        <property name="b" code="bbbb" type="Unicode text"/>
        <property name="c" code="cccc" type="text.ctxt"/>
        <property name="d" code="dddd" type="gizmo"/>
      </class>
    </suite>`);
  assert.equal(dict.findType("savo")?.kind, "enumeration");
  assert.equal(dict.findType("save options")?.kind, "enumeration");
  assert.equal(dict.findType("text.ctxt")?.kind, "class");
  const unicode = dict.findType("Unicode text");
  assert.ok(unicode?.kind === "primitive" && unicode.primitive.kind === "text");
  const alias = dict.findType("alis");
  assert.ok(alias?.kind === "primitive" && alias.primitive.kind === "file");
  assert.equal(dict.findType("gizmo"), undefined);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /unknown type "gizmo"/);
});

Deno.test("a class-extension of a class nobody defines is a warning", async () => {
  const { warnings } = await load(
    `<suite name="A" code="aaaa"><class-extension extends="ghost"/></suite>`,
  );
  assert.deepEqual(warnings, [
    `class-extension extends "ghost", which no class defines; it is ignored`,
  ]);
});

Deno.test("a hidden suite hides what it defines", async () => {
  const { dict } = await load(
    `<suite name="A" code="aaaa" hidden="yes"><class name="x" code="xxxx"/></suite>`,
  );
  assert.equal(dict.classes[0].hidden, true);
});

Deno.test("defaultPlural() makes the plural AppleScript makes", () => {
  assert.equal(defaultPlural("window"), "windows");
  assert.equal(defaultPlural("box"), "boxes");
  assert.equal(defaultPlural("entry"), "entries");
  assert.equal(defaultPlural("day"), "days");
});

/** Loads `app` as /app/app.sdef, with `std` readable beside it as /app/std.sdef. */
async function loadWithInclude(app: string, std: string) {
  const files: Record<string, string> = { "/app/std.sdef": std };
  return await loadDictionary(app, {
    file: "/app/app.sdef",
    readFile: (path) =>
      files[path] === undefined
        ? Promise.reject(new Deno.errors.NotFound(path))
        : Promise.resolve(files[path]),
  });
}

const STANDARD_MAKE = `<dictionary><suite name="Standard Suite" code="????">
  <class name="application" code="capp" description="The standard application."/>
  <command name="make" code="corecrel" description="Make a new object.">
    <parameter name="new" code="kocl" type="type" description="The class of the new object."/>
    <parameter name="at" code="insh" type="location specifier" optional="yes" description="Where."/>
    <parameter name="with data" code="data" type="any" optional="yes"/>
  </command>
</suite></dictionary>`;

Deno.test("the app's own definition of a command and a class wins over the one it includes", async () => {
  const dict = await loadWithInclude(
    `<dictionary xmlns:xi="http://www.w3.org/2003/XInclude">
  <xi:include href="std.sdef" xpointer="xpointer(/dictionary/suite)"/>
  <suite name="App" code="Appp">
    <class name="application" code="capp" description="Our app."/>
    <command name="make" code="corecrel" description="Make a note.">
      <parameter name="new" code="kocl" type="type" description="Always note."/>
      <parameter name="at" code="insh" type="location specifier" description="The folder."/>
    </command>
  </suite>
</dictionary>`,
    STANDARD_MAKE,
  );
  const [make] = dict.commands;
  assert.equal(dict.commands.length, 1);
  assert.equal(make.description, "Make a note.");
  // Its parameters, with their own required-ness and descriptions: no "with data".
  assert.deepEqual(make.parameters.map((p) => [p.name, p.optional, p.description]), [
    ["new", false, "Always note."],
    ["at", false, "The folder."],
  ]);
  assert.equal(dict.application?.description, "Our app.");
});

Deno.test("between two definitions in one file, the first that declares parameters wins", async () => {
  const { dict, warnings } = await load(`
    <suite name="A" code="aaaa">
      <command name="quit" code="aevtquit" description="Quit."/>
      <command name="quit" code="aevtquit" description="Quit the app.">
        <parameter name="saving" code="savo" type="text" description="Whether to save."/>
      </command>
      <command name="quit" code="aevtquit">
        <parameter name="saving" code="savo" type="text" optional="yes" description="Later."/>
        <parameter name="later" code="latr" type="text"/>
      </command>
    </suite>`);
  assert.deepEqual(warnings, []);
  const [quit] = dict.commands;
  assert.equal(quit.description, "Quit the app.");
  // Still required: a definition without it, or one that makes it optional, changes nothing.
  assert.deepEqual(quit.parameters.map((p) => [p.name, p.optional, p.description]), [
    ["saving", false, "Whether to save."],
    ["later", true, undefined],
  ]);
});
