/**
 * XInclude for scripting definitions: `xi:include` in the 2001 and 2003 namespaces, relative and
 * `file://` hrefs, `xpointer` (see `_xpointer.ts`), `parse="text"`, and `xi:fallback`. The
 * standard suite's macOS path, `/System/Library/ScriptingDefinitions/CocoaStandard.sdef`, maps to
 * the standard suite ipckit ships in `sdef/`. An include that cannot be read is a warning and is
 * left out; an include cycle is an {@linkcode SdefSyntaxError}.
 *
 * @module
 */

import { dirname, isAbsolute, relative, resolve } from "node:path";
import { fromFileUrl } from "./_paths.ts";
import { parseXml, type XmlElement, type XmlNode } from "./xml.ts";
import { decodeXml } from "./_encoding.ts";
import { evaluateXPointer, XPointerError } from "./_xpointer.ts";
import { formatPosition, SdefSyntaxError, type SdefWarning } from "./errors.ts";

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
   * Reads an included file, as text or as bytes (then decoded by their byte order mark or XML
   * declaration, as the definition itself is).
   * @default {readDefinitionFile}
   */
  readFile?: (path: string) => Promise<string | Uint8Array>;
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
  /**
   * How deeply includes may nest (an include in what an include brought in is depth 2).
   * @default {DEFAULT_MAX_INCLUDE_DEPTH}
   */
  maxIncludeDepth?: number;
  /**
   * How many nodes (elements and runs of text; included text counts one per KiB) includes may
   * add in all, so that includes of includes cannot multiply a small file into gigabytes.
   * @default {DEFAULT_MAX_INCLUDED_NODES}
   */
  maxIncludedNodes?: number;
}

/** How deeply includes may nest by default; real definitions nest two deep at most. */
export const DEFAULT_MAX_INCLUDE_DEPTH = 16;

/**
 * How many nodes includes may add by default: the standard suite, which most definitions
 * include, is about 700.
 */
export const DEFAULT_MAX_INCLUDED_NODES = 1_000_000;

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
 * import { loadXmlParser, parseXml } from "./xml.ts";
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
  const absolute = file === "-" ? "-" : resolve(file);
  const state: State = {
    readFile: options.readFile ?? readDefinitionFile,
    map: { ...STANDARD_INCLUDES, ...options.includeMap },
    warn: options.onWarning ?? (() => {}),
    cache: new Map(),
    textRoot: file === "-" ? Deno.cwd() : dirname(absolute),
    active: new Set(),
    maxDepth: options.maxIncludeDepth ?? DEFAULT_MAX_INCLUDE_DEPTH,
    maxNodes: options.maxIncludedNodes ?? DEFAULT_MAX_INCLUDED_NODES,
    nodes: 0,
    sizes: new WeakMap(),
  };
  const out = await expandElement(root, root, [absolute], state);
  if (out.length !== 1 || typeof out[0] === "string") {
    throw new SdefSyntaxError(root.position, "an xi:include cannot replace the root element");
  }
  return out[0];
}

/** The largest definition file read (Apple's largest are under 1 MiB). */
export const MAX_DEFINITION_BYTES = 16 * 1024 * 1024;

/**
 * Reads a definition file synchronously behind a promise (definitions are small, and an
 * asynchronous read costs more than the read itself): a regular file of at most
 * {@linkcode MAX_DEFINITION_BYTES}, so that a device (`/dev/zero`) or a huge file named by an
 * include is an error, not all the memory there is.
 */
export function readDefinitionFile(path: string): Promise<Uint8Array> {
  try {
    using file = Deno.openSync(path);
    const info = file.statSync();
    if (!info.isFile) throw new Error("it is not a regular file");
    if (info.size > MAX_DEFINITION_BYTES) {
      throw new Error(`it holds over ${MAX_DEFINITION_BYTES / 1024 / 1024} MiB`);
    }
    const bytes = new Uint8Array(info.size);
    let got = 0;
    while (got < bytes.length) {
      const n = file.readSync(bytes.subarray(got));
      if (n === null) break;
      got += n;
    }
    return Promise.resolve(got === bytes.length ? bytes : bytes.subarray(0, got));
  } catch (e) {
    return Promise.reject(e);
  }
}

interface State {
  readFile: (path: string) => Promise<string | Uint8Array>;
  map: Record<string, string>;
  warn: (warning: SdefWarning) => void;
  cache: Map<string, XmlElement>;
  /** The folder `parse="text"` may read from: the definition's own, or the working directory. */
  textRoot: string;
  /** The `xi:include` elements being expanded, outermost first: meeting one again is a cycle. */
  active: Set<XmlElement>;
  maxDepth: number;
  maxNodes: number;
  /** Nodes added by includes so far. */
  nodes: number;
  /** Node counts of subtrees already counted. */
  sizes: WeakMap<XmlElement, number>;
}

/** The nodes of a subtree: its elements and runs of text. */
function countNodes(el: XmlElement, sizes: WeakMap<XmlElement, number>): number {
  let n = sizes.get(el);
  if (n !== undefined) return n;
  n = 1;
  for (const child of el.children) n += typeof child === "string" ? 1 : countNodes(child, sizes);
  sizes.set(el, n);
  return n;
}

/** Adds what an include brings in to the total, and fails at the include past the limit. */
function addNodes(el: XmlElement, state: State, nodes: number): void {
  state.nodes += nodes;
  if (state.nodes > state.maxNodes) {
    throw new SdefSyntaxError(
      el.position,
      `xi:include expands the definition past ${state.maxNodes} nodes (includes of includes ` +
        `multiply it): a definition should include a file once, not over and over`,
    );
  }
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
  if (parse !== "xml" && parse !== "text") {
    throw new SdefSyntaxError(el.position, `xi:include has parse="${parse}"; use "xml" or "text"`);
  }
  if (href === "" && pointer === undefined) {
    throw new SdefSyntaxError(el.position, "xi:include needs an href or an xpointer attribute");
  }
  if (parse === "text" && pointer !== undefined) {
    throw new SdefSyntaxError(el.position, 'xi:include with parse="text" cannot have an xpointer');
  }
  if (state.active.has(el)) {
    const loop = [...state.active].slice([...state.active].indexOf(el)).map((e) =>
      formatPosition(e.position)
    );
    throw new SdefSyntaxError(
      el.position,
      `include cycle: this xi:include selects what contains it (${
        [...loop, formatPosition(el.position)].join(" → ")
      })`,
    );
  }
  if (state.active.size >= state.maxDepth) {
    throw new SdefSyntaxError(
      el.position,
      `xi:include nested more than ${state.maxDepth} deep (includes within what includes ` +
        `brought in): include the files you need from the definition itself`,
    );
  }
  state.active.add(el);
  try {
    return await includeNodes(el, docRoot, chain, state, { href, pointer, parse });
  } finally {
    state.active.delete(el);
  }
}

async function includeNodes(
  el: XmlElement,
  docRoot: XmlElement,
  chain: string[],
  state: State,
  { href, pointer, parse }: { href: string; pointer: string | undefined; parse: string },
): Promise<XmlNode[]> {
  const current = chain[chain.length - 1];

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
    if (parse === "text") checkTextInclude(el, target, state.textRoot);
    let read: string | Uint8Array;
    try {
      read = await state.readFile(target);
    } catch (e) {
      const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
      return fallback(el, docRoot, chain, state, `cannot read ${target}: ${why}`);
    }
    text = typeof read === "string" ? read : decodeXml(read, target);
    if (parse === "text") {
      addNodes(el, state, 1 + Math.floor(text.length / 1024));
      return [text];
    }
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
  let added = 0;
  for (const node of selected) {
    added += typeof node === "string" ? 1 : countNodes(node, state.sizes);
  }
  addNodes(el, state, added);
  const out: XmlNode[] = [];
  for (const node of selected) {
    if (typeof node === "string") out.push(node);
    else out.push(...await expandElement(node, doc, targetChain, state));
  }
  return out;
}

/**
 * `parse="text"` puts a file's text into the definition's documentation: only a file in the
 * definition's folder or below may be read so, not any file a definition names (links
 * resolved, so a link out of the folder does not count as inside it).
 */
function checkTextInclude(el: XmlElement, target: string, root: string): void {
  const inside = (path: string, folder: string) => {
    const rel = relative(folder, path);
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel);
  };
  let ok = inside(target, root);
  if (ok) {
    try {
      ok = inside(Deno.realPathSync(target), Deno.realPathSync(root));
    } catch (e) {
      // A file that is not there is reported when it is read.
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  if (!ok) {
    throw new SdefSyntaxError(
      el.position,
      `xi:include parse="text" of ${target}: text is included only from the definition's ` +
        `folder (${root}) or below; copy the file there`,
    );
  }
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
