/**
 * The generator: a resolved scripting definition in, a TypeScript bridge module out, following
 * the bridge rules of docs/design.md ("Bridges and `sdp`"). Enumerations become unions of their terms with a `…Codes`
 * interface carrying the codes; record and value types become interfaces; each class becomes an
 * interface (`OrchardTree`) that `extends` what it inherits, with every property a `Property<T>`
 * or `ReadonlyProperty<T>`, its element collections, and the commands it responds to as methods;
 * commands sent to the application go on the application; events become handler types; the
 * terminology table is exported. Hidden terms are left out unless asked for, as `sdp` does. The
 * output is deterministic and never uses `any`.
 *
 * @module
 */

import type {
  Dictionary,
  ResolvedClass,
  ResolvedCommand,
  ResolvedEnumeration,
  ResolvedRecordType,
  ResolvedValueType,
  SdefProperty,
  SdefType,
  TypeTarget,
} from "../sdef/mod.ts";
import { defaultPlural, terminologyTable } from "../sdef/mod.ts";
import type { PrimitiveKind } from "../sdef/primitive_types.ts";
import { enumSlots } from "./enum_slots.ts";
import { camelCase, docComment, NameTable, pascalCase, propertyKey } from "./naming.ts";

/** The import specifier generated modules use for ipckit's bridge runtime and types by default. */
export const DEFAULT_IMPORT = "ipckit/scripting/bridge.ts";

/** Options of {@linkcode generateBridge}. */
export interface GenerateOptions {
  /**
   * The prefix of every generated type name (`Notes` → `NotesNote`), like `sdp --basename`.
   * Made PascalCase. Defaults to the dictionary's title, else `App`.
   * @default {dictionary title or "App"}
   */
  basename?: string;
  /**
   * Whether hidden terms are kept. They are left out by default, as `sdp` does.
   * @default {false}
   */
  hidden?: boolean;
  /**
   * The module specifier generated code imports ipckit's bridge runtime and types from.
   * @default {"ipckit/scripting/bridge.ts"}
   */
  importFrom?: string;
  /**
   * The app's display name, which the module's `application()` connects to when no bundle id
   * is known.
   * @default {the basename}
   */
  appName?: string;
  /**
   * The app's bundle id, which the module's `application()` connects to first (definitions
   * name none themselves).
   * @default {undefined}
   */
  bundleId?: string;
  /**
   * The definition's name for the "generated from" line (a file name, not a path, keeps the
   * output the same on every machine).
   * @default {"a scripting definition"}
   */
  source?: string;
}

/** The bridge types a generated module may import. */
const BRIDGE_TYPES = [
  "Elements",
  "EnumValue",
  "FilePath",
  "LocationSpecifier",
  "ObjectProperty",
  "OpaqueValue",
  "Point",
  "Property",
  "PropertyName",
  "ReadonlyObjectProperty",
  "ReadonlyProperty",
  "Rectangle",
  "RGBColor",
  "ScriptRecord",
  "ScriptValue",
  "Specifier",
  "ApplicationOptions",
  "Connected",
  "TerminologyTable",
  "TypeName",
  "Unresolved",
] as const;
type BridgeType = typeof BRIDGE_TYPES[number];

const PRIMITIVE_TS: Record<PrimitiveKind, string> = {
  any: "unknown",
  text: "string",
  number: "number",
  boolean: "boolean",
  date: "Date",
  file: "FilePath",
  record: "ScriptRecord",
  specifier: "Specifier",
  location: "LocationSpecifier",
  type: "TypeName",
  list: "ScriptValue[]",
  point: "Point",
  rectangle: "Rectangle",
  color: "RGBColor",
  data: "Uint8Array",
  missing: "null",
  property: "PropertyName",
};

/** A member of a generated interface. */
interface Member {
  key: string;
  type: string;
  text: string;
}

/**
 * Generates the TypeScript bridge module for a resolved definition.
 *
 * @param dict the resolved definition.
 * @param options the basename, hidden terms, the import specifier, the source name.
 * @returns the module's text, starting with a "generated, do not edit" line.
 * @example Generating a bridge
 * ```ts
 * import { readDictionary } from "../sdef/mod.ts";
 * import { generateBridge } from "./generate.ts";
 * const dict = await readDictionary("Notes.sdef");
 * const code = generateBridge(dict, { basename: "Notes", source: "Notes.sdef" });
 * await Deno.writeTextFile("notes.ts", code);
 * ```
 */
export function generateBridge(dict: Dictionary, options: GenerateOptions = {}): string {
  return new Generator(dict, options).run();
}

class Generator {
  #dict: Dictionary;
  #base: string;
  #hidden: boolean;
  #importFrom: string;
  #source: string;
  #appTitle: string;
  #bundleId?: string;
  #names = new NameTable([...BRIDGE_TYPES, "openBridge"]);
  #imports = new Set<BridgeType>();
  #classNames = new Map<ResolvedClass, string>();
  #enumNames = new Map<ResolvedEnumeration, string>();
  #codesNames = new Map<ResolvedEnumeration, string>();
  #recordNames = new Map<ResolvedRecordType, string>();
  #valueNames = new Map<ResolvedValueType, string>();
  #appName: string;
  #used = new Set<object>();
  #methodMemo = new Map<ResolvedCommand, { signature: string; type: string; doc: string }[]>();
  /** The classes that respond to each command (by `<responds-to>`), by command. */
  #responders = new Map<ResolvedCommand, ResolvedClass[]>();
  /** The command names some `<responds-to>` names. */
  #claimed = new Set<string>();

  constructor(dict: Dictionary, options: GenerateOptions) {
    this.#dict = dict;
    this.#base = pascalCase(options.basename ?? dict.title ?? "App");
    if (this.#base === "_") this.#base = "App";
    this.#hidden = options.hidden ?? false;
    this.#importFrom = options.importFrom ?? DEFAULT_IMPORT;
    this.#source = options.source ?? "a scripting definition";
    this.#appTitle = options.appName ?? options.basename ?? this.#base;
    this.#bundleId = options.bundleId;
    const app = dict.application;
    for (const c of dict.classes) {
      this.#classNames.set(c, this.#names.claim(this.#base + pascalCase(c.name), "Class"));
    }
    this.#appName = app
      ? this.#classNames.get(app)!
      : this.#names.claim(`${this.#base}Application`, "Class");
    for (const e of dict.enumerations) {
      this.#enumNames.set(e, this.#names.claim(this.#base + pascalCase(e.name), "Enum"));
    }
    for (const e of dict.enumerations) {
      this.#codesNames.set(e, this.#names.claim(this.#enumNames.get(e)! + "Codes", "_"));
    }
    for (const r of dict.recordTypes) {
      this.#recordNames.set(r, this.#names.claim(this.#base + pascalCase(r.name), "Record"));
    }
    for (const v of dict.valueTypes) {
      this.#valueNames.set(v, this.#names.claim(this.#base + pascalCase(v.name), "Value"));
    }
    // Hidden classes count as responders too: a command only they handle stays theirs.
    // A <responds-to> names a command by name; when two commands share it (an app's own
    // close beside the standard one, with another code), it means the one defined in its own
    // file, else the first: each class gets one of them, by code, never both.
    const byName = new Map<string, ResolvedCommand[]>();
    for (const cmd of dict.commands) {
      const list = byName.get(cmd.name);
      if (list) list.push(cmd);
      else byName.set(cmd.name, [cmd]);
    }
    for (const c of dict.classes) {
      for (const r of c.respondsTo) {
        if (!this.#visible(r)) continue;
        this.#claimed.add(r.command);
        const candidates = byName.get(r.command) ?? [];
        const cmd = candidates.find((x) => x.position.file === r.position.file) ?? candidates[0];
        if (!cmd) continue;
        const list = this.#responders.get(cmd);
        if (!list) this.#responders.set(cmd, [c]);
        else if (list[list.length - 1] !== c) list.push(c);
      }
    }
  }

  #visible(t: { hidden: boolean }): boolean {
    return this.#hidden || !t.hidden;
  }

  #use(name: BridgeType): string {
    this.#imports.add(name);
    return name;
  }

  // ---- types -------------------------------------------------------------------------------

  #target(t: TypeTarget): string {
    switch (t.kind) {
      case "primitive": {
        const ts = PRIMITIVE_TS[t.primitive.kind];
        const bare = ts.replace("[]", "");
        if ((BRIDGE_TYPES as readonly string[]).includes(bare)) this.#use(bare as BridgeType);
        return ts;
      }
      case "class":
        this.#used.add(t.class);
        return t.class.code === "capp" || t.class === this.#dict.application
          ? this.#appName
          : this.#classNames.get(t.class)!;
      case "enumeration":
        this.#used.add(t.enumeration);
        return this.#enumNames.get(t.enumeration)!;
      case "record":
        this.#used.add(t.record);
        return this.#recordNames.get(t.record)!;
      case "value":
        this.#used.add(t.value);
        return this.#valueNames.get(t.value)!;
    }
  }

  /** The TypeScript type of a list of alternatives. */
  #type(types: readonly SdefType[]): string {
    let alternatives = types.filter((t) => this.#visible(t));
    if (alternatives.length === 0) alternatives = [...types];
    const out: string[] = [];
    for (const t of alternatives) {
      const target = this.#dict.findType(t.name);
      let ts = target
        ? this.#target(target)
        : `${this.#use("Unresolved")}<${JSON.stringify(t.name)}>`;
      if (t.list) ts = /[ |&]/.test(ts) ? `(${ts})[]` : `${ts}[]`;
      if (!out.includes(ts)) out.push(ts);
    }
    if (out.includes("unknown")) return "unknown";
    return out.join(" | ");
  }

  // ---- classes -----------------------------------------------------------------------------

  #isObjectType(t: SdefType): boolean {
    const target = this.#dict.findType(t.name);
    return target !== undefined &&
      ((target.kind === "primitive" && target.primitive.kind === "specifier") ||
        target.kind === "class");
  }

  #objectCommands = new Map<ResolvedCommand, boolean>();

  /** Whether a command's direct parameter can be an object reference (the receiver). */
  #isObjectCommand(cmd: ResolvedCommand): boolean {
    let is = this.#objectCommands.get(cmd);
    if (is === undefined) {
      is = cmd.directParameter !== undefined &&
        cmd.directParameter.types.some((t) => this.#isObjectType(t));
      this.#objectCommands.set(cmd, is);
    }
    return is;
  }

  /** Whether the direct parameter also takes values that are not object references. */
  #hasValueDirect(cmd: ResolvedCommand): boolean {
    return cmd.directParameter !== undefined &&
      cmd.directParameter.types.some((t) => this.#visible(t) && !this.#isObjectType(t));
  }

  #isApp(c: ResolvedClass): boolean {
    return c === this.#dict.application;
  }

  /**
   * The classes that respond to a command; none when `<responds-to>`s name it but mean another
   * command of the same name; `undefined` when none names it.
   */
  #respondersOf(cmd: ResolvedCommand): ResolvedClass[] | undefined {
    return this.#responders.get(cmd) ?? (this.#claimed.has(cmd.name) ? [] : undefined);
  }

  #appCommandList?: ResolvedCommand[];

  /** Commands that go on the application, in definition order. */
  #appCommands(): ResolvedCommand[] {
    return this.#appCommandList ??= this.#findAppCommands();
  }

  #findAppCommands(): ResolvedCommand[] {
    const app = this.#dict.application;
    const hasCarrier = this.#dict.classes.some((c) =>
      this.#visible(c) && !this.#isApp(c) && c.inherits === undefined
    );
    return this.#dict.commands.filter((cmd) => {
      if (!this.#visible(cmd)) return false;
      if (!this.#isObjectCommand(cmd) || this.#hasValueDirect(cmd)) return true;
      const responders = this.#respondersOf(cmd);
      if (responders?.some((c) => c === app)) return true;
      return !responders && (!hasCarrier || this.#directClasses(cmd) !== undefined);
    });
  }

  /**
   * The classes a command's direct parameter names, when it names only classes (`weigh` of a
   * `fruit`): with no `<responds-to>`, such a command goes on the application and on those
   * classes, not on every root class.
   */
  #directClasses(cmd: ResolvedCommand): ResolvedClass[] | undefined {
    const types = cmd.directParameter?.types.filter((t) => this.#visible(t)) ?? [];
    const classes: ResolvedClass[] = [];
    for (const t of types) {
      const target = this.#dict.findType(t.name);
      if (target?.kind !== "class") return undefined;
      classes.push(target.class);
    }
    return classes.length > 0 ? classes : undefined;
  }

  #commandsByClass?: Map<ResolvedClass, ResolvedCommand[]>;

  /**
   * Commands a non-application class gets as methods: those it responds to; those no class
   * responds to whose direct parameter names it; and on a root class those no class responds
   * to whose direct parameter is any object. Worked out for every class in one pass over the
   * commands, in definition order.
   */
  #classCommands(c: ResolvedClass): ResolvedCommand[] {
    if (!this.#commandsByClass) {
      const byClass = new Map<ResolvedClass, ResolvedCommand[]>();
      const add = (cls: ResolvedClass, cmd: ResolvedCommand) => {
        const list = byClass.get(cls);
        if (!list) byClass.set(cls, [cmd]);
        else if (list[list.length - 1] !== cmd) list.push(cmd);
      };
      const roots = this.#dict.classes.filter((cls) => cls.inherits === undefined);
      for (const cmd of this.#dict.commands) {
        if (!this.#visible(cmd)) continue;
        const responders = this.#respondersOf(cmd);
        const receivers = responders ??
          (this.#isObjectCommand(cmd) ? this.#directClasses(cmd) ?? roots : []);
        for (const cls of receivers) add(cls, cmd);
      }
      this.#commandsByClass = byClass;
    }
    return this.#commandsByClass.get(c) ?? [];
  }

  /** Whether a property's value can be one object: a class among its types, not in a list. */
  #isOneObject(types: readonly SdefType[]): boolean {
    let alternatives = types.filter((t) => this.#visible(t));
    if (alternatives.length === 0) alternatives = [...types];
    return alternatives.some((t) => !t.list && this.#dict.findType(t.name)?.kind === "class");
  }

  #properties(c: ResolvedClass): SdefProperty[] {
    return c.properties.filter((p) => this.#visible(p));
  }

  /** Builds the members of a class's interface (its own, not inherited ones). */
  #members(c: ResolvedClass, commands: ResolvedCommand[], explicit: boolean): Member[] {
    const keys = new NameTable();
    const members: Member[] = [];
    for (const p of this.#properties(c)) {
      const key = keys.claim(camelCase(p.name), "Property");
      // A property whose value can be an object is also a reference to it (`homeFolder.files`).
      const kind = this.#isOneObject(p.types)
        ? p.access === "r" ? "ReadonlyObjectProperty" : "ObjectProperty"
        : p.access === "r"
        ? "ReadonlyProperty"
        : "Property";
      const type = `${this.#use(kind)}<${this.#type(p.types)}>`;
      members.push({
        key,
        type,
        text: `${docComment(p.description, "  ")}  readonly ${propertyKey(key)}: ${type};\n`,
      });
    }
    // One collection per element class: a second <element> of a type says nothing new.
    const elementTypes = new Set<ResolvedClass | string>();
    for (const e of c.elements) {
      if (!this.#visible(e)) continue;
      const target = this.#dict.findClass(e.type) ??
        (() => {
          const t = this.#dict.findType(e.type);
          return t?.kind === "class" ? t.class : undefined;
        })();
      if (elementTypes.has(target ?? e.type)) continue;
      elementTypes.add(target ?? e.type);
      const plural = target ? target.plural : defaultPlural(e.type);
      const key = keys.claim(camelCase(plural), "Elements");
      // An element is always an object: the class, even one named like a built-in type.
      const itemType = target
        ? this.#target({ kind: "class", class: target })
        : this.#type([{ name: e.type, list: false, hidden: false }]);
      const type = `${this.#use("Elements")}<${itemType}>`;
      const doc = e.description ??
        `The ${plural} ${e.access === "r" ? "it contains (read-only)" : "it contains"}.`;
      members.push({
        key,
        type,
        text: `${docComment(doc, "  ")}  readonly ${propertyKey(key)}: ${type};\n`,
      });
    }
    for (const cmd of commands) {
      const key = keys.claim(camelCase(cmd.name), "Command");
      const withDirect = explicit || !this.#isObjectCommand(cmd);
      const memoKey = withDirect ? 1 : 0;
      let memo = this.#methodMemo.get(cmd);
      if (!memo) this.#methodMemo.set(cmd, memo = []);
      const method = memo[memoKey] ??= (() => {
        const signature = this.#signature(cmd, withDirect, "  ");
        return {
          signature,
          type: signature.replace(/\s+/g, " "),
          doc: this.#commandDoc(cmd, "  ", withDirect),
        };
      })();
      members.push({
        key,
        type: method.type,
        text: `${method.doc}  ${propertyKey(key)}${method.signature};\n`,
      });
    }
    return members;
  }

  #commandDoc(cmd: ResolvedCommand, indent: string, explicit = true): string {
    const parts = [cmd.description ?? ""];
    const d = cmd.directParameter;
    if (explicit && d?.description && (this.#visible(d) || !d.optional)) {
      parts.push(`@param directParameter ${d.description}`);
    }
    if (cmd.result?.description) parts.push(`@returns ${cmd.result.description}`);
    return docComment(parts.filter((p) => p !== "").join("\n"), indent);
  }

  /** `(directParameter: T, options?: {...}): Promise<R>` */
  #signature(cmd: ResolvedCommand, explicit: boolean, indent: string): string {
    const params: string[] = [];
    const fields: string[] = [];
    const keys = new NameTable();
    let anyRequired = false;
    for (const p of cmd.parameters) {
      if (!this.#visible(p) && p.optional) continue;
      const key = keys.claim(camelCase(p.name), "Parameter");
      if (!p.optional) anyRequired = true;
      fields.push(
        docComment(p.description, indent + "  ") +
          `${indent}  ${propertyKey(key)}${p.optional ? "?" : ""}: ${this.#type(p.types)};\n`,
      );
    }
    const d = cmd.directParameter;
    if (explicit && d && (this.#visible(d) || !d.optional)) {
      const type = this.#type(d.types);
      // A required options object cannot follow an optional parameter.
      if (d.optional && !anyRequired) params.push(`directParameter?: ${type}`);
      else if (d.optional) params.push(`directParameter: ${type} | undefined`);
      else params.push(`directParameter: ${type}`);
    }
    if (fields.length > 0) {
      params.push(`options${anyRequired ? "" : "?"}: {\n${fields.join("")}${indent}}`);
    }
    const result = cmd.result ? this.#type(cmd.result.types) : "void";
    return `(${params.join(", ")}): Promise<${result}>`;
  }

  #inherited?: Map<ResolvedClass, Map<string, string>>;

  /**
   * For each class, the types its own members' keys have in what it inherits (the nearest
   * ancestor that declares each), worked out in one walk down the inheritance trees: copying
   * every ancestor's members into each class grows as the square of a long chain.
   */
  #inheritedTypes(c: ResolvedClass): Map<string, string> {
    if (!this.#inherited) {
      const inherited = new Map<ResolvedClass, Map<string, string>>();
      const children = new Map<ResolvedClass, ResolvedClass[]>();
      const roots: ResolvedClass[] = [];
      for (const cls of this.#dict.classes) {
        const parent = cls.inherits === undefined ? undefined : this.#dict.findClass(cls.inherits);
        if (parent && parent !== cls) {
          const list = children.get(parent);
          if (list) list.push(cls);
          else children.set(parent, [cls]);
        } else roots.push(cls);
      }
      // The types in scope per key, innermost last, while walking down.
      const scope = new Map<string, string[]>();
      const walk = (root: ResolvedClass) => {
        const stack: { cls: ResolvedClass; entered: boolean }[] = [{ cls: root, entered: false }];
        while (stack.length > 0) {
          const top = stack[stack.length - 1];
          const members = this.#classMembers(top.cls);
          if (top.entered) {
            stack.pop();
            for (const m of members) scope.get(m.key)!.pop();
            continue;
          }
          if (inherited.has(top.cls)) {
            stack.pop();
            continue;
          }
          top.entered = true;
          const own = new Map<string, string>();
          for (const m of members) {
            const types = scope.get(m.key);
            const type = types?.[types.length - 1];
            if (type !== undefined) own.set(m.key, type);
          }
          inherited.set(top.cls, own);
          for (const m of members) {
            const types = scope.get(m.key);
            if (types) types.push(m.type);
            else scope.set(m.key, [m.type]);
          }
          for (const child of children.get(top.cls) ?? []) {
            stack.push({ cls: child, entered: false });
          }
        }
      };
      for (const root of roots) walk(root);
      this.#inherited = inherited;
    }
    return this.#inherited.get(c) ?? new Map();
  }

  #classMembersCache = new Map<ResolvedClass, Member[]>();
  #classMembers(c: ResolvedClass): Member[] {
    let members = this.#classMembersCache.get(c);
    if (!members) {
      members = this.#isApp(c)
        ? this.#members(c, this.#appCommands(), true)
        : this.#members(c, this.#classCommands(c), false);
      this.#classMembersCache.set(c, members);
    }
    return members;
  }

  #classDecl(c: ResolvedClass): string {
    const name = this.#isApp(c) ? this.#appName : this.#classNames.get(c)!;
    const parent = c.inherits === undefined ? undefined : this.#dict.findClass(c.inherits);
    const members = this.#classMembers(c);
    let ext: string;
    if (parent && parent !== c) {
      this.#used.add(parent);
      const parentName = this.#isApp(parent) ? this.#appName : this.#classNames.get(parent)!;
      const inherited = this.#inheritedTypes(c);
      const clash = members
        .filter((m) => inherited.has(m.key) && inherited.get(m.key) !== m.type)
        .map((m) => JSON.stringify(m.key));
      ext = clash.length > 0 ? `Omit<${parentName}, ${clash.join(" | ")}>` : parentName;
    } else ext = this.#use("Specifier");
    const doc = docComment(classDoc(c), "");
    const body = members.length === 0 ? "" : `\n${members.map((m) => m.text).join("")}`;
    return `${doc}export interface ${name} extends ${ext} {${body}}\n`;
  }

  #appDecl(): string {
    const members = this.#members(
      {
        name: "application",
        code: "capp",
        suite: "",
        plural: "applications",
        hidden: false,
        properties: [],
        elements: [],
        respondsTo: [],
        types: [],
        synonyms: [],
        accessGroups: [],
        documentation: [],
        xrefs: [],
        position: { file: "", line: 0, column: 0 },
      },
      this.#appCommands(),
      true,
    );
    return `/** The application: the commands of the definition that are sent to it. */\n` +
      `export interface ${this.#appName} extends ${this.#use("Specifier")} {\n` +
      `${members.map((m) => m.text).join("")}}\n`;
  }

  // ---- enumerations, records, value types, events ------------------------------------------

  #enumDecl(e: ResolvedEnumeration): string {
    const name = this.#enumNames.get(e)!;
    const codes = this.#codesNames.get(e)!;
    let enumerators = e.enumerators.filter((x) => this.#visible(x));
    if (enumerators.length === 0) enumerators = [...e.enumerators];
    // A term listed twice (with another code, say) is one key: the first one stands.
    const names = new Set<string>();
    enumerators = enumerators.filter((x) => !names.has(x.name) && names.add(x.name));
    const lines = enumerators.map((x) =>
      `${docComment(x.description, "  ")}  readonly ${propertyKey(x.name)}: ${
        JSON.stringify(x.code)
      };\n`
    );
    return `/** The four-character code of each term of {@linkcode ${name}}. */\n` +
      `export interface ${codes} {\n${lines.join("")}}\n\n` +
      docComment(e.description ?? `The terms of "${e.name}".`, "") +
      `export type ${name} = ${this.#use("EnumValue")}<${codes}>;\n`;
  }

  #recordDecl(r: ResolvedRecordType): string {
    const keys = new NameTable();
    const fields = r.properties.filter((p) => this.#visible(p)).map((p) => {
      const key = keys.claim(camelCase(p.name), "Field");
      return `${docComment(p.description, "  ")}  ${p.access === "r" ? "readonly " : ""}${
        propertyKey(key)
      }?: ${this.#type(p.types)};\n`;
    });
    return docComment(r.description ?? `The record "${r.name}".`, "") +
      `export interface ${this.#recordNames.get(r)!} {\n${fields.join("")}}\n`;
  }

  #valueDecl(v: ResolvedValueType): string {
    return docComment(v.description ?? `A value of type "${v.name}".`, "") +
      `export interface ${this.#valueNames.get(v)!} extends ${this.#use("OpaqueValue")}<${
        JSON.stringify(v.code)
      }> {\n  /** The type code of "${v.name}". */\n  readonly typeCode: ${
        JSON.stringify(v.code)
      };\n}\n`;
  }

  #eventDecls(): string {
    const events = this.#dict.events.filter((e) => this.#visible(e));
    if (events.length === 0) return "";
    const handlerNames: [string, string, ResolvedCommand][] = [];
    let out = "";
    for (const e of events) {
      const name = this.#names.claim(`${this.#base}${pascalCase(e.name)}Handler`, "_");
      const keys = new NameTable(["directParameter"]);
      handlerNames.push([keys.claim(camelCase(e.name), "Event"), name, e]);
      const params: string[] = [];
      if (e.directParameter) {
        params.push(
          `directParameter${e.directParameter.optional ? "?" : ""}: ${
            this.#type(e.directParameter.types)
          }`,
        );
      }
      const fields: string[] = [];
      const fieldKeys = new NameTable();
      let anyRequired = false;
      for (const p of e.parameters) {
        if (!this.#visible(p) && p.optional) continue;
        if (!p.optional) anyRequired = true;
        fields.push(
          docComment(p.description, "  ") +
            `  ${propertyKey(fieldKeys.claim(camelCase(p.name), "Parameter"))}${
              p.optional ? "?" : ""
            }: ${this.#type(p.types)};\n`,
        );
      }
      if (fields.length > 0) {
        if (e.directParameter?.optional && anyRequired) {
          params[0] = params[0].replace("directParameter?:", "directParameter:") + " | undefined";
        }
        params.push(`parameters${anyRequired ? "" : "?"}: {\n${fields.join("")}}`);
      }
      const result = e.result ? this.#type(e.result.types) : "void";
      const returns = result === "void" ? "void | Promise<void>" : `${result} | Promise<${result}>`;
      out += `${this.#commandDoc(e, "")}export type ${name} = (${
        params.join(", ")
      }) => ${returns};\n\n`;
    }
    const handlers = this.#names.claim(`${this.#base}EventHandlers`, "_");
    out += `/** The events the app sends to a script's handlers: one optional handler each. */\n` +
      `export interface ${handlers} {\n` +
      handlerNames.map(([key, name, e]) =>
        `${docComment(e.description, "  ")}  readonly ${propertyKey(key)}?: ${name};\n`
      ).join("") + `}\n`;
    return out;
  }

  #terminology(): string {
    const table = terminologyTable(this.#dict);
    const s = (v: string) => JSON.stringify(v);
    const pairs = (entries: readonly (readonly string[])[]) =>
      entries.length === 0
        ? "[]"
        : `[\n${entries.map((e) => `    [${e.map(s).join(", ")}],\n`).join("")}  ]`;
    const commands = (list: typeof table.commands) =>
      list.length === 0
        ? "[]"
        : `[\n${
          list.map((c) =>
            `    { name: ${s(c.name)}, code: ${s(c.code)}, parameters: ${
              c.parameters.length === 0
                ? "[]"
                : `[${c.parameters.map((p) => `[${s(p[0])}, ${s(p[1])}]`).join(", ")}]`
            } },\n`
          ).join("")
        }  ]`;
    let out = `/** The definition's terms and their codes, for the runtime and for \`tell\`. */\n` +
      `export const terminology: ${this.#use("TerminologyTable")} = {\n` +
      `  classes: ${pairs(table.classes)},\n` +
      `  properties: ${pairs(table.properties)},\n` +
      `  enumerations: ${pairs(table.enumerations)},\n` +
      `  enumerators: ${pairs(table.enumerators)},\n` +
      `  recordTypes: ${pairs(table.recordTypes)},\n` +
      `  valueTypes: ${pairs(table.valueTypes)},\n` +
      `  commands: ${commands(table.commands)},\n` +
      `  events: ${commands(table.events)},\n`;
    if (table.synonyms) out += `  synonyms: ${pairs(table.synonyms)},\n`;
    if (table.codeSynonyms) out += `  codeSynonyms: ${pairs(table.codeSynonyms)},\n`;
    return out + `};\n`;
  }

  /** The app's name and bundle id, its enumeration slots, and `application()`. */
  #connect(): string {
    const s = (v: string) => JSON.stringify(v);
    const slots = enumSlots(this.#dict);
    const app = this.#appName;
    return `/** The app's display name: \`application()\` finds it by this name. */\n` +
      `export const appName = ${s(this.#appTitle)};\n\n` +
      `/** The app's bundle id, which \`application()\` tries first, if it is known. */\n` +
      `export const bundleId: string | undefined = ${
        this.#bundleId === undefined ? "undefined" : s(this.#bundleId)
      };\n\n` +
      `/** The property and parameter codes typed as enumerations: terms go there as codes. */\n` +
      `export const enumSlots: readonly string[] = ${
        slots.length === 0 ? "[]" : `[\n${slots.map((x) => `  ${s(x)},\n`).join("")}]`
      };\n\n` +
      `/**\n * Connects to the running app (by bundle id if it is known, else by name) and gives its\n` +
      ` * application object; \`close()\` ends the connection.\n *\n` +
      ` * @param options another name or bundle id, the timeout of each event, the runtime directory.\n` +
      ` * @throws {NotFoundError} when the app does not run.\n */\n` +
      `export function application(\n  options: ${this.#use("ApplicationOptions")} = {},\n` +
      `): Promise<${this.#use("Connected")}<${app}>> {\n` +
      `  return openBridge<${app}>(\n    { name: appName, bundleId, terminology, enumSlots },\n` +
      `    options,\n  );\n` +
      `}\n`;
  }

  // ---- the module --------------------------------------------------------------------------

  run(): string {
    const dict = this.#dict;
    const classDecls = new Map<ResolvedClass, string>();
    const enumDecls = new Map<ResolvedEnumeration, string>();
    const recordDecls = new Map<ResolvedRecordType, string>();
    const valueDecls = new Map<ResolvedValueType, string>();
    const app = dict.application;
    let appDecl = "";
    if (!app) appDecl = this.#appDecl();
    const events = this.#eventDecls();
    // Visible declarations first; then hidden ones that visible ones refer to, until none is new.
    const pending = () => [
      ...dict.classes.filter((c) => !classDecls.has(c) && (this.#visible(c) || this.#used.has(c))),
      ...dict.enumerations.filter((e) =>
        !enumDecls.has(e) && (this.#visible(e) || this.#used.has(e))
      ),
      ...dict.recordTypes.filter((r) =>
        !recordDecls.has(r) && (this.#visible(r) || this.#used.has(r))
      ),
      ...dict.valueTypes.filter((v) =>
        !valueDecls.has(v) && (this.#visible(v) || this.#used.has(v)) &&
        dict.findType(v.name)?.kind === "value"
      ),
    ];
    const classSet = new Set<unknown>(dict.classes);
    const enumSet = new Set<unknown>(dict.enumerations);
    const recordSet = new Set<unknown>(dict.recordTypes);
    for (let todo = pending(); todo.length > 0; todo = pending()) {
      for (const item of todo) {
        if (classSet.has(item)) {
          classDecls.set(item as ResolvedClass, this.#classDecl(item as ResolvedClass));
        } else if (enumSet.has(item)) {
          const e = item as ResolvedEnumeration;
          enumDecls.set(e, this.#enumDecl(e));
        } else if (recordSet.has(item)) {
          const r = item as ResolvedRecordType;
          recordDecls.set(r, this.#recordDecl(r));
        } else {
          const v = item as ResolvedValueType;
          valueDecls.set(v, this.#valueDecl(v));
        }
      }
    }
    // The application is always there, even when hidden.
    if (app && !classDecls.has(app)) classDecls.set(app, this.#classDecl(app));
    const terminology = this.#terminology();
    const connect = this.#connect();

    const sections: string[] = [];
    const ordered = <T>(all: readonly T[], decls: Map<T, string>) =>
      all.filter((x) => decls.has(x)).map((x) => decls.get(x)!);
    const section = (title: string, decls: string[]) => {
      if (decls.length > 0) sections.push(`// ${title}\n\n${decls.join("\n")}`);
    };
    const classes = ordered(dict.classes, classDecls);
    if (app) {
      const appText = classDecls.get(app)!;
      classes.splice(classes.indexOf(appText), 1);
      classes.unshift(appText);
    } else classes.unshift(appDecl);
    section("Enumerations", ordered(dict.enumerations, enumDecls));
    section("Record types", ordered(dict.recordTypes, recordDecls));
    section("Value types", ordered(dict.valueTypes, valueDecls));
    section("Classes", classes);
    if (events !== "") section("Events", [events.trimEnd() + "\n"]);
    section("Terminology", [terminology]);
    section("Connecting", [connect]);

    const imports = [...this.#imports].sort((a, b) => a.localeCompare(b, "en"));
    const header =
      `// Generated by ipckit sdp from ${this.#source}. Do not edit: run ipckit sdp again.\n` +
      docComment(
        `Typed bridge for "${dict.title ?? this.#base}": its types, its terminology, and\n` +
          "`application()`, which connects to the running app." +
          "\n\n@module",
        "",
      ) + "\n" +
      `import { openBridge } from ${JSON.stringify(this.#importFrom)};\n` +
      `import type {\n${imports.map((i) => `  ${i},\n`).join("")}} from ${
        JSON.stringify(this.#importFrom)
      };\n`;
    return `${header}\n${sections.join("\n")}`;
  }
}

function classDoc(c: ResolvedClass): string {
  return c.description ?? `The class "${c.name}".`;
}
