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
  SdefDirectParameter,
  SdefElement,
  SdefEnumeration,
  SdefParameter,
  SdefProperty,
  SdefRecordType,
  SdefRespondsTo,
  SdefResult,
  SdefType,
  SdefValueType,
} from "./model.ts";
import { primitiveByCode, primitiveByName, type PrimitiveType } from "./primitive_types.ts";
import { STANDARD_INCLUDES } from "./xinclude.ts";

const STANDARD_FILES = new Set(Object.values(STANDARD_INCLUDES));

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
   * nothing matches.
   */
  findType(name: string): TypeTarget | undefined {
    const own = this.#types.get(name);
    if (own) return own;
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

  /** The class named `application` (code `capp`), if the definition has one. */
  get application(): ResolvedClass | undefined {
    return this.classes.find((c) => c.code === "capp") ?? this.findClass("application");
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
  for (const t of b) {
    const same = out.findIndex((o) => o.name === t.name && o.list === t.list);
    if (same < 0) out.push(t);
    else if (!t.hidden && out[same].hidden) out[same] = t;
  }
  return out;
}

function mergeByKey<T>(base: readonly T[], extra: readonly T[], key: (t: T) => string): T[] {
  const out = [...base];
  for (const item of extra) {
    const i = out.findIndex((o) => key(o) === key(item));
    if (i < 0) out.push(item);
    else out[i] = item;
  }
  return out;
}

function mergeCommands(a: ResolvedCommand, b: SdefCommand): ResolvedCommand {
  let directParameter: SdefDirectParameter | undefined;
  if (a.directParameter && b.directParameter) {
    directParameter = {
      ...a.directParameter,
      types: unionTypes(a.directParameter.types, b.directParameter.types),
      optional: a.directParameter.optional || b.directParameter.optional,
      hidden: a.directParameter.hidden && b.directParameter.hidden,
    };
  } else {
    const only = a.directParameter ?? b.directParameter;
    directParameter = only && { ...only, optional: true };
  }
  const parameters: SdefParameter[] = [];
  for (const p of a.parameters) {
    const q = b.parameters.find((x) => x.name === p.name);
    parameters.push(
      q
        ? {
          ...p,
          types: unionTypes(p.types, q.types),
          optional: p.optional || q.optional,
          hidden: p.hidden && q.hidden,
          description: p.description ?? q.description,
        }
        : { ...p, optional: true },
    );
  }
  for (const q of b.parameters) {
    if (!a.parameters.some((p) => p.name === q.name)) parameters.push({ ...q, optional: true });
  }
  let result: SdefResult | undefined;
  if (a.result && b.result) {
    result = { ...a.result, types: unionTypes(a.result.types, b.result.types) };
  } else result = a.result ?? b.result;
  return {
    ...a,
    description: a.description ?? b.description,
    hidden: a.hidden && b.hidden,
    synonyms: [...a.synonyms, ...b.synonyms],
    documentation: [...a.documentation, ...b.documentation],
    xrefs: [...a.xrefs, ...b.xrefs],
    directParameter,
    parameters,
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
  const classes: (ResolvedClass & { inherits?: string })[] = [];
  const classIndex = new Map<string, number>();
  const extensions: { ext: SdefClass; suite: string }[] = [];
  const commands: ResolvedCommand[] = [];
  const events: ResolvedCommand[] = [];
  const enumerations: ResolvedEnumeration[] = [];
  const recordTypes: ResolvedRecordType[] = [];
  const valueTypes: ResolvedValueType[] = [];
  const suites: SuiteInfo[] = [];

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
          // Same name and code: one class, defined in two places (Messages' application).
          classes[existing] = mergeClass(
            prev,
            c,
            c.inherits === prev.name ? prev.inherits : c.inherits,
          );
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
      const list = cmd.kind === "event" ? events : commands;
      const same = list.findIndex((x) => x.name === cmd.name);
      if (same >= 0 && list[same].code === cmd.code) {
        list[same] = mergeCommands(list[same], cmd);
        continue;
      }
      if (same >= 0) {
        warn({
          position: cmd.position,
          message: `${cmd.kind} "${cmd.name}" is defined again with another code ` +
            `("${cmd.code}", first "${list[same].code}"); both are kept`,
        });
      }
      list.push({ ...cmd, suite: suite.name });
    }
    for (const raw of suite.enumerations) {
      const e = hide(raw);
      const same = enumerations.findIndex((x) => x.name === e.name);
      if (same >= 0 && enumerations[same].code === e.code) {
        enumerations[same] = {
          ...enumerations[same],
          enumerators: mergeByKey(enumerations[same].enumerators, e.enumerators, (x) => x.name),
        };
        continue;
      }
      enumerations.push({ ...e, suite: suite.name });
    }
    for (const raw of suite.recordTypes) {
      const r = hide(raw);
      const same = recordTypes.findIndex((x) => x.name === r.name);
      if (same >= 0 && recordTypes[same].code === r.code) {
        recordTypes[same] = {
          ...recordTypes[same],
          properties: mergeByKey(recordTypes[same].properties, r.properties, (p) => p.name),
        };
        continue;
      }
      recordTypes.push({ ...r, suite: suite.name });
    }
    for (const raw of suite.valueTypes) {
      const v = hide(raw);
      if (valueTypes.some((x) => x.name === v.name && x.code === v.code)) continue;
      valueTypes.push({ ...v, suite: suite.name });
    }
  }

  // Extensions, in order, after every class is known (an include may come after its extension).
  for (const { ext } of extensions) {
    let target = classIndex.get(ext.name);
    if (target === undefined) target = classes.findIndex((c) => c.id === ext.name);
    if (target === undefined || target < 0) {
      warn({
        position: ext.position,
        message: `class-extension extends "${ext.name}", which no class defines; it is ignored`,
      });
      continue;
    }
    classes[target] = mergeClass(classes[target], ext, classes[target].inherits);
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
  for (const c of classes) {
    const seen = new Set<string>([c.name]);
    let current = c.inherits;
    while (current !== undefined) {
      if (seen.has(current)) {
        throw new SdefSyntaxError(
          c.position,
          `class "${c.name}" inherits from itself: ${[...seen, current].join(" → ")}`,
        );
      }
      seen.add(current);
      current = dictionary.findClass(current)?.inherits;
    }
  }

  checkTypes(dictionary, warn);
  return dictionary;
}

function mergeClass(
  base: ResolvedClass,
  extra: SdefClass,
  inherits: string | undefined,
): ResolvedClass {
  return {
    ...base,
    description: base.description ?? extra.description,
    hidden: base.hidden && (extra.extension || extra.hidden),
    cocoa: base.cocoa ?? extra.cocoa,
    synonyms: [...base.synonyms, ...extra.synonyms],
    accessGroups: [...base.accessGroups, ...extra.accessGroups],
    documentation: [...base.documentation, ...extra.documentation],
    xrefs: [...base.xrefs, ...extra.xrefs],
    plural: base.plural,
    inherits,
    properties: mergeByKey<SdefProperty>(base.properties, extra.properties, (p) => p.name),
    elements: mergeByKey<SdefElement>(base.elements, extra.elements, (e) => e.type),
    respondsTo: mergeByKey<SdefRespondsTo>(base.respondsTo, extra.respondsTo, (r) => r.command),
    types: unionTypes(base.types, extra.types),
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
