/**
 * The typed Value model: the XPC types, and how each maps to a JavaScript value.
 *
 * | XPC type   | JavaScript                                   |
 * |------------|----------------------------------------------|
 * | null       | `null`                                       |
 * | boolean    | `boolean`                                    |
 * | int64      | `bigint` in −2⁶³ … 2⁶³−1                     |
 * | uint64     | {@linkcode UInt64} (wraps a `bigint` in 0 … 2⁶⁴−1) |
 * | double     | `number` (always: `1` is the double 1.0)     |
 * | string     | `string`                                     |
 * | data       | `Uint8Array`                                 |
 * | date       | `Date` (millisecond precision, must be valid)|
 * | UUID       | {@linkcode Uuid}                             |
 * | array      | `Value[]`                                    |
 * | dictionary | a plain object with string keys              |
 *
 * Besides the XPC types, the scripting protocol's descriptors are values of their own kinds
 * (classes, so never confused with a user's dictionary): {@linkcode ObjectSpecifier},
 * {@linkcode InsertionLocation}, {@linkcode TypeCode}, {@linkcode EnumConstant},
 * {@linkcode Comparison} and {@linkcode LogicalTest}.
 *
 * A `number` is always a double and a `bigint` always an int64, so every value round-trips
 * exactly through MessagePack, JSON and YAML: an integer stays an integer, a double stays a
 * double (`-0`, `1.0`, `NaN` included), bytes stay bytes.
 *
 * @module
 */

import { LimitError } from "../errors.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";

/** A value of one of the XPC types; see the module documentation for the mapping. */
export type Value =
  | null
  | boolean
  | bigint
  | UInt64
  | number
  | string
  | Uint8Array
  | Date
  | Uuid
  | Value[]
  | Dictionary
  | ObjectSpecifier
  | InsertionLocation
  | TypeCode
  | EnumConstant
  | Comparison
  | LogicalTest;

/** A dictionary: string keys to values. */
export interface Dictionary {
  /** Any string key but `__proto__`. */
  [key: string]: Value;
}

/** The name of each XPC type, as {@linkcode typeOf} returns it. */
export type ValueType =
  | "null"
  | "boolean"
  | "int64"
  | "uint64"
  | "double"
  | "string"
  | "data"
  | "date"
  | "uuid"
  | "array"
  | "dictionary"
  | "specifier"
  | "insertion"
  | "type"
  | "constant"
  | "comparison"
  | "logical";

/** The smallest int64. */
export const INT64_MIN: bigint = -(2n ** 63n);
/** The largest int64. */
export const INT64_MAX: bigint = 2n ** 63n - 1n;
/** The largest uint64. */
export const UINT64_MAX: bigint = 2n ** 64n - 1n;

/**
 * An unsigned 64-bit integer (XPC uint64), kept apart from int64 so that the type survives.
 *
 * @example Make one
 * ```ts
 * import { UInt64 } from "./value.ts";
 * const max = new UInt64(18446744073709551615n);
 * console.log(max.toString()); // "18446744073709551615"
 * ```
 */
export class UInt64 {
  /** The value, in 0 … 2⁶⁴−1. */
  readonly value: bigint;
  /**
   * Creates a uint64.
   *
   * @param value an integer in 0 … 2⁶⁴−1 (a `number` must be a safe integer).
   */
  constructor(value: bigint | number) {
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value)) {
        throw new RangeError(`UInt64 needs an integer, got ${value}`);
      }
      value = BigInt(value);
    }
    if (typeof value !== "bigint" || value < 0n || value > UINT64_MAX) {
      throw new RangeError(`UInt64 out of range 0…${UINT64_MAX}: ${value}`);
    }
    this.value = value;
  }
  /** The decimal digits. */
  toString(): string {
    return this.value.toString();
  }
  /** JSON has no uint64: a `{"$uint64": "…"}` object, as ipckit's JSON form writes it. */
  toJSON(): { $uint64: string } {
    return { $uint64: this.value.toString() };
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A UUID (XPC uuid), held as its canonical lower-case text.
 *
 * @example Parse and print
 * ```ts
 * import { Uuid } from "./value.ts";
 * const id = new Uuid("6BA7B810-9DAD-11D1-80B4-00C04FD430C8");
 * console.log(id.toString()); // "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
 * ```
 */
export class Uuid {
  /** The canonical lower-case text form, `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`. */
  readonly text: string;
  /**
   * Creates a UUID from its text.
   *
   * @param text a UUID in the 8-4-4-4-12 hexadecimal form, any case.
   */
  constructor(text: string) {
    if (typeof text !== "string" || !UUID_RE.test(text)) {
      throw new TypeError(`not a UUID (want 8-4-4-4-12 hexadecimal digits): ${String(text)}`);
    }
    this.text = text.toLowerCase();
  }
  /** A new random (version 4) UUID. */
  static random(): Uuid {
    return new Uuid(crypto.randomUUID());
  }
  /** The UUID whose 16 bytes are given. */
  static fromBytes(bytes: Uint8Array): Uuid {
    if (bytes.length !== 16) throw new RangeError(`a UUID has 16 bytes, got ${bytes.length}`);
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return new Uuid(
      `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
        hex.slice(20)
      }`,
    );
  }
  /** The 16 bytes. */
  get bytes(): Uint8Array {
    const hex = this.text.replaceAll("-", "");
    const out = new Uint8Array(16);
    for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return out;
  }
  /** The canonical text form. */
  toString(): string {
    return this.text;
  }
  /** ipckit's JSON form, `{"$uuid": "…"}`. */
  toJSON(): { $uuid: string } {
    return { $uuid: this.text };
  }
}

/** Whether `value` is a plain object usable as a dictionary (not an array, class instance…). */
export function isDictionary(value: unknown): value is Dictionary {
  if (value === null || typeof value !== "object") return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * The XPC type of a value, or `undefined` when it is not a Value (it does not look inside
 * containers; {@linkcode assertValue} does).
 */
export function typeOf(value: unknown): ValueType | undefined {
  switch (typeof value) {
    case "boolean":
      return "boolean";
    case "bigint":
      return "int64";
    case "number":
      return "double";
    case "string":
      return "string";
    case "object":
      if (value === null) return "null";
      if (Array.isArray(value)) return "array";
      if (value instanceof Uint8Array) return "data";
      if (value instanceof Date) return "date";
      if (value instanceof UInt64) return "uint64";
      if (value instanceof Uuid) return "uuid";
      if (isDictionary(value)) return "dictionary";
      if (value instanceof ObjectSpecifier) return "specifier";
      if (value instanceof InsertionLocation) return "insertion";
      if (value instanceof TypeCode) return "type";
      if (value instanceof EnumConstant) return "constant";
      if (value instanceof Comparison) return "comparison";
      if (value instanceof LogicalTest) return "logical";
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "function") return "a function";
  if (typeof value === "symbol") return "a symbol";
  if (typeof value === "object" && value !== null) {
    return `a ${value.constructor?.name ?? "object"}`;
  }
  return typeof value;
}

const encoder = new TextEncoder();

/**
 * Checks that `value` is a Value within the limits (nesting depth, string length), throwing a
 * `TypeError` that names the path of the first offending part, or a {@linkcode LimitError}.
 *
 * @param value what to check.
 * @param limits the limits to hold it to. @default {DEFAULT_LIMITS}
 */
export function assertValue(
  value: unknown,
  limits: Pick<Limits, "maxDepth" | "maxStringBytes"> = DEFAULT_LIMITS,
): asserts value is Value {
  check(value, "value", 1, limits);
}

function check(
  value: unknown,
  path: string,
  depth: number,
  limits: Pick<Limits, "maxDepth" | "maxStringBytes">,
): void {
  switch (typeof value) {
    case "boolean":
    case "number":
      return;
    case "bigint":
      if (value < INT64_MIN || value > INT64_MAX) {
        throw new RangeError(`${path}: ${value} is out of the int64 range; use UInt64 or a double`);
      }
      return;
    case "string":
      // A UTF-8 string is at most 3 bytes per UTF-16 unit; count exactly only when it matters.
      if (
        value.length * 3 > limits.maxStringBytes &&
        encoder.encode(value).length > limits.maxStringBytes
      ) {
        throw new LimitError(
          `${path}: a string of ${value.length} characters is over the limit of ${limits.maxStringBytes} bytes; send it as data`,
        );
      }
      return;
    case "object": {
      if (value === null || value instanceof Uint8Array || value instanceof UInt64) return;
      if (value instanceof Uuid || value instanceof TypeCode || value instanceof EnumConstant) {
        return;
      }
      if (isDescriptor(value)) {
        if (depth > limits.maxDepth) {
          throw new LimitError(`${path}: nested deeper than the limit of ${limits.maxDepth}`);
        }
        const parts = descriptorParts(value);
        for (let i = 0; i < parts.length; i++) {
          check(parts[i], `${path}<${i}>`, depth + 1, limits);
        }
        return;
      }
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new TypeError(`${path}: an invalid Date`);
        return;
      }
      if (depth > limits.maxDepth) {
        throw new LimitError(`${path}: nested deeper than the limit of ${limits.maxDepth}`);
      }
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) {
          check(value[i], `${path}[${i}]`, depth + 1, limits);
        }
        return;
      }
      if (isDictionary(value)) {
        for (const key in value) {
          if (key === "__proto__") {
            throw new TypeError(`${path}: the key "__proto__" is not allowed in a dictionary`);
          }
          check(value[key], `${path}.${key}`, depth + 1, limits);
        }
        return;
      }
    }
  }
  throw new TypeError(`${path}: ${describe(value)} is not a Value (see lib/wire/value.ts)`);
}

/**
 * Whether two values are equal in type and content (`-0` differs from `0`, `NaN` equals `NaN`,
 * dictionaries compare without regard to key order).
 */
export function valueEquals(a: Value, b: Value): boolean {
  if (typeof a === "number" && typeof b === "number") return Object.is(a, b);
  if (a === b) return true;
  const ta = typeOf(a);
  if (ta !== typeOf(b)) return false;
  switch (ta) {
    case "uint64":
      return (a as UInt64).value === (b as UInt64).value;
    case "uuid":
      return (a as Uuid).text === (b as Uuid).text;
    case "date":
      return (a as Date).getTime() === (b as Date).getTime();
    case "data": {
      const x = a as Uint8Array, y = b as Uint8Array;
      if (x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
      return true;
    }
    case "array": {
      const x = a as Value[], y = b as Value[];
      return x.length === y.length && x.every((v, i) => valueEquals(v, y[i]));
    }
    case "type":
    case "constant":
      return (a as TypeCode).code === (b as TypeCode).code;
    case "specifier":
    case "insertion":
    case "comparison":
    case "logical": {
      const x = descriptorParts(a as Descriptor), y = descriptorParts(b as Descriptor);
      return x.length === y.length && x.every((v, i) => valueEquals(v, y[i]));
    }
    case "dictionary": {
      const x = a as Dictionary, y = b as Dictionary;
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      return keys.every((k) => Object.hasOwn(y, k) && valueEquals(x[k], y[k]));
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The scripting protocol's descriptors (AppleEvent descriptor kinds)

/** Where a specifier chain starts: the application, the current container, the object examined. */
export type SpecifierRoot = "application" | "container" | "examined";

/** The key forms of an object specifier. */
export type KeyForm = "property" | "index" | "name" | "id" | "range" | "test" | "relative";

/** The ordinals, the `index` form's seld when it is not a number. */
export type Ordinal = "first" | "middle" | "last" | "some" | "every";

/** Where an insertion location is, relative to its object. */
export type InsertionPosition = "beginning" | "end" | "before" | "after";

/** The comparison operators of a test (`≠` is `not(=)`, `is in` is `contains` swapped). */
export type ComparisonOperator =
  | "="
  | "<"
  | "<="
  | ">"
  | ">="
  | "begins with"
  | "ends with"
  | "contains";

/** The logical operators of a test. */
export type LogicalOperator = "and" | "or" | "not";

/** A test descriptor: a comparison or a logical combination of tests. */
export type TestDescriptor = Comparison | LogicalTest;

/** The specifier roots. */
export const SPECIFIER_ROOTS: readonly SpecifierRoot[] = ["application", "container", "examined"];
/** The key forms. */
export const KEY_FORMS: readonly KeyForm[] = [
  "property",
  "index",
  "name",
  "id",
  "range",
  "test",
  "relative",
];
/** The ordinals. */
export const ORDINALS: readonly Ordinal[] = ["first", "middle", "last", "some", "every"];
/** The insertion positions. */
export const INSERTION_POSITIONS: readonly InsertionPosition[] = [
  "beginning",
  "end",
  "before",
  "after",
];
/** The comparison operators. */
export const COMPARISON_OPERATORS: readonly ComparisonOperator[] = [
  "=",
  "<",
  "<=",
  ">",
  ">=",
  "begins with",
  "ends with",
  "contains",
];
/** The logical operators. */
export const LOGICAL_OPERATORS: readonly LogicalOperator[] = ["and", "or", "not"];

function isCode(value: unknown): value is string {
  return typeof value === "string" && value.length === 4;
}

function oneOf<T extends string>(what: string, value: unknown, among: readonly T[]): T {
  if (typeof value !== "string" || !(among as readonly string[]).includes(value)) {
    throw new TypeError(
      `${what} must be one of ${among.map((a) => JSON.stringify(a)).join(", ")}, not ${
        typeof value === "string" ? JSON.stringify(value) : describe(value)
      }`,
    );
  }
  return value as T;
}

/**
 * A four-character type or class code as a value (AppleScript's `class`, `typeType`):
 * `docu`, `ctxt`.
 *
 * @example
 * ```ts
 * import { TypeCode } from "./value.ts";
 * new TypeCode("docu").code; // "docu"
 * ```
 */
export class TypeCode {
  /** The four characters. */
  readonly code: string;
  /** @param code exactly four characters (spaces count). */
  constructor(code: string) {
    if (!isCode(code)) {
      throw new TypeError(`a type code has four characters, not ${describe(code)}`);
    }
    this.code = code;
  }
  /** ipckit's JSON form, `{"$type": "docu"}`. */
  toJSON(): { $type: string } {
    return { $type: this.code };
  }
}

/**
 * An enumerator constant (`typeEnumerated`): `yes `, `ask `, an app's own enumerators.
 *
 * @example
 * ```ts
 * import { EnumConstant } from "./value.ts";
 * new EnumConstant("yes ").code; // "yes "
 * ```
 */
export class EnumConstant {
  /** The four characters. */
  readonly code: string;
  /** @param code exactly four characters (spaces count). */
  constructor(code: string) {
    if (!isCode(code)) {
      throw new TypeError(`an enumerator constant has four characters, not ${describe(code)}`);
    }
    this.code = code;
  }
  /** ipckit's JSON form, `{"$constant": "yes "}`. */
  toJSON(): { $constant: string } {
    return { $constant: this.code };
  }
}

function checkBound(bound: unknown): void {
  if (typeof bound === "bigint" || typeof bound === "string") return;
  if (bound instanceof ObjectSpecifier) return;
  if (bound instanceof EnumConstant && (bound.code === "bgng" || bound.code === "end ")) return;
  throw new TypeError(
    `a range bound is an index, a name, a specifier or the constant bgng/"end ", not ${
      describe(bound)
    }`,
  );
}

function checkSeld(form: KeyForm, seld: unknown): void {
  switch (form) {
    case "property":
      if (!isCode(seld)) throw new TypeError(`a property's seld is a four-character code`);
      return;
    case "index":
      if (typeof seld === "bigint") return;
      oneOf("an index's seld (an integer or an ordinal)", seld, ORDINALS);
      return;
    case "name":
      if (typeof seld !== "string") throw new TypeError(`a name's seld is text`);
      return;
    case "id":
      return;
    case "range":
      if (!Array.isArray(seld) || seld.length !== 2) {
        throw new TypeError(`a range's seld is [start, stop]`);
      }
      checkBound(seld[0]);
      checkBound(seld[1]);
      return;
    case "test":
      if (!(seld instanceof Comparison || seld instanceof LogicalTest)) {
        throw new TypeError(`a test's seld is a comparison or a logical test`);
      }
      return;
    case "relative":
      oneOf("a relative seld", seld, ["before", "after"]);
      return;
  }
}

/**
 * An object specifier (`typeObjectSpecifier`): objects of class `want`, in `from`, chosen by
 * `form` with its selection data `seld`:
 *
 * | form       | seld                                                                |
 * |------------|---------------------------------------------------------------------|
 * | `property` | the property's code (`want` is `prop`)                              |
 * | `index`    | an integer (1-based, negative from the end) or an {@linkcode Ordinal} |
 * | `name`     | text                                                                |
 * | `id`       | any value                                                           |
 * | `range`    | `[start, stop]`: indices, names, specifiers or `bgng`/`end ` constants |
 * | `test`     | a {@linkcode Comparison} or {@linkcode LogicalTest}                 |
 * | `relative` | `"before"` or `"after"` (`from` is the object it is relative to)    |
 *
 * @example `name of note 1`
 * ```ts
 * import { ObjectSpecifier } from "./value.ts";
 * const note = new ObjectSpecifier("note", "application", "index", 1n);
 * const name = new ObjectSpecifier("prop", note, "property", "pnam");
 * ```
 */
export class ObjectSpecifier {
  /** The class code of what it names (`prop` for a property). */
  readonly want: string;
  /** The container: another specifier or a root. */
  readonly from: ObjectSpecifier | SpecifierRoot;
  /** The key form. */
  readonly form: KeyForm;
  /** The selection data, by form. */
  readonly seld: Value;
  /**
   * Creates a specifier; a `TypeError` says what is wrong with a part.
   *
   * @param want the class code (four characters).
   * @param from the container.
   * @param form the key form.
   * @param seld the selection data (see the table above).
   */
  constructor(want: string, from: ObjectSpecifier | SpecifierRoot, form: KeyForm, seld: Value) {
    if (!isCode(want)) throw new TypeError(`a specifier's want is a four-character class code`);
    if (!(from instanceof ObjectSpecifier)) oneOf("a specifier's from", from, SPECIFIER_ROOTS);
    oneOf("a specifier's form", form, KEY_FORMS);
    checkSeld(form, seld);
    this.want = want;
    this.from = from;
    this.form = form;
    this.seld = seld;
  }
}

/**
 * An insertion location (`typeInsertionRecord`): the beginning or end of an object's
 * elements, or before or after an object.
 *
 * @example `at end of folder 1`
 * ```ts
 * import { InsertionLocation, ObjectSpecifier } from "./value.ts";
 * const folder = new ObjectSpecifier("cfol", "application", "index", 1n);
 * new InsertionLocation("end", folder);
 * ```
 */
export class InsertionLocation {
  /** Where. */
  readonly position: InsertionPosition;
  /** The object it is relative to, or a root (`at end` of the application). */
  readonly object: ObjectSpecifier | SpecifierRoot;
  /**
   * @param position beginning, end, before or after.
   * @param object the object.
   */
  constructor(position: InsertionPosition, object: ObjectSpecifier | SpecifierRoot) {
    oneOf("an insertion position", position, INSERTION_POSITIONS);
    if (!(object instanceof ObjectSpecifier)) {
      oneOf("an insertion location's object", object, SPECIFIER_ROOTS);
    }
    this.position = position;
    this.object = object;
  }
}

/**
 * A comparison descriptor of a `whose` test: `left op right`, where one side is usually a
 * specifier from the object being examined (`its name`).
 *
 * @example `whose name begins with "A"`
 * ```ts
 * import { Comparison, ObjectSpecifier } from "./value.ts";
 * const its = new ObjectSpecifier("prop", "examined", "property", "pnam");
 * new Comparison("begins with", its, "A");
 * ```
 */
export class Comparison {
  /** The operator. */
  readonly op: ComparisonOperator;
  /** The left operand. */
  readonly left: Value;
  /** The right operand. */
  readonly right: Value;
  /**
   * @param op the operator.
   * @param left the left operand.
   * @param right the right operand.
   */
  constructor(op: ComparisonOperator, left: Value, right: Value) {
    this.op = oneOf("a comparison operator", op, COMPARISON_OPERATORS);
    this.left = left;
    this.right = right;
  }
}

/**
 * A logical descriptor of a `whose` test: `and`/`or` of two or more tests, `not` of one.
 *
 * @example `whose not (name = "x")`
 * ```ts
 * import { Comparison, LogicalTest, ObjectSpecifier } from "./value.ts";
 * const its = new ObjectSpecifier("prop", "examined", "property", "pnam");
 * new LogicalTest("not", [new Comparison("=", its, "x")]);
 * ```
 */
export class LogicalTest {
  /** The operator. */
  readonly op: LogicalOperator;
  /** The operands. */
  readonly operands: readonly TestDescriptor[];
  /**
   * @param op and, or, not.
   * @param operands the tests: one for `not`, at least one for `and`/`or`.
   */
  constructor(op: LogicalOperator, operands: readonly TestDescriptor[]) {
    oneOf("a logical operator", op, LOGICAL_OPERATORS);
    if (!Array.isArray(operands)) throw new TypeError(`a logical test's operands are a list`);
    for (const o of operands) {
      if (!(o instanceof Comparison || o instanceof LogicalTest)) {
        throw new TypeError(`a logical test's operands are tests, not ${describe(o)}`);
      }
    }
    if (op === "not" ? operands.length !== 1 : operands.length < 1) {
      throw new TypeError(
        op === "not" ? `"not" takes one test` : `"${op}" takes one or more tests`,
      );
    }
    this.op = op;
    this.operands = operands;
  }
}

/** A descriptor made of other values (all but type codes and enumerator constants). */
export type Descriptor = ObjectSpecifier | InsertionLocation | Comparison | LogicalTest;

/** Whether a value is a specifier, insertion location, comparison or logical test. */
export function isDescriptor(value: unknown): value is Descriptor {
  return value instanceof ObjectSpecifier || value instanceof InsertionLocation ||
    value instanceof Comparison || value instanceof LogicalTest;
}

/**
 * A descriptor's parts, in the order the wire writes them: a specifier's
 * `[want, from, form, seld]`, an insertion's `[position, object]`, a comparison's
 * `[op, left, right]`, a logical test's `[op, operands]`.
 */
export function descriptorParts(d: Descriptor): Value[] {
  if (d instanceof ObjectSpecifier) return [d.want, d.from, d.form, d.seld];
  if (d instanceof InsertionLocation) return [d.position, d.object];
  if (d instanceof Comparison) return [d.op, d.left, d.right];
  return [d.op, [...d.operands]];
}

/**
 * Builds a descriptor of `kind` from its parts ({@linkcode descriptorParts}'s inverse).
 *
 * @throws {TypeError} when a part is wrong; the message says which.
 */
export function descriptorFromParts(
  kind: "specifier" | "insertion" | "comparison" | "logical",
  parts: Value[],
): Descriptor {
  const want = { specifier: 4, insertion: 2, comparison: 3, logical: 2 }[kind];
  if (!Array.isArray(parts) || parts.length !== want) {
    throw new TypeError(`a ${kind} has ${want} parts, not ${parts?.length}`);
  }
  switch (kind) {
    case "specifier":
      return new ObjectSpecifier(
        parts[0] as string,
        parts[1] as ObjectSpecifier,
        parts[2] as KeyForm,
        parts[3],
      );
    case "insertion":
      return new InsertionLocation(parts[0] as InsertionPosition, parts[1] as ObjectSpecifier);
    case "comparison":
      return new Comparison(parts[0] as ComparisonOperator, parts[1], parts[2]);
    case "logical":
      return new LogicalTest(parts[0] as LogicalOperator, parts[1] as TestDescriptor[]);
  }
}
