/**
 * The cursor the `tell` parser moves through a script's tokens with.
 *
 * @module
 */

import type { Terminology } from "../sdef/terminology.ts";
import type * as A from "./ast.ts";
import { ScriptSyntaxError } from "./errors.ts";
import type { Token } from "./lexer.ts";
import { type ScopedMatch, TermScope } from "./terms.ts";
import { KEYWORDS, OUTSIDE, OUTSIDE_FIRST_WORDS } from "./_words.ts";

/**
 * The tokens of a script and the parser's place in them: the term scope, the labels that end the
 * expression being parsed, lookahead and syntax errors. The grammars build on it.
 */
export class ParseCursor {
  /** The script. */
  source: string;
  /** Its tokens. */
  tokens: readonly Token[];
  /** The index of the next token. */
  pos = 0;
  /** An app's terminology by the name the script gives it. */
  terminology: (app: string) => Terminology | undefined;
  /** The terms the script compiles against here. */
  scope: TermScope = new TermScope();
  /** Labels that end the expression being parsed (a command's), innermost last. */
  stops: string[][][] = [];

  /** A cursor at the first of `tokens`. */
  constructor(
    source: string,
    tokens: readonly Token[],
    terminology: (app: string) => Terminology | undefined,
  ) {
    this.source = source;
    this.tokens = tokens;
    this.terminology = terminology;
  }

  /** The token `k` ahead (the end of the script past it). */
  peek(k = 0): Token {
    return this.tokens[Math.min(this.pos + k, this.tokens.length - 1)];
  }
  /** The next token, passed. */
  next(): Token {
    const t = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return t;
  }
  /** Whether the token `k` ahead is the word (not barred). */
  isWord(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === "word" && !t.barred && t.value === word;
  }
  /** Whether the words come `k` ahead. */
  isWords(words: readonly string[], k = 0): boolean {
    return words.every((w, i) => this.isWord(w, k + i));
  }
  /** Passes the words if they come next. */
  acceptWord(...words: string[]): boolean {
    if (!this.isWords(words)) return false;
    this.pos += words.length;
    return true;
  }
  /** Whether the token `k` ahead is the operator. */
  isOp(op: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === "op" && t.value === op;
  }
  /** Passes the operator if it comes next. */
  acceptOp(op: string): boolean {
    if (!this.isOp(op)) return false;
    this.pos++;
    return true;
  }
  /** The words from here on, for term matching (a barred word or a non-word ends them). */
  words(max = 8): string[] {
    const words: string[] = [];
    for (let k = 0; k < max; k++) {
      const t = this.peek(k);
      if (t.kind !== "word" || t.barred) break;
      words.push(t.value);
    }
    return words;
  }
  #describe(t: Token): string {
    switch (t.kind) {
      case "eol":
        return "end of line";
      case "eof":
        return "end of script";
      case "number":
        return "number";
      case "string":
        return '“"”';
      case "raw":
        return "raw code";
      case "op":
        return `“${t.value}”`;
      case "word":
        return t.barred || !KEYWORDS.has(t.value) ? "identifier" : `“${t.value}”`;
    }
  }
  /** A syntax error at `t`. */
  fail(t: Token, reason: string): never {
    throw new ScriptSyntaxError(this.source, t, reason);
  }
  /** “Expected … but found …” at `t`. */
  expected(what: string, t: Token = this.peek()): never {
    this.fail(t, `Expected ${what} but found ${this.#describe(t)}.`);
  }
  /** Passes the word, or fails. */
  expectWord(word: string, what = `“${word}”`): Token {
    if (!this.isWord(word)) this.expected(what);
    return this.next();
  }
  /** Passes the operator, or fails. */
  expectOp(op: string): Token {
    if (!this.isOp(op)) this.expected(`“${op}”`);
    return this.next();
  }
  /** The end of the last token passed. */
  endOf(): number {
    return this.tokens[Math.max(0, this.pos - 1)].end;
  }
  /** Whether the line (or the script) ends here. */
  atLineEnd(): boolean {
    const t = this.peek();
    return t.kind === "eol" || t.kind === "eof";
  }
  /** Passes line ends. */
  skipEols(): void {
    while (this.peek().kind === "eol") this.next();
  }
  /** Whether the next words are a label of the command whose parameters are being parsed. */
  atStop(): boolean {
    const stops = this.stops[this.stops.length - 1];
    if (!stops) return false;
    return stops.some((label) => this.isWords(label));
  }
  /** Runs `f` with `stops` ending expressions (a command's labels). */
  withStops<T>(stops: string[][], f: () => T): T {
    this.stops.push(stops);
    try {
      return f();
    } finally {
      this.stops.pop();
    }
  }
  /** Runs `f` compiling against `scope`. */
  withScope<T>(scope: TermScope, f: () => T): T {
    const saved = this.scope;
    this.scope = scope;
    try {
      return f();
    } finally {
      this.scope = saved;
    }
  }
  /** A found term as the tree holds it (with its app when it is one of an app's). */
  termOf(m: ScopedMatch): A.Term {
    return m.app ? { name: m.name, code: m.code, app: this.scope.appName } : {
      name: m.name,
      code: m.code,
    };
  }
  /** Fails at a phrase outside the language (`display dialog`), unless the app defines it. */
  outside(): void {
    // Small, for the common case: V8 compiles the functions every token goes through early.
    const t = this.peek();
    if (t.kind === "word" && !t.barred && OUTSIDE_FIRST_WORDS.has(t.value)) this.#outsidePhrase();
  }

  #outsidePhrase(): void {
    const words = this.words();
    for (const [phrase, what] of OUTSIDE) {
      if (phrase.every((w, i) => words[i] === w)) {
        // An app of the script's own may define the word: then it is a term.
        if ((this.scope.app?.match(words, 0)?.words ?? 0) >= phrase.length) return;
        if (phrase.length === 1 && this.isOp("(", 1)) return; // a handler of the script's own
        const t = this.peek();
        const end = this.peek(phrase.length - 1).end;
        throw new ScriptSyntaxError(
          this.source,
          { start: t.start, end },
          `“${phrase.join(" ")}” is outside the language of tell (${what}).`,
        );
      }
    }
  }

  /** The scope of an app's terms (its definition, then AppleScript's); this one for none. */
  scopeFor(app: string | undefined): TermScope {
    if (app === undefined) return this.scope;
    return new TermScope(this.terminology(app), app);
  }
}
