import assert from "node:assert/strict";
import { bytesToCode, codeToBytes, codeToNumber, readCode } from "./four_char_code.ts";

Deno.test("readCode() keeps spaces: codes are whitespace-significant", () => {
  assert.deepEqual(readCode("ID  ", 4), { code: "ID  " });
  assert.deepEqual(readCode("yes ", 4), { code: "yes " });
  assert.ok("error" in readCode("ID", 4));
  assert.ok("error" in readCode(" ID  ", 4));
});

Deno.test("readCode() reads the hex form", () => {
  assert.deepEqual(readCode("0x00000000", 4), { code: "\0\0\0\0" });
  assert.deepEqual(readCode("0x706E616D", 4), { code: "pnam" });
  assert.deepEqual(readCode("0x4f72636850727565", 8), { code: "OrchPrue" });
  const short = readCode("0x706e61", 4);
  assert.ok("error" in short && /6 digits; it needs 8/.test(short.error));
});

Deno.test("readCode() accepts MacRoman characters and rejects others", () => {
  assert.deepEqual(readCode("dtpƒ", 4), { code: "dtpƒ" });
  assert.deepEqual(readCode("WWWΩsdoc", 8), { code: "WWWΩsdoc" });
  const bad = readCode("ab日c", 4);
  assert.ok("error" in bad && /not a MacRoman character/.test(bad.error));
});

Deno.test("command and event codes have eight characters", () => {
  assert.deepEqual(readCode("aevtodoc", 8), { code: "aevtodoc" });
  assert.ok("error" in readCode("aevt", 8));
});

Deno.test("codeToBytes() and bytesToCode() convert MacRoman both ways", () => {
  assert.deepEqual(codeToBytes("dtpƒ"), new Uint8Array([0x64, 0x74, 0x70, 0xc4]));
  assert.equal(codeToBytes("日"), null);
  for (let b = 0; b < 256; b++) {
    const code = bytesToCode(new Uint8Array([b]));
    assert.deepEqual(codeToBytes(code), new Uint8Array([b]), `byte ${b}`);
  }
  assert.equal(codeToNumber("pnam"), 0x706e616d);
});
