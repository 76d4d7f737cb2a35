/**
 * XInclude for scripting definitions: `xi:include` in the 2001 and 2003 namespaces, relative and
 * `file://` hrefs, `xpointer` (see `_xpointer.ts`), `parse="text"`, and `xi:fallback`. The
 * standard suite's macOS path, `/System/Library/ScriptingDefinitions/CocoaStandard.sdef`, maps to
 * the standard suite ipckit ships in `sdef/`. An include that cannot be read is a warning and is
 * left out; an include cycle is an {@linkcode SdefSyntaxError}.
 *
 * @module
 */

import { dirname, isAbsolute, resolve } from "node:path";
import { fromFileUrl } from "./_paths.ts";
import { parseXml, type XmlElement, type XmlNode } from "./_xml.ts";
import { evaluateXPointer, XPointerError } from "./_xpointer.ts";
import { SdefSyntaxError, type SdefWarning } from "./errors.ts";

/** The XInclude namespaces: the 2001 draft real sdef files still use, and the 2003 one. */
export const XINCLUDE_NAMESPACES: readonly string[] = [
  "http://www.w3.org/2001/XInclude",
  "http://www.w3.org/2003/XInclude",
];

/** macOS paths of shared definitions, mapped to the files ipckit ships. */
export const STANDARD_INCLUDES: Readonly<Record<string, string>> = {
  "/System/Library/ScriptingDefinitions/CocoaStandard.sdef": fromFileUrl(
    new URL("../../sdef/CocoaStandard.sdef", import.meta.url),
  ),
};

/** Options of {@linkcode expandIncludes}. */
export interface IncludeOptions {
  /**
   * Reads an included file as text.
   * @default {Deno.readTextFileSync, behind a promise}
   */
  readFile?: (path: string) => Promise<string>;
  /**
   * Absolute paths mapped to other paths, checked before the file system (macOS's standard
   * suite path → ipckit's copy). Entries here are added to {@linkcode STANDARD_INCLUDES}.
   * @default {STANDARD_INCLUDES}
   */
  includeMap?: Readonly<Record<string, string>>;
  /**
   * Where warnings go (an include that cannot be read).
   * @default {ignored}
   */
  onWarning?: (warning: SdefWarning) => void;
}

/** Resolves an href against the including file's path to an absolute file path. */
function resolveHref(href: string, baseFile: string): string {
  if (/^file:/i.test(href)) {
    // file://localhost/x and file:///x are both the local /x.
    return decodeURIComponent(href.replace(/^file:\/\/(localhost)?/i, ""));
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(href)) {
    throw new Error(`only file paths and file:// URLs can be included, not "${href}"`);
  }
  if (isAbsolute(href)) return href;
  const base = baseFile === "-" ? Deno.cwd() : dirname(baseFile);
  return resolve(base, decodeURIComponent(href));
}

/**
 * Replaces every `xi:include` in a tree, recursively, with what it points to. `file` is the
 * tree's own path (`"-"` for standard input: relative hrefs resolve from the working directory).
 * Returns a new tree; the input is not changed.
 *
 * @example Expanding a definition's includes
 * ```ts
 * import { expandIncludes } from "./xinclude.ts";
 * import { loadXmlParser, parseXml } from "./_xml.ts";
 * await loadXmlParser();
 * const root = parseXml(await Deno.readTextFile("Notes.sdef"), "Notes.sdef");
 * const expanded = await expandIncludes(root, "Notes.sdef");
 * ```
 */
export async function expandIncludes(
  root: XmlElement,
  file: string,
  options: IncludeOptions = {},
): Promise<XmlElement> {
  const state: State = {
    readFile: options.readFile ?? readTextFile,
    map: { ...STANDARD_INCLUDES, ...options.includeMap },
    warn: options.onWarning ?? (() => {}),
    cache: new Map(),
  };
  const absolute = file === "-" ? "-" : resolve(file);
  const out = await expandElement(root, root, [absolute], state);
  if (out.length !== 1 || typeof out[0] === "string") {
    throw new SdefSyntaxError(root.position, "an xi:include cannot replace the root element");
  }
  return out[0];
}

/**
 * Reads a file synchronously behind a promise: included definitions are small, and an
 * asynchronous read costs more than the read itself.
 */
function readTextFile(path: string): Promise<string> {
  try {
    return Promise.resolve(Deno.readTextFileSync(path));
  } catch (e) {
    return Promise.reject(e);
  }
}

interface State {
  readFile: (path: string) => Promise<string>;
  map: Record<string, string>;
  warn: (warning: SdefWarning) => void;
  cache: Map<string, XmlElement>;
}

async function expandElement(
  el: XmlElement,
  docRoot: XmlElement,
  chain: string[],
  state: State,
): Promise<XmlNode[]> {
  if (XINCLUDE_NAMESPACES.includes(el.ns)) {
    if (el.name === "include") return await include(el, docRoot, chain, state);
    if (el.name === "fallback") {
      throw new SdefSyntaxError(el.position, "xi:fallback is only allowed inside xi:include");
    }
  }
  // Most of a definition has no include in it: leave those subtrees alone, without awaiting.
  if (!hasInclude(el)) return [el];
  let changed = false;
  const children: XmlNode[] = [];
  for (const child of el.children) {
    if (typeof child === "string" || !hasInclude(child)) {
      children.push(child);
      continue;
    }
    const replaced = await expandElement(child, docRoot, chain, state);
    if (replaced.length !== 1 || replaced[0] !== child) changed = true;
    children.push(...replaced);
  }
  return [changed ? { ...el, children, includes: false } : el];
}

/** Whether an element is, or contains, an XInclude element (known from parsing). */
function hasInclude(el: XmlElement): boolean {
  return el.includes;
}

/**
 * Parsed included files, by path, with the text they were parsed from: a file read again with
 * the same text (the standard suite, which most definitions include) is not parsed again.
 */
const parsedFiles = new Map<string, { text: string; root: XmlElement }>();

async function include(
  el: XmlElement,
  docRoot: XmlElement,
  chain: string[],
  state: State,
): Promise<XmlNode[]> {
  const href = el.attrs["href"] ?? "";
  const pointer = el.attrs["xpointer"];
  const parse = el.attrs["parse"] ?? "xml";
  const current = chain[chain.length - 1];
  if (parse !== "xml" && parse !== "text") {
    throw new SdefSyntaxError(el.position, `xi:include has parse="${parse}"; use "xml" or "text"`);
  }
  if (href === "" && pointer === undefined) {
    throw new SdefSyntaxError(el.position, "xi:include needs an href or an xpointer attribute");
  }
  if (parse === "text" && pointer !== undefined) {
    throw new SdefSyntaxError(el.position, 'xi:include with parse="text" cannot have an xpointer');
  }

  let target: string;
  let text: string | undefined;
  let doc: XmlElement;
  let targetChain = chain;
  if (href === "") {
    target = current;
    doc = docRoot;
  } else {
    try {
      const path = resolveHref(href, current);
      target = state.map[path] ?? path;
    } catch (e) {
      return fallback(el, docRoot, chain, state, (e as Error).message);
    }
    if (parse === "xml" && chain.includes(target)) {
      const names = [...chain.slice(chain.indexOf(target)), target].join(" → ");
      throw new SdefSyntaxError(el.position, `include cycle: ${names}`);
    }
    try {
      text = await state.readFile(target);
    } catch (e) {
      const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
      return fallback(el, docRoot, chain, state, `cannot read ${target}: ${why}`);
    }
    if (parse === "text") return [text];
    let parsed = state.cache.get(target);
    if (!parsed) {
      const known = parsedFiles.get(target);
      parsed = known?.text === text ? known.root : parseXml(text, target);
      if (parsedFiles.size >= 64 && !parsedFiles.has(target)) parsedFiles.clear();
      parsedFiles.set(target, { text, root: parsed });
      state.cache.set(target, parsed);
    }
    targetChain = [...chain, target];
    doc = parsed;
  }
  let selected: XmlNode[];
  if (pointer === undefined) selected = [doc];
  else {
    try {
      selected = evaluateXPointer(doc, pointer);
    } catch (e) {
      if (e instanceof XPointerError) {
        throw new SdefSyntaxError(el.position, `bad xpointer: ${e.message}`);
      }
      throw e;
    }
    if (selected.length === 0) {
      return fallback(el, docRoot, chain, state, `"${pointer}" selects nothing in ${target}`);
    }
  }
  const out: XmlNode[] = [];
  for (const node of selected) {
    if (typeof node === "string") out.push(node);
    else out.push(...await expandElement(node, doc, targetChain, state));
  }
  return out;
}

async function fallback(
  el: XmlElement,
  docRoot: XmlElement,
  chain: string[],
  state: State,
  why: string,
): Promise<XmlNode[]> {
  const fb = el.children.find((c): c is XmlElement =>
    typeof c !== "string" && c.name === "fallback" && XINCLUDE_NAMESPACES.includes(c.ns)
  );
  if (fb) {
    const out: XmlNode[] = [];
    for (const c of fb.children) {
      if (typeof c === "string") out.push(c);
      else out.push(...await expandElement(c, docRoot, chain, state));
    }
    return out;
  }
  state.warn({
    position: el.position,
    message: `include of "${el.attrs["href"] ?? ""}" skipped: ${why}`,
  });
  return [];
}
