/**
 * The naming rules of generated bridges: type names are the basename plus the term in
 * PascalCase (`OrchardTree`, `XcodeSaveOptions`), members are camelCase (`currentTab`), and
 * anything that is not a valid TypeScript identifier is made into one.
 *
 * @module
 */

/** Splits a term into words: letters and digits, anything else separates. */
function words(term: string): string[] {
  return term.split(/[^\p{L}\p{N}]+/u).filter((w) => w.length > 0);
}

/** Turns a leading digit (or nothing at all) into a valid identifier start. */
function identifierStart(name: string, fallback: string): string {
  if (name.length === 0) return fallback;
  return /^[\p{L}_$]/u.test(name) ? name : `_${name}`;
}

/**
 * A term in PascalCase: `save options` → `SaveOptions`, `RGB color` → `RGBColor`.
 *
 * @example
 * ```ts
 * import { pascalCase } from "./naming.ts";
 * pascalCase("scheme action result"); // "SchemeActionResult"
 * ```
 */
export function pascalCase(term: string): string {
  let name = pascalMemo.get(term);
  if (name === undefined) {
    name = identifierStart(words(term).map((w) => w[0].toUpperCase() + w.slice(1)).join(""), "_");
    if (pascalMemo.size > 50_000) pascalMemo.clear();
    pascalMemo.set(term, name);
  }
  return name;
}

// Terms repeat across classes and definitions; names are pure functions of them.
const pascalMemo = new Map<string, string>();
const camelMemo = new Map<string, string>();

/**
 * A term in camelCase: `current tab` → `currentTab`, `URL` → `url`, `ID` → `id`.
 *
 * @example
 * ```ts
 * import { camelCase } from "./naming.ts";
 * camelCase("saving in"); // "savingIn"
 * ```
 */
export function camelCase(term: string): string {
  let name = camelMemo.get(term);
  if (name !== undefined) return name;
  const parts = words(term);
  if (parts.length === 0) name = "_";
  else {
    const [first, ...rest] = parts;
    const head = first.length > 1 && first === first.toUpperCase()
      ? first.toLowerCase()
      : first[0].toLowerCase() + first.slice(1);
    name = identifierStart(head + rest.map((w) => w[0].toUpperCase() + w.slice(1)).join(""), "_");
  }
  if (camelMemo.size > 50_000) camelMemo.clear();
  camelMemo.set(term, name);
  return name;
}

const RESERVED = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends " +
    "false finally for function if import in instanceof new null return super switch this throw " +
    "true try typeof var void while with as implements interface let package private protected " +
    "public static yield any boolean number string symbol never unknown object undefined type " +
    "await async of declare readonly keyof infer is module namespace require global"
  ).split(" "),
);

/** Whether a name cannot stand alone as a TypeScript identifier (a variable or parameter). */
export function isReserved(name: string): boolean {
  return RESERVED.has(name);
}

/** A name as an object-type key: bare when it is an identifier, else quoted. */
export function propertyKey(name: string): string {
  let key = keyMemo.get(name);
  if (key === undefined) {
    key = /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(name) ? name : JSON.stringify(name);
    if (keyMemo.size > 50_000) keyMemo.clear();
    keyMemo.set(name, key);
  }
  return key;
}

const keyMemo = new Map<string, string>();

/**
 * Hands out unique names: the first asker gets the name; later ones get the name with a suffix
 * (`XcodeTextEnum`, then `XcodeTextEnum2`…).
 */
export class NameTable {
  #taken: Set<string>;
  /** The next number to try after `name + suffix`, so that many equal names stay cheap. */
  #next = new Map<string, number>();

  /**
   * Makes a table in which some names are taken from the start.
   *
   * @param reserved names nobody may get.
   */
  constructor(reserved: Iterable<string> = []) {
    this.#taken = new Set(reserved);
  }

  /** Whether a name is taken. */
  has(name: string): boolean {
    return this.#taken.has(name);
  }

  /** Claims `name`, or `name + suffix`, or `name + suffix + n`. */
  claim(name: string, suffix: string): string {
    let candidate = name;
    if (this.#taken.has(candidate)) candidate = name + suffix;
    if (this.#taken.has(candidate)) {
      const stem = name + suffix;
      let n = this.#next.get(stem) ?? 2;
      while (this.#taken.has(`${stem}${n}`)) n++;
      candidate = `${stem}${n}`;
      this.#next.set(stem, n + 1);
    }
    this.#taken.add(candidate);
    return candidate;
  }
}

/** A description as a doc comment, indented; nothing when there is no text. */
export function docComment(text: string | undefined, indent: string): string {
  if (text === undefined) return "";
  let byText = docMemo.get(indent);
  if (!byText) docMemo.set(indent, byText = new Map());
  let comment = byText.get(text);
  if (comment === undefined) {
    comment = makeDocComment(text, indent);
    if (byText.size > 20_000) byText.clear();
    byText.set(text, comment);
  }
  return comment;
}

const docMemo = new Map<string, Map<string, string>>();

function makeDocComment(text: string, indent: string): string {
  const clean = text.replace(/\*\//g, "*\\/").replace(/\r\n?/g, "\n").trim();
  if (clean === "") return "";
  const lines = clean.split("\n").map((l) => l.trim());
  if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
  return `${indent}/**\n${
    lines.map((l) => `${indent} *${l ? " " + l : ""}`).join("\n")
  }\n${indent} */\n`;
}
