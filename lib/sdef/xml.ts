/**
 * A small element tree built with saxes: elements with their namespace, attributes, children and
 * the position of their start tag. Enough for sdef and XInclude; nothing of the DTD is fetched.
 *
 * @module
 */

import { loadSaxes } from "../deps.ts";
import { SdefSyntaxError, type SourcePosition } from "./errors.ts";

/** An element of the tree. */
export interface XmlElement {
  /** The local name (`include` for `xi:include`). */
  readonly name: string;
  /** The namespace URI, or `""`. */
  readonly ns: string;
  /** Attributes by their qualified name (`xpointer`, `xml:base`). */
  readonly attrs: Record<string, string>;
  /** Child elements and text, in document order. */
  readonly children: XmlNode[];
  /** Where the start tag is. */
  readonly position: SourcePosition;
  /** Whether it is, or contains, an XInclude element. */
  readonly includes: boolean;
}

/** A node of the tree: an element or a run of text. */
export type XmlNode = XmlElement | string;

type SaxesModule = Awaited<ReturnType<typeof loadSaxes>>;
let SaxesParser: SaxesModule["SaxesParser"] | undefined;

/** Loads saxes once; later parses are synchronous. */
export async function loadXmlParser(): Promise<void> {
  if (SaxesParser) return;
  // saxes is CommonJS: Deno gives its exports by name, but in the installed bundle
  // (scripts/build.ts) the chunk's only export is `default`, the module's `exports`.
  const module: SaxesModule & { default?: Partial<SaxesModule> } = await loadSaxes();
  SaxesParser = module.SaxesParser ?? module.default?.SaxesParser;
  if (typeof SaxesParser !== "function") {
    SaxesParser = undefined;
    throw new Error("npm:saxes was loaded but has no SaxesParser: the bundle is broken");
  }
}

/** XML's own namespace, bound to the `xml` prefix without a declaration. */
const XML_NS = "http://www.w3.org/XML/1998/namespace";
const XINCLUDE_2001 = "http://www.w3.org/2001/XInclude";
const XINCLUDE_2003 = "http://www.w3.org/2003/XInclude";

interface OpenElement {
  name: string;
  ns: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  position: SourcePosition;
  includes: boolean;
}

/**
 * Parses XML text into a tree. {@linkcode loadXmlParser} must have finished first.
 * Throws {@linkcode SdefSyntaxError} with the position of the first error.
 *
 * Namespaces are resolved here rather than by saxes (whose namespace mode costs a third of the
 * parse time); an element whose prefix is not declared is an error all the same.
 */
export function parseXml(text: string, file: string): XmlElement {
  if (!SaxesParser) throw new Error("parseXml() called before loadXmlParser()");
  const parser = new SaxesParser({ position: true });
  const stack: OpenElement[] = [];
  // Prefix → namespace in scope, per open element (shared unless an element declares some).
  const scopes: Map<string, string>[] = [];
  const rootScope = new Map([["xml", XML_NS], ["", ""]]);
  let root: XmlElement | undefined;
  let failure: SdefSyntaxError | undefined;
  let lastClosed: OpenElement | undefined;
  let startLine = 1;
  let startColumn = 1;
  const fail = (line: number, column: number, reason: string) => {
    failure ??= new SdefSyntaxError({ file, line, column }, reason);
  };
  parser.on("error", (err: Error) => {
    let reason = err.message.replace(/^\d+:\d+: /, "").replace(/\.$/, "");
    // Where the element left open started: the parser notices only where it ends up.
    // (A close tag that does not match: the parser has just closed the element it skips.)
    const mismatch = /unexpected close tag/.test(reason);
    const open = mismatch ? lastClosed : stack[stack.length - 1];
    if (open && /close tag|unclosed/.test(reason)) {
      const closing = mismatch
        ? /<\/([^\s>]*)\s*>?$/.exec(
          text.slice(Math.max(0, parser.position - 200), parser.position),
        )?.[1]
        : undefined;
      reason = closing === undefined
        ? `<${open.name}>, opened at ${open.position.line}:${open.position.column}, is never closed`
        : `</${closing}> closes <${open.name}>, opened at ${open.position.line}:` +
          `${open.position.column} and still open`;
    }
    fail(parser.line, parser.column + 1, `not well-formed XML: ${reason}`);
  });
  parser.on("opentagstart", (tag) => {
    startLine = parser.line;
    startColumn = Math.max(1, parser.column - tag.name.length - 1);
  });
  parser.on("opentag", (tag) => {
    const parent = stack[stack.length - 1];
    const inherited = scopes[scopes.length - 1] ?? rootScope;
    let scope = inherited;
    const attrs: Record<string, string> = {};
    const raw = tag.attributes as Record<string, string>;
    for (const qname in raw) {
      if (qname.charCodeAt(0) === 120 /* x */ && qname.startsWith("xmlns")) {
        if (qname === "xmlns" || qname.charCodeAt(5) === 58 /* : */) {
          if (scope === inherited) scope = new Map(scope);
          scope.set(qname === "xmlns" ? "" : qname.slice(6), raw[qname]);
          continue;
        }
      }
      attrs[qname] = raw[qname];
    }
    const colon = tag.name.indexOf(":");
    const prefix = colon < 0 ? "" : tag.name.slice(0, colon);
    const ns = scope.get(prefix);
    if (ns === undefined) {
      fail(
        startLine,
        startColumn,
        `the prefix "${prefix}" of <${tag.name}> is not declared (add xmlns:${prefix}="…")`,
      );
    }
    const element: OpenElement = {
      name: colon < 0 ? tag.name : tag.name.slice(colon + 1),
      ns: ns ?? "",
      attrs,
      children: [],
      position: { file, line: startLine, column: startColumn },
      includes: ns === XINCLUDE_2001 || ns === XINCLUDE_2003,
    };
    if (parent) parent.children.push(element);
    stack.push(element);
    scopes.push(scope);
  });
  parser.on("closetag", () => {
    const element = stack.pop()!;
    lastClosed = element;
    scopes.pop();
    const parent = stack[stack.length - 1];
    if (parent) {
      if (element.includes) parent.includes = true;
    } else root ??= element;
  });
  parser.on("text", (t: string) => {
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(t);
  });
  parser.on("cdata", (t: string) => {
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(t);
  });
  try {
    parser.write(text).close();
  } catch (e) {
    // saxes throws only when no error handler is set; kept for safety with a clear message.
    fail(parser.line, parser.column + 1, `not well-formed XML: ${(e as Error).message}`);
  }
  if (failure) throw failure;
  if (!root) {
    throw new SdefSyntaxError({ file, line: 1, column: 1 }, "no root element: the file is empty");
  }
  return root;
}

/** The text content of an element and its descendants. */
export function textOf(element: XmlElement): string {
  let out = "";
  for (const child of element.children) out += typeof child === "string" ? child : textOf(child);
  return out;
}
