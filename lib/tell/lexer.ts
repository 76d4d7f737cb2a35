/**
 * The lexer of `tell` scripts: AppleScript's words (any case; `|any identifier|`), numbers with
 * exponents, strings (`"…"` with `\"` `\\` `\n` `\t` `\r`, and typographic “…”), operators
 * (`≠ ≤ ≥ ÷` and their ASCII forms), raw codes (`«class xxxx»`, `«constant xxxx»`,
 * `«event xxxxxxxx»`, `«property xxxx»`), the possessive `'s`, comments (`--`, `#`, nested
 * `(* *)`) and line continuation `¬`.
 *
 * @module
 */

import { ScriptSyntaxError } from "./errors.ts";

/** The kinds of token. */
export type TokenKind = "word" | "number" | "string" | "op" | "raw" | "eol" | "eof";

/** One token, with its place in the script. */
export interface Token {
  /** What it is. */
  readonly kind: TokenKind;
  /**
   * Its value: a word in lower case (a `|barred|` identifier as written), the text of a string
   * (escapes done), an operator, a raw code's kind and code (`class:docu`), a number's digits.
   */
  readonly value: string;
  /** Whether a word was written `|barred|` (never a keyword or a term). */
  readonly barred?: boolean;
  /** Whether a number was written as a real (a point or an exponent). */
  readonly real?: boolean;
  /** Offset of its first character. */
  readonly start: number;
  /** Offset after its last character. */
  readonly end: number;
}

const OPERATORS = [
  "<=",
  ">=",
  "<>",
  "≠",
  "≤",
  "≥",
  "÷",
  "&",
  "+",
  "-",
  "*",
  "/",
  "^",
  "=",
  "<",
  ">",
  "(",
  ")",
  "{",
  "}",
  ",",
  ":",
];

// ASCII first: a Unicode property escape costs a millisecond to compile, at every start-up.
let letter: RegExp | undefined;
let letterOrDigit: RegExp | undefined;

/** Whether `c` is 0–9 (`undefined` past the end is not). */
function isDigit(c: string | undefined): boolean {
  const code = c === undefined ? -1 : c.charCodeAt(0);
  return code >= 48 && code <= 57;
}

function isWordStart(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 128) return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95;
  return (letter ??= /\p{L}/u).test(c);
}

function isWordPart(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 128) {
    return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 ||
      (code >= 48 && code <= 57);
  }
  return (letterOrDigit ??= /[\p{L}\p{N}]/u).test(c);
}

/**
 * Splits a script into tokens; a `ScriptSyntaxError` at the first character that starts none.
 *
 * @example
 * ```ts
 * import { tokenize } from "./lexer.ts";
 * tokenize('get name of note "x"').map((t) => t.value); // ["get", "name", "of", "note", "x", ""]
 * ```
 */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  const n = source.length;
  let i = 0;
  const fail = (start: number, end: number, reason: string): never => {
    throw new ScriptSyntaxError(source, { start, end }, reason);
  };
  const push = (kind: TokenKind, value: string, start: number, extra?: Partial<Token>) => {
    tokens.push({ kind, value, start, end: i, ...extra });
  };
  const eol = (start: number) => {
    const last = tokens[tokens.length - 1];
    if (last && last.kind !== "eol") push("eol", "", start);
  };
  while (i < n) {
    const c = source[i];
    const start = i;
    if (c === " " || c === "\t" || c === "\f" || c === "\v" || c === "\u00a0") {
      i++;
      continue;
    }
    if (c === "\n" || c === "\r") {
      i += c === "\r" && source[i + 1] === "\n" ? 2 : 1;
      eol(start);
      continue;
    }
    if (c === "¬") {
      // Continuation: the line goes on after the end of this one (spaces and a comment allowed).
      i++;
      while (i < n && (source[i] === " " || source[i] === "\t")) i++;
      if (source.startsWith("--", i) || source[i] === "#") {
        while (i < n && source[i] !== "\n" && source[i] !== "\r") i++;
      }
      if (source[i] === "\r" && source[i + 1] === "\n") i += 2;
      else if (source[i] === "\n" || source[i] === "\r") i++;
      continue;
    }
    if (c === "-" && source[i + 1] === "-" || c === "#") {
      while (i < n && source[i] !== "\n" && source[i] !== "\r") i++;
      continue;
    }
    if (c === "(" && source[i + 1] === "*") {
      let depth = 0;
      while (i < n) {
        if (source[i] === "(" && source[i + 1] === "*") {
          depth++;
          i += 2;
        } else if (source[i] === "*" && source[i + 1] === ")") {
          depth--;
          i += 2;
          if (depth === 0) break;
        } else i++;
      }
      if (depth > 0) fail(start, start + 2, "Expected “*)” but found end of script.");
      continue;
    }
    if (c === '"' || c === "“") {
      i++;
      let text = "";
      for (;;) {
        if (i >= n) fail(start, i, 'Expected “"” but found end of script.');
        const d = source[i];
        if (d === '"' || d === "”") {
          i++;
          break;
        }
        if (d === "\\") {
          const e = source[i + 1];
          const map: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", t: "\t", r: "\r" };
          if (e !== undefined && e in map) {
            text += map[e];
            i += 2;
            continue;
          }
          fail(
            i,
            Math.min(n, i + 2),
            `“\\${e ?? ""}” is not an escape: write \\" \\\\ \\n \\t or \\r.`,
          );
        }
        text += d;
        i++;
      }
      push("string", text, start);
      continue;
    }
    // Character tests, not regular expressions: each of those costs a compilation at start-up.
    if (isDigit(c) || (c === "." && isDigit(source[i + 1]))) {
      while (i < n && isDigit(source[i])) i++;
      let real = false;
      if (source[i] === "." && isDigit(source[i + 1])) {
        real = true;
        i++;
        while (i < n && isDigit(source[i])) i++;
      }
      if (source[i] === "e" || source[i] === "E") {
        const m = /^[eE][+-]?[0-9]+/.exec(source.slice(i, i + 12));
        if (m) {
          real = true;
          i += m[0].length;
        }
      }
      // 1st, 2nd, 3rd, 4th… are ordinals: words.
      const suffix = !real && i + 1 < n && isWordStart(source[i]) &&
        /^(st|nd|rd|th)\b/i.test(source.slice(i, i + 3));
      if (suffix && !isWordPart(source[i + 2] ?? " ")) {
        i += 2;
        push("word", source.slice(start, i).toLowerCase(), start);
        continue;
      }
      if (i < n && isWordStart(source[i])) {
        fail(start, i + 1, "A identifier can’t go after this number.");
      }
      push("number", source.slice(start, i), start, { real });
      continue;
    }
    if (c === "|") {
      const close = source.indexOf("|", i + 1);
      const lineEnd = source.slice(i + 1).search(/[\r\n]/);
      if (close < 0 || (lineEnd >= 0 && close > i + 1 + lineEnd)) {
        fail(start, start + 1, "Expected “|” but found end of line.");
      }
      i = close + 1;
      push("word", source.slice(start + 1, close), start, { barred: true });
      continue;
    }
    if (c === "«") {
      const close = source.indexOf("»", i);
      if (close < 0) fail(start, start + 1, "Expected “»” but found end of script.");
      const inner = source.slice(i + 1, close).trim();
      const m = /^(class|constant|event|property|enum|prop|type)\s+(\S{4}|\S{8})$/.exec(inner);
      i = close + 1;
      if (!m) {
        fail(
          start,
          i,
          `«${inner}» is not a raw code: write «class xxxx», «constant xxxx», «event xxxxxxxx» or «property xxxx».`,
        );
      }
      const kind = m![1] === "enum" ? "constant" : m![1] === "prop" ? "property" : m![1];
      const code = m![2];
      if ((kind === "event") !== (code.length === 8)) {
        fail(start, i, `«${inner}» has a code of the wrong length.`);
      }
      push("raw", `${kind}:${code}`, start);
      continue;
    }
    if ((c === "'" || c === "’") && /^s\b/i.test(source.slice(i + 1, i + 3))) {
      i += 2;
      push("op", "'s", start);
      continue;
    }
    if (isWordStart(c)) {
      while (i < n && isWordPart(source[i])) i++;
      // isn't, doesn't, aren't: one word.
      if (
        (source[i] === "'" || source[i] === "’") && /^[tT]$/.test(source[i + 1] ?? "") &&
        /n$/i.test(source.slice(start, i)) && !isWordPart(source[i + 2] ?? " ")
      ) i += 2;
      push("word", source.slice(start, i).toLowerCase().replace("’", "'"), start);
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (op) {
      i += op.length;
      push("op", op === "<=" ? "≤" : op === ">=" ? "≥" : op === "<>" ? "≠" : op, start);
      continue;
    }
    fail(start, start + 1, `Unknown token “${c}”.`);
  }
  eol(i);
  tokens.push({ kind: "eof", value: "", start: n, end: n });
  return tokens;
}
