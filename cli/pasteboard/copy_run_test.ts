import assert from "node:assert/strict";
import { isUtf8 } from "./copy_run.ts";

const fatal = (bytes: Uint8Array) => {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
};

Deno.test("isUtf8 says what a fatal TextDecoder says, at every edge of UTF-8", () => {
  const cases = [
    [],
    [0x41],
    [0xc2, 0x80],
    [0xc1, 0xbf], // overlong
    [0xdf, 0xbf],
    [0xe0, 0x9f, 0x80], // overlong
    [0xe0, 0xa0, 0x80],
    [0xed, 0x9f, 0xbf],
    [0xed, 0xa0, 0x80], // a surrogate
    [0xef, 0xbf, 0xbf],
    [0xf0, 0x8f, 0xbf, 0xbf], // overlong
    [0xf0, 0x90, 0x80, 0x80],
    [0xf4, 0x8f, 0xbf, 0xbf],
    [0xf4, 0x90, 0x80, 0x80], // over U+10FFFF
    [0xf5, 0x80, 0x80, 0x80],
    [0xe2, 0x82], // cut short
    [0x41, 0xf0, 0x9f, 0x98],
    [0x80],
    [0xc3, 0x28],
    [0xe2, 0x28, 0xa1],
    [0xff],
  ];
  for (const bytes of cases) {
    const array = new Uint8Array(bytes);
    assert.equal(isUtf8(array), fatal(array), `[${bytes.map((b) => b.toString(16))}]`);
  }
  // Text in many scripts, and random bytes, whole and cut anywhere.
  const text = new TextEncoder().encode("Grüße, 你好, καλημέρα, 👋🏽 — done");
  for (let end = 0; end <= text.length; end++) {
    assert.equal(isUtf8(text.subarray(0, end)), fatal(text.subarray(0, end)), `cut at ${end}`);
  }
  for (let round = 0; round < 2000; round++) {
    const bytes = crypto.getRandomValues(new Uint8Array(1 + (round % 12)));
    assert.equal(isUtf8(bytes), fatal(bytes), `[${[...bytes]}]`);
  }
  const large = new Uint8Array(10_000).fill(0x61);
  assert.equal(isUtf8(large), true);
  large[9_999] = 0xff;
  assert.equal(isUtf8(large), false);
});
