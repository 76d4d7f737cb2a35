import assert from "node:assert/strict";
import { LimitError } from "../errors.ts";
import { encodeMessage, encodeMessageParts, FrameDecoder, SEPARATE_BYTES } from "./frame.ts";
import { decodeValue } from "./msgpack.ts";
import type { Dictionary } from "./value.ts";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

Deno.test("encodeMessageParts() writes the same bytes as encodeMessage(), without copying a large last field", () => {
  const big = new Uint8Array(SEPARATE_BYTES + 12345).map((_, i) => i % 251);
  const messages: Dictionary[] = [
    { t: "req", id: 1, m: "x", b: big },
    { t: "res", id: 7, b: new Uint8Array(SEPARATE_BYTES) },
    { t: "evt", m: "y", b: new Uint8Array(10) },
    { t: "res", id: 2, b: { data: big } },
    { t: "res", id: 3, b: null },
  ];
  for (const message of messages) {
    const parts = encodeMessageParts(message);
    assert.deepEqual(concat(parts), encodeMessage(message));
    if (message.b instanceof Uint8Array && message.b.length >= SEPARATE_BYTES) {
      assert.equal(parts.length, 2);
      assert.equal(parts[1], message.b, "the payload is the caller's array, not a copy");
    } else assert.equal(parts.length, 1);
    const decoder = new FrameDecoder();
    decoder.push(concat(parts));
    assert.deepEqual(decodeValue(decoder.next()!), message);
  }
});

Deno.test("encodeMessageParts() keeps the frame limit", () => {
  const limits = { maxFrameBytes: SEPARATE_BYTES * 2, maxDepth: 64, maxStringBytes: 1024 };
  assert.throws(
    () => encodeMessageParts({ t: "req", id: 1, b: new Uint8Array(SEPARATE_BYTES * 2) }, limits),
    LimitError,
  );
  assert.equal(
    encodeMessageParts({ t: "req", id: 1, b: new Uint8Array(SEPARATE_BYTES) }, limits).length,
    2,
  );
});
