/**
 * Four-character codes: the 32-bit identifiers of AppleEvents, written in sdef files as four
 * MacRoman characters (`"pnam"`, whitespace-significant: `"ID  "`) or as hex (`"0x00000000"`).
 * Command and event codes are two of them, eight characters.
 *
 * @module
 */

/** The characters of MacRoman bytes 0x80–0xFF, in order. */
const MAC_ROMAN_HIGH = "ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø" +
  "¿¡¬√ƒ≈∆«»…\u00A0ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄€‹›ﬁﬂ‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\uF8FFÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇ";

const BYTE_OF: Map<string, number> = new Map();
for (let i = 0; i < 128; i++) BYTE_OF.set(String.fromCharCode(i), i);
for (let i = 0; i < 128; i++) BYTE_OF.set(MAC_ROMAN_HIGH[i], 0x80 + i);

/**
 * Returns the MacRoman bytes of a code written in characters, or `null` when one of its
 * characters has no MacRoman byte.
 *
 * @example Bytes of a code
 * ```ts
 * import { codeToBytes } from "./four_char_code.ts";
 * codeToBytes("dtpƒ"); // Uint8Array [0x64, 0x74, 0x70, 0xc4]
 * ```
 */
export function codeToBytes(code: string): Uint8Array | null {
  const out = new Uint8Array(code.length);
  for (let i = 0; i < code.length; i++) {
    const byte = BYTE_OF.get(code[i]);
    if (byte === undefined) return null;
    out[i] = byte;
  }
  return out;
}

/**
 * Returns the characters of MacRoman bytes (the inverse of {@linkcode codeToBytes}).
 *
 * @example Characters of bytes
 * ```ts
 * import { bytesToCode } from "./four_char_code.ts";
 * bytesToCode(new Uint8Array([0x49, 0x44, 0x20, 0x20])); // "ID  "
 * ```
 */
export function bytesToCode(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b < 0x80 ? String.fromCharCode(b) : MAC_ROMAN_HIGH[b - 0x80];
  return out;
}

/**
 * Reads a code attribute: `length` MacRoman characters, kept exactly (spaces included), or
 * `0x` and twice `length` hex digits. Returns the code in characters, or a string that explains
 * what is wrong (the caller raises it with the attribute's position).
 *
 * @param text the attribute's value.
 * @param length 4 for classes, properties, enumerators…; 8 for commands and events.
 * @example Reading codes
 * ```ts
 * import { readCode } from "./four_char_code.ts";
 * readCode("ID  ", 4); // { code: "ID  " }
 * readCode("0x00000000", 4); // { code: "\0\0\0\0" }
 * readCode("abc", 4); // { error: "…" }
 * ```
 */
export function readCode(text: string, length: 4 | 8): { code: string } | { error: string } {
  const hex = /^0x([0-9a-fA-F]+)$/.exec(text);
  if (hex) {
    if (hex[1].length !== length * 2) {
      return {
        error: `the hex code "${text}" has ${hex[1].length} digits; it needs ${length * 2}`,
      };
    }
    const bytes = new Uint8Array(length);
    for (let i = 0; i < length; i++) bytes[i] = parseInt(hex[1].slice(i * 2, i * 2 + 2), 16);
    return { code: bytesToCode(bytes) };
  }
  const chars = [...text];
  if (chars.length !== length) {
    return {
      error: `the code "${text}" has ${chars.length} characters; it needs exactly ${length} ` +
        `(spaces count), or 0x and ${length * 2} hex digits`,
    };
  }
  let ascii = true;
  for (let i = 0; i < text.length && ascii; i++) ascii = text.charCodeAt(i) < 0x80;
  if (!ascii && codeToBytes(text) === null) {
    const bad = chars.find((c) => !BYTE_OF.has(c));
    return { error: `the code "${text}" has "${bad}", which is not a MacRoman character` };
  }
  return { code: text };
}

/**
 * Returns the code as its 32-bit number (the first four characters).
 *
 * @example The number of a code
 * ```ts
 * import { codeToNumber } from "./four_char_code.ts";
 * codeToNumber("pnam"); // 0x706e616d
 * ```
 */
export function codeToNumber(code: string): number {
  const bytes = codeToBytes(code.slice(0, 4));
  if (bytes === null || bytes.length !== 4) {
    throw new RangeError(`not a four-character code: ${code}`);
  }
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
}
