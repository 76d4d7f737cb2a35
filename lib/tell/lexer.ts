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
  return new Lexer(source).tokens();
}

/**
 * The lexer's pass over a script. Small methods, one per kind of token: V8 compiles a function
 * whose loop has run a while with its baseline compiler at once when it is large, a quarter of
 * a millisecond for the one function this used to be, at every start.
 */
class Lexer {
  #source: string;
  #n: number;
  #i = 0;
  #tokens: Token[] = [];

  constructor(source: string) {
    this.#source = source;
    this.#n = source.length;
  }

  tokens(): Token[] {
    const source = this.#source;
    const n = this.#n;
    while (this.#i < n) {
      const c = source[this.#i];
      if (c === " " || c === "\t" || c === "\f" || c === "\v" || c === "\u00a0") this.#i++;
      else if (c.charCodeAt(0) < 128 && isWordStart(c)) this.#word();
      else this.#other(c);
    }
    this.#eol(this.#i);
    this.#tokens.push({ kind: "eof", value: "", start: n, end: n });
    return this.#tokens;
  }

  #fail(start: number, end: number, reason: string): never {
    throw new ScriptSyntaxError(this.#source, { start, end }, reason);
  }

  #push(kind: TokenKind, value: string, start: number, extra?: Partial<Token>): void {
    this.#tokens.push({ kind, value, start, end: this.#i, ...extra });
  }

  #eol(start: number): void {
    const last = this.#tokens[this.#tokens.length - 1];
    if (last && last.kind !== "eol") this.#push("eol", "", start);
  }

  /** Anything but a space or a word of ASCII letters. */
  #other(c: string): void {
    const source = this.#source;
    const i = this.#i;
    if (c === "\n" || c === "\r") {
      this.#i += c === "\r" && source[i + 1] === "\n" ? 2 : 1;
      this.#eol(i);
    } else if (c === "¬") this.#continuation();
    else if (c === "-" && source[i + 1] === "-" || c === "#") this.#lineComment();
    else if (c === "(" && source[i + 1] === "*") this.#blockComment();
    else if (c === '"' || c === "“") this.#string();
    else if (isDigit(c) || (c === "." && isDigit(source[i + 1]))) this.#number();
    else if (c === "|") this.#barred();
    else if (c === "«") this.#raw();
    else if ((c === "'" || c === "’") && /^s\b/i.test(source.slice(i + 1, i + 3))) {
      this.#i += 2;
      this.#push("op", "'s", i);
    } else if (isWordStart(c)) this.#word();
    else this.#operator(c);
  }

  /** `¬`: the line goes on after the end of this one (spaces and a comment allowed). */
  #continuation(): void {
    const source = this.#source;
    const n = this.#n;
    let i = this.#i + 1;
    while (i < n && (source[i] === " " || source[i] === "\t")) i++;
    if (source.startsWith("--", i) || source[i] === "#") {
      while (i < n && source[i] !== "\n" && source[i] !== "\r") i++;
    }
    if (source[i] === "\r" && source[i + 1] === "\n") i += 2;
    else if (source[i] === "\n" || source[i] === "\r") i++;
    this.#i = i;
  }

  #lineComment(): void {
    const source = this.#source;
    let i = this.#i;
    while (i < this.#n && source[i] !== "\n" && source[i] !== "\r") i++;
    this.#i = i;
  }

  #blockComment(): void {
    const source = this.#source;
    const n = this.#n;
    const start = this.#i;
    let i = start;
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
    this.#i = i;
    if (depth > 0) this.#fail(start, start + 2, "Expected “*)” but found end of script.");
  }

  #string(): void {
    const source = this.#source;
    const n = this.#n;
    const start = this.#i;
    let i = start + 1;
    let text = "";
    for (;;) {
      if (i >= n) this.#fail(start, i, 'Expected “"” but found end of script.');
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
        this.#fail(
          i,
          Math.min(n, i + 2),
          `“\\${e ?? ""}” is not an escape: write \\" \\\\ \\n \\t or \\r.`,
        );
      }
      text += d;
      i++;
    }
    this.#i = i;
    this.#push("string", text, start);
  }

  // Character tests, not regular expressions: each of those costs a compilation at start-up.
  #number(): void {
    const source = this.#source;
    const n = this.#n;
    const start = this.#i;
    let i = start;
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
      this.#i = i + 2;
      this.#push("word", source.slice(start, i + 2).toLowerCase(), start);
      return;
    }
    this.#i = i;
    if (i < n && isWordStart(source[i])) {
      this.#fail(start, i + 1, "A identifier can’t go after this number.");
    }
    this.#push("number", source.slice(start, i), start, { real });
  }

  #barred(): void {
    const source = this.#source;
    const start = this.#i;
    const close = source.indexOf("|", start + 1);
    const lineEnd = source.slice(start + 1).search(/[\r\n]/);
    if (close < 0 || (lineEnd >= 0 && close > start + 1 + lineEnd)) {
      this.#fail(start, start + 1, "Expected “|” but found end of line.");
    }
    this.#i = close + 1;
    this.#push("word", source.slice(start + 1, close), start, { barred: true });
  }

  #raw(): void {
    const source = this.#source;
    const start = this.#i;
    const close = source.indexOf("»", start);
    if (close < 0) this.#fail(start, start + 1, "Expected “»” but found end of script.");
    const inner = source.slice(start + 1, close).trim();
    const m = /^(class|constant|event|property|enum|prop|type)\s+(\S{4}|\S{8})$/.exec(inner);
    this.#i = close + 1;
    if (!m) {
      this.#fail(
        start,
        this.#i,
        `«${inner}» is not a raw code: write «class xxxx», «constant xxxx», «event xxxxxxxx» or «property xxxx».`,
      );
    }
    const kind = m![1] === "enum" ? "constant" : m![1] === "prop" ? "property" : m![1];
    const code = m![2];
    if ((kind === "event") !== (code.length === 8)) {
      this.#fail(start, this.#i, `«${inner}» has a code of the wrong length.`);
    }
    this.#push("raw", `${kind}:${code}`, start);
  }

  #word(): void {
    const source = this.#source;
    const n = this.#n;
    const start = this.#i;
    let i = start;
    while (i < n && isWordPart(source[i])) i++;
    // isn't, doesn't, aren't: one word.
    if (
      (source[i] === "'" || source[i] === "’") && /^[tT]$/.test(source[i + 1] ?? "") &&
      /n$/i.test(source.slice(start, i)) && !isWordPart(source[i + 2] ?? " ")
    ) i += 2;
    this.#i = i;
    this.#push("word", source.slice(start, i).toLowerCase().replace("’", "'"), start);
  }

  #operator(c: string): void {
    const source = this.#source;
    const start = this.#i;
    const op = OPERATORS.find((o) => source.startsWith(o, start));
    if (!op) this.#fail(start, start + 1, `Unknown token “${c}”.`);
    this.#i += op!.length;
    this.#push("op", op === "<=" ? "≤" : op === ">=" ? "≥" : op === "<>" ? "≠" : op!, start);
  }
}
