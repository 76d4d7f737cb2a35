import assert from "node:assert/strict";
import { LimitError, ProtocolError } from "../errors.ts";
import { encodeFrame, encodeMessage, FrameDecoder } from "./frame.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { decodeValue, encodeValue } from "./msgpack.ts";
import { sampleValues } from "./_test_values.ts";
import type { Value } from "./value.ts";

Deno.test("FrameDecoder reassembles frames split at every byte boundary", () => {
  const bodies = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array(70_000).fill(7)];
  const stream = new Uint8Array(bodies.reduce((n, b) => n + b.length + 4, 0));
  let at = 0;
  for (const b of bodies) {
    stream.set(encodeFrame(b), at);
    at += b.length + 4;
  }
  for (const step of [1, 2, 3, 5, 4096, stream.length]) {
    const decoder = new FrameDecoder();
    const got: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i += step) {
      decoder.push(stream.subarray(i, i + step));
      for (let body = decoder.next(); body; body = decoder.next()) got.push(body);
    }
    assert.deepEqual(got, bodies, `chunks of ${step}`);
    assert.equal(decoder.pending, 0);
  }
});

Deno.test("FrameDecoder refuses a huge length prefix before buffering the body", () => {
  const decoder = new FrameDecoder(1024);
  decoder.push(new Uint8Array([0xff, 0xff, 0xff, 0xff]));
  assert.throws(() => decoder.next(), LimitError);
  const ok = new FrameDecoder(1024);
  ok.push(encodeFrame(new Uint8Array(1024)));
  assert.equal(ok.next()?.length, 1024);
});

Deno.test("decodeValue() refuses trailing bytes, bad UTF-8, non-string keys and unknown extensions", () => {
  assert.throws(() => decodeValue(new Uint8Array([0xc0, 0xc0])), /left over/);
  assert.throws(() => decodeValue(new Uint8Array([0xa2, 0xc3, 0x28])), /not valid UTF-8/);
  assert.throws(() => decodeValue(new Uint8Array([0x81, 0x01, 0xc0])), /key that is not a string/);
  assert.throws(
    () => decodeValue(new Uint8Array([0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])),
    /out of the int64 range/,
  );
  assert.throws(
    () => decodeValue(new Uint8Array([0xd4, 0x09, 0x00])),
    /extension type ipckit does not know: 9/,
  );
  assert.throws(() => decodeValue(new Uint8Array([0xc1])), /0xc1/);
  assert.throws(() => decodeValue(new Uint8Array([])), /ends inside a value/);
});

Deno.test("decodeValue() reads an integer of any width as an int64 and a float as a double", () => {
  assert.equal(decodeValue(new Uint8Array([0x05])), 5n);
  assert.equal(decodeValue(new Uint8Array([0xff])), -1n);
  assert.equal(decodeValue(new Uint8Array([0xcd, 0x01, 0x00])), 256n);
  assert.equal(decodeValue(new Uint8Array([0xd0, 0x80])), -128n);
  assert.equal(decodeValue(new Uint8Array([0xca, 0x3f, 0xc0, 0x00, 0x00])), 1.5);
  assert.ok(Object.is(decodeValue(new Uint8Array([0xcb, 0x80, 0, 0, 0, 0, 0, 0, 0])), -0));
});

Deno.test("decodeValue() refuses nesting past the depth limit without building it", () => {
  const deep = new Uint8Array(1_000_000).fill(0x91); // a million nested one-element arrays
  assert.throws(() => decodeValue(deep), LimitError);
  let value: Value = [];
  for (let i = 1; i < DEFAULT_LIMITS.maxDepth; i++) value = [value];
  assert.deepEqual(decodeValue(encodeValue(value)), value);
  assert.throws(() => encodeValue([value]), LimitError);
});

Deno.test("decodeValue() refuses a string over the limit and a container that claims too much", () => {
  const limits = { ...DEFAULT_LIMITS, maxStringBytes: 10 };
  assert.throws(() => decodeValue(encodeValue("x".repeat(11)), limits), LimitError);
  // An array header claiming 2^32-1 entries in a 5-byte body.
  assert.throws(() => decodeValue(new Uint8Array([0xdd, 0xff, 0xff, 0xff, 0xff])), ProtocolError);
});

/** A body of one array (32-bit count) of `count` copies of the one-byte value `byte`. */
function arrayOf(count: number, byte: number): Uint8Array {
  const body = new Uint8Array(5 + count).fill(byte);
  body[0] = 0xdd;
  new DataView(body.buffer).setUint32(1, count);
  return body;
}

Deno.test("decodeValue() refuses a body that would expand past the container or value limits", () => {
  // 16 M empty maps in a 16 MiB body once cost 1.2 GB and 3 s; now refused before building.
  const started = performance.now();
  assert.throws(() => decodeValue(arrayOf(DEFAULT_LIMITS.maxFrameBytes - 5, 0x80)), LimitError);
  assert.throws(() => decodeValue(arrayOf(300_000, 0x80)), (e: Error) =>
    e instanceof LimitError &&
    /more arrays and dictionaries than the limit of 262144/.test(e.message));
  assert.throws(
    () => decodeValue(arrayOf(DEFAULT_LIMITS.maxFrameBytes - 5, 0x05)),
    (e: Error) =>
      e instanceof LimitError && /more values than the limit of 1048576/.test(e.message),
  );
  assert.ok(performance.now() - started < 2000, "refusing took the time decoding would");
  // Right at the limits still decodes.
  const limits = { ...DEFAULT_LIMITS, maxContainers: 3, maxValues: 6 };
  assert.deepEqual(decodeValue(encodeValue([{}, { a: 1n }]), limits), [{}, { a: 1n }]);
  assert.throws(() => decodeValue(encodeValue([{}, {}, {}]), limits), LimitError);
  assert.throws(() => decodeValue(encodeValue([{}, { a: 1n, b: 2n }]), limits), LimitError);
});

/** A small deterministic generator, so a failing case can be reproduced from its seed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("fuzz: thousands of mutated frames never crash the decoder; each failure is typed", () => {
  const random = rng(20261128);
  const { ["8 MiB data"]: _big, ...samples } = sampleValues();
  const seeds = Object.values(samples).map((v) => encodeMessage({ t: "req", id: 1, m: "x", b: v }));
  let decoded = 0, refused = 0;
  for (let i = 0; i < 6000; i++) {
    const seed = seeds[Math.floor(random() * seeds.length)];
    const frame = seed.slice();
    const mutations = 1 + Math.floor(random() * 4);
    let bytes = frame;
    for (let m = 0; m < mutations; m++) {
      const kind = random();
      const at = Math.floor(random() * bytes.length);
      if (kind < 0.5) bytes[at] = Math.floor(random() * 256); // flip a byte
      else if (kind < 0.7) bytes = bytes.subarray(0, at); // truncate
      else if (kind < 0.85) { // duplicate a slice
        const extra = bytes.subarray(at, at + 1 + Math.floor(random() * 8));
        const grown = new Uint8Array(bytes.length + extra.length);
        grown.set(bytes.subarray(0, at));
        grown.set(extra, at);
        grown.set(bytes.subarray(at), at + extra.length);
        bytes = grown;
      } else bytes[Math.min(3, at)] ^= 1 << Math.floor(random() * 8); // damage the length
    }
    const decoder = new FrameDecoder(1 << 20);
    try {
      decoder.push(bytes);
      for (let body = decoder.next(); body; body = decoder.next()) {
        decodeValue(body);
        decoded++;
      }
    } catch (error) {
      assert.ok(
        error instanceof ProtocolError || error instanceof LimitError,
        `case ${i}: untyped ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`,
      );
      refused++;
    }
  }
  assert.ok(refused > 1000, `only ${refused} mutations were refused`);
  assert.ok(decoded > 100, `only ${decoded} mutations still decoded`);
});
