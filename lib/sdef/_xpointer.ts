/**
 * The XPointer forms real sdef files use in `xi:include`: `xpointer(/dictionary/suite)`, node
 * filters such as `xpointer(/dictionary/suite/node()[not(self::command and @name = 'save')])`,
 * `element(/1/2)` child sequences and `element(id)` / bare-name pointers to an `id`. The
 * `xpointer()` scheme takes absolute location paths of child steps (a name, `*`, `node()`,
 * `text()`), each with predicates built from `not()`, `and`, `or`, parentheses, `self::name`,
 * `@attr`, `=`/`!=` against a string, a number (position), `position()` and `last()`.
 *
 * @module
 */

import type { XmlElement, XmlNode } from "./xml.ts";

/** A pointer that cannot be read; the message says what, the caller adds the position. */
export class XPointerError extends Error {}

type Expr =
  | { kind: "or" | "and"; left: Expr; right: Expr }
  | { kind: "not"; operand: Expr }
  | { kind: "eq" | "ne"; left: Expr; right: Expr }
  | { kind: "self"; name: string }
  | { kind: "attr"; name: string }
  | { kind: "string"; value: string }
  | { kind: "number"; value: number }
  | { kind: "position" | "last" }
  | { kind: "child"; name: string };

interface Step {
  test: { kind: "name"; name: string } | { kind: "any" } | { kind: "node" } | { kind: "text" };
  predicates: Expr[];
}

/** Splits `scheme(body) scheme(body)…` respecting nested parentheses and quotes. */
function splitParts(pointer: string): { scheme: string; body: string }[] {
  const parts: { scheme: string; body: string }[] = [];
  let i = 0;
  while (i < pointer.length) {
    while (/\s/.test(pointer[i] ?? "")) i++;
    if (i >= pointer.length) break;
    const m = /^[A-Za-z_][\w.:-]*/.exec(pointer.slice(i));
    if (!m) throw new XPointerError(`unexpected "${pointer.slice(i)}"`);
    i += m[0].length;
    if (pointer[i] !== "(") {
      if (parts.length === 0 && i === pointer.length) return [{ scheme: "", body: m[0] }];
      throw new XPointerError(`expected "(" after "${m[0]}"`);
    }
    let depth = 0;
    let quote = "";
    const start = i + 1;
    for (; i < pointer.length; i++) {
      const c = pointer[i];
      if (quote) {
        if (c === quote) quote = "";
      } else if (c === "'" || c === '"') quote = c;
      else if (c === "^") i++;
      else if (c === "(") depth++;
      else if (c === ")" && --depth === 0) break;
    }
    if (depth !== 0) throw new XPointerError(`unbalanced parentheses in "${pointer}"`);
    parts.push({ scheme: m[0], body: pointer.slice(start, i).replace(/\^([()^])/g, "$1") });
    i++;
  }
  return parts;
}

const TOKEN =
  /\s*(?:(\/\/?)|(\[)|(\])|(\()|(\))|(!=|=)|(@)|(::)|('[^']*'|"[^"]*")|(\d+(?:\.\d+)?)|(\*)|([A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  let pos = 0;
  while (pos < text.length) {
    if (/^\s*$/.test(text.slice(pos))) break;
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) throw new XPointerError(`cannot read "${text.slice(pos)}" in "${text}"`);
    tokens.push(m[0].trim());
    pos = TOKEN.lastIndex;
  }
  return tokens;
}

class PathParser {
  #tokens: string[];
  #i = 0;
  #text: string;
  constructor(text: string) {
    this.#text = text;
    this.#tokens = tokenize(text);
  }
  #peek(offset = 0): string | undefined {
    return this.#tokens[this.#i + offset];
  }
  #next(): string {
    const t = this.#tokens[this.#i++];
    if (t === undefined) throw new XPointerError(`"${this.#text}" ends too early`);
    return t;
  }
  #expect(token: string): void {
    const t = this.#next();
    if (t !== token) {
      throw new XPointerError(`expected "${token}", found "${t}" in "${this.#text}"`);
    }
  }
  path(): Step[] {
    const steps: Step[] = [];
    if (this.#peek() !== "/") {
      throw new XPointerError(
        `only absolute paths (starting with "/") are supported: "${this.#text}"`,
      );
    }
    while (this.#peek() !== undefined) {
      const slash = this.#next();
      if (slash !== "/") throw new XPointerError(`unsupported "${slash}" in "${this.#text}"`);
      steps.push(this.#step());
    }
    return steps;
  }
  #step(): Step {
    let t = this.#next();
    if (this.#peek() === "::") {
      if (t !== "child") throw new XPointerError(`only the child axis is supported, not "${t}::"`);
      this.#next();
      t = this.#next();
    }
    let test: Step["test"];
    if (t === "*") test = { kind: "any" };
    else if ((t === "node" || t === "text") && this.#peek() === "(") {
      this.#expect("(");
      this.#expect(")");
      test = { kind: t };
    } else if (/^[A-Za-z_]/.test(t)) test = { kind: "name", name: t };
    else throw new XPointerError(`expected a step, found "${t}" in "${this.#text}"`);
    const predicates: Expr[] = [];
    while (this.#peek() === "[") {
      this.#next();
      predicates.push(this.#or());
      this.#expect("]");
    }
    return { test, predicates };
  }
  #or(): Expr {
    let left = this.#and();
    while (this.#peek() === "or") {
      this.#next();
      left = { kind: "or", left, right: this.#and() };
    }
    return left;
  }
  #and(): Expr {
    let left = this.#eq();
    while (this.#peek() === "and") {
      this.#next();
      left = { kind: "and", left, right: this.#eq() };
    }
    return left;
  }
  #eq(): Expr {
    const left = this.#primary();
    const op = this.#peek();
    if (op === "=" || op === "!=") {
      this.#next();
      return { kind: op === "=" ? "eq" : "ne", left, right: this.#primary() };
    }
    return left;
  }
  #primary(): Expr {
    const t = this.#next();
    if (t === "(") {
      const e = this.#or();
      this.#expect(")");
      return e;
    }
    if (t === "@") return { kind: "attr", name: this.#next() };
    if (t[0] === "'" || t[0] === '"') return { kind: "string", value: t.slice(1, -1) };
    if (/^\d/.test(t)) return { kind: "number", value: Number(t) };
    if (t === "self" && this.#peek() === "::") {
      this.#next();
      return { kind: "self", name: this.#next() };
    }
    if (t === "not" && this.#peek() === "(") {
      this.#next();
      const operand = this.#or();
      this.#expect(")");
      return { kind: "not", operand };
    }
    if ((t === "position" || t === "last") && this.#peek() === "(") {
      this.#next();
      this.#expect(")");
      return { kind: t };
    }
    if (/^[A-Za-z_]/.test(t) && this.#peek() !== "(") return { kind: "child", name: t };
    throw new XPointerError(`unsupported "${t}" in "${this.#text}"`);
  }
}

interface Context {
  node: XmlNode;
  position: number;
  size: number;
}

type Value = boolean | number | string | undefined;

function evaluate(e: Expr, ctx: Context): Value {
  const el = typeof ctx.node === "string" ? undefined : ctx.node;
  switch (e.kind) {
    case "or":
      return truthy(evaluate(e.left, ctx), ctx) || truthy(evaluate(e.right, ctx), ctx);
    case "and":
      return truthy(evaluate(e.left, ctx), ctx) && truthy(evaluate(e.right, ctx), ctx);
    case "not":
      return !truthy(evaluate(e.operand, ctx), ctx);
    case "eq":
    case "ne": {
      const l = evaluate(e.left, ctx);
      const r = evaluate(e.right, ctx);
      if (l === undefined || r === undefined) return false;
      const same = typeof l === "number" || typeof r === "number"
        ? Number(l) === Number(r)
        : String(l) === String(r);
      return e.kind === "eq" ? same : !same;
    }
    case "self":
      return el !== undefined && (e.name === "*" || el.name === e.name);
    case "attr":
      return el?.attrs[e.name];
    case "string":
      return e.value;
    case "number":
      return e.value;
    case "position":
      return ctx.position;
    case "last":
      return ctx.size;
    case "child":
      return el !== undefined &&
        el.children.some((c) => typeof c !== "string" && (e.name === "*" || c.name === e.name));
  }
}

function truthy(v: Value, ctx: Context): boolean {
  if (typeof v === "number") return v === ctx.position;
  if (typeof v === "string") return v.length > 0;
  return v === true;
}

function matches(test: Step["test"], node: XmlNode): boolean {
  switch (test.kind) {
    case "node":
      return true;
    case "text":
      return typeof node === "string";
    case "any":
      return typeof node !== "string";
    case "name":
      return typeof node !== "string" && node.name === test.name;
  }
}

function selectPath(root: XmlElement, steps: Step[]): XmlNode[] {
  // The document node's only child is the root element.
  let current: XmlNode[] = [];
  const [first, ...rest] = steps;
  if (matches(first.test, root)) current = filter([root], first.predicates);
  for (const step of rest) {
    const next: XmlNode[] = [];
    for (const node of current) {
      if (typeof node === "string") continue;
      next.push(...filter(node.children.filter((c) => matches(step.test, c)), step.predicates));
    }
    current = next;
  }
  return current;
}

function filter(nodes: XmlNode[], predicates: Expr[]): XmlNode[] {
  let out = nodes;
  for (const p of predicates) {
    const size = out.length;
    out = out.filter((node, i) =>
      truthy(evaluate(p, { node, position: i + 1, size }), {
        node,
        position: i + 1,
        size,
      })
    );
  }
  return out;
}

function findById(root: XmlElement, id: string): XmlElement | undefined {
  if (root.attrs["id"] === id || root.attrs["xml:id"] === id) return root;
  for (const c of root.children) {
    if (typeof c === "string") continue;
    const found = findById(c, id);
    if (found) return found;
  }
  return undefined;
}

function childSequence(root: XmlElement, body: string): XmlNode[] {
  const [head, ...indexes] = body.split("/");
  let el: XmlElement | undefined;
  if (head === "") {
    if (indexes[0] !== "1") return [];
    indexes.shift();
    el = root;
  } else el = findById(root, head);
  for (const ix of indexes) {
    if (!/^[1-9]\d*$/.test(ix)) throw new XPointerError(`bad child sequence "${body}"`);
    const children: XmlElement[] = el
      ? el.children.filter((c): c is XmlElement => typeof c !== "string")
      : [];
    el = children[Number(ix) - 1];
  }
  return el ? [el] : [];
}

/**
 * Evaluates an XPointer against a document's root element and returns the selected nodes, in
 * document order. Parts are tried in turn; the first that selects something wins.
 * Throws {@linkcode XPointerError} for a pointer it cannot read.
 */
export function evaluateXPointer(root: XmlElement, pointer: string): XmlNode[] {
  for (const { scheme, body } of splitParts(pointer)) {
    let found: XmlNode[];
    if (scheme === "") {
      const el = findById(root, body);
      found = el ? [el] : [];
    } else if (scheme === "xpointer" || scheme === "xpath1") {
      found = selectPath(root, new PathParser(body).path());
    } else if (scheme === "element") found = childSequence(root, body);
    else if (scheme === "xmlns") continue;
    else throw new XPointerError(`the XPointer scheme "${scheme}" is not supported`);
    if (found.length > 0) return found;
  }
  return [];
}
