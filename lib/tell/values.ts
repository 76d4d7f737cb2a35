/**
 * The values of `tell` scripts and how they print, convert and compare: text is a `string`, an
 * integer a `number`, a real a {@linkcode Real} (so `2.0` stays a real), lists arrays, records
 * {@linkcode AsRecord}, dates `Date`, `missing value` `null`, app objects {@linkcode AppRef}
 * (an object specifier and the app it belongs to), classes, constants and files their own
 * classes. Printing follows osascript: the human form (`-s h`) and the source form (`-s s`).
 *
 * @module
 */

import {
  Comparison,
  EnumConstant,
  InsertionLocation,
  LogicalTest,
  ObjectSpecifier,
  TypeCode,
  type Value,
} from "../wire/value.ts";
import type { Terminology } from "../sdef/terminology.ts";
import type { ScriptingEvent } from "../scripting/protocol.ts";
import { ScriptError } from "./errors.ts";
import { appleScriptTerms } from "./terms.ts";

/** A real number (AppleScript's `real`): `2.0` is a real, `2` an integer. */
export class Real {
  /** The number. */
  readonly value: number;
  /** @param value the number. */
  constructor(value: number) {
    this.value = value;
  }
}

/** A record: fields in order, by label; a label that is a term keeps its code for the wire. */
export class AsRecord {
  /** The fields, by label as printed. */
  readonly fields: Map<string, Val> = new Map();
  /** The codes of labels that are terms. */
  readonly codes: Map<string, string> = new Map();
  /** A copy with the same fields. */
  clone(): AsRecord {
    const r = new AsRecord();
    for (const [k, v] of this.fields) r.fields.set(k, v);
    for (const [k, v] of this.codes) r.codes.set(k, v);
    return r;
  }
}

/** A class as a value: `text`, `note`. */
export class AsClass {
  /** Its name. */
  readonly name: string;
  /** Its four-character code. */
  readonly code: string;
  /**
   * @param name the name.
   * @param code the code.
   */
  constructor(name: string, code: string) {
    this.name = name;
    this.code = code;
  }
}

/** An enumerator constant: `yes`, `no`, an app's enumerators. */
export class AsConstant {
  /** Its name. */
  readonly name: string;
  /** Its four-character code. */
  readonly code: string;
  /**
   * @param name the name.
   * @param code the code.
   */
  constructor(name: string, code: string) {
    this.name = name;
    this.code = code;
  }
}

/** A file: `POSIX file "/tmp/x"`, `file "…"`, `alias "…"` (a POSIX path here). */
export class AsFile {
  /** The path. */
  readonly path: string;
  /** How it was written. */
  readonly kind: "POSIX file" | "file" | "alias";
  /**
   * @param path the path.
   * @param kind how it was written.
   */
  constructor(path: string, kind: "POSIX file" | "file" | "alias") {
    this.path = path;
    this.kind = kind;
  }
}

/** How a script reaches an app: its name, its terminology, and a way to send it events. */
export interface AppHandle {
  /** The name (or bundle id) as the script gives it. */
  readonly name: string;
  /** Whether it was named by bundle id (`application id "…"`). */
  readonly byId: boolean;
  /** Its terminology, once known. */
  terms(): Terminology | undefined;
  /**
   * Sends an event and returns the reply's value.
   *
   * @throws {ScriptError} the app's error (number, message), -600 when it does not run.
   */
  send(event: ScriptingEvent): Promise<Value>;
}

/** An app's object: the app itself, an object specifier in it, or an insertion location. */
export class AppRef {
  /** The app. */
  readonly app: AppHandle;
  /** What in it. */
  readonly spec: ObjectSpecifier | InsertionLocation | "application" | "examined";
  /**
   * @param app the app.
   * @param spec the specifier, `"application"` for the app itself, or `"examined"` for the
   *   object a `whose` test examines (`it`).
   */
  constructor(
    app: AppHandle,
    spec: ObjectSpecifier | InsertionLocation | "application" | "examined",
  ) {
    this.app = app;
    this.spec = spec;
  }
}

/** `a reference to` a variable or a list item: reads and writes through. */
export class LocalRef {
  /** Reads the current value. */
  readonly get: () => Val;
  /** Writes a value. */
  readonly set: (value: Val) => void;
  /** What it refers to, for printing. */
  readonly text: string;
  /**
   * @param get reads it.
   * @param set writes it.
   * @param text what it refers to.
   */
  constructor(get: () => Val, set: (value: Val) => void, text: string) {
    this.get = get;
    this.set = set;
    this.text = text;
  }
}

/** The value a local reference (`a reference to x`) stands for; any other value itself. */
export function deref(v: Val): Val {
  return v instanceof LocalRef ? v.get() : v;
}

/** The largest integer AppleScript keeps as one (2^29 - 1); beyond it a real. */
export const MAX_INTEGER = 536870911;

/** The script itself (`me`). */
export class ScriptObject {
  /** The script's name, for printing. */
  readonly name: string;
  /** @param name its name. */
  constructor(name = "«script»") {
    this.name = name;
  }
}

/** A value of a script. */
export type Val =
  | null
  | boolean
  | number
  | Real
  | string
  | Val[]
  | AsRecord
  | Date
  | AsClass
  | AsConstant
  | AsFile
  | AppRef
  | LocalRef
  | ScriptObject;

// -- classes ---------------------------------------------------------------------------------

/** The class of a value, as `class of` gives it. */
export function classOf(v: Val): AsClass {
  if (v === null) return new AsClass("missing value", "msng");
  if (typeof v === "string") return new AsClass("text", "ctxt");
  if (typeof v === "number") return new AsClass("integer", "long");
  if (typeof v === "boolean") return new AsClass("boolean", "bool");
  if (v instanceof Real) return new AsClass("real", "doub");
  if (Array.isArray(v)) return new AsClass("list", "list");
  if (v instanceof AsRecord) return new AsClass("record", "reco");
  if (v instanceof Date) return new AsClass("date", "ldt ");
  if (v instanceof AsClass) return new AsClass("class", "pcls");
  if (v instanceof AsConstant) return new AsClass("constant", "enum");
  if (v instanceof AsFile) {
    return v.kind === "alias" ? new AsClass("alias", "alis") : new AsClass("file", "furl");
  }
  if (v instanceof AppRef) {
    if (v.spec === "application") return new AsClass("application", "capp");
    if (v.spec instanceof ObjectSpecifier && v.spec.want !== "prop") {
      const name = v.app.terms()?.name("class", v.spec.want) ?? `«class ${v.spec.want}»`;
      return new AsClass(name, v.spec.want);
    }
    return new AsClass("reference", "obj ");
  }
  if (v instanceof LocalRef) return new AsClass("reference", "obj ");
  return new AsClass("script", "scpt");
}

// -- printing --------------------------------------------------------------------------------

/** The weekdays' names, Sunday first, as `Date.getDay()` counts them. */
export const WEEKDAYS: readonly string[] = [
  "Sunday",
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
];
/** The months' names, January first, as `Date.getMonth()` counts them. */
export const MONTHS: readonly string[] = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** A date as AppleScript shows it in the local time zone: `Sunday, December 6, 2026 at 6:00:00 AM`. */
function dateText(d: Date): string {
  return `${dateString(d)} at ${timeString(d)}`;
}

/** `date string of d`: `Sunday, December 6, 2026`. */
export function dateString(d: Date): string {
  return `${WEEKDAYS[d.getDay()]}, ${MONTHS[d.getMonth()]} ${d.getDate()}, ${d.getFullYear()}`;
}

/** `time string of d`: `6:00:00 AM`. */
export function timeString(d: Date): string {
  const h = d.getHours();
  const two = (n: number) => String(n).padStart(2, "0");
  return `${h % 12 === 0 ? 12 : h % 12}:${two(d.getMinutes())}:${two(d.getSeconds())} ${
    h < 12 ? "AM" : "PM"
  }`;
}

/** A real as AppleScript writes it: `2.0`, `1.5`, `1.0E+20`. */
function realText(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? "1.0E+308" : n < 0 ? "-1.0E+308" : "NaN";
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e15 || abs < 1e-4)) {
    const [m, e] = n.toExponential().split("e");
    const mant = m.includes(".") ? m : `${m}.0`;
    const exp = Number(e);
    return `${mant}E${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  // AppleScript shows 15 significant digits: 0.1 + 0.2 is 0.3.
  const s = String(Number(n.toPrecision(15)));
  return s.includes(".") || s.includes("e") ? s : `${s}.0`;
}

function quote(s: string): string {
  return `"${s.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

function classTermName(v: AsClass): string {
  return v.name;
}

/** The source form of a specifier: `note id "x" of application "Notes"`. */
function describeSpec(app: AppHandle, spec: Value | "application"): string {
  const terms = app.terms();
  const appText = `application ${app.byId ? "id " : ""}${quote(app.name)}`;
  const cls = (code: string) =>
    terms?.name("class", code) ?? appleScriptTerms().name("class", code) ?? `«class ${code}»`;
  const plural = (code: string) => {
    const n = cls(code);
    const entry = terms?.table.classes.find(([name]) => name === n);
    return entry ? entry[2] : `${n}s`;
  };
  const of = (from: ObjectSpecifier | string): string =>
    from instanceof ObjectSpecifier
      ? ` of ${describeSpec(app, from)}`
      : from === "application"
      ? ` of ${appText}`
      : "";
  if (spec === "application") return appText;
  if (spec instanceof InsertionLocation) {
    const obj = spec.object;
    return obj instanceof ObjectSpecifier
      ? `${spec.position} of ${describeSpec(app, obj)}`
      : `${spec.position} of ${appText}`;
  }
  if (!(spec instanceof ObjectSpecifier)) return sourceText(fromWire(spec, app));
  const bound = (b: Value) =>
    b instanceof ObjectSpecifier
      ? describeSpec(app, b).replace(/ of application .*$/, "")
      : sourceText(fromWire(b, app));
  switch (spec.form) {
    case "property": {
      const code = spec.seld as string;
      const name = terms?.name("property", code) ?? appleScriptTerms().name("property", code) ??
        `«property ${code}»`;
      return `${name}${of(spec.from)}`;
    }
    case "index":
      if (typeof spec.seld === "bigint") return `${cls(spec.want)} ${spec.seld}${of(spec.from)}`;
      if (spec.seld === "every") return `every ${cls(spec.want)}${of(spec.from)}`;
      return `${spec.seld} ${cls(spec.want)}${of(spec.from)}`;
    case "name":
      return `${cls(spec.want)} ${quote(String(spec.seld))}${of(spec.from)}`;
    case "id":
      return `${cls(spec.want)} id ${sourceText(fromWire(spec.seld, app))}${of(spec.from)}`;
    case "range": {
      const [a, b] = spec.seld as Value[];
      return `${plural(spec.want)} ${bound(a)} thru ${bound(b)}${of(spec.from)}`;
    }
    case "test":
      return `every ${cls(spec.want)} whose …${of(spec.from)}`;
    case "relative":
      return `${cls(spec.want)} ${spec.seld} ${
        spec.from instanceof ObjectSpecifier ? describeSpec(app, spec.from) : "it"
      }`;
  }
}

/** The source form (`-s s`): `{"a", 1, 2.0}`, `{name:"x"}`, `date "…"`. */
export function sourceText(v: Val): string {
  if (v === null) return "missing value";
  if (typeof v === "string") return quote(v);
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v instanceof Real) return realText(v.value);
  if (Array.isArray(v)) return `{${v.map(sourceText).join(", ")}}`;
  if (v instanceof AsRecord) {
    return `{${[...v.fields].map(([k, x]) => `${labelText(k)}:${sourceText(x)}`).join(", ")}}`;
  }
  if (v instanceof Date) return `date ${quote(dateText(v))}`;
  if (v instanceof AsClass) return classTermName(v);
  if (v instanceof AsConstant) return v.name;
  if (v instanceof AsFile) return `${v.kind === "alias" ? "alias" : "file"} ${quote(v.path)}`;
  if (v instanceof AppRef) return describeSpec(v.app, v.spec);
  if (v instanceof LocalRef) return v.text;
  return v.name;
}

function labelText(k: string): string {
  return /^[\p{L}_][\p{L}\p{N}_ ]*$/u.test(k) ? k : `|${k}|`;
}

/** The human form (osascript's default): no quotes, no braces, nested lists flattened. */
export function humanText(v: Val): string {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return v.map(humanText).join(", ");
  if (v instanceof AsRecord) {
    return [...v.fields].map(([k, x]) => `${k}:${humanText(x)}`).join(", ");
  }
  if (v instanceof Date) return `date ${dateText(v)}`;
  return sourceText(v);
}

// -- the wire --------------------------------------------------------------------------------

/** A value as it goes to an app. */
export function toWire(v: Val): Value {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return BigInt(v);
  if (v instanceof Real) return v.value;
  if (Array.isArray(v)) return v.map(toWire);
  if (v instanceof AsRecord) {
    const out: Record<string, Value> = {};
    for (const [k, x] of v.fields) out[v.codes.get(k) ?? k] = toWire(x);
    return out;
  }
  if (v instanceof Date) return v;
  if (v instanceof AsClass) return new TypeCode(v.code);
  if (v instanceof AsConstant) return new EnumConstant(v.code);
  if (v instanceof AsFile) return v.path;
  if (v instanceof AppRef) return v.spec === "application" ? null : v.spec;
  if (v instanceof LocalRef) return toWire(v.get());
  throw new ScriptError(`Can’t make ${v.name} into a value an app can take.`, -1700);
}

/**
 * A value for `--json`: as on the wire (specifiers as `$specifier` objects), but records keyed
 * by their labels as printed (`name`, not `pnam`).
 */
export function jsonValue(v: Val): Value {
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v instanceof AsRecord) {
    const out: Record<string, Value> = {};
    for (const [k, x] of v.fields) out[k] = jsonValue(x);
    return out;
  }
  return toWire(v);
}

/** A value as it comes from an app: specifiers become that app's objects. */
export function fromWire(v: Value, app: AppHandle): Val {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number") return new Real(v);
  if (v instanceof Date) return v;
  if (Array.isArray(v)) return v.map((x) => fromWire(x, app));
  if (v instanceof ObjectSpecifier || v instanceof InsertionLocation) return new AppRef(app, v);
  if (v instanceof TypeCode) {
    const name = app.terms()?.name("class", v.code) ?? appleScriptTerms().name("class", v.code) ??
      `«class ${v.code}»`;
    return new AsClass(name, v.code);
  }
  if (v instanceof EnumConstant) {
    const name = app.terms()?.name("enumerator", v.code) ??
      appleScriptTerms().name("enumerator", v.code) ?? `«constant ${v.code}»`;
    return new AsConstant(name, v.code);
  }
  if (v instanceof Comparison || v instanceof LogicalTest) return String(v);
  if (v instanceof Uint8Array) {
    return `«data ${[...v].map((b) => b.toString(16).padStart(2, "0")).join("")}»`;
  }
  if (typeof v === "object") {
    const r = new AsRecord();
    for (const [k, x] of Object.entries(v as Record<string, Value>)) {
      const name = k.length === 4
        ? app.terms()?.name("property", k) ?? appleScriptTerms().name("property", k) ?? k
        : k;
      r.fields.set(name, fromWire(x, app));
      if (k.length === 4) r.codes.set(name, k);
    }
    return r;
  }
  return String(v);
}

// -- coercions -------------------------------------------------------------------------------

function cannot(v: Val, to: string): never {
  throw new ScriptError(`Can’t make ${sourceText(v)} into type ${to}.`, -1700, { offending: v });
}

/** A number's JavaScript value: integers and reals, and text that reads as a number. */
export function toNumber(v: Val, as = "number"): number {
  if (typeof v === "number") return v;
  if (v instanceof Real) return v.value;
  if (typeof v === "string") {
    const t = v.trim();
    if (t !== "" && /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Number(t);
    return cannot(v, as);
  }
  if (Array.isArray(v) && v.length === 1) return toNumber(v[0], as);
  return cannot(v, as);
}

/** Coerces to text (`as text`): numbers, dates, constants, classes, lists joined by the delimiters. */
export function toText(v: Val, delimiters = ""): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  if (v instanceof Real) return realText(v.value);
  if (typeof v === "boolean") return String(v);
  if (v === null) return "missing value";
  if (v instanceof Date) return dateText(v);
  if (v instanceof AsClass || v instanceof AsConstant) return v.name;
  if (v instanceof AsFile) return v.path;
  if (Array.isArray(v)) return v.map((x) => toText(x, delimiters)).join(delimiters);
  return cannot(v, "text");
}

/** Coerces to an integer (rounding a real to the nearest, halves to even, as AppleScript does). */
export function toInteger(v: Val): number {
  const n = toNumber(v, "integer");
  if (Number.isInteger(n)) return n;
  const r = Math.round(n);
  return Math.abs(n % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Coerces to a boolean: `true`/`false` and their text. */
export function toBoolean(v: Val): boolean {
  if (typeof v === "boolean") return v;
  if (typeof v === "string") {
    if (v.toLowerCase() === "true") return true;
    if (v.toLowerCase() === "false") return false;
  }
  if (Array.isArray(v) && v.length === 1) return toBoolean(v[0]);
  return cannot(v, "boolean");
}

/** Coerces to a list: a list stays, a record gives its values, anything else is a list of one. */
export function toList(v: Val): Val[] {
  if (Array.isArray(v)) return v;
  if (v instanceof AsRecord) return [...v.fields.values()];
  return [v];
}

/** Reads a date: ISO 8601, and the usual English forms (`December 6, 2026 6:00 PM`, `6/12/2026`). */
export function toDate(v: Val): Date {
  if (v instanceof Date) return v;
  if (typeof v !== "string") return cannot(v, "date");
  const s = v.trim().replace(/\s+at\s+/i, " ").replace(
    /^(Sunday|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday),?\s*/i,
    "",
  );
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?(Z|[+-]\d{2}:?\d{2})?$/
    .exec(s);
  if (iso) {
    if (iso[7]) return new Date(s.replace(" ", "T"));
    return new Date(
      +iso[1],
      +iso[2] - 1,
      +iso[3],
      +(iso[4] ?? 0),
      +(iso[5] ?? 0),
      +(iso[6] ?? 0),
    );
  }
  const m =
    /^([A-Za-z]+)\s+(\d{1,2}),?\s+(\d{4})(?:\s+(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(AM|PM)?)?$/i
      .exec(s) ??
      /^(\d{1,2})\s+([A-Za-z]+),?\s+(\d{4})(?:\s+(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*(AM|PM)?)?$/i
        .exec(s);
  if (m) {
    const [a, b] = /^\d/.test(m[1]) ? [m[2], m[1]] : [m[1], m[2]];
    const month = MONTHS.findIndex((x) => x.toLowerCase().startsWith(a.toLowerCase().slice(0, 3)));
    if (month >= 0) {
      let h = +(m[4] ?? 0);
      if (m[7]?.toUpperCase() === "PM" && h < 12) h += 12;
      if (m[7]?.toUpperCase() === "AM" && h === 12) h = 0;
      return new Date(+m[3], month, +b, h, +(m[5] ?? 0), +(m[6] ?? 0));
    }
  }
  const slash = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?)?$/i
    .exec(s);
  if (slash) {
    let h = +(slash[4] ?? 0);
    if (slash[7]?.toUpperCase() === "PM" && h < 12) h += 12;
    if (slash[7]?.toUpperCase() === "AM" && h === 12) h = 0;
    return new Date(+slash[3], +slash[1] - 1, +slash[2], h, +(slash[5] ?? 0), +(slash[6] ?? 0));
  }
  const time = /^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(AM|PM)?$/i.exec(s);
  if (time) {
    const d = new Date();
    let h = +time[1];
    if (time[4]?.toUpperCase() === "PM" && h < 12) h += 12;
    if (time[4]?.toUpperCase() === "AM" && h === 12) h = 0;
    d.setHours(h, +time[2], +(time[3] ?? 0), 0);
    return d;
  }
  throw new ScriptError(`Invalid date and time date ${quote(v)}.`, -30720, { offending: v });
}

/** `v as cls`, for AppleScript's own classes; others are left to the app or fail. */
export function coerce(v: Val, cls: AsClass): Val {
  if (v instanceof LocalRef) v = v.get();
  switch (cls.code) {
    case "ctxt":
    case "TEXT":
    case "utxt":
      if (v instanceof AsRecord) return cannot(v, "text");
      return toText(v);
    case "long":
      return toInteger(v);
    case "doub":
      return new Real(toNumber(v));
    case "nmbr": {
      const n = toNumber(v);
      return typeof v === "number" ||
          (typeof v === "string" && Number.isInteger(n) && !/[.eE]/.test(v))
        ? n
        : new Real(n);
    }
    case "bool":
      return toBoolean(v);
    case "list":
      return toList(v);
    case "reco":
      if (v instanceof AsRecord) return v;
      return cannot(v, "record");
    case "ldt ":
      return toDate(v);
    case "furl":
    case "file":
      if (typeof v === "string") return new AsFile(v, "POSIX file");
      if (v instanceof AsFile) return v;
      return cannot(v, cls.name);
    case "alis":
      if (typeof v === "string" || v instanceof AsFile) {
        return new AsFile(typeof v === "string" ? v : v.path, "alias");
      }
      return cannot(v, "alias");
    case "pcls":
      if (v instanceof AsClass) return v;
      return cannot(v, "class");
    case "cobj":
      return v;
    case "obj ":
      if (v instanceof AppRef || v instanceof LocalRef) return v;
      return cannot(v, "reference");
  }
  if (v instanceof AsClass || v instanceof AsConstant) return v;
  if (v instanceof AppRef && v.spec instanceof ObjectSpecifier && v.spec.want === cls.code) {
    return v;
  }
  return cannot(v, cls.name);
}

// -- comparison ------------------------------------------------------------------------------

/** Options of {@linkcode equals} and {@linkcode compare}. */
export interface CompareOptions {
  /** Whether case counts (`considering case`). @default {false} */
  considerCase?: boolean;
}

/** Comparison options when considering case. */
export const CONSIDER_CASE: CompareOptions = Object.freeze({ considerCase: true });
/** Comparison options when ignoring case (the default). */
export const IGNORE_CASE: CompareOptions = Object.freeze({ considerCase: false });

function fold(s: string, options: CompareOptions): string {
  return options.considerCase ? s : s.toLowerCase();
}

/** `a = b`, as AppleScript compares: text without case (by default), numbers across integer and real, lists and records item by item. */
export function equals(a: Val, b: Val, options: CompareOptions = {}): boolean {
  if (a instanceof LocalRef) a = a.get();
  if (b instanceof LocalRef) b = b.get();
  if (typeof a === "string" && typeof b === "string") {
    return fold(a, options).normalize() === fold(b, options).normalize();
  }
  const an = typeof a === "number" || a instanceof Real;
  const bn = typeof b === "number" || b instanceof Real;
  if (an && bn) return toNumber(a) === toNumber(b);
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => equals(x, b[i], options));
  }
  if (a instanceof AsRecord && b instanceof AsRecord) {
    if (a.fields.size !== b.fields.size) return false;
    for (const [k, x] of a.fields) {
      if (!b.fields.has(k) || !equals(x, b.fields.get(k)!, options)) return false;
    }
    return true;
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (
    (a instanceof AsClass || a instanceof AsConstant) &&
    (b instanceof AsClass || b instanceof AsConstant)
  ) {
    return a.code === b.code;
  }
  if (a instanceof AsFile && b instanceof AsFile) return a.path === b.path;
  if (a instanceof AppRef && b instanceof AppRef) {
    return a.app.name === b.app.name && sourceText(a) === sourceText(b);
  }
  return a === b;
}

/** `a < b` (-1), `a = b` (0), `a > b` (1) for text, numbers and dates; -1700 for others. */
export function compare(a: Val, b: Val, options: CompareOptions = {}): number {
  if (a instanceof LocalRef) a = a.get();
  if (b instanceof LocalRef) b = b.get();
  if (typeof a === "string") {
    const x = fold(a, options);
    const y = fold(toText(b), options);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a instanceof Date) {
    const y = toDate(b).getTime();
    return a.getTime() < y ? -1 : a.getTime() > y ? 1 : 0;
  }
  if (typeof a === "number" || a instanceof Real) {
    const x = toNumber(a);
    const y = toNumber(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  throw new ScriptError(
    `Can’t compare ${sourceText(a)} with ${sourceText(b)}.`,
    -1700,
    { offending: a },
  );
}

/** `a contains b` for text, lists and records. */
export function contains(a: Val, b: Val, options: CompareOptions = {}): boolean {
  if (a instanceof LocalRef) a = a.get();
  if (b instanceof LocalRef) b = b.get();
  if (typeof a === "string") return fold(a, options).includes(fold(toText(b), options));
  if (Array.isArray(a)) {
    const sub = Array.isArray(b) ? b : [b];
    if (sub.length === 0) return true;
    for (let i = 0; i + sub.length <= a.length; i++) {
      if (sub.every((x, j) => equals(a[i + j], x, options))) return true;
    }
    return false;
  }
  if (a instanceof AsRecord && b instanceof AsRecord) {
    for (const [k, x] of b.fields) {
      if (!a.fields.has(k) || !equals(a.fields.get(k)!, x, options)) return false;
    }
    return true;
  }
  throw new ScriptError(
    `Can’t make ${sourceText(a)} into type list.`,
    -1700,
    { offending: a },
  );
}

/** `short date string of d`: `12/6/2026`. */
export function shortDateString(d: Date): string {
  return `${d.getMonth() + 1}/${d.getDate()}/${d.getFullYear()}`;
}
