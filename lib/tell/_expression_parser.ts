/**
 * The `tell` parser's expressions and references (the statements are in `parser.ts`).
 * Class and property of one name are told apart by what follows (`document 1`, `document of
 * window 1`); a command's labels end its direct parameter; terms match longest first.
 *
 * @module
 */

import type * as A from "./ast.ts";
import type { Token } from "./lexer.ts";
import { appleScriptTerms, CONSTANT_VALUES, type ScopedMatch } from "./terms.ts";
import { ParseCursor } from "./_parse_cursor.ts";
import { COMPARISONS, KEYWORDS, OPERATOR_WORDS, ORDINALS, SYMBOL_COMPARISONS } from "./_words.ts";

/**
 * The grammar of expressions: operators by AppleScript's precedence, references and their
 * terms, and commands with their parameters.
 */
export class ExpressionParser extends ParseCursor {
  /** Depth of `whose` tests being parsed. */
  #inFilter = 0;

  /** An expression, up to the end of the command being parsed. */
  expression(): A.Expr {
    return this.#or();
  }

  #binary(op: A.BinaryOp, left: A.Expr, right: A.Expr): A.Expr {
    return { type: "binary", op, left, right, start: left.start, end: right.end };
  }

  #or(): A.Expr {
    let left = this.#and();
    while (!this.atStop() && this.acceptWord("or")) left = this.#binary("or", left, this.#and());
    return left;
  }

  #and(): A.Expr {
    let left = this.#not();
    while (!this.atStop() && this.acceptWord("and")) {
      left = this.#binary("and", left, this.#not());
    }
    return left;
  }

  #not(): A.Expr {
    const t = this.peek();
    if (this.acceptWord("not")) {
      const operand = this.#not();
      return { type: "unary", op: "not", operand, start: t.start, end: operand.end };
    }
    return this.#comparison();
  }

  #comparisonOp(): A.BinaryOp | undefined {
    const t = this.peek();
    if (t.kind === "op" && t.value in SYMBOL_COMPARISONS) {
      this.next();
      return SYMBOL_COMPARISONS[t.value];
    }
    if (t.kind !== "word" || this.atStop()) return undefined;
    for (const [phrase, op] of COMPARISONS) {
      if (this.isWords(phrase)) {
        this.pos += phrase.length;
        return op;
      }
    }
    return undefined;
  }

  #comparison(): A.Expr {
    let left = this.#as();
    for (;;) {
      if (this.isWord("exists") || this.isWord("exist")) {
        this.next();
        left = {
          type: "command",
          term: { name: "exists", code: "coredoex" },
          direct: left,
          params: [],
          start: left.start,
          end: this.endOf(),
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
    while (!this.atStop() && this.acceptWord("as")) {
      const to = this.typeExpr();
      value = { type: "coerce", value, to, start: value.start, end: to.end };
    }
    return value;
  }

  /** A class name after `as` (or a variable or parenthesized expression). */
  typeExpr(): A.Expr {
    const t = this.peek();
    if (t.kind === "raw") return this.#primary();
    if (t.kind === "op" && t.value === "(") return this.#primary();
    const words = this.words();
    const m = this.scope.match(words, 0, ["class", "plural", "value", "record", "enumeration"]);
    if (m) {
      this.pos += m.words;
      return { type: "class", term: this.termOf(m), start: t.start, end: this.endOf() };
    }
    if (t.kind === "word" && !KEYWORDS.has(t.value)) {
      this.next();
      return { type: "var", name: t.value, start: t.start, end: t.end };
    }
    this.expected("class name");
  }

  #concat(): A.Expr {
    let left = this.#additive();
    while (this.acceptOp("&")) left = this.#binary("&", left, this.#additive());
    return left;
  }

  #additive(): A.Expr {
    let left = this.#multiplicative();
    for (;;) {
      if (this.acceptOp("+")) left = this.#binary("+", left, this.#multiplicative());
      else if (this.acceptOp("-")) left = this.#binary("-", left, this.#multiplicative());
      else return left;
    }
  }

  #multiplicative(): A.Expr {
    let left = this.#power();
    for (;;) {
      if (this.acceptOp("*")) left = this.#binary("*", left, this.#power());
      else if (this.acceptOp("/") || this.acceptOp("÷")) {
        left = this.#binary("/", left, this.#power());
      } else if (this.acceptWord("div")) left = this.#binary("div", left, this.#power());
      else if (this.acceptWord("mod")) left = this.#binary("mod", left, this.#power());
      else return left;
    }
  }

  #power(): A.Expr {
    const left = this.unary();
    if (this.acceptOp("^")) return this.#binary("^", left, this.#power());
    return left;
  }

  /** A reference with its sign. */
  unary(): A.Expr {
    const t = this.peek();
    if (this.acceptOp("-") || this.acceptOp("+")) {
      const operand = this.unary();
      if (t.value === "-" && operand.type === "literal" && typeof operand.value === "number") {
        return { ...operand, value: -operand.value, start: t.start };
      }
      return { type: "unary", op: t.value as "-" | "+", operand, start: t.start, end: operand.end };
    }
    return this.reference();
  }

  /** A reference: a primary, its `'s` and `of`/`in` chain, and a `whose` test. */
  reference(): A.Expr {
    const ref = this.#chain();
    if (
      !this.atStop() && (this.isWord("whose") || this.isWord("where") || this.isWord("that"))
    ) {
      return this.#filter(ref);
    }
    return ref;
  }

  #filter(ref: A.Expr): A.Expr {
    const whoseTok = this.next();
    // The test applies to the outermost element of the chain that names several (or an ordinal).
    let parent: { of?: A.Expr } | undefined;
    let node: A.Expr | undefined = ref;
    while (node && (node.type === "property" || node.type === "element")) {
      if (node.type === "element" && ["every", "ordinal", "range"].includes(node.form)) break;
      parent = node;
      node = node.of;
    }
    if (!node || node.type !== "element") {
      this.fail(
        whoseTok,
        `“${whoseTok.value}” needs elements to test, as in “every note whose name is "x"”.`,
      );
    }
    this.#inFilter++;
    let test: A.Expr;
    try {
      test = this.expression();
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
      if (this.acceptOp("'s")) {
        const right = this.#termAt(true);
        if (!right) this.expected("a property or element name");
        setOf(right, left);
        left = { ...right, start: left.start } as A.Expr;
        continue;
      }
      break;
    }
    if (canTakeContainer(left) && !this.atStop()) {
      const ofTok = this.peek();
      const chainsIn = left.type !== "call" && this.isWord("in");
      if (this.isWord("of") || chainsIn) {
        this.next();
        if (left.type === "call" && ofTok.value === "of") {
          const container = this.#chain();
          if (container.type !== "me") this.fail(ofTok, "Only “of me” can follow a handler call.");
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
    const t = this.peek();
    switch (t.kind) {
      case "number": {
        this.next();
        return {
          type: "literal",
          value: Number(t.value),
          real: t.real,
          start: t.start,
          end: t.end,
        };
      }
      case "string":
        this.next();
        return { type: "literal", value: t.value, start: t.start, end: t.end };
      case "op":
        if (t.value === "(") {
          this.next();
          this.skipEols();
          const e = this.withStops([], () => this.expression());
          this.skipEols();
          this.expectOp(")");
          return { ...e, start: t.start, end: this.endOf() } as A.Expr;
        }
        if (t.value === "{") return this.#listOrRecord();
        this.expected("expression");
        break;
      case "raw":
        return this.#raw();
      case "word":
        return this.#wordPrimary();
      default:
        this.expected("expression");
    }
  }

  #raw(): A.Expr {
    const t = this.next();
    const [kind, code] = t.value.split(":");
    const known = kind === "class"
      ? this.scope.app?.name("class", code) ?? appleScriptTerms().name("class", code)
      : kind === "property"
      ? this.scope.app?.name("property", code) ?? appleScriptTerms().name("property", code)
      : kind === "constant"
      ? this.scope.app?.name("enumerator", code) ?? appleScriptTerms().name("enumerator", code)
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
    const open = this.next();
    this.skipEols();
    if (this.acceptOp("}")) {
      return { type: "list", items: [], start: open.start, end: this.endOf() };
    }
    // A record when a label and a colon come first.
    let k = 0;
    while (this.peek(k).kind === "word") k++;
    const isRecord = k > 0 && this.isOp(":", k);
    return this.withStops([], () => {
      if (isRecord) {
        const fields: { key: A.RecordKey; value: A.Expr }[] = [];
        do {
          this.skipEols();
          const first = this.peek();
          const barred = first.kind === "word" && first.barred === true;
          const words = barred ? [first.value] : this.words();
          const labelEnd = words.findIndex((_, i) => this.isOp(":", i + 1));
          if (labelEnd < 0) this.expected("a record label");
          const label = words.slice(0, labelEnd + 1);
          const m = barred ? undefined : this.scope.match(label, 0, ["property"]);
          this.pos += label.length;
          this.expectOp(":");
          const key: A.RecordKey = m && m.words === label.length && !barred
            ? { name: m.name.toLowerCase(), code: m.code }
            : { name: label.join(" ") };
          if (fields.some((f) => f.key.name === key.name)) {
            this.fail(this.peek(-1), `The record label “${key.name}” appears twice.`);
          }
          fields.push({ key, value: this.expression() });
          this.skipEols();
        } while (this.acceptOp(","));
        this.expectOp("}");
        return { type: "record", fields, start: open.start, end: this.endOf() };
      }
      const items: A.Expr[] = [];
      do {
        this.skipEols();
        items.push(this.expression());
        this.skipEols();
      } while (this.acceptOp(","));
      this.expectOp("}");
      return { type: "list", items, start: open.start, end: this.endOf() };
    });
  }

  #wordPrimary(): A.Expr {
    const t = this.peek();
    const start = t.start;
    if (t.barred) {
      this.next();
      if (this.isOp("(")) return this.#call(t.value, start, false);
      return this.#variableOrLabel(t);
    }
    this.outside();
    const w = t.value;
    switch (w) {
      case "true":
      case "false":
        this.next();
        return { type: "literal", value: w === "true", start, end: t.end };
      case "the":
        this.next();
        return this.#primary();
      case "it":
        this.next();
        return { type: "it", start, end: t.end };
      case "me":
        this.next();
        return { type: "me", start, end: t.end };
      case "its": {
        this.next();
        const right = this.#termAt(true);
        if (!right) this.expected("a property or element name");
        setOf(right, { type: "it", start, end: t.end });
        return { ...right, start } as A.Expr;
      }
      case "my": {
        this.next();
        const n = this.peek();
        if (n.kind === "word" && this.isOp("(", 1)) {
          this.next();
          return this.#call(n.value, start, true);
        }
        const right = this.#termAt(true);
        if (!right) this.expected("a property or handler name");
        setOf(right, { type: "me", start, end: t.end });
        return { ...right, start } as A.Expr;
      }
      case "a":
        if (this.isWords(["a", "reference", "to"])) {
          this.pos += 3;
          const target = this.reference();
          return { type: "refto", target, start, end: target.end };
        }
        break;
      case "ref":
        if (!this.isWord("of", 1)) {
          this.next();
          this.acceptWord("to");
          const target = this.reference();
          return { type: "refto", target, start, end: target.end };
        }
        break;
      case "beginning":
      case "end":
      case "before":
      case "after": {
        this.next();
        const position = w as A.InsertionExpr["position"];
        if (position === "before" || position === "after") {
          const of = this.#chain();
          return { type: "insertion", position, of, start, end: of.end };
        }
        return { type: "insertion", position, start, end: t.end };
      }
      case "every": {
        this.next();
        const cls = this.#classTerm();
        return this.#elementRest(cls, "every", start);
      }
      case "application":
      case "app": {
        if (this.isWord("id", 1) || this.peek(1).kind === "string" || this.#isKeyStart(1)) {
          this.next();
          const by = this.acceptWord("id") ? "id" : "name";
          const value = this.#keyExpr();
          return { type: "application", by, value, start, end: value.end };
        }
        break;
      }
      case "applescript":
        this.next();
        return { type: "applescript", start, end: t.end };
      case "missing":
        if (this.isWord("value", 1)) {
          this.pos += 2;
          return { type: "literal", value: null, start, end: this.endOf() };
        }
        break;
      case "pi":
        this.next();
        return { type: "literal", value: Math.PI, real: true, start, end: t.end };
      case "number":
        if (this.isWord("of", 1)) {
          this.pos += 2;
          const direct = this.unary();
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
        this.next();
        return this.#commandRest(
          { kind: "command", name: "get", code: "coregetd", words: 1, app: undefined },
          start,
        );
    }
    if (w in ORDINALS || /^[0-9]+(st|nd|rd|th)$/.test(w)) {
      if (w !== "front" && w !== "back" || this.#classTermAhead(1)) {
        this.next();
        const ord = w in ORDINALS ? ORDINALS[w] : parseInt(w);
        const cls = this.#classTerm();
        return this.#elementRest(cls, "ordinal", start, ord);
      }
      // `at front`, `at the back`: the beginning or end.
      this.next();
      return {
        type: "insertion",
        position: w === "front" ? "beginning" : "end",
        start,
        end: t.end,
      };
    }
    if (CONSTANT_VALUES.has(w) && !this.scope.app?.match([w], 0)) {
      this.next();
      const v = CONSTANT_VALUES.get(w)!;
      return { type: "literal", value: v, start, end: t.end };
    }
    // A handler call: a name that is no term, then "(".
    if (this.isOp("(", 1) && !KEYWORDS.has(w)) {
      const m = this.scope.match(this.words(), 0);
      if (!m || m.words > 1 || m.kind === "property" || m.kind === "value") {
        this.next();
        return this.#call(w, start, false);
      }
    }
    const term = this.#termAt(false);
    if (term) return term;
    if (KEYWORDS.has(w)) this.expected("expression");
    this.next();
    return this.#variableOrLabel(t);
  }

  #variableOrLabel(t: Token): A.Expr {
    // A user label: `foo of r`, `r's foo`.
    if (this.isWord("of")) {
      return { type: "property", term: { name: t.value, code: "" }, start: t.start, end: t.end };
    }
    return { type: "var", name: t.value, start: t.start, end: t.end };
  }

  #call(name: string, start: number, my: boolean): A.CallExpr {
    this.expectOp("(");
    const args: A.Expr[] = [];
    this.withStops([], () => {
      if (!this.isOp(")")) {
        do {
          this.skipEols();
          args.push(this.expression());
        } while (this.acceptOp(","));
      }
    });
    this.expectOp(")");
    return { type: "call", name, args, my, start, end: this.endOf() };
  }

  #classTermAhead(k: number): boolean {
    let j = k;
    while (this.isWord("the", j)) j++;
    const words = [];
    for (let i = j; this.peek(i).kind === "word"; i++) words.push(this.peek(i).value);
    return this.scope.match(words, 0, ["class", "plural"]) !== undefined ||
      this.peek(j).kind === "raw";
  }

  #classTerm(): A.Term {
    const t = this.peek();
    if (t.kind === "raw" && t.value.startsWith("class:")) {
      this.next();
      const code = t.value.slice(6);
      return { name: `«class ${code}»`, code };
    }
    const m = this.scope.match(this.words(), 0, ["class", "plural"]);
    if (!m) this.expected("class name");
    this.pos += m.words;
    return this.termOf(m);
  }

  /** Whether the token at `k` can start an element's key. */
  #isKeyStart(k = 0): boolean {
    const t = this.peek(k);
    if (t.kind === "number" || t.kind === "string") return true;
    if (t.kind === "op") {
      return t.value === "(" || t.value === "{" ||
        (t.value === "-" && this.peek(k + 1).kind === "number");
    }
    if (t.kind !== "word") return false;
    if (t.barred) return true;
    if (KEYWORDS.has(t.value) || CONSTANT_VALUES.has(t.value) || OPERATOR_WORDS.has(t.value)) {
      return false;
    }
    if (k === 0 && this.atStop()) return false;
    if (k > 0) {
      const saved = this.pos;
      this.pos += k;
      const stop = this.atStop();
      this.pos = saved;
      if (stop) return false;
    }
    const words = [];
    for (let i = k; this.peek(i).kind === "word"; i++) words.push(this.peek(i).value);
    if (this.scope.match(words, 0)) return false;
    // Operator words (`contains`, `is`) are keywords or phrases already; other words name a variable.
    return true;
  }

  #keyExpr(): A.Expr {
    const t = this.peek();
    if (t.kind === "op" && t.value === "-") {
      this.next();
      const n = this.next();
      return { type: "literal", value: -Number(n.value), real: n.real, start: t.start, end: n.end };
    }
    if (t.kind === "word") {
      this.next();
      if (this.isOp("(")) return this.#call(t.value, t.start, false);
      return { type: "var", name: t.value, start: t.start, end: t.end };
    }
    return this.#primary();
  }

  #key(): A.Expr | undefined {
    return this.#isKeyStart() ? this.#keyExpr() : undefined;
  }

  #elementWithKey(cls: A.Term, key: A.Expr, start: number): A.Expr {
    if (this.acceptWord("thru") || this.acceptWord("through")) {
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
    if (form === "every" && this.isWord("from") && !this.atStop()) {
      this.next();
      const key = this.unary();
      this.expectWord("to");
      const key2 = this.unary();
      return { type: "element", cls, form: "range", key, key2, start, end: key2.end };
    }
    return { type: "element", cls, form, ordinal, start, end: this.endOf() };
  }

  /**
   * A term at this position: a command (with its parameters), an element, a property, a class
   * or an enumerator; `undefined` if no term starts here. After `'s`, `its` and `my`
   * (`afterPossessive`), commands are not looked for.
   */
  #termAt(afterPossessive: true): A.PropertyExpr | A.ElementExpr | undefined;
  #termAt(afterPossessive: false): A.Expr | undefined;
  #termAt(afterPossessive: boolean): A.Expr | undefined {
    const t = this.peek();
    const start = t.start;
    if (t.kind === "raw") {
      const e = this.#raw();
      return afterPossessive && e.type !== "property" && e.type !== "element" ? undefined : e;
    }
    if (t.kind !== "word") return undefined;
    if (t.barred) {
      if (!afterPossessive) return undefined;
      this.next();
      return { type: "property", term: { name: t.value, code: "" }, start, end: t.end };
    }
    if (this.atStop()) return undefined;
    const words = this.words();
    // After `'s` only what an object has; otherwise every kind, in the terminology's own order.
    const kinds: ScopedMatch["kind"][] | undefined = afterPossessive
      ? ["class", "plural", "property"]
      : undefined;
    const m = this.scope.match(words, 0, kinds);
    if (!m) {
      if (afterPossessive && !KEYWORDS.has(t.value)) {
        this.next();
        return { type: "property", term: { name: t.value, code: "" }, start, end: t.end };
      }
      return undefined;
    }
    if ((m.kind === "command" || m.kind === "event") && !this.isOp("'s", m.words)) {
      // A command, unless it is also a property used as one (`name of …`).
      this.pos += m.words;
      return this.#commandRest(m, start);
    }
    if (m.kind === "class" || m.kind === "plural") {
      // Class or property of one name: what follows decides.
      const prop = this.scope.match(words, 0, ["property"]);
      const after = m.words;
      const keyFollows = this.#isKeyStart(after) || this.isWord("id", after) ||
        this.isWord("named", after);
      const ofFollows = this.isWord("of", after) || this.isWord("in", after) ||
        this.isOp("'s", after);
      if (prop && prop.words >= m.words && !keyFollows && (ofFollows || m.kind === "class")) {
        this.pos += prop.words;
        return { type: "property", term: this.termOf(prop), start, end: this.endOf() };
      }
      this.pos += m.words;
      const cls = this.termOf(m);
      if (m.kind === "plural") {
        const key = this.#key();
        if (key && (this.isWord("thru") || this.isWord("through"))) {
          return this.#elementWithKey(cls, key, start);
        }
        if (key) {
          this.fail(this.peek(-1), `Expected “thru” after the index of plural “${t.value}”.`);
        }
        return this.#elementRest(cls, "every", start);
      }
      if (this.acceptWord("id")) {
        const key = this.#keyExpr();
        return { type: "element", cls, form: "id", key, start, end: key.end };
      }
      if (this.acceptWord("named")) {
        const key = this.#keyExpr();
        return { type: "element", cls, form: "name", key, start, end: key.end };
      }
      if ((this.isWord("before") || this.isWord("after")) && !this.atStop()) {
        const position = this.next().value as "before" | "after";
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
        return { type: "element", cls, form: "every", start, end: this.endOf() };
      }
      return { type: "class", term: cls, start, end: this.endOf() } as unknown as A.ElementExpr;
    }
    this.pos += m.words;
    const term = this.termOf(m);
    switch (m.kind) {
      case "property":
        return { type: "property", term, start, end: this.endOf() };
      case "enumerator":
        if (afterPossessive) return undefined;
        return { type: "constant", term, start, end: this.endOf() };
      default:
        if (afterPossessive) return undefined;
        return { type: "class", term, start, end: this.endOf() };
    }
  }

  /** A command's direct parameter and labelled parameters, after its name. */
  #commandRest(m: ScopedMatch, start: number): A.CommandExpr {
    const term = this.termOf(m);
    const labels = this.scope.labels(m);
    const stops = [...labels, ["with"], ["without"], ["given"]];
    const params: A.CommandParam[] = [];
    let direct: A.Expr | undefined;
    const atEnd = () => {
      const t = this.peek();
      return t.kind === "eol" || t.kind === "eof" ||
        (t.kind === "op" && (t.value === ")" || t.value === "}" || t.value === ",")) ||
        (t.kind === "word" && ["else", "then", "and", "or"].includes(t.value) && !t.barred);
    };
    return this.withStops(stops, () => {
      if (this.isWord("of") && !labels.some((l) => l[0] === "of")) this.next();
      if (!atEnd() && !this.atStop()) {
        direct = this.#commandParameter();
      }
      for (;;) {
        if (atEnd()) break;
        const label = labels
          .filter((l) => this.isWords(l))
          .sort((a, b) => b.length - a.length)[0];
        if (label) {
          const labelTok = this.peek();
          this.pos += label.length;
          const name = label.join(" ");
          const code = this.scope.parameterCode(m, name) ?? "";
          const value = name === "new" ? this.typeExpr() : this.#commandParameter();
          void labelTok;
          params.push({ label: name, code, value });
          continue;
        }
        if (this.isWord("with") || this.isWord("without")) {
          const value = this.next().value === "with";
          do {
            const l = labels.filter((x) => this.isWords(x)).sort((a, b) => b.length - a.length)[0];
            if (!l) this.expected("a parameter name");
            this.pos += l.length;
            const name = l.join(" ");
            const code = this.scope.parameterCode(m, name) ?? "";
            const lit: A.Literal = {
              type: "literal",
              value,
              start: this.endOf(),
              end: this.endOf(),
            };
            params.push({ label: name, code, value: lit });
          } while (this.acceptOp(",") || this.acceptWord("and"));
          continue;
        }
        if (this.acceptWord("given")) {
          do {
            const l = labels.filter((x) => this.isWords(x)).sort((a, b) => b.length - a.length)[0];
            if (!l) this.expected("a parameter name");
            this.pos += l.length;
            this.expectOp(":");
            const name = l.join(" ");
            const code = this.scope.parameterCode(m, name) ?? "";
            params.push({ label: name, code, value: this.#commandParameter() });
          } while (this.acceptOp(","));
          continue;
        }
        break;
      }
      return { type: "command", term, direct, params, start, end: this.endOf() };
    });
  }

  /** A command's parameter: a reference with its unary operators (AppleScript binds them tighter than operators). */
  #commandParameter(): A.Expr {
    const e = this.unary();
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
