/**
 * A resolved scripting definition: class-extensions merged into their classes across suites and
 * includes, inheritance resolved, plurals filled in, terms defined twice merged (Messages defines
 * `application` twice, the second inheriting from the first; StandardAdditions defines `path to`
 * twice), and type names resolved to what they name.
 *
 * @module
 */

import { SdefSyntaxError, type SdefWarning } from "./errors.ts";
import type {
  SdefClass,
  SdefCommand,
  SdefDictionary,
  SdefElement,
  SdefEnumeration,
  SdefEnumerator,
  SdefParameter,
  SdefProperty,
  SdefRecordType,
  SdefRespondsTo,
  SdefType,
  SdefValueType,
} from "./model.ts";
import {
  primitiveByCode,
  primitiveByName,
  type PrimitiveKind,
  type PrimitiveType,
} from "./primitive_types.ts";
import { STANDARD_INCLUDES } from "./xinclude.ts";

const STANDARD_FILES = new Set(Object.values(STANDARD_INCLUDES));

/**
 * The kinds of built-in types that are values, never objects of the app: a class with one of
 * their names does not capture the name as a type. Not `list`: where a definition defines a
 * class `list` (Reminders, System Events), `type="list"` is that class (`default list`).
 */
const VALUE_KINDS: ReadonlySet<PrimitiveKind> = new Set<PrimitiveKind>([
  "text",
  "number",
  "boolean",
  "date",
  "record",
  "type",
  "point",
  "rectangle",
  "color",
  "data",
]);

/** A class with its extensions merged in. */
export interface ResolvedClass extends Omit<SdefClass, "extension" | "inherits" | "plural"> {
  /** The suite that defines it. */
  readonly suite: string;
  /** The plural, given or made (`name` + `s`). */
  readonly plural: string;
  /** The name of the class it inherits from, resolved; absent for a root class. */
  readonly inherits?: string;
}

/** A command or event, its duplicate definitions merged. */
export interface ResolvedCommand extends SdefCommand {
  /** The suite that first defines it. */
  readonly suite: string;
}

/** An enumeration, with the suite that defines it. */
export interface ResolvedEnumeration extends SdefEnumeration {
  /** The suite that defines it. */
  readonly suite: string;
}

/** A record type, with the suite that defines it. */
export interface ResolvedRecordType extends SdefRecordType {
  /** The suite that defines it. */
  readonly suite: string;
}

/** A value type, with the suite that defines it. */
export interface ResolvedValueType extends SdefValueType {
  /** The suite that defines it. */
  readonly suite: string;
}

/** What a type name names. */
export type TypeTarget =
  | { readonly kind: "primitive"; readonly primitive: PrimitiveType }
  | { readonly kind: "class"; readonly class: ResolvedClass }
  | { readonly kind: "enumeration"; readonly enumeration: ResolvedEnumeration }
  | { readonly kind: "record"; readonly record: ResolvedRecordType }
  | { readonly kind: "value"; readonly value: ResolvedValueType };

/** A suite's name, code and description, for headings. */
export interface SuiteInfo {
  /** The name. */
  readonly name: string;
  /** The four-character code. */
  readonly code: string;
  /** The description. */
  readonly description?: string;
  /** Whether it is hidden (everything in it then is). */
  readonly hidden: boolean;
}

/** Options of {@linkcode resolveDictionary}. */
export interface ResolveOptions {
  /**
   * Where warnings go (an unknown type, an extension of an unknown class, a term defined twice
   * with different codes).
   * @default {ignored}
   */
  onWarning?: (warning: SdefWarning) => void;
}

/**
 * A resolved definition: its classes, commands, events, enumerations, record and value types in
 * definition order, with lookups. Build one with {@linkcode resolveDictionary}.
 */
export class Dictionary {
  /** The dictionary's title. */
  readonly title?: string;
  /** The suites, in order. */
  readonly suites: readonly SuiteInfo[];
  /** The classes, extensions merged in. */
  readonly classes: readonly ResolvedClass[];
  /** The commands. */
  readonly commands: readonly ResolvedCommand[];
  /** The events. */
  readonly events: readonly ResolvedCommand[];
  /** The enumerations. */
  readonly enumerations: readonly ResolvedEnumeration[];
  /** The record types. */
  readonly recordTypes: readonly ResolvedRecordType[];
  /** The value types. */
  readonly valueTypes: readonly ResolvedValueType[];
  #types: Map<string, TypeTarget>;
  #typesByCode: Map<string, TypeTarget>;
  #typesFolded: Map<string, TypeTarget>;
  #classes: Map<string, ResolvedClass>;

  /** Use {@linkcode resolveDictionary}. */
  constructor(parts: {
    title?: string;
    suites: SuiteInfo[];
    classes: ResolvedClass[];
    commands: ResolvedCommand[];
    events: ResolvedCommand[];
    enumerations: ResolvedEnumeration[];
    recordTypes: ResolvedRecordType[];
    valueTypes: ResolvedValueType[];
  }) {
    this.title = parts.title;
    this.suites = parts.suites;
    this.classes = parts.classes;
    this.commands = parts.commands;
    this.events = parts.events;
    this.enumerations = parts.enumerations;
    this.recordTypes = parts.recordTypes;
    this.valueTypes = parts.valueTypes;
    this.#types = new Map();
    this.#typesByCode = new Map();
    this.#typesFolded = new Map();
    this.#classes = new Map();
    const add = (name: string | undefined, code: string, target: TypeTarget) => {
      if (name !== undefined) {
        if (!this.#types.has(name)) this.#types.set(name, target);
        if (!this.#typesFolded.has(name.toLowerCase())) {
          this.#typesFolded.set(name.toLowerCase(), target);
        }
      }
      if (code !== "" && !this.#typesByCode.has(code)) this.#typesByCode.set(code, target);
    };
    for (const c of this.classes) {
      this.#classes.set(c.name, c);
      if (c.id !== undefined && !this.#classes.has(c.id)) this.#classes.set(c.id, c);
      add(c.name, c.code, { kind: "class", class: c });
      add(c.id, "", { kind: "class", class: c });
    }
    for (const e of this.enumerations) add(e.name, e.code, { kind: "enumeration", enumeration: e });
    for (const r of this.recordTypes) add(r.name, r.code, { kind: "record", record: r });
    for (const v of this.valueTypes) {
      // Many definitions declare built-in types as value types ("RGB color", "double
      // integer", "TIFF picture"): those stay the built-in type, with its known shape.
      const primitive = primitiveByName(v.name);
      add(
        v.name,
        v.code,
        primitive ? { kind: "primitive", primitive } : { kind: "value", value: v },
      );
    }
  }

  /**
   * What a type name names: a definition's class, enumeration, record or value type by name or
   * id, else a built-in type by name, else anything by four-character code; `undefined` when
   * nothing matches. A class named like a built-in value type (`text`, `color`) is found by its
   * id here, and by {@linkcode Dictionary.findClass}; its name means the built-in type.
   */
  findType(name: string): TypeTarget | undefined {
    const own = this.#types.get(name);
    if (own) {
      // A class named like a built-in value type (a Text Suite's `text` and `color`) does not
      // capture that name where a type is meant: `type="text"` is text. The class is still
      // its elements' and subclasses' (by name), and a type by its id (`text.ctxt`).
      if (own.kind === "class" && own.class.name === name) {
        const primitive = primitiveByName(name);
        if (primitive && VALUE_KINDS.has(primitive.kind)) return { kind: "primitive", primitive };
      }
      return own;
    }
    const primitive = primitiveByName(name);
    if (primitive) return { kind: "primitive", primitive };
    const byCode = this.#typesByCode.get(name);
    if (byCode) return byCode;
    const primitiveCode = primitiveByCode(name);
    if (primitiveCode) return { kind: "primitive", primitive: primitiveCode };
    return this.#typesFolded.get(name.toLowerCase());
  }

  /** The class with this name or id. */
  findClass(name: string): ResolvedClass | undefined {
    return this.#classes.get(name);
  }

  #application?: ResolvedClass | null;

  /** The class named `application` (code `capp`), if the definition has one. */
  get application(): ResolvedClass | undefined {
    // Asked once per class and per type while generating: found once.
    if (this.#application === undefined) {
      this.#application = this.classes.find((c) => c.code === "capp") ??
        this.findClass("application") ?? null;
    }
    return this.#application ?? undefined;
  }

  /** The classes a class inherits from, nearest first. */
  ancestors(cls: ResolvedClass): ResolvedClass[] {
    const out: ResolvedClass[] = [];
    let current = cls.inherits === undefined ? undefined : this.findClass(cls.inherits);
    while (current && !out.includes(current) && current !== cls) {
      out.push(current);
      current = current.inherits === undefined ? undefined : this.findClass(current.inherits);
    }
    return out;
  }
}

function positionKey(p: { file: string; line: number; column: number }): string {
  return `${p.file}:${p.line}:${p.column}`;
}

/** Merges type alternatives, keeping the first of equal ones. */
function unionTypes(a: readonly SdefType[], b: readonly SdefType[]): SdefType[] {
  const out = [...a];
  if (b.length === 0) return out;
  const at = new Map<string, number>();
  for (let i = out.length - 1; i >= 0; i--) at.set(`${out[i].list}:${out[i].name}`, i);
  for (const t of b) {
    const key = `${t.list}:${t.name}`;
    const same = at.get(key);
    if (same === undefined) {
      at.set(key, out.length);
      out.push(t);
    } else if (!t.hidden && out[same].hidden) out[same] = t;
  }
  return out;
}

function mergeByKey<T>(base: readonly T[], extra: readonly T[], key: (t: T) => string): T[] {
  const out = [...base];
  const at = new Map<string, number>();
  for (let i = out.length - 1; i >= 0; i--) at.set(key(out[i]), i);
  for (const item of extra) {
    const k = key(item);
    const i = at.get(k);
    if (i === undefined) {
      at.set(k, out.length);
      out.push(item);
    } else out[i] = item;
  }
  return out;
}

/** The position of the first item of a list with each name, kept up to date as it grows. */
class FirstByName<T extends { name: string }> {
  readonly list: T[] = [];
  #at = new Map<string, number>();

  /** The position of the first item named `name`, or -1. */
  indexOf(name: string): number {
    return this.#at.get(name) ?? -1;
  }

  push(item: T): void {
    if (!this.#at.has(item.name)) this.#at.set(item.name, this.list.length);
    this.list.push(item);
  }
}

/**
 * Merges the definitions of one command (same name and code) into one. One rule: the app's own
 * definitions (in `ownFile`, the definition being read) win over those it includes; among them,
 * the first that declares `<parameter>`s gives the parameters, whether each is required, and
 * the descriptions. The others add only what it lacks: their other parameters (optional), and
 * their direct parameter and result types (as StandardAdditions' two `path to`s need). Linear in
 * the definitions' size however many there are.
 */
function mergeCommands(
  first: ResolvedCommand,
  rest: readonly SdefCommand[],
  ownFile: string,
): ResolvedCommand {
  if (rest.length === 0) return first;
  const all: readonly SdefCommand[] = [first, ...rest];
  const own = all.filter((d) => d.position.file === ownFile);
  const group = own.length > 0 ? own : all;
  const winner = group.find((d) => d.parameters.length > 0) ?? group[0];
  const parameters = new Map<string, SdefParameter>();
  for (const p of winner.parameters) if (!parameters.has(p.name)) parameters.set(p.name, p);
  let directParameter = winner.directParameter;
  let result = winner.result;
  for (const d of group) {
    if (d === winner) continue;
    for (const q of d.parameters) {
      if (!parameters.has(q.name)) parameters.set(q.name, { ...q, optional: true });
    }
    if (d.directParameter) {
      directParameter = directParameter
        ? {
          ...directParameter,
          types: unionTypes(directParameter.types, d.directParameter.types),
        }
        : { ...d.directParameter, optional: true };
    }
    if (d.result) {
      result = result ? { ...result, types: unionTypes(result.types, d.result.types) } : d.result;
    }
  }
  const joined = <T>(pick: (d: SdefCommand) => readonly T[]) => {
    const out: T[] = [];
    for (const d of all) out.push(...pick(d));
    return out;
  };
  return {
    ...winner,
    suite: first.suite,
    description: winner.description ??
      group.find((d) => d.description !== undefined)?.description ??
      all.find((d) => d.description !== undefined)?.description,
    // Visible where any definition shows it (Calendar hides its own make, not the standard one).
    hidden: all.every((d) => d.hidden),
    synonyms: joined((d) => d.synonyms),
    documentation: joined((d) => d.documentation),
    xrefs: joined((d) => d.xrefs),
    directParameter,
    parameters: [...parameters.values()],
    result,
  };
}

/**
 * Resolves a parsed definition: merges class-extensions and duplicate definitions, resolves
 * inheritance (an inheritance cycle is a {@linkcode SdefSyntaxError}) and checks every type
 * name, warning about those that name nothing.
 *
 * @example Resolving a parsed definition
 * ```ts
 * import { parseSdef, resolveDictionary } from "./mod.ts";
 * const dict = resolveDictionary(await parseSdef(await Deno.readTextFile("Notes.sdef")));
 * console.log(dict.classes.map((c) => c.name));
 * ```
 */
export function resolveDictionary(
  parsed: SdefDictionary,
  options: ResolveOptions = {},
): Dictionary {
  const warn = options.onWarning ?? (() => {});
  // The definition being read: what is not from this file came from an include.
  const ownFile = parsed.position.file;
  const classes: (ResolvedClass & { inherits?: string })[] = [];
  const classIndex = new Map<string, number>();
  const extensions: { ext: SdefClass; suite: string }[] = [];
  // Each looked up by name as definitions come: indexed, so that reading stays linear in size.
  const commandList = new FirstByName<ResolvedCommand>();
  const eventList = new FirstByName<ResolvedCommand>();
  const enumerationList = new FirstByName<ResolvedEnumeration>();
  const recordTypeList = new FirstByName<ResolvedRecordType>();
  const valueTypes: ResolvedValueType[] = [];
  const valueTypeKeys = new Set<string>();
  const suites: SuiteInfo[] = [];
  // Later definitions of a term, by the position of its first: merged once all are read.
  const classDuplicates = new Map<number, { defs: SdefClass[]; inherits: string | undefined }>();
  const commandDuplicates = new Map<ResolvedCommand[], Map<number, SdefCommand[]>>();
  const enumeratorsAdded = new Map<number, SdefEnumerator[]>();
  const recordPropertiesAdded = new Map<number, SdefProperty[]>();
  const later = <K, T>(map: Map<K, T[]>, key: K, items: readonly T[]) => {
    const list = map.get(key);
    if (list) list.push(...items);
    else map.set(key, [...items]);
  };

  for (const suite of parsed.suites) {
    suites.push({
      name: suite.name,
      code: suite.code,
      description: suite.description,
      hidden: suite.hidden,
    });
    const hide = <T extends { hidden: boolean }>(t: T): T =>
      suite.hidden && !t.hidden ? { ...t, hidden: true } : t;
    for (const raw of suite.classes) {
      if (raw.extension) {
        extensions.push({ ext: hide(raw), suite: suite.name });
        continue;
      }
      const c = hide(raw);
      const existing = classIndex.get(c.name);
      if (existing !== undefined) {
        const prev = classes[existing];
        if (prev.code === c.code) {
          // Same name and code: one class, defined in two places (Messages' application),
          // merged once all are known.
          const later = classDuplicates.get(existing);
          const inherits = later ? later.inherits : prev.inherits;
          const next = c.inherits === prev.name ? inherits : c.inherits;
          if (later) {
            later.defs.push(c);
            later.inherits = next;
          } else classDuplicates.set(existing, { defs: [c], inherits: next });
          continue;
        }
        warn({
          position: c.position,
          message: `class "${c.name}" is defined again with another code ` +
            `("${c.code}", first "${prev.code}" at line ${prev.position.line}); both are kept, ` +
            `the name means the first`,
        });
      }
      const { extension: _e, plural, inherits, ...rest } = c;
      if (existing === undefined) classIndex.set(c.name, classes.length);
      classes.push({
        ...rest,
        suite: suite.name,
        plural: plural ?? defaultPlural(c.name),
        inherits: inherits === c.name ? undefined : inherits,
      });
    }
    for (const raw of suite.commands) {
      const cmd = hide(raw);
      const byName = cmd.kind === "event" ? eventList : commandList;
      const list = byName.list;
      const same = byName.indexOf(cmd.name);
      if (same >= 0 && list[same].code === cmd.code) {
        let byIndex = commandDuplicates.get(list);
        if (!byIndex) commandDuplicates.set(list, byIndex = new Map());
        later(byIndex, same, [cmd]);
        continue;
      }
      if (same >= 0) {
        warn({
          position: cmd.position,
          message: `${cmd.kind} "${cmd.name}" is defined again with another code ` +
            `("${cmd.code}", first "${list[same].code}"); both are kept`,
        });
      }
      byName.push({ ...cmd, suite: suite.name });
    }
    for (const raw of suite.enumerations) {
      const e = hide(raw);
      const same = enumerationList.indexOf(e.name);
      const list = enumerationList.list;
      if (same >= 0 && list[same].code === e.code) {
        later(enumeratorsAdded, same, e.enumerators);
        continue;
      }
      enumerationList.push({ ...e, suite: suite.name });
    }
    for (const raw of suite.recordTypes) {
      const r = hide(raw);
      const same = recordTypeList.indexOf(r.name);
      const list = recordTypeList.list;
      if (same >= 0 && list[same].code === r.code) {
        later(recordPropertiesAdded, same, r.properties);
        continue;
      }
      recordTypeList.push({ ...r, suite: suite.name });
    }
    for (const raw of suite.valueTypes) {
      const v = hide(raw);
      const key = `${v.name}\u0000${v.code}`;
      if (valueTypeKeys.has(key)) continue;
      valueTypeKeys.add(key);
      valueTypes.push({ ...v, suite: suite.name });
    }
  }
  const commands = commandList.list;
  const events = eventList.list;
  const enumerations = enumerationList.list;
  const recordTypes = recordTypeList.list;
  for (const [i, { defs, inherits }] of classDuplicates) {
    const merged = mergeClass(classes[i], defs, inherits);
    // The app's own description wins over one it includes (the standard suite's application).
    const ownDescription = [classes[i], ...defs].find((d) =>
      d.position.file === ownFile && d.description !== undefined
    )?.description;
    classes[i] = { ...merged, description: ownDescription ?? merged.description };
  }
  for (const [list, byIndex] of commandDuplicates) {
    for (const [i, defs] of byIndex) list[i] = mergeCommands(list[i], defs, ownFile);
  }
  for (const [i, added] of enumeratorsAdded) {
    const e = enumerations[i];
    enumerations[i] = { ...e, enumerators: mergeByKey(e.enumerators, added, (x) => x.name) };
  }
  for (const [i, added] of recordPropertiesAdded) {
    const r = recordTypes[i];
    recordTypes[i] = { ...r, properties: mergeByKey(r.properties, added, (p) => p.name) };
  }

  // Extensions, in order, after every class is known (an include may come after its extension).
  let classById: Map<string, number> | undefined;
  const extensionsOf = new Map<number, SdefClass[]>();
  for (const { ext } of extensions) {
    let target = classIndex.get(ext.name);
    if (target === undefined) {
      if (!classById) {
        classById = new Map();
        for (let i = classes.length - 1; i >= 0; i--) {
          const id = classes[i].id;
          if (id !== undefined) classById.set(id, i);
        }
      }
      target = classById.get(ext.name);
    }
    if (target === undefined) {
      warn({
        position: ext.position,
        message: `class-extension extends "${ext.name}", which no class defines; it is ignored`,
      });
      continue;
    }
    later(extensionsOf, target, [ext]);
  }
  for (const [i, exts] of extensionsOf) {
    classes[i] = mergeClass(classes[i], exts, classes[i].inherits);
  }

  const dictionary = new Dictionary({
    title: parsed.title,
    suites,
    classes,
    commands,
    events,
    enumerations,
    recordTypes,
    valueTypes,
  });

  // Inheritance: known classes only, no cycles.
  for (let i = 0; i < classes.length; i++) {
    const c = classes[i];
    if (c.inherits === undefined) continue;
    const parent = dictionary.findClass(c.inherits) ??
      (() => {
        const t = dictionary.findType(c.inherits!);
        return t?.kind === "class" ? t.class : undefined;
      })();
    if (!parent && /^(item|cobj)$/.test(c.inherits)) {
      // AppleScript's root class, which definitions name without defining.
      (classes[i] as { inherits?: string }).inherits = undefined;
    } else if (!parent) {
      warn({
        position: c.position,
        message: `class "${c.name}" inherits from "${c.inherits}", which no class defines; ` +
          `it is treated as a root class`,
      });
      // Mutating our own fresh object: the Dictionary holds the same array.
      (classes[i] as { inherits?: string }).inherits = undefined;
    } else if (parent.name !== c.inherits) {
      (classes[i] as { inherits?: string }).inherits = parent.name;
    }
  }
  // Each chain is walked only up to a class already known to lead to a root: linear in all.
  const leadsToRoot = new Set<string>();
  for (const c of classes) {
    const seen = new Set<string>([c.name]);
    let current = c.inherits;
    while (current !== undefined && !leadsToRoot.has(current)) {
      if (seen.has(current)) {
        throw new SdefSyntaxError(
          c.position,
          `class "${c.name}" inherits from itself: ${[...seen, current].join(" → ")}`,
        );
      }
      seen.add(current);
      current = dictionary.findClass(current)?.inherits;
    }
    for (const name of seen) leadsToRoot.add(name);
  }

  checkTypes(dictionary, warn);
  return dictionary;
}

/**
 * Merges later definitions or extensions of a class into it, as if one at a time: the first
 * description and Cocoa names stand, lists are joined, a property (element, command responded
 * to) defined again is replaced where it first stood. Linear in their size however many there are.
 */
function mergeClass(
  base: ResolvedClass,
  extras: readonly SdefClass[],
  inherits: string | undefined,
): ResolvedClass {
  const all = <T>(pick: (c: { [K in keyof SdefClass]: SdefClass[K] }) => readonly T[]) => {
    const out: T[] = [];
    for (const extra of extras) out.push(...pick(extra));
    return out;
  };
  return {
    ...base,
    description: base.description ?? extras.find((e) => e.description !== undefined)?.description,
    hidden: base.hidden && extras.every((e) => e.extension || e.hidden),
    cocoa: base.cocoa ?? extras.find((e) => e.cocoa !== undefined)?.cocoa,
    synonyms: [...base.synonyms, ...all((e) => e.synonyms)],
    accessGroups: [...base.accessGroups, ...all((e) => e.accessGroups)],
    documentation: [...base.documentation, ...all((e) => e.documentation)],
    xrefs: [...base.xrefs, ...all((e) => e.xrefs)],
    plural: base.plural,
    inherits,
    properties: mergeByKey<SdefProperty>(base.properties, all((e) => e.properties), (p) => p.name),
    elements: mergeByKey<SdefElement>(base.elements, all((e) => e.elements), (e) => e.type),
    respondsTo: mergeByKey<SdefRespondsTo>(
      base.respondsTo,
      all((e) => e.respondsTo),
      (r) => r.command,
    ),
    types: unionTypes(base.types, all((e) => e.types)),
  };
}

/** The plural AppleScript makes when a class gives none. */
export function defaultPlural(name: string): string {
  if (/[^aeiou]y$/i.test(name)) return name.slice(0, -1) + "ies";
  if (/(s|x|z|ch|sh)$/i.test(name)) return name + "es";
  return name + "s";
}

function checkTypes(dict: Dictionary, warn: (w: SdefWarning) => void): void {
  const seen = new Set<string>();
  const check = (
    types: readonly SdefType[],
    where: { file: string; line: number; column: number },
  ) => {
    for (const t of types) {
      if (dict.findType(t.name)) continue;
      // The standard suite's "save as" names a type each app may define to list its formats;
      // an app that does not is not wrong, and its users cannot change ipckit's copy.
      if (t.name === "saveable file format" && STANDARD_FILES.has(where.file)) continue;
      const key = `${positionKey(where)}:${t.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      warn({
        position: where,
        message: `unknown type "${t.name}": no class, enumeration, record or value type, and no ` +
          `built-in type has that name or code; it becomes an opaque value`,
      });
    }
  };
  for (const c of dict.classes) {
    for (const p of c.properties) check(p.types, p.position);
    for (const e of c.elements) {
      if (!dict.findClass(e.type) && dict.findType(e.type)?.kind !== "class") {
        check([{ name: e.type, list: false, hidden: false }], e.position);
      }
    }
  }
  for (const cmd of [...dict.commands, ...dict.events]) {
    if (cmd.directParameter) check(cmd.directParameter.types, cmd.directParameter.position);
    for (const p of cmd.parameters) check(p.types, p.position);
    if (cmd.result) check(cmd.result.types, cmd.result.position);
  }
  for (const r of dict.recordTypes) for (const p of r.properties) check(p.types, p.position);
}
