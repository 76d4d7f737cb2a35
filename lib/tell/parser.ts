/**
 * The parser of `tell` scripts: tokens to a {@linkcode Script} tree, with terms compiled against
 * the innermost tell target's definition, then AppleScript's own (as AppleScript compiles).
 * Class and property of one name are told apart by what follows (`document 1`, `document of
 * window 1`); a command's labels end its direct parameter; terms match longest first.
 *
 * @module
 */

import type { Terminology } from "../sdef/terminology.ts";
import type * as A from "./ast.ts";
import { ScriptSyntaxError } from "./errors.ts";
import { type Token, tokenize } from "./lexer.ts";
import { appleScriptTerms, CONSTANT_VALUES, type ScopedMatch, TermScope } from "./terms.ts";

/** Options of {@linkcode parse}. */
export interface ParseOptions {
  /**
   * The terminology of an app by the name or bundle id the script gives (`application "Notes"`);
   * `undefined` when it is not known (its terms then do not compile).
   * @default {() => undefined}
   */
  terminology?: (app: string) => Terminology | undefined;
  /**
   * The app the whole script is told to (`--app APP`): its terms compile at the top level.
   * @default {undefined}
   */
  app?: string;
}

const KEYWORDS = new Set([
  "about",
  "above",
  "after",
  "against",
  "and",
  "apart",
  "around",
  "as",
  "aside",
  "at",
  "back",
  "before",
  "beginning",
  "behind",
  "below",
  "beneath",
  "beside",
  "between",
  "but",
  "by",
  "considering",
  "contain",
  "contains",
  "continue",
  "copy",
  "div",
  "does",
  "eighth",
  "else",
  "end",
  "equal",
  "equals",
  "error",
  "every",
  "exit",
  "false",
  "fifth",
  "first",
  "for",
  "fourth",
  "from",
  "front",
  "get",
  "given",
  "global",
  "if",
  "ignoring",
  "in",
  "instead",
  "into",
  "is",
  "it",
  "its",
  "last",
  "local",
  "me",
  "middle",
  "mod",
  "my",
  "ninth",
  "not",
  "of",
  "on",
  "onto",
  "or",
  "out",
  "over",
  "prop",
  "property",
  "put",
  "ref",
  "reference",
  "repeat",
  "return",
  "returning",
  "script",
  "second",
  "set",
  "seventh",
  "since",
  "sixth",
  "some",
  "tell",
  "tenth",
  "that",
  "the",
  "then",
  "third",
  "through",
  "thru",
  "timeout",
  "times",
  "to",
  "transaction",
  "true",
  "try",
  "until",
  "where",
  "while",
  "whose",
  "with",
  "without",
]);

/** Words that start an operator phrase without being keywords. */
const OPERATOR_WORDS = new Set([
  "greater",
  "less",
  "comes",
  "starts",
  "start",
  "begins",
  "begin",
  "ends",
  "isn't",
  "doesn't",
  "exists",
  "exist",
  "named",
]);

const ORDINALS: Record<string, "first" | "last" | "middle" | "some" | number> = {
  first: 1,
  second: 2,
  third: 3,
  fourth: 4,
  fifth: 5,
  sixth: 6,
  seventh: 7,
  eighth: 8,
  ninth: 9,
  tenth: 10,
  last: "last",
  middle: "middle",
  some: "some",
  front: 1,
  back: "last",
};

/** What stays outside the language: scripting additions and script objects, by first words. */
const OUTSIDE: readonly [string[], string][] = [
  [["display", "dialog"], "a scripting addition"],
  [["display", "alert"], "a scripting addition"],
  [["display", "notification"], "a scripting addition"],
  [["do", "shell", "script"], "a scripting addition"],
  [["choose"], "a scripting addition"],
  [["delay"], "a scripting addition"],
  [["say"], "a scripting addition"],
  [["beep"], "a scripting addition"],
  [["path", "to"], "a scripting addition"],
  [["the", "clipboard"], "a scripting addition"],
  [["set", "the", "clipboard"], "a scripting addition"],
  [["open", "for", "access"], "a scripting addition"],
  [["read"], "a scripting addition"],
  [["write"], "a scripting addition"],
  [["load", "script"], "a scripting addition"],
  [["run", "script"], "a scripting addition"],
  [["info", "for"], "a scripting addition"],
  [["script"], "a script object"],
];

/** Comparison phrases, longest first, to their operators. */
const COMPARISONS: readonly [string[], A.BinaryOp][] = ([
  ["is greater than or equal to", "≥"],
  ["is less than or equal to", "≤"],
  ["is not greater than", "≤"],
  ["isn't greater than", "≤"],
  ["is not less than", "≥"],
  ["isn't less than", "≥"],
  ["greater than or equal to", "≥"],
  ["less than or equal to", "≤"],
  ["does not come before", "≥"],
  ["does not come after", "≤"],
  ["is not equal to", "≠"],
  ["isn't equal to", "≠"],
  ["is not contained by", "is not in"],
  ["isn't contained by", "is not in"],
  ["is contained by", "is in"],
  ["does not contain", "does not contain"],
  ["doesn't contain", "does not contain"],
  ["does not equal", "≠"],
  ["doesn't equal", "≠"],
  ["does not start with", "does not start with"],
  ["doesn't start with", "does not start with"],
  ["does not begin with", "does not start with"],
  ["doesn't begin with", "does not start with"],
  ["does not end with", "does not end with"],
  ["doesn't end with", "does not end with"],
  ["is greater than", ">"],
  ["is less than", "<"],
  ["is equal to", "="],
  ["is not in", "is not in"],
  ["isn't in", "is not in"],
  ["greater than", ">"],
  ["less than", "<"],
  ["comes before", "<"],
  ["comes after", ">"],
  ["starts with", "starts with"],
  ["start with", "starts with"],
  ["begins with", "starts with"],
  ["begin with", "starts with"],
  ["ends with", "ends with"],
  ["is equal", "="],
  ["is not", "≠"],
  ["isn't", "≠"],
  ["is in", "is in"],
  ["equals", "="],
  ["contains", "contains"],
  ["contain", "contains"],
  ["is", "="],
] as [string, A.BinaryOp][]).map(([p, op]) => [p.split(" "), op] as [string[], A.BinaryOp]);

const SYMBOL_COMPARISONS: Record<string, A.BinaryOp> = {
  "=": "=",
  "≠": "≠",
  "<": "<",
  ">": ">",
  "≤": "≤",
  "≥": "≥",
};

/**
 * Parses a script into its tree; a {@linkcode ScriptSyntaxError} with the position of the first
 * problem.
 *
 * @param source the script.
 * @param options where apps' terminology comes from.
 * @example
 * ```ts
 * import { parse } from "./parser.ts";
 * const script = parse('set x to {1, 2}\nreturn item 2 of x');
 * script.body.length; // 2
 * ```
 */
export function parse(source: string, options: ParseOptions = {}): A.Script {
  return new Parser(source, options).script();
}

/** The app names and bundle ids a script names literally (`application "X"`), to fetch terms. */
export function appNames(source: string): string[] {
  const tokens = tokenize(source);
  const names = new Set<string>();
  for (let i = 0; i + 1 < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== "word" || t.barred || (t.value !== "application" && t.value !== "app")) {
      continue;
    }
    let j = i + 1;
    if (tokens[j].kind === "word" && tokens[j].value === "id") j++;
    if (tokens[j].kind === "string") names.add(tokens[j].value);
  }
  return [...names];
}

class Parser {
  #source: string;
  #tokens: Token[];
  #pos = 0;
  #terminology: (app: string) => Terminology | undefined;
  #scope: TermScope = new TermScope();
  /** Labels that end the expression being parsed (a command's), innermost last. */
  #stops: string[][][] = [];
  /** Depth of `whose` tests being parsed. */
  #inFilter = 0;
  #handlers = new Map<string, A.Handler>();
  #properties: A.DeclareStmt[] = [];

  constructor(source: string, options: ParseOptions) {
    this.#source = source;
    this.#tokens = tokenize(source);
    this.#terminology = options.terminology ?? (() => undefined);
    if (options.app !== undefined) this.#scope = this.#scopeFor(options.app);
  }

  // -- tokens ---------------------------------------------------------------------------

  #peek(k = 0): Token {
    return this.#tokens[Math.min(this.#pos + k, this.#tokens.length - 1)];
  }
  #next(): Token {
    const t = this.#peek();
    if (this.#pos < this.#tokens.length - 1) this.#pos++;
    return t;
  }
  #isWord(word: string, k = 0): boolean {
    const t = this.#peek(k);
    return t.kind === "word" && !t.barred && t.value === word;
  }
  #isWords(words: readonly string[], k = 0): boolean {
    return words.every((w, i) => this.#isWord(w, k + i));
  }
  #acceptWord(...words: string[]): boolean {
    if (!this.#isWords(words)) return false;
    this.#pos += words.length;
    return true;
  }
  #isOp(op: string, k = 0): boolean {
    const t = this.#peek(k);
    return t.kind === "op" && t.value === op;
  }
  #acceptOp(op: string): boolean {
    if (!this.#isOp(op)) return false;
    this.#pos++;
    return true;
  }
  /** The words from here on, for term matching (a barred word or a non-word ends them). */
  #words(max = 8): string[] {
    const words: string[] = [];
    for (let k = 0; k < max; k++) {
      const t = this.#peek(k);
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
  #fail(t: Token, reason: string): never {
    throw new ScriptSyntaxError(this.#source, t, reason);
  }
  #expected(what: string, t: Token = this.#peek()): never {
    this.#fail(t, `Expected ${what} but found ${this.#describe(t)}.`);
  }
  #expectWord(word: string, what = `“${word}”`): Token {
    if (!this.#isWord(word)) this.#expected(what);
    return this.#next();
  }
  #expectOp(op: string): Token {
    if (!this.#isOp(op)) this.#expected(`“${op}”`);
    return this.#next();
  }
  #startOf(): number {
    return this.#peek().start;
  }
  #endOf(): number {
    return this.#tokens[Math.max(0, this.#pos - 1)].end;
  }
  #atLineEnd(): boolean {
    const t = this.#peek();
    return t.kind === "eol" || t.kind === "eof";
  }
  #skipEols(): void {
    while (this.#peek().kind === "eol") this.#next();
  }
  /** Whether the next words are a label of the command whose parameters are being parsed. */
  #atStop(): boolean {
    const stops = this.#stops[this.#stops.length - 1];
    if (!stops) return false;
    return stops.some((label) => this.#isWords(label));
  }
  #withStops<T>(stops: string[][], f: () => T): T {
    this.#stops.push(stops);
    try {
      return f();
    } finally {
      this.#stops.pop();
    }
  }
  #withScope<T>(scope: TermScope, f: () => T): T {
    const saved = this.#scope;
    this.#scope = scope;
    try {
      return f();
    } finally {
      this.#scope = saved;
    }
  }
  #termOf(m: ScopedMatch): A.Term {
    return m.app ? { name: m.name, code: m.code, app: this.#scope.appName } : {
      name: m.name,
      code: m.code,
    };
  }
  #outside(): void {
    const words = this.#words();
    for (const [phrase, what] of OUTSIDE) {
      if (phrase.every((w, i) => words[i] === w)) {
        // An app of the script's own may define the word: then it is a term.
        if ((this.#scope.app?.match(words, 0)?.words ?? 0) >= phrase.length) return;
        if (phrase.length === 1 && this.#isOp("(", 1)) return; // a handler of the script's own
        const t = this.#peek();
        const end = this.#peek(phrase.length - 1).end;
        throw new ScriptSyntaxError(
          this.#source,
          { start: t.start, end },
          `“${phrase.join(" ")}” is outside the language of tell (${what}).`,
        );
      }
    }
  }

  // -- script and statements ---------------------------------------------------------------

  script(): A.Script {
    const body: A.Stmt[] = [];
    for (;;) {
      this.#skipEols();
      const t = this.#peek();
      if (t.kind === "eof") break;
      if (this.#isWord("on") || this.#isWord("to")) {
        this.#handler();
      } else if (this.#isWord("property") || this.#isWord("prop")) {
        this.#properties.push(this.#property());
      } else if (this.#isWord("use")) {
        this.#use();
      } else {
        body.push(this.#statement());
      }
      this.#endOfStatement();
    }
    if (body.length > 0 && this.#handlers.has("run")) {
      const s = body[0];
      throw new ScriptSyntaxError(
        this.#source,
        s,
        "The run handler is specified more than once, or there were top-level commands in addition to the run handler.",
      );
    }
    return { source: this.#source, body, handlers: this.#handlers, properties: this.#properties };
  }

  #endOfStatement(): void {
    const t = this.#peek();
    if (t.kind === "eol" || t.kind === "eof") return;
    this.#expected("end of line");
  }

  #use(): void {
    const t = this.#next();
    if (this.#acceptWord("scripting", "additions")) return;
    if (this.#isWord("applescript")) {
      this.#next();
      if (this.#acceptWord("version")) this.#expression();
      return;
    }
    this.#fail(t, "“use” takes “AppleScript version …” or “scripting additions” only here.");
  }

  #property(): A.DeclareStmt {
    const start = this.#next().start;
    const name = this.#identifier("a property name");
    this.#expectOp(":");
    const value = this.#expression();
    return { kind: "property", names: [name], value, start, end: this.#endOf() };
  }

  #identifier(what = "an identifier"): string {
    const t = this.#peek();
    if (t.kind !== "word" || (!t.barred && KEYWORDS.has(t.value))) this.#expected(what);
    this.#next();
    return t.value;
  }

  #handler(): void {
    const startTok = this.#next();
    const nameTok = this.#peek();
    if (nameTok.kind !== "word") this.#expected("a handler name");
    const name = this.#identifier("a handler name");
    const params: string[] = [];
    if (this.#acceptOp("(")) {
      if (!this.#isOp(")")) {
        do params.push(this.#identifier("a parameter name")); while (this.#acceptOp(","));
      }
      this.#expectOp(")");
    } else if (name === "run" && !this.#atLineEnd()) {
      if (this.#acceptOp("{")) {
        this.#identifier("a parameter name");
        this.#fail(
          nameTok,
          "“on run {a, b}” is outside the language of tell: write “on run argv”.",
        );
      }
      params.push(this.#identifier("a parameter name"));
    } else if (!this.#atLineEnd()) {
      this.#fail(
        this.#peek(),
        `Labelled parameters of handlers are outside the language of tell: write “on ${name}(a, b)”.`,
      );
    }
    if (this.#handlers.has(name)) {
      this.#fail(nameTok, `The handler “${name}” is specified more than once.`);
    }
    const body = this.#block([name]);
    this.#handlers.set(name, { name, params, body, start: startTok.start, end: this.#endOf() });
  }

  /** Statements up to `end` (or `end WORD` for one of `closers`); consumes the end. */
  #block(closers: string[], alsoEnd: (p: Parser) => boolean = () => false): A.Stmt[] {
    const body = this.#statements(alsoEnd);
    if (alsoEnd(this)) return body;
    this.#closeBlock(closers);
    return body;
  }

  #closeBlock(closers: string[]): void {
    const endTok = this.#expectWord("end", `“end”`);
    const t = this.#peek();
    if (t.kind === "word" && !this.#atLineEnd()) {
      for (const c of closers) {
        const words = c.split(" ");
        if (this.#isWords(words)) {
          this.#pos += words.length;
          return;
        }
      }
      this.#fail(
        t,
        `Expected “end”${closers[0] ? ` or “end ${closers[0]}”` : ""} but found “end ${t.value}”.`,
      );
    }
    void endTok;
  }

  #statements(alsoEnd: (p: Parser) => boolean): A.Stmt[] {
    const body: A.Stmt[] = [];
    for (;;) {
      this.#skipEols();
      const t = this.#peek();
      if (t.kind === "eof") this.#expected("“end”");
      if (this.#isWord("end") || alsoEnd(this)) return body;
      if (this.#isWord("on") && !this.#isWords(["on", "error"])) {
        this.#fail(t, "A handler can’t go inside another block: put “on …” at the top level.");
      }
      if (this.#isWord("on")) this.#expected("“end”");
      body.push(this.#statement());
      this.#endOfStatement();
    }
  }

  #statement(): A.Stmt {
    const t = this.#peek();
    const start = t.start;
    this.#outside();
    if (t.kind === "word" && !t.barred) {
      switch (t.value) {
        case "tell":
          return this.#tell();
        case "if":
          return this.#if();
        case "repeat":
          return this.#repeat();
        case "try":
          return this.#try();
        case "exit": {
          this.#next();
          this.#acceptWord("repeat");
          return { kind: "exit", start, end: this.#endOf() };
        }
        case "return": {
          this.#next();
          const value = this.#atLineEnd() || this.#isWord("else") ? undefined : this.#expression();
          return { kind: "return", value, start, end: this.#endOf() };
        }
        case "error":
          return this.#error();
        case "set":
          return this.#set();
        case "copy": {
          this.#next();
          const value = this.#expression();
          this.#expectWord("to");
          const target = this.#reference();
          return { kind: "copy", target, value, start, end: this.#endOf() };
        }
        case "global":
        case "local": {
          this.#next();
          const names: string[] = [];
          do names.push(this.#identifier("a variable name")); while (this.#acceptOp(","));
          return { kind: t.value, names, start, end: this.#endOf() };
        }
        case "property":
        case "prop":
          this.#fail(t, "A property can’t go inside a block: declare it at the top level.");
          break;
        case "log": {
          this.#next();
          const value = this.#expression();
          return { kind: "log", value, start, end: this.#endOf() };
        }
        case "considering":
        case "ignoring":
          return this.#considering();
        case "with":
          if (this.#isWord("timeout", 1)) return this.#timeout();
          break;
        case "using":
          if (this.#isWords(["using", "terms", "from"])) return this.#usingTerms();
          break;
        case "end":
        case "else":
          this.#expected("expression");
      }
    }
    const expr = this.#expression();
    return { kind: "expr", expr, start, end: this.#endOf() };
  }

  /** The app a tell target names (`… of application "X"`), looked ahead in its tokens. */
  #targetApp(): string | undefined {
    for (let k = 0;; k++) {
      const t = this.#peek(k);
      if (t.kind === "eol" || t.kind === "eof" || (t.kind === "word" && t.value === "to")) {
        return undefined;
      }
      if (t.kind === "word" && (t.value === "application" || t.value === "app")) {
        let j = k + 1;
        if (this.#isWord("id", j)) j++;
        const s = this.#peek(j);
        if (s.kind === "string") return s.value;
      }
    }
  }

  #scopeFor(app: string | undefined): TermScope {
    if (app === undefined) return this.#scope;
    return new TermScope(this.#terminology(app), app);
  }

  #tell(): A.TellStmt {
    const start = this.#next().start;
    const app = this.#targetApp();
    const scope = this.#scopeFor(app);
    return this.#withScope(scope, () => {
      const target = this.#expression();
      if (this.#acceptWord("to")) {
        const body = [this.#statement()];
        return { kind: "tell", target, body, app: scope.appName, start, end: this.#endOf() };
      }
      if (!this.#atLineEnd()) this.#expected("“to” or end of line");
      const body = this.#block(["tell"]);
      return { kind: "tell", target, body, app: scope.appName, start, end: this.#endOf() };
    });
  }

  #if(): A.IfStmt {
    const start = this.#next().start;
    const branches: { cond: A.Expr; body: A.Stmt[] }[] = [];
    let otherwise: A.Stmt[] | undefined;
    const cond = this.#expression();
    this.#acceptWord("then");
    if (!this.#atLineEnd()) {
      // One line: if c then s [else s]
      const body = [this.#statement()];
      branches.push({ cond, body });
      if (this.#acceptWord("else")) otherwise = [this.#statement()];
      return { kind: "if", branches, otherwise, start, end: this.#endOf() };
    }
    const isElse = (p: Parser) => p.#isWord("else");
    branches.push({ cond, body: this.#statements(isElse) });
    while (this.#acceptWord("else")) {
      if (this.#acceptWord("if")) {
        const c = this.#expression();
        this.#acceptWord("then");
        if (!this.#atLineEnd()) this.#expected("end of line");
        branches.push({ cond: c, body: this.#statements(isElse) });
      } else {
        if (!this.#atLineEnd()) {
          otherwise = [this.#statement()];
          break;
        }
        otherwise = this.#statements(isElse);
        if (this.#isWord("else")) this.#expected("“end if”");
        break;
      }
    }
    this.#closeBlock(["if"]);
    return { kind: "if", branches, otherwise, start, end: this.#endOf() };
  }

  #repeat(): A.RepeatStmt {
    const start = this.#next().start;
    let form: A.RepeatStmt["form"] = "forever";
    let expr: A.Expr | undefined;
    let to: A.Expr | undefined;
    let by: A.Expr | undefined;
    let variable: string | undefined;
    if (this.#acceptWord("while")) {
      form = "while";
      expr = this.#expression();
    } else if (this.#acceptWord("until")) {
      form = "until";
      expr = this.#expression();
    } else if (this.#acceptWord("with")) {
      const v = this.#peek();
      if (v.kind !== "word") this.#expected("a variable name");
      this.#next();
      variable = v.value;
      if (this.#acceptWord("from")) {
        form = "from";
        expr = this.#expression();
        this.#expectWord("to");
        to = this.#expression();
        if (this.#acceptWord("by")) by = this.#expression();
      } else if (this.#acceptWord("in")) {
        form = "in";
        expr = this.#expression();
      } else this.#expected("“from” or “in”");
    } else if (!this.#atLineEnd()) {
      form = "times";
      expr = this.#expression();
      this.#expectWord("times");
    }
    if (!this.#atLineEnd()) this.#expected("end of line");
    const body = this.#block(["repeat"]);
    return { kind: "repeat", form, expr, to, by, variable, body, start, end: this.#endOf() };
  }

  #try(): A.TryStmt {
    const start = this.#next().start;
    const isOnError = (p: Parser) => p.#isWords(["on", "error"]);
    const body = this.#statements(isOnError);
    let messageVar: string | undefined;
    let numberVar: string | undefined;
    let fromVar: string | undefined;
    let handler: A.Stmt[] | undefined;
    if (this.#acceptWord("on", "error")) {
      if (!this.#atLineEnd() && !this.#isWord("number") && !this.#isWord("from")) {
        messageVar = this.#identifier("a variable name");
      }
      for (;;) {
        if (this.#acceptWord("number")) numberVar = this.#identifier("a variable name");
        else if (this.#acceptWord("from")) fromVar = this.#identifier("a variable name");
        else if (this.#acceptWord("partial", "result") || this.#acceptWord("to")) {
          this.#identifier("a variable name");
        } else break;
      }
      if (!this.#atLineEnd()) this.#expected("end of line");
      handler = this.#block(["try", "error"]);
    } else this.#closeBlock(["try"]);
    return {
      kind: "try",
      body,
      messageVar,
      numberVar,
      fromVar,
      handler,
      start,
      end: this.#endOf(),
    };
  }

  #error(): A.ErrorStmt {
    const start = this.#next().start;
    const labels = [["number"], ["from"], ["partial", "result"], ["to"]];
    return this.#withStops(labels, () => {
      let message: A.Expr | undefined;
      let number: A.Expr | undefined;
      let from: A.Expr | undefined;
      let partial: A.Expr | undefined;
      if (!this.#atLineEnd() && !this.#atStop()) message = this.#expression();
      for (;;) {
        if (this.#acceptWord("number")) number = this.#expression();
        else if (this.#acceptWord("from")) from = this.#expression();
        else if (this.#acceptWord("partial", "result")) partial = this.#expression();
        else if (this.#acceptWord("to")) this.#typeExpr();
        else break;
      }
      return { kind: "error", message, number, from, partial, start, end: this.#endOf() };
    });
  }

  #set(): A.SetStmt {
    const start = this.#next().start;
    const target = this.#withStops([["to"]], () => this.#reference());
    this.#expectWord("to");
    const value = this.#expression();
    return { kind: "set", target, value, start, end: this.#endOf() };
  }

  #considering(): A.BlockStmt {
    const t = this.#next();
    const kind = t.value as "considering" | "ignoring";
    const attributes: string[] = [];
    do {
      const words = this.#words();
      const m = this.#scope.match(words, 0, ["enumerator"]);
      if (!m || !["case", "whit", "diac", "hyph", "punc", "nume", "rmte"].includes(m.code)) {
        this.#expected(
          "“case”, “white space”, “diacriticals”, “hyphens”, “punctuation”, “numeric strings” or “application responses”",
        );
      }
      this.#pos += m.words;
      attributes.push(m.name);
    } while (this.#acceptOp(",") || this.#acceptWord("and"));
    if (this.#acceptWord("but", "ignoring") || this.#acceptWord("but", "considering")) {
      do this.#next(); while (this.#acceptOp(","));
    }
    if (!this.#atLineEnd()) this.#expected("end of line");
    const body = this.#block([kind]);
    return { kind, attributes, body, start: t.start, end: this.#endOf() };
  }

  #timeout(): A.BlockStmt {
    const start = this.#next().start;
    this.#next();
    this.#acceptWord("of");
    const seconds = this.#unary();
    if (!this.#acceptWord("seconds") && !this.#acceptWord("second")) this.#expected("“seconds”");
    if (!this.#atLineEnd()) this.#expected("end of line");
    const body = this.#block(["timeout"]);
    return { kind: "timeout", seconds, body, start, end: this.#endOf() };
  }

  #usingTerms(): A.BlockStmt {
    const start = this.#next().start;
    this.#pos += 2;
    const app = this.#targetApp();
    this.#expression();
    if (!this.#atLineEnd()) this.#expected("end of line");
    const body = this.#withScope(this.#scopeFor(app), () => this.#block(["using terms from"]));
    return { kind: "terms", body, start, end: this.#endOf() };
  }

  // -- expressions -----------------------------------------------------------------------

  #expression(): A.Expr {
    return this.#or();
  }

  #binary(op: A.BinaryOp, left: A.Expr, right: A.Expr): A.Expr {
    return { type: "binary", op, left, right, start: left.start, end: right.end };
  }

  #or(): A.Expr {
    let left = this.#and();
    while (!this.#atStop() && this.#acceptWord("or")) left = this.#binary("or", left, this.#and());
    return left;
  }

  #and(): A.Expr {
    let left = this.#not();
    while (!this.#atStop() && this.#acceptWord("and")) {
      left = this.#binary("and", left, this.#not());
    }
    return left;
  }

  #not(): A.Expr {
    const t = this.#peek();
    if (this.#acceptWord("not")) {
      const operand = this.#not();
      return { type: "unary", op: "not", operand, start: t.start, end: operand.end };
    }
    return this.#comparison();
  }

  #comparisonOp(): A.BinaryOp | undefined {
    const t = this.#peek();
    if (t.kind === "op" && t.value in SYMBOL_COMPARISONS) {
      this.#next();
      return SYMBOL_COMPARISONS[t.value];
    }
    if (t.kind !== "word" || this.#atStop()) return undefined;
    for (const [phrase, op] of COMPARISONS) {
      if (this.#isWords(phrase)) {
        this.#pos += phrase.length;
        return op;
      }
    }
    return undefined;
  }

  #comparison(): A.Expr {
    let left = this.#as();
    for (;;) {
      if (this.#isWord("exists") || this.#isWord("exist")) {
        this.#next();
        left = {
          type: "command",
          term: { name: "exists", code: "coredoex" },
          direct: left,
          params: [],
          start: left.start,
          end: this.#endOf(),
        };
        continue;
      }
      const op = this.#comparisonOp();
      if (!op) return left;
      // `is not` / `is` before a comparison word: `is not less than` is matched above.
      const right = this.#as();
      left = this.#binary(op, left, right);
    }
  }

  #as(): A.Expr {
    let value = this.#concat();
    while (!this.#atStop() && this.#acceptWord("as")) {
      const to = this.#typeExpr();
      value = { type: "coerce", value, to, start: value.start, end: to.end };
    }
    return value;
  }

  #typeExpr(): A.Expr {
    const t = this.#peek();
    if (t.kind === "raw") return this.#primary();
    if (t.kind === "op" && t.value === "(") return this.#primary();
    const words = this.#words();
    const m = this.#scope.match(words, 0, ["class", "plural", "value", "record", "enumeration"]);
    if (m) {
      this.#pos += m.words;
      return { type: "class", term: this.#termOf(m), start: t.start, end: this.#endOf() };
    }
    if (t.kind === "word" && !KEYWORDS.has(t.value)) {
      this.#next();
      return { type: "var", name: t.value, start: t.start, end: t.end };
    }
    this.#expected("class name");
  }

  #concat(): A.Expr {
    let left = this.#additive();
    while (this.#acceptOp("&")) left = this.#binary("&", left, this.#additive());
    return left;
  }

  #additive(): A.Expr {
    let left = this.#multiplicative();
    for (;;) {
      if (this.#acceptOp("+")) left = this.#binary("+", left, this.#multiplicative());
      else if (this.#acceptOp("-")) left = this.#binary("-", left, this.#multiplicative());
      else return left;
    }
  }

  #multiplicative(): A.Expr {
    let left = this.#power();
    for (;;) {
      if (this.#acceptOp("*")) left = this.#binary("*", left, this.#power());
      else if (this.#acceptOp("/") || this.#acceptOp("÷")) {
        left = this.#binary("/", left, this.#power());
      } else if (this.#acceptWord("div")) left = this.#binary("div", left, this.#power());
      else if (this.#acceptWord("mod")) left = this.#binary("mod", left, this.#power());
      else return left;
    }
  }

  #power(): A.Expr {
    const left = this.#unary();
    if (this.#acceptOp("^")) return this.#binary("^", left, this.#power());
    return left;
  }

  #unary(): A.Expr {
    const t = this.#peek();
    if (this.#acceptOp("-") || this.#acceptOp("+")) {
      const operand = this.#unary();
      if (t.value === "-" && operand.type === "literal" && typeof operand.value === "number") {
        return { ...operand, value: -operand.value, start: t.start };
      }
      return { type: "unary", op: t.value as "-" | "+", operand, start: t.start, end: operand.end };
    }
    return this.#reference();
  }

  /** A reference: a primary, its `'s` and `of`/`in` chain, and a `whose` test. */
  #reference(): A.Expr {
    const ref = this.#chain();
    if (
      !this.#atStop() && (this.#isWord("whose") || this.#isWord("where") || this.#isWord("that"))
    ) {
      return this.#filter(ref);
    }
    return ref;
  }

  #filter(ref: A.Expr): A.Expr {
    const whoseTok = this.#next();
    // The test applies to the outermost element of the chain that names several (or an ordinal).
    let parent: { of?: A.Expr } | undefined;
    let node: A.Expr | undefined = ref;
    while (node && (node.type === "property" || node.type === "element")) {
      if (node.type === "element" && ["every", "ordinal", "range"].includes(node.form)) break;
      parent = node;
      node = node.of;
    }
    if (!node || node.type !== "element") {
      this.#fail(
        whoseTok,
        `“${whoseTok.value}” needs elements to test, as in “every note whose name is "x"”.`,
      );
    }
    this.#inFilter++;
    let test: A.Expr;
    try {
      test = this.#expression();
    } finally {
      this.#inFilter--;
    }
    const filter: A.FilterExpr = {
      type: "filter",
      ref: node as A.ElementExpr,
      test,
      start: node!.start,
      end: test.end,
    };
    if (!parent) return filter;
    parent.of = filter;
    return { ...ref, end: test.end } as A.Expr;
  }

  #chain(): A.Expr {
    let left = this.#primary();
    for (;;) {
      if (this.#acceptOp("'s")) {
        const right = this.#termAt(true);
        if (!right) this.#expected("a property or element name");
        setOf(right, left);
        left = { ...right, start: left.start } as A.Expr;
        continue;
      }
      break;
    }
    if (canTakeContainer(left) && !this.#atStop()) {
      const ofTok = this.#peek();
      const chainsIn = left.type !== "call" && this.#isWord("in");
      if (this.#isWord("of") || chainsIn) {
        this.#next();
        if (left.type === "call" && ofTok.value === "of") {
          const container = this.#chain();
          if (container.type !== "me") this.#fail(ofTok, "Only “of me” can follow a handler call.");
          return { ...left, my: true, end: container.end };
        }
        const container = this.#chain();
        setOf(left, container);
        return { ...left, end: container.end } as A.Expr;
      }
    }
    return left;
  }

  #primary(): A.Expr {
    const t = this.#peek();
    switch (t.kind) {
      case "number": {
        this.#next();
        return {
          type: "literal",
          value: Number(t.value),
          real: t.real,
          start: t.start,
          end: t.end,
        };
      }
      case "string":
        this.#next();
        return { type: "literal", value: t.value, start: t.start, end: t.end };
      case "op":
        if (t.value === "(") {
          this.#next();
          this.#skipEols();
          const e = this.#withStops([], () => this.#expression());
          this.#skipEols();
          this.#expectOp(")");
          return { ...e, start: t.start, end: this.#endOf() } as A.Expr;
        }
        if (t.value === "{") return this.#listOrRecord();
        this.#expected("expression");
        break;
      case "raw":
        return this.#raw();
      case "word":
        return this.#wordPrimary();
      default:
        this.#expected("expression");
    }
  }

  #raw(): A.Expr {
    const t = this.#next();
    const [kind, code] = t.value.split(":");
    const known = kind === "class"
      ? this.#scope.app?.name("class", code) ?? appleScriptTerms().name("class", code)
      : kind === "property"
      ? this.#scope.app?.name("property", code) ?? appleScriptTerms().name("property", code)
      : kind === "constant"
      ? this.#scope.app?.name("enumerator", code) ?? appleScriptTerms().name("enumerator", code)
      : undefined;
    const term = { name: known ?? `«${kind} ${code}»`, code };
    switch (kind) {
      case "class": {
        const key = this.#key();
        if (key) return this.#elementWithKey(term, key, t.start);
        return { type: "class", term, start: t.start, end: t.end };
      }
      case "property":
        return { type: "property", term, start: t.start, end: t.end };
      case "event":
        return this.#commandRest({ ...term, kind: "command", words: 1, app: undefined }, t.start);
      default:
        return { type: "constant", term, start: t.start, end: t.end };
    }
  }

  #listOrRecord(): A.Expr {
    const open = this.#next();
    this.#skipEols();
    if (this.#acceptOp("}")) {
      return { type: "list", items: [], start: open.start, end: this.#endOf() };
    }
    // A record when a label and a colon come first.
    let k = 0;
    while (this.#peek(k).kind === "word") k++;
    const isRecord = k > 0 && this.#isOp(":", k);
    return this.#withStops([], () => {
      if (isRecord) {
        const fields: { key: A.RecordKey; value: A.Expr }[] = [];
        do {
          this.#skipEols();
          const first = this.#peek();
          const barred = first.kind === "word" && first.barred === true;
          const words = barred ? [first.value] : this.#words();
          const labelEnd = words.findIndex((_, i) => this.#isOp(":", i + 1));
          if (labelEnd < 0) this.#expected("a record label");
          const label = words.slice(0, labelEnd + 1);
          const m = barred ? undefined : this.#scope.match(label, 0, ["property"]);
          this.#pos += label.length;
          this.#expectOp(":");
          const key: A.RecordKey = m && m.words === label.length && !barred
            ? { name: m.name.toLowerCase(), code: m.code }
            : { name: label.join(" ") };
          if (fields.some((f) => f.key.name === key.name)) {
            this.#fail(this.#peek(-1), `The record label “${key.name}” appears twice.`);
          }
          fields.push({ key, value: this.#expression() });
          this.#skipEols();
        } while (this.#acceptOp(","));
        this.#expectOp("}");
        return { type: "record", fields, start: open.start, end: this.#endOf() };
      }
      const items: A.Expr[] = [];
      do {
        this.#skipEols();
        items.push(this.#expression());
        this.#skipEols();
      } while (this.#acceptOp(","));
      this.#expectOp("}");
      return { type: "list", items, start: open.start, end: this.#endOf() };
    });
  }

  #wordPrimary(): A.Expr {
    const t = this.#peek();
    const start = t.start;
    if (t.barred) {
      this.#next();
      if (this.#isOp("(")) return this.#call(t.value, start, false);
      return this.#variableOrLabel(t);
    }
    this.#outside();
    const w = t.value;
    switch (w) {
      case "true":
      case "false":
        this.#next();
        return { type: "literal", value: w === "true", start, end: t.end };
      case "the":
        this.#next();
        return this.#primary();
      case "it":
        this.#next();
        return { type: "it", start, end: t.end };
      case "me":
        this.#next();
        return { type: "me", start, end: t.end };
      case "its": {
        this.#next();
        const right = this.#termAt(true);
        if (!right) this.#expected("a property or element name");
        setOf(right, { type: "it", start, end: t.end });
        return { ...right, start } as A.Expr;
      }
      case "my": {
        this.#next();
        const n = this.#peek();
        if (n.kind === "word" && this.#isOp("(", 1)) {
          this.#next();
          return this.#call(n.value, start, true);
        }
        const right = this.#termAt(true);
        if (!right) this.#expected("a property or handler name");
        setOf(right, { type: "me", start, end: t.end });
        return { ...right, start } as A.Expr;
      }
      case "a":
        if (this.#isWords(["a", "reference", "to"])) {
          this.#pos += 3;
          const target = this.#reference();
          return { type: "refto", target, start, end: target.end };
        }
        break;
      case "ref":
        if (!this.#isWord("of", 1)) {
          this.#next();
          this.#acceptWord("to");
          const target = this.#reference();
          return { type: "refto", target, start, end: target.end };
        }
        break;
      case "beginning":
      case "end":
      case "before":
      case "after": {
        this.#next();
        const position = w as A.InsertionExpr["position"];
        if (position === "before" || position === "after") {
          const of = this.#chain();
          return { type: "insertion", position, of, start, end: of.end };
        }
        return { type: "insertion", position, start, end: t.end };
      }
      case "every": {
        this.#next();
        const cls = this.#classTerm();
        return this.#elementRest(cls, "every", start);
      }
      case "application":
      case "app": {
        if (this.#isWord("id", 1) || this.#peek(1).kind === "string" || this.#isKeyStart(1)) {
          this.#next();
          const by = this.#acceptWord("id") ? "id" : "name";
          const value = this.#keyExpr();
          return { type: "application", by, value, start, end: value.end };
        }
        break;
      }
      case "applescript":
        this.#next();
        return { type: "applescript", start, end: t.end };
      case "missing":
        if (this.#isWord("value", 1)) {
          this.#pos += 2;
          return { type: "literal", value: null, start, end: this.#endOf() };
        }
        break;
      case "pi":
        this.#next();
        return { type: "literal", value: Math.PI, real: true, start, end: t.end };
      case "number":
        if (this.#isWord("of", 1)) {
          this.#pos += 2;
          const direct = this.#unary();
          return {
            type: "command",
            term: { name: "count", code: "corecnte" },
            direct,
            params: [],
            start,
            end: direct.end,
          };
        }
        break;
      case "get":
        this.#next();
        return this.#commandRest(
          { kind: "command", name: "get", code: "coregetd", words: 1, app: undefined },
          start,
        );
    }
    if (w in ORDINALS || /^[0-9]+(st|nd|rd|th)$/.test(w)) {
      if (w !== "front" && w !== "back" || this.#classTermAhead(1)) {
        this.#next();
        const ord = w in ORDINALS ? ORDINALS[w] : parseInt(w);
        const cls = this.#classTerm();
        return this.#elementRest(cls, "ordinal", start, ord);
      }
      // `at front`, `at the back`: the beginning or end.
      this.#next();
      return {
        type: "insertion",
        position: w === "front" ? "beginning" : "end",
        start,
        end: t.end,
      };
    }
    if (CONSTANT_VALUES.has(w) && !this.#scope.app?.match([w], 0)) {
      this.#next();
      const v = CONSTANT_VALUES.get(w)!;
      return { type: "literal", value: v, start, end: t.end };
    }
    // A handler call: a name that is no term, then "(".
    if (this.#isOp("(", 1) && !KEYWORDS.has(w)) {
      const m = this.#scope.match(this.#words(), 0);
      if (!m || m.words > 1 || m.kind === "property" || m.kind === "value") {
        this.#next();
        return this.#call(w, start, false);
      }
    }
    const term = this.#termAt(false);
    if (term) return term;
    if (KEYWORDS.has(w)) this.#expected("expression");
    this.#next();
    return this.#variableOrLabel(t);
  }

  #variableOrLabel(t: Token): A.Expr {
    // A user label: `foo of r`, `r's foo`.
    if (this.#isWord("of")) {
      return { type: "property", term: { name: t.value, code: "" }, start: t.start, end: t.end };
    }
    return { type: "var", name: t.value, start: t.start, end: t.end };
  }

  #call(name: string, start: number, my: boolean): A.CallExpr {
    this.#expectOp("(");
    const args: A.Expr[] = [];
    this.#withStops([], () => {
      if (!this.#isOp(")")) {
        do {
          this.#skipEols();
          args.push(this.#expression());
        } while (this.#acceptOp(","));
      }
    });
    this.#expectOp(")");
    return { type: "call", name, args, my, start, end: this.#endOf() };
  }

  #classTermAhead(k: number): boolean {
    let j = k;
    while (this.#isWord("the", j)) j++;
    const words = [];
    for (let i = j; this.#peek(i).kind === "word"; i++) words.push(this.#peek(i).value);
    return this.#scope.match(words, 0, ["class", "plural"]) !== undefined ||
      this.#peek(j).kind === "raw";
  }

  #classTerm(): A.Term {
    const t = this.#peek();
    if (t.kind === "raw" && t.value.startsWith("class:")) {
      this.#next();
      const code = t.value.slice(6);
      return { name: `«class ${code}»`, code };
    }
    const m = this.#scope.match(this.#words(), 0, ["class", "plural"]);
    if (!m) this.#expected("class name");
    this.#pos += m.words;
    return this.#termOf(m);
  }

  /** Whether the token at `k` can start an element's key. */
  #isKeyStart(k = 0): boolean {
    const t = this.#peek(k);
    if (t.kind === "number" || t.kind === "string") return true;
    if (t.kind === "op") {
      return t.value === "(" || t.value === "{" ||
        (t.value === "-" && this.#peek(k + 1).kind === "number");
    }
    if (t.kind !== "word") return false;
    if (t.barred) return true;
    if (KEYWORDS.has(t.value) || CONSTANT_VALUES.has(t.value) || OPERATOR_WORDS.has(t.value)) {
      return false;
    }
    if (k === 0 && this.#atStop()) return false;
    if (k > 0) {
      const saved = this.#pos;
      this.#pos += k;
      const stop = this.#atStop();
      this.#pos = saved;
      if (stop) return false;
    }
    const words = [];
    for (let i = k; this.#peek(i).kind === "word"; i++) words.push(this.#peek(i).value);
    if (this.#scope.match(words, 0)) return false;
    // Operator words (`contains`, `is`) are keywords or phrases already; other words name a variable.
    return true;
  }

  #keyExpr(): A.Expr {
    const t = this.#peek();
    if (t.kind === "op" && t.value === "-") {
      this.#next();
      const n = this.#next();
      return { type: "literal", value: -Number(n.value), real: n.real, start: t.start, end: n.end };
    }
    if (t.kind === "word") {
      this.#next();
      if (this.#isOp("(")) return this.#call(t.value, t.start, false);
      return { type: "var", name: t.value, start: t.start, end: t.end };
    }
    return this.#primary();
  }

  #key(): A.Expr | undefined {
    return this.#isKeyStart() ? this.#keyExpr() : undefined;
  }

  #elementWithKey(cls: A.Term, key: A.Expr, start: number): A.Expr {
    if (this.#acceptWord("thru") || this.#acceptWord("through")) {
      const key2 = this.#keyExpr();
      return { type: "element", cls, form: "range", key, key2, start, end: key2.end };
    }
    if (cls.code === "ldt " || cls.code === "furl" || cls.code === "file" || cls.code === "alis") {
      const kind = ({ "ldt ": "date", furl: "POSIX file", file: "file", alis: "alias" } as const)[
        cls.code
      ];
      if (!cls.app) return { type: "object", kind, value: key, start, end: key.end };
    }
    return { type: "element", cls, form: "key", key, start, end: key.end };
  }

  /** After `every CLASS` or an ordinal and its class: `from … to …`, nothing else. */
  #elementRest(
    cls: A.Term,
    form: "every" | "ordinal",
    start: number,
    ordinal?: A.ElementExpr["ordinal"],
  ): A.Expr {
    if (form === "every" && this.#isWord("from") && !this.#atStop()) {
      this.#next();
      const key = this.#unary();
      this.#expectWord("to");
      const key2 = this.#unary();
      return { type: "element", cls, form: "range", key, key2, start, end: key2.end };
    }
    return { type: "element", cls, form, ordinal, start, end: this.#endOf() };
  }

  /**
   * A term at this position: a command (with its parameters), an element, a property, a class
   * or an enumerator; `undefined` if no term starts here. After `'s`, `its` and `my`
   * (`afterPossessive`), commands are not looked for.
   */
  #termAt(afterPossessive: true): A.PropertyExpr | A.ElementExpr | undefined;
  #termAt(afterPossessive: false): A.Expr | undefined;
  #termAt(afterPossessive: boolean): A.Expr | undefined {
    const t = this.#peek();
    const start = t.start;
    if (t.kind === "raw") {
      const e = this.#raw();
      return afterPossessive && e.type !== "property" && e.type !== "element" ? undefined : e;
    }
    if (t.kind !== "word") return undefined;
    if (t.barred) {
      if (!afterPossessive) return undefined;
      this.#next();
      return { type: "property", term: { name: t.value, code: "" }, start, end: t.end };
    }
    if (this.#atStop()) return undefined;
    const words = this.#words();
    // After `'s` only what an object has; otherwise every kind, in the terminology's own order.
    const kinds: ScopedMatch["kind"][] | undefined = afterPossessive
      ? ["class", "plural", "property"]
      : undefined;
    const m = this.#scope.match(words, 0, kinds);
    if (!m) {
      if (afterPossessive && !KEYWORDS.has(t.value)) {
        this.#next();
        return { type: "property", term: { name: t.value, code: "" }, start, end: t.end };
      }
      return undefined;
    }
    if ((m.kind === "command" || m.kind === "event") && !this.#isOp("'s", m.words)) {
      // A command, unless it is also a property used as one (`name of …`).
      this.#pos += m.words;
      return this.#commandRest(m, start);
    }
    if (m.kind === "class" || m.kind === "plural") {
      // Class or property of one name: what follows decides.
      const prop = this.#scope.match(words, 0, ["property"]);
      const after = m.words;
      const keyFollows = this.#isKeyStart(after) || this.#isWord("id", after) ||
        this.#isWord("named", after);
      const ofFollows = this.#isWord("of", after) || this.#isWord("in", after) ||
        this.#isOp("'s", after);
      if (prop && prop.words >= m.words && !keyFollows && (ofFollows || m.kind === "class")) {
        this.#pos += prop.words;
        return { type: "property", term: this.#termOf(prop), start, end: this.#endOf() };
      }
      this.#pos += m.words;
      const cls = this.#termOf(m);
      if (m.kind === "plural") {
        const key = this.#key();
        if (key && (this.#isWord("thru") || this.#isWord("through"))) {
          return this.#elementWithKey(cls, key, start);
        }
        if (key) {
          this.#fail(this.#peek(-1), `Expected “thru” after the index of plural “${t.value}”.`);
        }
        return this.#elementRest(cls, "every", start);
      }
      if (this.#acceptWord("id")) {
        const key = this.#keyExpr();
        return { type: "element", cls, form: "id", key, start, end: key.end };
      }
      if (this.#acceptWord("named")) {
        const key = this.#keyExpr();
        return { type: "element", cls, form: "name", key, start, end: key.end };
      }
      if ((this.#isWord("before") || this.#isWord("after")) && !this.#atStop()) {
        const position = this.#next().value as "before" | "after";
        const key = this.#chain();
        return {
          type: "element",
          cls,
          form: "relative",
          ordinal: position,
          key,
          start,
          end: key.end,
        };
      }
      const key = this.#key();
      if (key) return this.#elementWithKey(cls, key, start);
      if (afterPossessive) {
        return { type: "element", cls, form: "every", start, end: this.#endOf() };
      }
      return { type: "class", term: cls, start, end: this.#endOf() } as unknown as A.ElementExpr;
    }
    this.#pos += m.words;
    const term = this.#termOf(m);
    switch (m.kind) {
      case "property":
        return { type: "property", term, start, end: this.#endOf() };
      case "enumerator":
        if (afterPossessive) return undefined;
        return { type: "constant", term, start, end: this.#endOf() };
      default:
        if (afterPossessive) return undefined;
        return { type: "class", term, start, end: this.#endOf() };
    }
  }

  /** A command's direct parameter and labelled parameters, after its name. */
  #commandRest(m: ScopedMatch, start: number): A.CommandExpr {
    const term = this.#termOf(m);
    const labels = this.#scope.labels(m);
    const stops = [...labels, ["with"], ["without"], ["given"]];
    const params: A.CommandParam[] = [];
    let direct: A.Expr | undefined;
    const atEnd = () => {
      const t = this.#peek();
      return t.kind === "eol" || t.kind === "eof" ||
        (t.kind === "op" && (t.value === ")" || t.value === "}" || t.value === ",")) ||
        (t.kind === "word" && ["else", "then", "and", "or"].includes(t.value) && !t.barred);
    };
    return this.#withStops(stops, () => {
      if (this.#isWord("of") && !labels.some((l) => l[0] === "of")) this.#next();
      if (!atEnd() && !this.#atStop()) {
        direct = this.#commandParameter();
      }
      for (;;) {
        if (atEnd()) break;
        const label = labels
          .filter((l) => this.#isWords(l))
          .sort((a, b) => b.length - a.length)[0];
        if (label) {
          const labelTok = this.#peek();
          this.#pos += label.length;
          const name = label.join(" ");
          const code = this.#scope.parameterCode(m, name) ?? "";
          const value = name === "new" ? this.#typeExpr() : this.#commandParameter();
          void labelTok;
          params.push({ label: name, code, value });
          continue;
        }
        if (this.#isWord("with") || this.#isWord("without")) {
          const value = this.#next().value === "with";
          do {
            const l = labels.filter((x) => this.#isWords(x)).sort((a, b) => b.length - a.length)[0];
            if (!l) this.#expected("a parameter name");
            this.#pos += l.length;
            const name = l.join(" ");
            const code = this.#scope.parameterCode(m, name) ?? "";
            const lit: A.Literal = {
              type: "literal",
              value,
              start: this.#endOf(),
              end: this.#endOf(),
            };
            params.push({ label: name, code, value: lit });
          } while (this.#acceptOp(",") || this.#acceptWord("and"));
          continue;
        }
        if (this.#acceptWord("given")) {
          do {
            const l = labels.filter((x) => this.#isWords(x)).sort((a, b) => b.length - a.length)[0];
            if (!l) this.#expected("a parameter name");
            this.#pos += l.length;
            this.#expectOp(":");
            const name = l.join(" ");
            const code = this.#scope.parameterCode(m, name) ?? "";
            params.push({ label: name, code, value: this.#commandParameter() });
          } while (this.#acceptOp(","));
          continue;
        }
        break;
      }
      return { type: "command", term, direct, params, start, end: this.#endOf() };
    });
  }

  /** A command's parameter: a reference with its unary operators (AppleScript binds them tighter than operators). */
  #commandParameter(): A.Expr {
    const e = this.#unary();
    // `as` is the result type of `get`, and a coercion anywhere else.
    return e;
  }
}

function canTakeContainer(
  e: A.Expr,
): e is A.PropertyExpr | A.ElementExpr | A.InsertionExpr | A.CallExpr {
  return (e.type === "property" || e.type === "element" || e.type === "insertion" ||
    e.type === "call") && (e.type === "call" || e.of === undefined);
}

function setOf(node: A.Expr, container: A.Expr): void {
  if (node.type === "property" || node.type === "element" || node.type === "insertion") {
    // The innermost end of the chain takes the container.
    let n: A.PropertyExpr | A.ElementExpr | A.InsertionExpr = node;
    while (
      n.of && (n.of.type === "property" || n.of.type === "element" || n.of.type === "insertion")
    ) {
      n = n.of;
    }
    if (n.of === undefined) n.of = container;
  }
}
