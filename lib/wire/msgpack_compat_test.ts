/**
 * ipckit's MessagePack is standard MessagePack: checked against `@msgpack/msgpack`, the
 * reference implementation, both ways.
 */

import assert from "node:assert/strict";
import { decode, encode, ExtensionCodec } from "@msgpack/msgpack";
import { decodeValue, encodeValue, EXT_UINT64, EXT_UUID } from "./msgpack.ts";
import { sampleValues, scriptingSampleNames } from "./_test_values.ts";
import { UInt64, Uuid, type Value, valueEquals } from "./value.ts";

const codec = new ExtensionCodec();
codec.register({
  type: EXT_UINT64,
  encode: (v: unknown) => {
    if (!(v instanceof UInt64)) return null;
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, v.value);
    return out;
  },
  decode: (d: Uint8Array) => new UInt64(new DataView(d.buffer, d.byteOffset, 8).getBigUint64(0)),
});
codec.register({
  type: EXT_UUID,
  encode: (v: unknown) => v instanceof Uuid ? v.bytes : null,
  decode: (d: Uint8Array) => Uuid.fromBytes(d),
});

/** What the reference decoder gives for a Value: its integers come back as numbers or bigints. */
function asReference(value: Value): unknown {
  if (typeof value === "bigint") return value;
  if (Array.isArray(value)) return value.map(asReference);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asReference(v)]));
  }
  return value;
}

function normalizeReference(value: unknown): unknown {
  if (typeof value === "bigint") return value;
  if (Array.isArray(value)) return value.map(normalizeReference);
  if (value instanceof Uint8Array) return new Uint8Array(value);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, normalizeReference(v)]),
    );
  }
  return value;
}

const { ["8 MiB data"]: _big, ...samples } = sampleValues();
const scripting = scriptingSampleNames();

for (const [name, value] of Object.entries(samples)) {
  if (scripting.has(name)) continue; // ipckit's own extension types: opaque to the reference
  Deno.test(`@msgpack/msgpack writes ${name} so that ipckit reads it exactly`, () => {
    const bytes = encode(value, {
      extensionCodec: codec,
      useBigInt64: true,
      forceIntegerToFloat: true,
    });
    assert.ok(valueEquals(value, decodeValue(bytes)));
  });
  Deno.test(`ipckit writes ${name} so that @msgpack/msgpack reads it`, () => {
    const decoded = decode(encodeValue(value), { extensionCodec: codec, useBigInt64: true });
    // The reference reads small integers as numbers and large ones as bigints: compare every
    // integer by its decimal digits (through Number, int64s past 2^53 would compare equal when
    // they are not).
    const digits = (_k: string, v: unknown): unknown =>
      typeof v === "bigint" || (typeof v === "number" && Number.isInteger(v) && !Object.is(v, -0))
        ? `${v}`
        : v;
    assert.equal(
      JSON.stringify(normalizeReference(decoded), digits),
      JSON.stringify(asReference(value), digits),
    );
  });
}
