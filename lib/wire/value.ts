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
  | Dictionary;

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
  | "dictionary";

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
      if (value instanceof Uuid) return;
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
    case "dictionary": {
      const x = a as Dictionary, y = b as Dictionary;
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      return keys.every((k) => Object.hasOwn(y, k) && valueEquals(x[k], y[k]));
    }
  }
  return false;
}
