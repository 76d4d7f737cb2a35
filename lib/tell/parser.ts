/**
 * The parser of `tell` scripts: tokens to a {@linkcode Script} tree, with terms compiled against
 * the innermost tell target's definition, then AppleScript's own (as AppleScript compiles).
 * This file holds the statements, blocks and handlers; `_expression_parser.ts` the expressions
 * and references, over `_parse_cursor.ts`.
 *
 * @module
 */

import type { Terminology } from "../sdef/terminology.ts";
import type * as A from "./ast.ts";
import { ScriptSyntaxError } from "./errors.ts";
import { type Token, tokenize } from "./lexer.ts";
import { ExpressionParser } from "./_expression_parser.ts";
import { KEYWORDS } from "./_words.ts";

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
  /** The script's tokens, when the caller has them already. @default {tokenize(source)} */
  tokens?: readonly Token[];
}

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

/**
 * The app names and bundle ids a script names literally (`application "X"`), to fetch terms.
 *
 * @param source the script.
 * @param tokens its tokens, when the caller has them already.
 */
export function appNames(source: string, tokens: readonly Token[] = tokenize(source)): string[] {
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

class Parser extends ExpressionParser {
  #handlers = new Map<string, A.Handler>();
  #properties: A.DeclareStmt[] = [];

  constructor(source: string, options: ParseOptions) {
    super(source, options.tokens ?? tokenize(source), options.terminology ?? (() => undefined));
    if (options.app !== undefined) this.scope = this.scopeFor(options.app);
  }

  script(): A.Script {
    const body: A.Stmt[] = [];
    for (;;) {
      this.skipEols();
      const t = this.peek();
      if (t.kind === "eof") break;
      if (this.isWord("on") || this.isWord("to")) {
        this.#handler();
      } else if (this.isWord("property") || this.isWord("prop")) {
        this.#properties.push(this.#property());
      } else if (this.isWord("use")) {
        this.#use();
      } else {
        body.push(this.#statement());
      }
      this.#endOfStatement();
    }
    if (body.length > 0 && this.#handlers.has("run")) {
      const s = body[0];
      throw new ScriptSyntaxError(
        this.source,
        s,
        "The run handler is specified more than once, or there were top-level commands in addition to the run handler.",
      );
    }
    return { source: this.source, body, handlers: this.#handlers, properties: this.#properties };
  }

  #endOfStatement(): void {
    const t = this.peek();
    if (t.kind === "eol" || t.kind === "eof") return;
    this.expected("end of line");
  }

  #use(): void {
    const t = this.next();
    if (this.acceptWord("scripting", "additions")) return;
    if (this.isWord("applescript")) {
      this.next();
      if (this.acceptWord("version")) this.expression();
      return;
    }
    this.fail(t, "“use” takes “AppleScript version …” or “scripting additions” only here.");
  }

  #property(): A.DeclareStmt {
    const start = this.next().start;
    const name = this.#identifier("a property name");
    this.expectOp(":");
    const value = this.expression();
    return { kind: "property", names: [name], value, start, end: this.endOf() };
  }

  #identifier(what = "an identifier"): string {
    const t = this.peek();
    if (t.kind !== "word" || (!t.barred && KEYWORDS.has(t.value))) this.expected(what);
    this.next();
    return t.value;
  }

  #handler(): void {
    const startTok = this.next();
    const nameTok = this.peek();
    if (nameTok.kind !== "word") this.expected("a handler name");
    const name = this.#identifier("a handler name");
    const params: string[] = [];
    if (this.acceptOp("(")) {
      if (!this.isOp(")")) {
        do params.push(this.#identifier("a parameter name")); while (this.acceptOp(","));
      }
      this.expectOp(")");
    } else if (name === "run" && !this.atLineEnd()) {
      if (this.acceptOp("{")) {
        this.#identifier("a parameter name");
        this.fail(
          nameTok,
          "“on run {a, b}” is outside the language of tell: write “on run argv”.",
        );
      }
      params.push(this.#identifier("a parameter name"));
    } else if (!this.atLineEnd()) {
      this.fail(
        this.peek(),
        `Labelled parameters of handlers are outside the language of tell: write “on ${name}(a, b)”.`,
      );
    }
    if (this.#handlers.has(name)) {
      this.fail(nameTok, `The handler “${name}” is specified more than once.`);
    }
    const body = this.#block([name]);
    this.#handlers.set(name, { name, params, body, start: startTok.start, end: this.endOf() });
  }

  /** Statements up to `end` (or `end WORD` for one of `closers`); consumes the end. */
  #block(closers: string[], alsoEnd: (p: Parser) => boolean = () => false): A.Stmt[] {
    const body = this.#statements(alsoEnd);
    if (alsoEnd(this)) return body;
    this.#closeBlock(closers);
    return body;
  }

  #closeBlock(closers: string[]): void {
    const endTok = this.expectWord("end", `“end”`);
    const t = this.peek();
    if (t.kind === "word" && !this.atLineEnd()) {
      for (const c of closers) {
        const words = c.split(" ");
        if (this.isWords(words)) {
          this.pos += words.length;
          return;
        }
      }
      this.fail(
        t,
        `Expected “end”${closers[0] ? ` or “end ${closers[0]}”` : ""} but found “end ${t.value}”.`,
      );
    }
    void endTok;
  }

  #statements(alsoEnd: (p: Parser) => boolean): A.Stmt[] {
    const body: A.Stmt[] = [];
    for (;;) {
      this.skipEols();
      const t = this.peek();
      if (t.kind === "eof") this.expected("“end”");
      if (this.isWord("end") || alsoEnd(this)) return body;
      if (this.isWord("on") && !this.isWords(["on", "error"])) {
        this.fail(t, "A handler can’t go inside another block: put “on …” at the top level.");
      }
      if (this.isWord("on")) this.expected("“end”");
      body.push(this.#statement());
      this.#endOfStatement();
    }
  }

  #statement(): A.Stmt {
    const t = this.peek();
    const start = t.start;
    this.outside();
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
          this.next();
          this.acceptWord("repeat");
          return { kind: "exit", start, end: this.endOf() };
        }
        case "return": {
          this.next();
          const value = this.atLineEnd() || this.isWord("else") ? undefined : this.expression();
          return { kind: "return", value, start, end: this.endOf() };
        }
        case "error":
          return this.#error();
        case "set":
          return this.#set();
        case "copy": {
          this.next();
          const value = this.expression();
          this.expectWord("to");
          const target = this.reference();
          return { kind: "copy", target, value, start, end: this.endOf() };
        }
        case "global":
        case "local": {
          this.next();
          const names: string[] = [];
          do names.push(this.#identifier("a variable name")); while (this.acceptOp(","));
          return { kind: t.value, names, start, end: this.endOf() };
        }
        case "property":
        case "prop":
          this.fail(t, "A property can’t go inside a block: declare it at the top level.");
          break;
        case "log": {
          this.next();
          const value = this.expression();
          return { kind: "log", value, start, end: this.endOf() };
        }
        case "considering":
        case "ignoring":
          return this.#considering();
        case "with":
          if (this.isWord("timeout", 1)) return this.#timeout();
          break;
        case "using":
          if (this.isWords(["using", "terms", "from"])) return this.#usingTerms();
          break;
        case "end":
        case "else":
          this.expected("expression");
      }
    }
    const expr = this.expression();
    return { kind: "expr", expr, start, end: this.endOf() };
  }

  /** The app a tell target names (`… of application "X"`), looked ahead in its tokens. */
  #targetApp(): string | undefined {
    for (let k = 0;; k++) {
      const t = this.peek(k);
      if (t.kind === "eol" || t.kind === "eof" || (t.kind === "word" && t.value === "to")) {
        return undefined;
      }
      if (t.kind === "word" && (t.value === "application" || t.value === "app")) {
        let j = k + 1;
        if (this.isWord("id", j)) j++;
        const s = this.peek(j);
        if (s.kind === "string") return s.value;
      }
    }
  }

  #tell(): A.TellStmt {
    const start = this.next().start;
    const app = this.#targetApp();
    const scope = this.scopeFor(app);
    return this.withScope(scope, () => {
      const target = this.expression();
      if (this.acceptWord("to")) {
        const body = [this.#statement()];
        return { kind: "tell", target, body, app: scope.appName, start, end: this.endOf() };
      }
      if (!this.atLineEnd()) this.expected("“to” or end of line");
      const body = this.#block(["tell"]);
      return { kind: "tell", target, body, app: scope.appName, start, end: this.endOf() };
    });
  }

  #if(): A.IfStmt {
    const start = this.next().start;
    const branches: { cond: A.Expr; body: A.Stmt[] }[] = [];
    let otherwise: A.Stmt[] | undefined;
    const cond = this.expression();
    this.acceptWord("then");
    if (!this.atLineEnd()) {
      // One line: if c then s [else s]
      const body = [this.#statement()];
      branches.push({ cond, body });
      if (this.acceptWord("else")) otherwise = [this.#statement()];
      return { kind: "if", branches, otherwise, start, end: this.endOf() };
    }
    const isElse = (p: Parser) => p.isWord("else");
    branches.push({ cond, body: this.#statements(isElse) });
    while (this.acceptWord("else")) {
      if (this.acceptWord("if")) {
        const c = this.expression();
        this.acceptWord("then");
        if (!this.atLineEnd()) this.expected("end of line");
        branches.push({ cond: c, body: this.#statements(isElse) });
      } else {
        if (!this.atLineEnd()) {
          otherwise = [this.#statement()];
          break;
        }
        otherwise = this.#statements(isElse);
        if (this.isWord("else")) this.expected("“end if”");
        break;
      }
    }
    this.#closeBlock(["if"]);
    return { kind: "if", branches, otherwise, start, end: this.endOf() };
  }

  #repeat(): A.RepeatStmt {
    const start = this.next().start;
    let form: A.RepeatStmt["form"] = "forever";
    let expr: A.Expr | undefined;
    let to: A.Expr | undefined;
    let by: A.Expr | undefined;
    let variable: string | undefined;
    if (this.acceptWord("while")) {
      form = "while";
      expr = this.expression();
    } else if (this.acceptWord("until")) {
      form = "until";
      expr = this.expression();
    } else if (this.acceptWord("with")) {
      const v = this.peek();
      if (v.kind !== "word") this.expected("a variable name");
      this.next();
      variable = v.value;
      if (this.acceptWord("from")) {
        form = "from";
        expr = this.expression();
        this.expectWord("to");
        to = this.expression();
        if (this.acceptWord("by")) by = this.expression();
      } else if (this.acceptWord("in")) {
        form = "in";
        expr = this.expression();
      } else this.expected("“from” or “in”");
    } else if (!this.atLineEnd()) {
      form = "times";
      expr = this.expression();
      this.expectWord("times");
    }
    if (!this.atLineEnd()) this.expected("end of line");
    const body = this.#block(["repeat"]);
    return { kind: "repeat", form, expr, to, by, variable, body, start, end: this.endOf() };
  }

  #try(): A.TryStmt {
    const start = this.next().start;
    const isOnError = (p: Parser) => p.isWords(["on", "error"]);
    const body = this.#statements(isOnError);
    let messageVar: string | undefined;
    let numberVar: string | undefined;
    let fromVar: string | undefined;
    let handler: A.Stmt[] | undefined;
    if (this.acceptWord("on", "error")) {
      if (!this.atLineEnd() && !this.isWord("number") && !this.isWord("from")) {
        messageVar = this.#identifier("a variable name");
      }
      for (;;) {
        if (this.acceptWord("number")) numberVar = this.#identifier("a variable name");
        else if (this.acceptWord("from")) fromVar = this.#identifier("a variable name");
        else if (this.acceptWord("partial", "result") || this.acceptWord("to")) {
          this.#identifier("a variable name");
        } else break;
      }
      if (!this.atLineEnd()) this.expected("end of line");
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
      end: this.endOf(),
    };
  }

  #error(): A.ErrorStmt {
    const start = this.next().start;
    const labels = [["number"], ["from"], ["partial", "result"], ["to"]];
    return this.withStops(labels, () => {
      let message: A.Expr | undefined;
      let number: A.Expr | undefined;
      let from: A.Expr | undefined;
      let partial: A.Expr | undefined;
      if (!this.atLineEnd() && !this.atStop()) message = this.expression();
      for (;;) {
        if (this.acceptWord("number")) number = this.expression();
        else if (this.acceptWord("from")) from = this.expression();
        else if (this.acceptWord("partial", "result")) partial = this.expression();
        else if (this.acceptWord("to")) this.typeExpr();
        else break;
      }
      return { kind: "error", message, number, from, partial, start, end: this.endOf() };
    });
  }

  #set(): A.SetStmt {
    const start = this.next().start;
    const target = this.withStops([["to"]], () => this.reference());
    this.expectWord("to");
    const value = this.expression();
    return { kind: "set", target, value, start, end: this.endOf() };
  }

  #considering(): A.BlockStmt {
    const t = this.next();
    const kind = t.value as "considering" | "ignoring";
    const attributes: string[] = [];
    do {
      const words = this.words();
      const m = this.scope.match(words, 0, ["enumerator"]);
      if (!m || !["case", "whit", "diac", "hyph", "punc", "nume", "rmte"].includes(m.code)) {
        this.expected(
          "“case”, “white space”, “diacriticals”, “hyphens”, “punctuation”, “numeric strings” or “application responses”",
        );
      }
      this.pos += m.words;
      attributes.push(m.name);
    } while (this.acceptOp(",") || this.acceptWord("and"));
    if (this.acceptWord("but", "ignoring") || this.acceptWord("but", "considering")) {
      do this.next(); while (this.acceptOp(","));
    }
    if (!this.atLineEnd()) this.expected("end of line");
    const body = this.#block([kind]);
    return { kind, attributes, body, start: t.start, end: this.endOf() };
  }

  #timeout(): A.BlockStmt {
    const start = this.next().start;
    this.next();
    this.acceptWord("of");
    const seconds = this.unary();
    if (!this.acceptWord("seconds") && !this.acceptWord("second")) this.expected("“seconds”");
    if (!this.atLineEnd()) this.expected("end of line");
    const body = this.#block(["timeout"]);
    return { kind: "timeout", seconds, body, start, end: this.endOf() };
  }

  #usingTerms(): A.BlockStmt {
    const start = this.next().start;
    this.pos += 2;
    const app = this.#targetApp();
    this.expression();
    if (!this.atLineEnd()) this.expected("end of line");
    const body = this.withScope(this.scopeFor(app), () => this.#block(["using terms from"]));
    return { kind: "terms", body, start, end: this.endOf() };
  }
}
