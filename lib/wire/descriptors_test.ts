import assert from "node:assert/strict";
import { LimitError, ProtocolError } from "../errors.ts";
import { fromJson, toJson } from "./json.ts";
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
  // Hand-built: 10,000 nested specifier extensions, as a hostile peer would send them.
  const head = [0xc9, 0, 0, 0, 0, EXT_SPECIFIER, 0x94, 0xa4, 0x63, 0x6f, 0x62, 0x6a];
  let body = new Uint8Array([0xab, ...new TextEncoder().encode("application")]);
  for (let i = 0; i < 10_000; i++) {
    const tail = new Uint8Array([0xa5, ...new TextEncoder().encode("index"), 0x01]);
    const inner = new Uint8Array(head.length - 6 + body.length + tail.length);
    inner.set(head.slice(6));
    inner.set(body, head.length - 6);
    inner.set(tail, head.length - 6 + body.length);
    const ext = new Uint8Array(6 + inner.length);
    ext.set(head.slice(0, 6));
    new DataView(ext.buffer).setUint32(1, inner.length);
    ext.set(inner, 6);
    body = ext;
  }
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
