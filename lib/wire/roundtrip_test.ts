import assert from "node:assert/strict";
import { sampleValues } from "./_test_values.ts";
import { fromJson, toJson } from "./json.ts";
import { decodeValue, encodeValue, encodeValueWith } from "./msgpack.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { typeOf, valueEquals } from "./value.ts";
import type { Value } from "./value.ts";
import { fromYaml, toYaml } from "./yaml.ts";

const samples = sampleValues();

function same(a: Value, b: Value, how: string): void {
  assert.ok(valueEquals(a, b), `${how}: ${String(typeOf(a))} did not survive`);
  if (typeOf(a) === "double") {
    assert.ok(Object.is(a, b), `${how}: ${String(a)} became ${String(b)}`);
  }
}

for (const [name, value] of Object.entries(samples)) {
  Deno.test(`MessagePack round trip keeps ${name} exactly`, () => {
    same(value, decodeValue(encodeValue(value)), "msgpack");
  });
  Deno.test(`JSON round trip keeps ${name} exactly`, () => {
    same(value, fromJson(toJson(value)), "json");
    same(value, fromJson(toJson(value, 2)), "indented json");
  });
  if (name === "8 MiB data") continue; // YAML of 8 MiB is slow and adds nothing
  Deno.test(`YAML round trip keeps ${name} exactly`, async () => {
    same(value, await fromYaml(await toYaml(value)), "yaml");
  });
}

Deno.test("encodeValueWith() hands over the bytes encodeValue() returns, in its own memory", () => {
  const value = { a: [1n, "x", new Uint8Array([1, 2])] };
  const expected = encodeValue(value);
  const seen = encodeValueWith(value, DEFAULT_LIMITS, (bytes) => {
    assert.deepEqual(bytes, expected);
    return bytes.slice();
  });
  encodeValue("something else"); // the encoder's memory is reused
  assert.deepEqual(seen, expected);
  assert.throws(() => encodeValueWith(new Map() as never, DEFAULT_LIMITS, () => 0), TypeError);
});

Deno.test("the whole sample set survives each form in one value", async () => {
  const { ["8 MiB data"]: _big, ...rest } = samples;
  same(rest, decodeValue(encodeValue(rest)), "msgpack");
  same(rest, fromJson(toJson(rest)), "json");
  same(rest, await fromYaml(await toYaml(rest)), "yaml");
});

Deno.test("JSON writes numbers as numbers when exact and tags the rest", () => {
  assert.equal(toJson(5n), "5");
  assert.equal(toJson(1), "1.0");
  assert.equal(toJson(-0), "-0.0");
  assert.equal(toJson(2n ** 60n), '{"$int64":"1152921504606846976"}');
  assert.equal(toJson(NaN), '{"$double":"NaN"}');
  assert.equal(toJson({ $data: "x" }), '{"$dictionary":{"$data":"x"}}');
  assert.deepEqual(
    fromJson("12345678901234567890"),
    fromJson('{"$uint64":"12345678901234567890"}'),
  );
});

Deno.test("malformed JSON forms are SyntaxErrors that say what is wrong", () => {
  assert.throws(() => fromJson("{"), SyntaxError);
  assert.throws(() => fromJson('{"$int64": "1.5"}'), /needs a decimal integer/);
  assert.throws(() => fromJson('{"$uint64": "-1"}'), /needs a decimal integer/);
  assert.throws(() => fromJson('{"$data": "***"}'), /base64/);
  assert.throws(() => fromJson('{"$date": "yesterday"}'), /ISO 8601/);
  assert.throws(() => fromJson('{"$uuid": "nope"}'), /UUID/);
  assert.throws(() => fromJson('{"$double": 5}'), /takes a string/);
  assert.throws(() => fromJson("123456789012345678901234567890"), RangeError);
});

Deno.test("malformed YAML is a SyntaxError with line and column", async () => {
  await assert.rejects(() => fromYaml("a: [1, 2"), /line \d+, column \d+/);
  await assert.rejects(() => fromYaml("a: !uint64 -3"), /!uint64 needs an integer/);
  await assert.rejects(() => fromYaml("a: 1\na: 2"), SyntaxError);
});

Deno.test("toYaml() writes only a byte array's own bytes, not its whole buffer", async () => {
  const buffer = new Uint8Array([9, 9, 1, 2, 3, 9, 9]);
  const view = buffer.subarray(2, 5);
  const text = await toYaml({ data: view });
  assert.deepEqual((await fromYaml(text) as { data: Uint8Array }).data, new Uint8Array([1, 2, 3]));
  const decoded = decodeValue(encodeValue({ a: "x", data: new Uint8Array([4, 5]) }));
  assert.deepEqual(
    (await fromYaml(await toYaml(decoded)) as { data: Uint8Array }).data,
    new Uint8Array([4, 5]),
  );
});
