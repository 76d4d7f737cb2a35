import assert from "node:assert/strict";
import { LimitError } from "../errors.ts";
import { assertValue, typeOf, UInt64, Uuid, valueEquals } from "./value.ts";

Deno.test("typeOf() names every XPC type and rejects what is not a Value", () => {
  assert.equal(typeOf(null), "null");
  assert.equal(typeOf(1n), "int64");
  assert.equal(typeOf(1), "double");
  assert.equal(typeOf(new UInt64(1n)), "uint64");
  assert.equal(typeOf(new Uint8Array()), "data");
  assert.equal(typeOf(new Date()), "date");
  assert.equal(typeOf(Uuid.random()), "uuid");
  assert.equal(typeOf([]), "array");
  assert.equal(typeOf({}), "dictionary");
  assert.equal(typeOf(undefined), undefined);
  assert.equal(typeOf(new Map()), undefined);
});

Deno.test("assertValue() names the path of the first part that is not a Value", () => {
  assert.throws(
    () => assertValue({ a: [1, undefined] }),
    /value\.a\[1\]: undefined is not a Value/,
  );
  assert.throws(() => assertValue({ f: () => 1 }), /value\.f: a function is not a Value/);
  assert.throws(() => assertValue(new Map()), /a Map is not a Value/);
  assert.throws(() => assertValue(2n ** 63n), /out of the int64 range/);
  assert.throws(() => assertValue(new Date(NaN)), /an invalid Date/);
  assert.throws(() => assertValue(JSON.parse('{"__proto__": 1}')), /__proto__/);
});

Deno.test("assertValue() enforces the depth and string limits with a LimitError", () => {
  let deep: unknown = [];
  for (let i = 0; i < 10; i++) deep = [deep];
  assert.throws(() => assertValue(deep, { maxDepth: 5, maxStringBytes: 100 }), LimitError);
  assertValue(deep, { maxDepth: 11, maxStringBytes: 100 });
  assert.throws(
    () => assertValue("x".repeat(101), { maxDepth: 5, maxStringBytes: 100 }),
    /over the limit of 100 bytes/,
  );
  // Counted in UTF-8 bytes, not characters.
  assert.throws(
    () => assertValue("é".repeat(51), { maxDepth: 5, maxStringBytes: 100 }),
    LimitError,
  );
  assertValue("é".repeat(50), { maxDepth: 5, maxStringBytes: 100 });
});

Deno.test("UInt64 and Uuid check their input", () => {
  assert.throws(() => new UInt64(-1n), RangeError);
  assert.throws(() => new UInt64(2n ** 64n), RangeError);
  assert.throws(() => new UInt64(1.5), RangeError);
  assert.throws(() => new Uuid("not-a-uuid"), TypeError);
  const id = new Uuid("6BA7B810-9DAD-11D1-80B4-00C04FD430C8");
  assert.equal(id.text, "6ba7b810-9dad-11d1-80b4-00c04fd430c8");
  assert.equal(Uuid.fromBytes(id.bytes).text, id.text);
});

Deno.test("valueEquals() tells -0 from 0, int64 from double, and data by content", () => {
  assert.ok(!valueEquals(-0, 0));
  assert.ok(valueEquals(NaN, NaN));
  assert.ok(!valueEquals(1n, 1));
  assert.ok(!valueEquals(new UInt64(1n), 1n));
  assert.ok(valueEquals({ a: 1, b: 2 }, { b: 2, a: 1 }));
  assert.ok(!valueEquals(new Uint8Array([1]), new Uint8Array([2])));
});
