import assert from "node:assert/strict";
import { concatBytes, readInt64, readUint32, writeInt64, writeUint32 } from "./bytes.ts";

Deno.test("concatBytes puts parts together, and gives a lone part back as it is", () => {
  const one = new Uint8Array([1, 2]);
  assert.equal(concatBytes([one]), one);
  assert.deepEqual(concatBytes([]), new Uint8Array(0));
  assert.deepEqual(
    concatBytes([one, new Uint8Array(0), new Uint8Array([3])]),
    new Uint8Array([1, 2, 3]),
  );
  assert.deepEqual(concatBytes([one, new Uint8Array([3])], 3), new Uint8Array([1, 2, 3]));
});

Deno.test("big-endian integers are written and read back in place, as a DataView has them", () => {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  writeUint32(bytes, 1, 0xdeadbeef);
  assert.equal(view.getUint32(1), 0xdeadbeef);
  assert.equal(readUint32(bytes, 1), 0xdeadbeef);
  for (
    const value of [
      0,
      1,
      -1,
      2 ** 40 + 5,
      -(2 ** 40) - 5,
      Number.MAX_SAFE_INTEGER,
      -Number.MAX_SAFE_INTEGER,
    ]
  ) {
    writeInt64(bytes, 8, value);
    assert.equal(view.getBigInt64(8), BigInt(value), String(value));
    assert.equal(readInt64(bytes, 8), value, String(value));
  }
});
