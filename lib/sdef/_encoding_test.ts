import assert from "node:assert/strict";
import { decodeXml } from "./_encoding.ts";
import { parseSdef, readSdef } from "./parse.ts";
import { SdefSyntaxError } from "./errors.ts";

const DEFINITION = `<?xml version="1.0" encoding="ENCODING"?>
<dictionary title="Café">
  <suite name="Suite" code="Suit" description="Crème brûlée, 🍮.">
    <class name="thing" code="Thng"/>
  </suite>
</dictionary>
`;

/** `text` in UTF-16, little- or big-endian, with or without a byte order mark. */
function utf16(text: string, endian: "le" | "be", bom: boolean): Uint8Array {
  const units = [
    ...(bom ? [0xfeff] : []),
    ...[...text].flatMap((c) => {
      const code = c.codePointAt(0)!;
      if (code < 0x10000) return [code];
      const v = code - 0x10000;
      return [0xd800 + (v >> 10), 0xdc00 + (v & 0x3ff)];
    }),
  ];
  const out = new Uint8Array(units.length * 2);
  const view = new DataView(out.buffer);
  units.forEach((u, i) => view.setUint16(i * 2, u, endian === "le"));
  return out;
}

function expectBadBytes(
  bytes: Uint8Array,
  position: [number, number],
  pattern: RegExp,
): void {
  assert.throws(() => decodeXml(bytes, "bad.sdef"), (e: unknown) => {
    assert.ok(e instanceof SdefSyntaxError, String(e));
    assert.deepEqual([e.file, e.line, e.column], ["bad.sdef", ...position]);
    assert.match(e.reason, pattern);
    assert.doesNotMatch(e.message, /\n/);
    return true;
  });
}

Deno.test("a definition's bytes are decoded by their byte order mark or XML declaration", async () => {
  const text = DEFINITION.replace("ENCODING", "UTF-8");
  const expected = await parseSdef(text, { file: "x.sdef" });
  const utf16Text = DEFINITION.replace("ENCODING", "UTF-16");
  const latin1Text = DEFINITION.replace("ENCODING", "ISO-8859-1").replace(", 🍮", "");
  const cases: [string, Uint8Array][] = [
    ["UTF-8", new TextEncoder().encode(text)],
    [
      "UTF-8 with a byte order mark",
      new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]),
    ],
    ["UTF-16LE", utf16(utf16Text, "le", true)],
    ["UTF-16BE", utf16(utf16Text, "be", true)],
    ["UTF-16LE without a mark", utf16(utf16Text, "le", false)],
    ["UTF-16BE without a mark", utf16(utf16Text, "be", false)],
  ];
  for (const [what, bytes] of cases) {
    const dict = await parseSdef(bytes, { file: "x.sdef" });
    assert.equal(dict.title, "Café", what);
    assert.equal(dict.suites[0].description, "Crème brûlée, 🍮.", what);
    assert.deepEqual(dict.suites[0].classes[0].name, expected.suites[0].classes[0].name, what);
  }
  const latin1 = Uint8Array.from([...latin1Text].map((c) => c.charCodeAt(0)));
  const dict = await parseSdef(latin1, { file: "x.sdef" });
  assert.equal(dict.suites[0].description, "Crème brûlée.");
});

Deno.test("bytes that do not decode are an error with their line, column and byte offset", () => {
  const utf8 = new TextEncoder().encode('<dictionary>\n  <suite name="ab');
  const tail = new TextEncoder().encode('" code="aaaa"/></dictionary>');
  expectBadBytes(
    new Uint8Array([...utf8, 0xc3, 0x28, ...tail]),
    [2, 18],
    /^bytes that are not UTF-8 \(0xC3 0x28 at byte offset 30\)/,
  );
  expectBadBytes(
    new Uint8Array([...utf8, 0xff, ...tail]),
    [2, 18],
    /^bytes that are not UTF-8 \(0xFF at byte offset 30\)/,
  );
  // Cut short inside a character.
  expectBadBytes(new Uint8Array([...utf8, 0xe2, 0x82]), [2, 18], /0xE2 0x82 at byte offset 30/);
  // An unpaired surrogate in UTF-16.
  const units = utf16("<dictionary>\n<x/>\uD800</dictionary>", "le", true);
  expectBadBytes(units, [2, 5], /^bytes that are not UTF-16LE \(0x00 0xD8/);
});

Deno.test("an encoding ipckit cannot decode, or a declaration the bytes contradict, is an error", () => {
  const encode = (text: string) => new TextEncoder().encode(text);
  assert.throws(
    () => decodeXml(encode('<?xml version="1.0" encoding="EBCDIC-XX"?><a/>'), "x.sdef"),
    /x\.sdef:1:1: the XML declaration says encoding="EBCDIC-XX", which ipckit cannot decode/,
  );
  assert.throws(
    () => decodeXml(encode('<?xml version="1.0" encoding="UTF-16"?><a/>'), "x.sdef"),
    /encoding="UTF-16", but the file has no UTF-16 byte order mark/,
  );
  assert.throws(
    () => decodeXml(new Uint8Array([0xff, 0xfe, 0, 0, 0x3c, 0, 0, 0]), "x.sdef"),
    /UTF-32, which ipckit does not read/,
  );
});

Deno.test("readSdef() and includes read files as bytes and decode them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ipckit_encoding_" });
  try {
    await Deno.writeFile(
      `${dir}/shared.sdef`,
      utf16(DEFINITION.replace("ENCODING", "UTF-16"), "be", true),
    );
    await Deno.writeTextFile(
      `${dir}/app.sdef`,
      `<dictionary xmlns:xi="http://www.w3.org/2003/XInclude">
  <xi:include href="shared.sdef" xpointer="xpointer(/dictionary/suite)"/>
</dictionary>`,
    );
    const dict = await readSdef(`${dir}/app.sdef`);
    assert.equal(dict.suites[0].description, "Crème brûlée, 🍮.");
    await Deno.writeFile(
      `${dir}/bad.sdef`,
      new Uint8Array([...new TextEncoder().encode("<dictionary>\n\n <x"), 0x80]),
    );
    await assert.rejects(readSdef(`${dir}/bad.sdef`), /bad\.sdef:3:4: bytes that are not UTF-8/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
