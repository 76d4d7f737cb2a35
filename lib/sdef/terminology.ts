/**
 * Terminology: the names and four-character codes of a definition's terms, both ways, for the
 * `tell` runtime and for generated bridges (which export it as a plain table). Names match
 * without regard to case, multi-word terms (`current tab`, `path to`) included, plurals and
 * synonyms as well.
 *
 * @module
 */

import type { Dictionary } from "./dictionary.ts";
import type { CommandEntry, TermEntry, TerminologyTable } from "./terminology_table.ts";

export type * from "./terminology_table.ts";

/** The kinds of term {@linkcode Terminology.match} can find. */
export type TermKind =
  | "class"
  | "plural"
  | "property"
  | "enumeration"
  | "enumerator"
  | "record"
  | "value"
  | "command"
  | "event";

/** A term found in a sequence of words. */
export interface TermMatch {
  /** What kind of term it is. */
  readonly kind: TermKind;
  /** The term's name as defined (a plural's class name for `plural`). */
  readonly name: string;
  /** Its code. */
  readonly code: string;
  /** How many words it spans. */
  readonly words: number;
}

/** Options of {@linkcode Terminology.match}. */
export interface MatchOptions {
  /**
   * The kinds of term to look for, in order of preference for a name that is several kinds.
   * @default {commands, events, classes, plurals, properties, enumerators, enumerations, records, value types}
   */
  kinds?: readonly TermKind[];
}

/** Options of {@linkcode Terminology.fromDictionary}. */
export interface TerminologyOptions {
  /**
   * Whether hidden terms are left out. They still work in scripts, so the runtime keeps them.
   * @default {false}
   */
  omitHidden?: boolean;
}

/** A term as a name lookup finds it: its name as defined, and its code. */
export interface NamedTerm {
  /** The term's name as defined (a plural's class name for `plural`). */
  readonly name: string;
  /** Its code. */
  readonly code: string;
}

/**
 * The lookups of a {@linkcode Terminology}, built: what {@linkcode Terminology.index} gives and
 * the constructor takes back, JSON-safe, so that a terminology read at every start (AppleScript's
 * own, an app's cached one) is not built again. Maps are lists of entries.
 */
export interface TerminologyIndex {
  /** The version of the index's shape: one of another version is not used. */
  readonly v: typeof INDEX_VERSION;
  /** Per kind of term: name folded (lower case, single spaces) → the term. */
  readonly byName: readonly (readonly [TermKind, readonly (readonly [string, NamedTerm])[]])[];
  /** Per kind of term: code → name. */
  readonly byCode: readonly (readonly [TermKind, readonly (readonly [string, string])[]])[];
  /** Per command or event code: parameter label folded → code. */
  readonly parameters: readonly (readonly [string, readonly (readonly [string, string])[]])[];
  /** Folded first word → how many words the terms it starts have, longest first. */
  readonly firstWords: readonly (readonly [string, readonly number[]])[];
}

/** The version of {@linkcode TerminologyIndex}'s shape. */
export const INDEX_VERSION = 1;

const KIND_ORDER: readonly TermKind[] = [
  "command",
  "event",
  "class",
  "plural",
  "property",
  "enumerator",
  "enumeration",
  "record",
  "value",
];

function fold(name: string): string {
  return name.toLowerCase().replace(/\s+/g, " ").trim();
}

/**
 * Lookups over a terminology table: name → code and code → name for each kind of term, and the
 * longest multi-word term at a position in a list of words.
 *
 * @example Looking terms up
 * ```ts
 * import { parseSdef, resolveDictionary, Terminology } from "./mod.ts";
 * const dict = resolveDictionary(await parseSdef(await Deno.readTextFile("Safari.sdef")));
 * const terms = Terminology.fromDictionary(dict);
 * terms.code("property", "current tab"); // "cTab"
 * terms.name("class", "cwin"); // "window"
 * terms.match(["current", "tab", "of", "window", "1"], 0); // { kind: "property", words: 2, … }
 * ```
 */
export class Terminology {
  /** The table this was built from. */
  readonly table: TerminologyTable;
  #byName: Map<TermKind, Map<string, NamedTerm>> = new Map();
  #byCode: Map<TermKind, Map<string, string>> = new Map();
  #commandParameters: Map<string, Map<string, string>> = new Map();
  /** First word → the lengths of the terms it starts, longest first. */
  #firstWords: Map<string, number[]> = new Map();

  /**
   * Builds lookups over a table (such as a generated bridge's `terminology`).
   *
   * @param table the terms.
   * @param index the lookups as {@linkcode Terminology.index} gave them for this very table:
   *   they are taken as they are instead of being built (one of another version is not used).
   */
  constructor(table: TerminologyTable, index?: TerminologyIndex) {
    this.table = table;
    if (index?.v === INDEX_VERSION) {
      for (const [kind, entries] of index.byName) this.#byName.set(kind, new Map(entries));
      for (const [kind, entries] of index.byCode) this.#byCode.set(kind, new Map(entries));
      for (const [code, entries] of index.parameters) {
        this.#commandParameters.set(code, new Map(entries));
      }
      this.#firstWords = new Map(index.firstWords as [string, number[]][]);
      return;
    }
    const add = (kind: TermKind, name: string, code: string, canonical = name) => {
      let names = this.#byName.get(kind);
      if (!names) this.#byName.set(kind, names = new Map());
      const key = fold(name);
      if (!names.has(key)) names.set(key, { name: canonical, code });
      let codes = this.#byCode.get(kind);
      if (!codes) this.#byCode.set(kind, codes = new Map());
      if (name === canonical && !codes.has(code)) codes.set(code, canonical);
      const words = key.split(" ");
      const lengths = this.#firstWords.get(words[0]);
      if (!lengths) this.#firstWords.set(words[0], [words.length]);
      else if (!lengths.includes(words.length)) {
        lengths.push(words.length);
        lengths.sort((a, b) => b - a);
      }
    };
    for (const [name, code, plural] of table.classes) {
      add("class", name, code);
      add("plural", plural, code, name);
    }
    for (const [name, code] of table.properties) add("property", name, code);
    for (const [name, code] of table.enumerations) add("enumeration", name, code);
    for (const [name, code] of table.enumerators) add("enumerator", name, code);
    for (const [name, code] of table.recordTypes) add("record", name, code);
    for (const [name, code] of table.valueTypes) add("value", name, code);
    for (const kind of ["command", "event"] as const) {
      for (const c of kind === "command" ? table.commands : table.events) {
        add(kind, c.name, c.code);
        const params = new Map<string, string>();
        for (const [name, code] of c.parameters) {
          if (!params.has(fold(name))) params.set(fold(name), code);
        }
        if (!this.#commandParameters.has(c.code)) this.#commandParameters.set(c.code, params);
      }
    }
    for (const [synonym, name] of table.synonyms ?? []) {
      for (const kind of KIND_ORDER) {
        const target = this.#byName.get(kind)?.get(fold(name));
        if (target) add(kind, synonym, target.code, target.name);
      }
    }
    // Another code of a term reads as the term (an older app's code, say).
    for (const [code, name] of table.codeSynonyms ?? []) {
      for (const kind of KIND_ORDER) {
        const target = this.#byName.get(kind)?.get(fold(name));
        const codes = this.#byCode.get(kind);
        if (target && codes && !codes.has(code)) codes.set(code, target.name);
      }
    }
  }

  /** Builds the terminology of a resolved definition. */
  static fromDictionary(dict: Dictionary, options: TerminologyOptions = {}): Terminology {
    return new Terminology(terminologyTable(dict, options));
  }

  /**
   * The lookups, built, for {@linkcode Terminology}'s constructor to take back with this table.
   *
   * @example Keeping a terminology's lookups
   * ```ts
   * import { Terminology } from "./terminology.ts";
   * const table = { classes: [["window", "cwin", "windows"] as const], properties: [],
   *   enumerations: [], enumerators: [], recordTypes: [], valueTypes: [], commands: [], events: [] };
   * const json = JSON.stringify(new Terminology(table).index());
   * const terms = new Terminology(table, JSON.parse(json));
   * terms.code("plural", "windows"); // "cwin"
   * ```
   */
  index(): TerminologyIndex {
    const entries = <K, V>(map: Map<K, V>) => [...map];
    return {
      v: INDEX_VERSION,
      byName: [...this.#byName].map(([kind, map]) => [kind, entries(map)] as const),
      byCode: [...this.#byCode].map(([kind, map]) => [kind, entries(map)] as const),
      parameters: [...this.#commandParameters].map(([code, map]) => [code, entries(map)] as const),
      firstWords: entries(this.#firstWords),
    };
  }

  /** The code of a term, by name (any case, spaces as one); `undefined` if there is none. */
  code(kind: TermKind, name: string): string | undefined {
    return this.#byName.get(kind)?.get(fold(name))?.code;
  }

  /** The name of a term, by code; `undefined` if there is none. */
  name(kind: TermKind, code: string): string | undefined {
    return this.#byCode.get(kind)?.get(code);
  }

  /** The code of a command's labelled parameter (`"saving in"` of `coreclos` → `kfil`). */
  parameterCode(commandCode: string, parameter: string): string | undefined {
    return this.#commandParameters.get(commandCode)?.get(fold(parameter));
  }

  /**
   * Finds the longest term that starts at `words[start]`; `undefined` when no term starts there.
   *
   * @param words the words of a script.
   * @param start where the term would start.
   * @param options which kinds of term to look for.
   */
  match(
    words: readonly string[],
    start: number,
    options: MatchOptions = {},
  ): TermMatch | undefined {
    const kinds = options.kinds ?? KIND_ORDER;
    const first = words[start];
    if (first === undefined) return undefined;
    const lengths = this.#firstWords.get(fold(first));
    if (!lengths) return undefined;
    for (const n of lengths) {
      if (start + n > words.length) continue;
      const key = fold(words.slice(start, start + n).join(" "));
      for (const kind of kinds) {
        const hit = this.#byName.get(kind)?.get(key);
        if (hit) return { kind, name: hit.name, code: hit.code, words: n };
      }
    }
    return undefined;
  }
}

/**
 * The plain terminology table of a resolved definition, in definition order, each name and code
 * pair once.
 */
export function terminologyTable(
  dict: Dictionary,
  options: TerminologyOptions = {},
): TerminologyTable {
  const keep = (t: { hidden: boolean }) => !(options.omitHidden && t.hidden);
  const unique = (entries: TermEntry[]): TermEntry[] => {
    const seen = new Set<string>();
    return entries.filter(([n, c]) => {
      const key = `${n}\u0000${c}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  };
  const synonyms: [string, string][] = [];
  const codeSynonyms: [string, string][] = [];
  const addSynonyms = (
    t: { name: string; synonyms: readonly { name?: string; code?: string }[] },
  ) => {
    for (const s of t.synonyms) {
      if (s.name !== undefined) synonyms.push([s.name, t.name]);
      if (s.code !== undefined) codeSynonyms.push([s.code, t.name]);
    }
  };
  const classes = dict.classes.filter(keep);
  classes.forEach(addSynonyms);
  const properties: TermEntry[] = [];
  for (const c of classes) {
    for (const p of c.properties.filter(keep)) {
      properties.push([p.name, p.code]);
      addSynonyms(p);
    }
  }
  for (const r of dict.recordTypes.filter(keep)) {
    for (const p of r.properties.filter(keep)) properties.push([p.name, p.code]);
  }
  const enumerators: TermEntry[] = [];
  for (const e of dict.enumerations.filter(keep)) {
    for (const x of e.enumerators.filter(keep)) {
      enumerators.push([x.name, x.code]);
      addSynonyms(x);
    }
  }
  const commandEntry = (c: typeof dict.commands[number]): CommandEntry => {
    addSynonyms(c);
    return {
      name: c.name,
      code: c.code,
      parameters: unique(c.parameters.filter(keep).map((p) => [p.name, p.code] as const)),
    };
  };
  const table: TerminologyTable = {
    classes: classes.map((c) => [c.name, c.code, c.plural] as const),
    properties: unique(properties),
    enumerations: unique(dict.enumerations.filter(keep).map((e) => [e.name, e.code] as const)),
    enumerators: unique(enumerators),
    recordTypes: unique(dict.recordTypes.filter(keep).map((r) => [r.name, r.code] as const)),
    valueTypes: unique(dict.valueTypes.filter(keep).map((v) => [v.name, v.code] as const)),
    commands: dict.commands.filter(keep).map(commandEntry),
    events: dict.events.filter(keep).map(commandEntry),
  };
  const uniqueSynonyms = unique(synonyms);
  const uniqueCodes = unique(codeSynonyms);
  return {
    ...table,
    ...(uniqueSynonyms.length > 0 ? { synonyms: uniqueSynonyms } : {}),
    ...(uniqueCodes.length > 0 ? { codeSynonyms: uniqueCodes } : {}),
  };
}
