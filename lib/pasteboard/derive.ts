/**
 * Derived representations: types an item does not hold but can be made from one it does, only
 * when a reader asks (as `NSPasteboard` makes plain text from HTML). HTML → plain text,
 * RTF → plain text, UTF-8 ↔ UTF-16 text, file URLs ↔ paths.
 *
 * @example
 * ```ts
 * import { derivation } from "./derive.ts";
 * const how = derivation("public.utf8-plain-text", ["public.html"]);
 * // how = { from: "public.html", to: "public.utf8-plain-text", convert }
 * ```
 *
 * @module
 */

import { conformsTo } from "../uti.ts";

/** How to make one type from another. */
export interface Derivation {
  /** The type held. */
  readonly from: string;
  /** The type made. */
  readonly to: string;
  /** Makes it. @throws {TypeError} when the data does not convert (not UTF-8, not a path). */
  readonly convert: (data: Uint8Array) => Uint8Array;
}

const UTF8 = "public.utf8-plain-text";
const UTF16 = "public.utf16-plain-text";
const UTF16_EXTERNAL = "public.utf16-external-plain-text";
const FILE_URL = "public.file-url";
const HTML = "public.html";
const RTF = "public.rtf";

const encoder = new TextEncoder();

type Converter = (data: Uint8Array) => Uint8Array;

/** What can be made, and from what, in order of preference. */
const TABLE: [to: string, from: string, convert: Converter][] = [
  [UTF8, UTF16_EXTERNAL, (d) => encoder.encode(decodeUtf16(d, true))],
  [UTF8, UTF16, (d) => encoder.encode(decodeUtf16(d, false))],
  [UTF8, HTML, (d) => encoder.encode(htmlToText(decodeUtf8(d)))],
  [UTF8, RTF, (d) => encoder.encode(rtfToText(new TextDecoder("latin1").decode(d)))],
  [UTF8, FILE_URL, (d) => encoder.encode(fileUrlsToPaths(decodeUtf8(d)))],
  [UTF16_EXTERNAL, UTF8, (d) => encodeUtf16(decodeUtf8(d), true)],
  [UTF16, UTF8, (d) => encodeUtf16(decodeUtf8(d), false)],
  [FILE_URL, UTF8, (d) => encoder.encode(pathsToFileUrls(decodeUtf8(d)))],
];

/**
 * How to make a type conforming to `wanted` from one of `held`, or `undefined`. A held type
 * that conforms to a source counts (`public.utf8-plain-text` holds plain text).
 */
export function derivation(wanted: string, held: readonly string[]): Derivation | undefined {
  for (const [to, from, convert] of TABLE) {
    if (!conformsTo(to, wanted)) continue;
    if (held.includes(to)) continue;
    if (held.includes(from)) return { from, to, convert };
  }
  // Two steps, through UTF-8 text (HTML → UTF-8 → UTF-16).
  for (const [to, from, convert] of TABLE) {
    if (from !== UTF8 || !conformsTo(to, wanted) || held.includes(to)) continue;
    const first = derivation(UTF8, held);
    if (first) return { from: first.from, to, convert: (d) => convert(first.convert(d)) };
  }
  return undefined;
}

/** Whether `data` can turn into `to` (file URLs only from text that is absolute paths). */
export function canConvert(derived: Derivation, data: Uint8Array): boolean {
  try {
    derived.convert(data);
    return true;
  } catch {
    return false;
  }
}

/** Whether the bytes are valid UTF-8. */
export function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function decodeUtf8(data: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(data);
  } catch {
    throw new TypeError("the text is not valid UTF-8");
  }
}

function decodeUtf16(data: Uint8Array, external: boolean): string {
  let bigEndian = false;
  let bytes = data;
  if (external && data.length >= 2) {
    if (data[0] === 0xfe && data[1] === 0xff) bigEndian = true;
    if ((data[0] === 0xfe && data[1] === 0xff) || (data[0] === 0xff && data[1] === 0xfe)) {
      bytes = data.subarray(2);
    }
  }
  try {
    return new TextDecoder(bigEndian ? "utf-16be" : "utf-16le", { fatal: true, ignoreBOM: true })
      .decode(bytes);
  } catch {
    throw new TypeError("the text is not valid UTF-16");
  }
}

function encodeUtf16(text: string, withBom: boolean): Uint8Array {
  const offset = withBom ? 2 : 0;
  const out = new Uint8Array(offset + text.length * 2);
  if (withBom) {
    out[0] = 0xff;
    out[1] = 0xfe;
  }
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    out[offset + 2 * i] = unit & 0xff;
    out[offset + 2 * i + 1] = unit >> 8;
  }
  return out;
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  copy: "©",
  reg: "®",
  hellip: "…",
  mdash: "—",
  ndash: "–",
  lsquo: "‘",
  rsquo: "’",
  ldquo: "“",
  rdquo: "”",
  euro: "€",
};

const BLOCK =
  /^(p|div|br|li|tr|h[1-6]|ul|ol|table|blockquote|pre|section|article|header|footer|hr|dt|dd)$/i;

/** Plain text from HTML: tags out, entities decoded, block elements on their own lines. */
export function htmlToText(html: string): string {
  let text = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(script|style|head|title)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, "");
  const pre: string[] = [];
  text = text.replace(/<pre\b[^>]*>([\s\S]*?)<\/pre\s*>/gi, (_, body: string) => {
    pre.push(body.replace(/<[^>]*>/g, ""));
    return `\n\uE000${pre.length - 1}\uE000\n`;
  });
  text = text.replace(/\s+/g, " ");
  text = text.replace(/<\/?([a-zA-Z0-9]+)\b[^>]*>/g, (tag, name: string) => {
    if (name.toLowerCase() === "li" && !tag.startsWith("</")) return "\n• ";
    if (name.toLowerCase() === "td" && tag.startsWith("</")) return "\t";
    return BLOCK.test(name) ? "\n" : "";
  });
  text = text.replace(/<[^>]*>/g, "");
  text = decodeEntities(text);
  return text
    .split("\n")
    .map((line) => line.replace(/^[ \t]+|[ \t]+$/g, ""))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim()
    .replace(/\n?\uE000(\d+)\uE000\n?/g, (_, i: string) => `\n${decodeEntities(pre[Number(i)])}\n`)
    .replace(/^\n|\n$/g, "");
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X"
        ? parseInt(ref.slice(2), 16)
        : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

/** Plain text from RTF: control words and groups out, `\par` as new lines, escapes decoded. */
export function rtfToText(rtf: string): string {
  const SKIP_DESTINATIONS = /^(fonttbl|colortbl|stylesheet|info|pict|object|header|footer|\*)$/;
  let out = "";
  const stack: { skip: boolean; uc: number }[] = [];
  let skip = false;
  let uc = 1;
  let pendingSkip = 0;
  let i = 0;
  while (i < rtf.length) {
    const c = rtf[i];
    if (c === "{") {
      stack.push({ skip, uc });
      i++;
      continue;
    }
    if (c === "}") {
      ({ skip, uc } = stack.pop() ?? { skip: false, uc: 1 });
      i++;
      continue;
    }
    if (c === "\\") {
      const next = rtf[i + 1];
      if (next === "\\" || next === "{" || next === "}") {
        if (!skip) out += next;
        i += 2;
        continue;
      }
      if (next === "'") {
        const hex = rtf.slice(i + 2, i + 4);
        if (pendingSkip > 0) pendingSkip--;
        else if (!skip) out += String.fromCharCode(parseInt(hex, 16));
        i += 4;
        continue;
      }
      if (next === "*") {
        skip = true;
        i += 2;
        continue;
      }
      const m = /^([a-zA-Z]+)(-?\d+)? ?/.exec(rtf.slice(i + 1, i + 40));
      if (!m) {
        // A control symbol: \~ is a non-breaking space, \- an optional hyphen, \n a new line.
        if (next === "~" && !skip) out += "\u00a0";
        if ((next === "\n" || next === "\r") && !skip) out += "\n";
        i += 2;
        continue;
      }
      const [whole, word, param] = m;
      i += 1 + whole.length;
      if (SKIP_DESTINATIONS.test(word)) {
        skip = true;
        continue;
      }
      if (skip) continue;
      if (word === "par" || word === "line") out += "\n";
      else if (word === "tab") out += "\t";
      else if (word === "uc") uc = Number(param ?? 1);
      else if (word === "u") {
        let code = Number(param);
        if (code < 0) code += 65536;
        out += String.fromCharCode(code);
        pendingSkip = uc;
      } else if (word === "emdash") out += "—";
      else if (word === "endash") out += "–";
      else if (word === "bullet") out += "•";
      else if (word === "lquote") out += "‘";
      else if (word === "rquote") out += "’";
      else if (word === "ldblquote") out += "“";
      else if (word === "rdblquote") out += "”";
      continue;
    }
    if (c === "\r" || c === "\n") {
      i++;
      continue;
    }
    if (pendingSkip > 0) pendingSkip--;
    else if (!skip) out += c;
    i++;
  }
  return out.replace(/\n+$/, "");
}

/** Paths from a URI list (`text/uri-list`: one URL a line, `#` comments): file URLs only. */
export function fileUrlsToPaths(list: string): string {
  const paths: string[] = [];
  for (const raw of list.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    let url: URL;
    try {
      url = new URL(line);
    } catch {
      throw new TypeError(`"${line}" is not a URL`);
    }
    if (url.protocol !== "file:") throw new TypeError(`"${line}" is not a file URL`);
    paths.push(decodeURIComponent(url.pathname));
  }
  if (paths.length === 0) throw new TypeError("the list holds no file URL");
  return paths.join("\n");
}

/** A URI list of file URLs from text holding one absolute path a line. */
export function pathsToFileUrls(text: string): string {
  const lines = text.split(/\r?\n/).filter((l) => l !== "");
  if (lines.length === 0 || !lines.every((l) => l.startsWith("/"))) {
    throw new TypeError("the text is not one absolute path a line");
  }
  return lines.map((path) => fileUrl(path)).join("\r\n") + "\r\n";
}

/** The `file://` URL of an absolute path. */
export function fileUrl(path: string): string {
  return "file://" + path.split("/").map((part) => encodeURIComponent(part)).join("/");
}
