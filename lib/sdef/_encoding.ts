/**
 * Decodes the bytes of a definition the way XML says: by its byte order mark, else by the
 * encoding its XML declaration names, else as UTF-8. Bytes that the encoding cannot decode are an
 * {@linkcode SdefSyntaxError} at their line and column, with their byte offset: never replaced
 * silently.
 *
 * @module
 */

import { SdefSyntaxError } from "./errors.ts";

/** The encoding a byte order mark, or the first two characters in UTF-16, show. */
function sniff(bytes: Uint8Array): { label: string; bom: number } | undefined {
  const [a, b, c, d] = bytes;
  if (a === 0xef && b === 0xbb && c === 0xbf) return { label: "utf-8", bom: 3 };
  if ((a === 0xff && b === 0xfe && c === 0 && d === 0) || (a === 0 && b === 0 && c === 0xfe)) {
    return { label: "utf-32", bom: 4 };
  }
  if (a === 0xff && b === 0xfe) return { label: "utf-16le", bom: 2 };
  if (a === 0xfe && b === 0xff) return { label: "utf-16be", bom: 2 };
  // No mark: two ASCII characters (`<?`, `<d`) in UTF-16.
  if (a !== 0 && b === 0 && c !== 0 && d === 0) return { label: "utf-16le", bom: 0 };
  if (a === 0 && b !== 0 && c === 0 && d !== 0) return { label: "utf-16be", bom: 0 };
  return undefined;
}

/** The encoding the XML declaration names (`<?xml version="1.0" encoding="…"?>`), if any. */
function declared(bytes: Uint8Array, start: number): string | undefined {
  const head = new TextDecoder("latin1").decode(bytes.subarray(start, start + 256));
  return /^<\?xml\s[^>]*?\bencoding\s*=\s*["']([^"']*)["']/.exec(head)?.[1];
}

/**
 * Decodes a definition's bytes to text.
 *
 * @param bytes the file's contents.
 * @param file the file's path, for messages.
 * @throws {SdefSyntaxError} for an encoding that cannot be read, or bytes it cannot decode.
 */
export function decodeXml(bytes: Uint8Array, file: string): string {
  const sniffed = sniff(bytes);
  const name = declared(bytes, sniffed?.bom ?? 0);
  if (sniffed?.label === "utf-32") {
    throw new SdefSyntaxError(
      { file, line: 1, column: 1 },
      "the file is UTF-32, which ipckit does not read: save it as UTF-8",
    );
  }
  let label = sniffed?.label ?? "utf-8";
  if (!sniffed && name !== undefined) {
    if (/^utf-?16$/i.test(name.trim())) {
      throw new SdefSyntaxError(
        { file, line: 1, column: 1 },
        `the XML declaration says encoding="${name}", but the file has no UTF-16 byte order ` +
          "mark and starts as 8-bit text: fix the declaration, or save the file as UTF-8",
      );
    }
    label = name;
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true });
  } catch {
    throw new SdefSyntaxError(
      { file, line: 1, column: 1 },
      `the XML declaration says encoding="${name}", which ipckit cannot decode: save the file ` +
        `as UTF-8 (iconv -f '${name}' -t UTF-8)`,
    );
  }
  try {
    return decoder.decode(bytes);
  } catch {
    throw badBytes(bytes, decoder.encoding, file);
  }
}

/** The error for the first bytes an encoding cannot decode, with where they are. */
function badBytes(bytes: Uint8Array, encoding: string, file: string): SdefSyntaxError {
  // The shortest prefix that fails to decode ends in the bad bytes (a longer one fails too).
  const fails = (end: number) => {
    try {
      new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(0, end), { stream: true });
      return false;
    } catch {
      return true;
    }
  };
  let low = 0;
  let high = bytes.length;
  // When no prefix fails, the bad bytes are an incomplete sequence at the very end.
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (fails(mid)) high = mid;
    else low = mid + 1;
  }
  // Back to the start of the bad sequence: the end of the last character that decodes whole.
  let start = Math.max(0, high - 1);
  for (let back = 1; back <= 4 && high - back >= 0; back++) {
    try {
      new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(0, high - back));
      start = high - back;
      break;
    } catch { /* still inside the bad sequence */ }
  }
  const before = new TextDecoder(encoding).decode(bytes.subarray(0, start));
  const lineStart = before.lastIndexOf("\n") + 1;
  let line = 1;
  for (let i = before.indexOf("\n"); i >= 0; i = before.indexOf("\n", i + 1)) line++;
  const shown = [...bytes.subarray(start, Math.min(Math.max(high, start + 1), start + 4))]
    .map((b) => `0x${b.toString(16).toUpperCase().padStart(2, "0")}`).join(" ");
  return new SdefSyntaxError(
    { file, line, column: before.length - lineStart + 1 },
    `bytes that are not ${encoding.toUpperCase()} (${shown || "end of file"} at byte offset ` +
      `${start}): save the file as ${encoding.toUpperCase()}, or name its encoding in the XML ` +
      `declaration (<?xml version="1.0" encoding="…"?>)`,
  );
}
