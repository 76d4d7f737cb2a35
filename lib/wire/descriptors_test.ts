import assert from "node:assert/strict";
import { LimitError, ProtocolError } from "../errors.ts";
import { fromJson, toJson } from "./json.ts";
import { deepSpecifierBytes } from "./_test_values.ts";
import { decodeValue, encodeValue, EXT_SPECIFIER } from "./msgpack.ts";
import { EnumConstant, ObjectSpecifier, TypeCode, valueEquals } from "./value.ts";
import { fromYaml, toYaml } from "./yaml.ts";

function deep(levels: number): ObjectSpecifier {
  let spec = new ObjectSpecifier("cobj", "application", "index", 1n);
  for (let i = 1; i < levels; i++) spec = new ObjectSpecifier("cobj", spec, "index", 1n);
  return spec;
}

Deno.test("a specifier 10,000 deep is refused by the encoder and the decoder with a LimitError", () => {
  assert.throws(() => encodeValue(deep(10_000)), LimitError);
  const body = deepSpecifierBytes(10_000);
  assert.throws(() => decodeValue(body), LimitError);
});

Deno.test("a malformed specifier on the wire is a ProtocolError that says what is wrong", () => {
  // [want, from, form, seld] with the form "sideways"
  const parts = encodeValue(["cobj", "application", "sideways", 1n]);
  const bytes = new Uint8Array(6 + parts.length);
  bytes.set([0xc9, 0, 0, 0, parts.length, EXT_SPECIFIER]);
  bytes.set(parts, 6);
  assert.throws(
    () => decodeValue(bytes),
    (e) => e instanceof ProtocolError && /form/.test(e.message),
  );
  const short = encodeValue(["cobj", "application"]);
  const bytes2 = new Uint8Array(6 + short.length);
  bytes2.set([0xc9, 0, 0, 0, short.length, EXT_SPECIFIER]);
  bytes2.set(short, 6);
  assert.throws(() => decodeValue(bytes2), /4 parts/);
});

Deno.test("a user's dictionary shaped like a descriptor form stays a dictionary in JSON", () => {
  const user = { $specifier: { want: "cobj", from: "application", form: "index", seld: 1n } };
  const text = toJson(user);
  assert.match(text, /^\{"\$dictionary":/);
  assert.ok(valueEquals(fromJson(text), user));
  assert.ok(fromJson(text.slice('{"$dictionary":'.length, -1)) instanceof ObjectSpecifier);
});

Deno.test("the JSON and YAML forms of type codes and constants are the documented ones", async () => {
  assert.equal(toJson(new TypeCode("docu")), '{"$type":"docu"}');
  assert.equal(toJson(new EnumConstant("yes ")), '{"$constant":"yes "}');
  assert.throws(() => fromJson('{"$type": "doc"}'), /four characters/);
  assert.throws(
    () => fromJson('{"$specifier": {"want": "cobj", "from": "application", "form": "index"}}'),
    /"seld" is missing/,
  );
  const yaml = await toYaml({ k: new EnumConstant("yes ") });
  assert.equal(yaml, 'k: !constant "yes "\n');
  assert.ok(valueEquals(await fromYaml(yaml), { k: new EnumConstant("yes ") }));
});
