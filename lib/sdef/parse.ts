/**
 * Reads sdef XML into the {@linkcode SdefDictionary} model: every element and attribute of the
 * format, codes checked (MacRoman, four or eight characters, or hex), the older type syntax
 * (`type="list of X"`, `type="A | B"`) read, and `xi:include`s expanded. Bad XML or a broken
 * definition raises {@linkcode SdefSyntaxError} with file, line and column.
 *
 * @module
 */

import { readCode } from "./four_char_code.ts";
import { loadXmlParser, parseXml, textOf, type XmlElement } from "./xml.ts";
import { expandIncludes, type IncludeOptions, readDefinitionFile } from "./xinclude.ts";
import { SdefSyntaxError, type SdefWarning } from "./errors.ts";
import { decodeXml } from "./_encoding.ts";
import type {
  SdefAccess,
  SdefAccessGroup,
  SdefClass,
  SdefCocoa,
  SdefCommand,
  SdefCommon,
  SdefDictionary,
  SdefDirectParameter,
  SdefElement,
  SdefEnumeration,
  SdefEnumerator,
  SdefParameter,
  SdefProperty,
  SdefRecordType,
  SdefRespondsTo,
  SdefResult,
  SdefSuite,
  SdefSynonym,
  SdefType,
  SdefValueType,
  SdefXref,
} from "./model.ts";

/** Options of {@linkcode parseSdef} and {@linkcode readSdef}. */
export interface ParseOptions extends IncludeOptions {
  /**
   * The file the text came from, for messages and for resolving relative includes; `"-"` for
   * standard input (relative includes resolve from the working directory).
   * @default {"-"}
   */
  file?: string;
}

/**
 * Parses sdef text into a dictionary, with its includes expanded.
 *
 * @param text the XML, as text or as the file's bytes (decoded by their byte order mark or XML
 *   declaration; bytes that do not decode are an {@linkcode SdefSyntaxError} at their position).
 * @param options where it came from, how to read includes, where warnings go.
 * @example Parsing a definition
 * ```ts
 * import { parseSdef } from "./parse.ts";
 * const dict = await parseSdef(await Deno.readTextFile("Notes.sdef"), {
 *   file: "Notes.sdef",
 *   onWarning: (w) => console.error(w.message),
 * });
 * console.log(dict.suites.map((s) => s.name));
 * ```
 */
export async function parseSdef(
  text: string | Uint8Array,
  options: ParseOptions = {},
): Promise<SdefDictionary> {
  const file = options.file ?? "-";
  await loadXmlParser();
  const root = parseXml(typeof text === "string" ? text : decodeXml(text, file), file);
  if (root.name !== "dictionary") {
    throw new SdefSyntaxError(
      root.position,
      `the root element is <${root.name}>; a scripting definition starts with <dictionary>`,
    );
  }
  const expanded = await expandIncludes(root, file, options);
  return new Reader(options.onWarning ?? (() => {})).dictionary(expanded);
}

/**
 * Reads and parses an sdef file.
 *
 * @param path the file's path.
 * @param options how to read includes, where warnings go.
 * @example Reading a file
 * ```ts
 * import { readSdef } from "./parse.ts";
 * const dict = await readSdef("Safari.sdef");
 * ```
 */
export async function readSdef(
  path: string,
  options: Omit<ParseOptions, "file"> = {},
): Promise<SdefDictionary> {
  const readFile = options.readFile ?? readDefinitionFile;
  return await parseSdef(await readFile(path), { ...options, file: path });
}

const BOOLEANS: Record<string, boolean> = {
  yes: true,
  no: false,
  true: true,
  false: false,
  "1": true,
  "0": false,
};

function elements(el: XmlElement): XmlElement[] {
  return el.children.filter((c): c is XmlElement => typeof c !== "string");
}

/** Parses `list of X` and `A | B` into alternatives. */
export function parseTypeAttribute(text: string): SdefType[] {
  return text.split("|").map((part) => {
    const t = part.trim();
    const list = /^list of\s+(.+)$/i.exec(t);
    return list
      ? { name: list[1].trim(), list: true, hidden: false }
      : { name: t, list: false, hidden: false };
  });
}

const KNOWN_ATTRIBUTES: Record<string, readonly string[]> = {
  dictionary: ["title"],
  suite: ["name", "code", "description", "hidden"],
  class: ["name", "id", "code", "description", "hidden", "plural", "inherits", "type"],
  "class-extension": ["id", "extends", "description", "hidden", "title"],
  property: ["name", "code", "type", "description", "hidden", "access", "in-properties"],
  contents: ["name", "code", "type", "description", "hidden", "access", "in-properties"],
  element: ["type", "description", "hidden", "access"],
  "responds-to": ["command", "name", "hidden"],
  command: ["name", "id", "code", "description", "hidden"],
  event: ["name", "id", "code", "description", "hidden"],
  "direct-parameter": ["type", "optional", "description", "hidden", "requires-access"],
  parameter: ["name", "code", "type", "optional", "description", "hidden", "requires-access"],
  // Some real files (DVD Player) mark a result optional; it means nothing for a result.
  result: ["type", "description", "optional"],
  enumeration: ["name", "id", "code", "description", "hidden", "inline"],
  enumerator: ["name", "code", "description", "hidden"],
  "record-type": ["name", "id", "code", "description", "hidden", "plural"],
  "value-type": ["name", "id", "code", "description", "hidden", "plural"],
  type: ["type", "list", "hidden"],
  "access-group": ["identifier", "access"],
  accessor: ["style"],
  synonym: ["name", "code", "hidden"],
  xref: ["target", "hidden"],
  documentation: [],
  cocoa: [],
};

const KNOWN_ATTRIBUTE_SETS: Map<string, Set<string>> = new Map(
  Object.entries(KNOWN_ATTRIBUTES).filter(([name]) => name !== "cocoa").map((
    [name, attrs],
  ) => [name, new Set(attrs)]),
);

/** The empty list every element without synonyms, xrefs… shares. */
const NONE: readonly never[] = Object.freeze([]);

/** Walks the expanded tree into the model. */
class Reader {
  #warn: (warning: SdefWarning) => void;
  #inline: SdefEnumeration[] = [];

  constructor(warn: (warning: SdefWarning) => void) {
    this.#warn = warn;
  }

  #fail(el: XmlElement, reason: string): never {
    throw new SdefSyntaxError(el.position, reason);
  }

  #required(el: XmlElement, attr: string): string {
    const value = el.attrs[attr];
    if (value === undefined || (value.trim() === "" && attr !== "code")) {
      this.#fail(el, `<${el.name}> needs a "${attr}" attribute`);
    }
    return value;
  }

  #code(el: XmlElement, length: 4 | 8, optional = false): string {
    const text = el.attrs["code"];
    if (text === undefined) {
      if (optional) return "";
      this.#fail(el, `<${el.name}${nameOf(el)}> needs a "code" attribute`);
    }
    const read = readCode(text, length);
    if ("error" in read) this.#fail(el, `<${el.name}${nameOf(el)}>: ${read.error}`);
    return read.code;
  }

  #bool(el: XmlElement, attr: string): boolean {
    const value = el.attrs[attr];
    if (value === undefined) return false;
    const b = BOOLEANS[value.trim().toLowerCase()];
    if (b === undefined) this.#fail(el, `${attr}="${value}" is not "yes" or "no"`);
    return b;
  }

  #access(el: XmlElement, attr = "access"): SdefAccess | undefined {
    const value = el.attrs[attr];
    if (value === undefined) return undefined;
    if (value !== "r" && value !== "w" && value !== "rw") {
      this.#fail(el, `${attr}="${value}" must be "r", "w" or "rw"`);
    }
    return value;
  }

  #checkAttributes(el: XmlElement): void {
    const known = KNOWN_ATTRIBUTE_SETS.get(el.name);
    if (!known) return;
    for (const attr in el.attrs) {
      if (!known.has(attr) && !attr.includes(":")) {
        this.#warn({
          position: el.position,
          message: `<${el.name}> has an unknown attribute "${attr}"; it is ignored`,
        });
      }
    }
  }

  #unexpected(el: XmlElement, parent: XmlElement): void {
    this.#warn({
      position: el.position,
      message: `<${el.name}> is not expected inside <${parent.name}>; it is ignored`,
    });
  }

  /** Reads the children every element may have; returns the rest. */
  #common(el: XmlElement, extraChildren: (child: XmlElement) => boolean): SdefCommon {
    this.#checkAttributes(el);
    let cocoa: SdefCocoa | undefined;
    // Most elements have none of these: share one empty array rather than make four each.
    let synonyms: SdefSynonym[] | undefined;
    let accessGroups: SdefAccessGroup[] | undefined;
    let documentation: string[] | undefined;
    let xrefs: SdefXref[] | undefined;
    for (const child of elements(el)) {
      switch (child.name) {
        case "cocoa":
          cocoa = { ...cocoa, ...child.attrs };
          break;
        case "synonym": {
          this.#checkAttributes(child);
          const name = child.attrs["name"];
          const code = child.attrs["code"] === undefined
            ? undefined
            : this.#code(child, codeLength(el));
          if (name === undefined && code === undefined) {
            this.#fail(child, "<synonym> needs a name or a code");
          }
          (synonyms ??= []).push({ name, code, hidden: this.#bool(child, "hidden") });
          break;
        }
        case "access-group":
          this.#checkAttributes(child);
          (accessGroups ??= []).push({
            identifier: this.#required(child, "identifier"),
            access: this.#access(child) ?? "rw",
          });
          break;
        case "documentation":
          (documentation ??= []).push(textOf(child).trim());
          break;
        case "xref":
          this.#checkAttributes(child);
          (xrefs ??= []).push({
            target: this.#required(child, "target"),
            hidden: this.#bool(child, "hidden"),
          });
          break;
        default:
          if (!extraChildren(child)) this.#unexpected(child, el);
      }
    }
    return {
      description: el.attrs["description"],
      hidden: this.#bool(el, "hidden"),
      cocoa,
      synonyms: synonyms ?? NONE,
      accessGroups: accessGroups ?? NONE,
      documentation: documentation ?? NONE,
      xrefs: xrefs ?? NONE,
      position: el.position,
    };
  }

  /** Reads a `type` attribute and `<type>` children (and inline enumerations) of an element. */
  #types(el: XmlElement, required: boolean): SdefType[] {
    const types: SdefType[] = [];
    const attr = el.attrs["type"];
    if (attr !== undefined) {
      if (attr.trim() === "") this.#fail(el, `<${el.name}${nameOf(el)}> has an empty "type"`);
      types.push(...parseTypeAttribute(attr));
    }
    for (const child of elements(el)) {
      if (child.name === "type") {
        this.#checkAttributes(child);
        const nested = elements(child).filter((c) => c.name === "type");
        const name = child.attrs["type"];
        if (name === undefined || name.trim() === "") {
          if (nested.length === 0) this.#fail(child, `<type> needs a "type" attribute`);
        }
        const list = this.#bool(child, "list");
        const hidden = this.#bool(child, "hidden");
        if (name !== undefined && name.trim() !== "") {
          for (const t of parseTypeAttribute(name)) {
            types.push({ ...t, list: list || t.list, hidden });
          }
        } else {
          // <type list="yes"><type type="X"/></type>: a list of the nested types.
          for (const n of nested) {
            for (const t of parseTypeAttribute(this.#required(n, "type"))) {
              types.push({ ...t, list: true, hidden });
            }
          }
        }
      } else if (child.name === "enumeration") {
        const enumeration = this.#enumeration(child);
        this.#inline.push(enumeration);
        types.push({ name: enumeration.name, list: false, hidden: enumeration.hidden });
      }
    }
    if (required && types.length === 0) {
      this.#fail(
        el,
        `<${el.name}${nameOf(el)}> needs a type: a "type" attribute or <type> elements`,
      );
    }
    return types;
  }

  dictionary(el: XmlElement): SdefDictionary {
    this.#checkAttributes(el);
    const suites: SdefSuite[] = [];
    for (const child of elements(el)) {
      if (child.name === "suite") suites.push(this.#suite(child));
      else if (child.name !== "documentation") this.#unexpected(child, el);
    }
    return { title: el.attrs["title"], suites, position: el.position };
  }

  #suite(el: XmlElement): SdefSuite {
    const classes: SdefClass[] = [];
    const commands: SdefCommand[] = [];
    const enumerations: SdefEnumeration[] = [];
    const recordTypes: SdefRecordType[] = [];
    const valueTypes: SdefValueType[] = [];
    const name = this.#required(el, "name");
    const code = this.#code(el, 4);
    const common = this.#common(el, (child) => {
      switch (child.name) {
        case "class":
        case "class-extension":
          classes.push(this.#class(child));
          break;
        case "command":
        case "event":
          commands.push(this.#command(child));
          break;
        case "enumeration":
          enumerations.push(this.#enumeration(child));
          break;
        case "record-type":
          recordTypes.push(this.#recordType(child));
          break;
        case "value-type":
          valueTypes.push(this.#valueType(child));
          break;
        default:
          return false;
      }
      enumerations.push(...this.#inline.splice(0));
      return true;
    });
    return { ...common, name, code, classes, commands, enumerations, recordTypes, valueTypes };
  }

  #class(el: XmlElement): SdefClass {
    const extension = el.name === "class-extension";
    const name = extension ? this.#required(el, "extends") : this.#required(el, "name");
    const code = extension ? this.#code(el, 4, true) : this.#code(el, 4);
    const properties: SdefProperty[] = [];
    const elementList: SdefElement[] = [];
    const respondsTo: SdefRespondsTo[] = [];
    const common = this.#common(el, (child) => {
      switch (child.name) {
        case "property":
        case "contents":
          properties.push(this.#property(child));
          return true;
        case "element":
          elementList.push(this.#element(child));
          return true;
        case "responds-to":
          respondsTo.push(this.#respondsTo(child));
          return true;
        case "type":
          return true;
        default:
          return false;
      }
    });
    const types = extension ? [] : this.#types(el, false);
    return {
      ...common,
      name,
      id: el.attrs["id"],
      code,
      plural: el.attrs["plural"],
      inherits: el.attrs["inherits"],
      extension,
      properties,
      elements: elementList,
      respondsTo,
      types,
    };
  }

  #property(el: XmlElement): SdefProperty {
    const isContents = el.name === "contents";
    const name = isContents ? el.attrs["name"] ?? "contents" : this.#required(el, "name");
    const code = isContents && el.attrs["code"] === undefined ? "pcnt" : this.#code(el, 4);
    const common = this.#common(el, (c) => c.name === "type" || c.name === "enumeration");
    return {
      ...common,
      name,
      code,
      types: this.#types(el, true),
      access: this.#access(el) ?? "rw",
      inProperties: el.attrs["in-properties"] === undefined
        ? true
        : this.#bool(el, "in-properties"),
      isContents,
    };
  }

  #element(el: XmlElement): SdefElement {
    const accessors: string[] = [];
    const common = this.#common(el, (child) => {
      if (child.name !== "accessor") return false;
      this.#checkAttributes(child);
      accessors.push(this.#required(child, "style"));
      return true;
    });
    return {
      ...common,
      type: this.#required(el, "type"),
      access: this.#access(el) ?? "rw",
      accessors,
    };
  }

  #respondsTo(el: XmlElement): SdefRespondsTo {
    const common = this.#common(el, () => false);
    const command = el.attrs["command"] ?? el.attrs["name"];
    if (command === undefined || command.trim() === "") {
      this.#fail(el, `<responds-to> needs a "command" attribute`);
    }
    return { ...common, command };
  }

  #command(el: XmlElement): SdefCommand {
    const kind = el.name === "event" ? "event" : "command";
    const name = this.#required(el, "name");
    const code = this.#code(el, 8);
    let directParameter: SdefDirectParameter | undefined;
    let result: SdefResult | undefined;
    const parameters: SdefParameter[] = [];
    const common = this.#common(el, (child) => {
      switch (child.name) {
        case "direct-parameter": {
          if (directParameter) {
            this.#fail(child, `<${kind} name="${name}"> has two direct parameters`);
          }
          const c = this.#common(child, (t) => t.name === "type" || t.name === "enumeration");
          directParameter = {
            ...c,
            types: this.#types(child, true),
            optional: this.#bool(child, "optional"),
            requiresAccess: this.#access(child, "requires-access"),
          };
          return true;
        }
        case "parameter": {
          const c = this.#common(child, (t) => t.name === "type" || t.name === "enumeration");
          parameters.push({
            ...c,
            name: this.#required(child, "name"),
            code: this.#code(child, 4),
            types: this.#types(child, true),
            optional: this.#bool(child, "optional"),
            requiresAccess: this.#access(child, "requires-access"),
          });
          return true;
        }
        case "result": {
          if (result) this.#fail(child, `<${kind} name="${name}"> has two results`);
          const c = this.#common(child, (t) => t.name === "type" || t.name === "enumeration");
          result = { ...c, types: this.#types(child, true) };
          return true;
        }
        default:
          return false;
      }
    });
    return { ...common, kind, name, code, directParameter, parameters, result };
  }

  #enumeration(el: XmlElement): SdefEnumeration {
    const name = this.#required(el, "name");
    const code = this.#code(el, 4);
    const enumerators: SdefEnumerator[] = [];
    const common = this.#common(el, (child) => {
      if (child.name !== "enumerator") return false;
      const c = this.#common(child, () => false);
      enumerators.push({ ...c, name: this.#required(child, "name"), code: this.#code(child, 4) });
      return true;
    });
    if (enumerators.length === 0) this.#fail(el, `<enumeration name="${name}"> has no enumerators`);
    const inlineText = el.attrs["inline"];
    let inline: number | undefined;
    if (inlineText !== undefined) {
      inline = Number(inlineText);
      if (!Number.isInteger(inline) || inline < 0) {
        this.#fail(el, `inline="${inlineText}" must be a whole number`);
      }
    }
    return { ...common, name, code, inline, enumerators };
  }

  #recordType(el: XmlElement): SdefRecordType {
    const name = this.#required(el, "name");
    const code = this.#code(el, 4);
    const properties: SdefProperty[] = [];
    const common = this.#common(el, (child) => {
      if (child.name !== "property") return false;
      properties.push(this.#property(child));
      return true;
    });
    return { ...common, name, code, properties };
  }

  #valueType(el: XmlElement): SdefValueType {
    const name = this.#required(el, "name");
    const code = this.#code(el, 4);
    return { ...this.#common(el, () => false), name, code };
  }
}

function nameOf(el: XmlElement): string {
  const name = el.attrs["name"];
  return name === undefined ? "" : ` name="${name}"`;
}

function codeLength(el: XmlElement): 4 | 8 {
  return el.name === "command" || el.name === "event" ? 8 : 4;
}
