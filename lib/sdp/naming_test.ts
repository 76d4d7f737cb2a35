import assert from "node:assert/strict";
import { camelCase, docComment, NameTable, pascalCase, propertyKey } from "./naming.ts";

Deno.test("pascalCase() makes type-name parts the way sdp does", () => {
  assert.equal(pascalCase("save options"), "SaveOptions");
  assert.equal(pascalCase("RGB color"), "RGBColor");
  assert.equal(pascalCase("scheme action result"), "SchemeActionResult");
  assert.equal(pascalCase("text.ctxt"), "TextCtxt");
  assert.equal(pascalCase("selection-object"), "SelectionObject");
  assert.equal(pascalCase("3D view"), "_3DView");
  assert.equal(pascalCase("über menü"), "ÜberMenü");
});

Deno.test("camelCase() makes member names", () => {
  assert.equal(camelCase("current tab"), "currentTab");
  assert.equal(camelCase("saving in"), "savingIn");
  assert.equal(camelCase("URL"), "url");
  assert.equal(camelCase("ID"), "id");
  assert.equal(camelCase("iTunes"), "iTunes");
  assert.equal(camelCase("3D model"), "_3dModel");
  assert.equal(camelCase("fruit-count"), "fruitCount");
  assert.equal(camelCase("«»"), "_");
});

Deno.test("propertyKey() quotes only what is not an identifier", () => {
  assert.equal(propertyKey("class"), "class");
  assert.equal(propertyKey("not yet started"), '"not yet started"');
  assert.equal(propertyKey("dtpƒ"), "dtpƒ");
  assert.equal(propertyKey("a-b"), '"a-b"');
});

Deno.test("NameTable hands out unique names with a suffix on a clash", () => {
  const names = new NameTable(["Property"]);
  assert.equal(names.claim("Property", "Type"), "PropertyType");
  assert.equal(names.claim("AppText", "Enum"), "AppText");
  assert.equal(names.claim("AppText", "Enum"), "AppTextEnum");
  assert.equal(names.claim("AppText", "Enum"), "AppTextEnum2");
});

Deno.test("docComment() escapes the comment end and keeps lines", () => {
  assert.equal(docComment("a */ b", "  "), "  /** a *\\/ b */\n");
  assert.equal(docComment("one\ntwo", ""), "/**\n * one\n * two\n */\n");
  assert.equal(docComment(undefined, ""), "");
  assert.equal(docComment("   ", ""), "");
});
