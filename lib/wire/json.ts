/**
 * ipckit's JSON form of Values, both ways. Numbers are written as numbers when that is exact:
 * an int64 in the safe range as an integer (`5`), a double always with a fraction or exponent
 * (`1.0`, `-0.0`, `1e+300`). Everything else is a one-key object:
 * `{"$int64": "…"}` (outside ±(2⁵³−1)), `{"$uint64": "…"}`, `{"$double": "NaN" | "Infinity" |
 * "-Infinity"}`, `{"$data": "<base64>"}`, `{"$date": "<ISO 8601>"}`, `{"$uuid": "…"}`.
 * The scripting descriptors: `{"$type": "docu"}`, `{"$constant": "yes "}`,
 * `{"$specifier": {"want": "cobj", "from": "application" | {"$specifier": …}, "form": "index",
 * "seld": 1}}`, `{"$insertion": {"position": "end", "object": …}}`,
 * `{"$comparison": {"op": "=", "left": …, "right": …}}`,
 * `{"$logical": {"op": "and", "operands": […]}}`.
 * A dictionary that itself has one key among those is wrapped as `{"$dictionary": {…}}`, so it
 * is never misread. Reading accepts the same forms; an integer token is an int64 (a uint64 when
 * it is above the int64 range), a token with `.` or an exponent a double.
 *
 * @module
 */

import { DEFAULT_LIMITS } from "./limits.ts";
import {
  type Comparison,
  descriptorFromParts,
  EnumConstant,
  type InsertionLocation,
  INT64_MAX,
  INT64_MIN,
  isDictionary,
  type LogicalTest,
  type ObjectSpecifier,
  TypeCode,
  typeOf,
  UInt64,
  UINT64_MAX,
  Uuid,
  type Value,
} from "./value.ts";

const TAGS = new Set([
  "$int64",
  "$uint64",
  "$double",
  "$data",
  "$date",
  "$uuid",
  "$dictionary",
  "$type",
  "$constant",
  "$specifier",
  "$insertion",
  "$comparison",
  "$logical",
]);

/** The descriptor forms: tag, kind, and the names of their parts in wire order. */
const DESCRIPTOR_FORMS = {
  $specifier: ["specifier", ["want", "from", "form", "seld"]],
  $insertion: ["insertion", ["position", "object"]],
  $comparison: ["comparison", ["op", "left", "right"]],
  $logical: ["logical", ["op", "operands"]],
} as const;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Writes a double so that it reads back as a double: `1.0`, `-0.0`, `1.5e+300`. */
export function formatDouble(value: number): string {
  if (Object.is(value, -0)) return "-0.0";
  const text = String(value);
  return /[.e]/.test(text) ? text : `${text}.0`;
}

/** Base64 of bytes. */
export function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(text);
}

/** Bytes of base64 text; a `SyntaxError` when it is not base64. */
export function fromBase64(text: string): Uint8Array {
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new SyntaxError(`not valid base64: ${text.length > 40 ? text.slice(0, 40) + "…" : text}`);
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * Writes a Value as JSON text in ipckit's JSON form.
 *
 * @example One line of JSON
 * ```ts
 * import { toJson } from "./json.ts";
 * console.log(toJson({ count: 5n, ratio: 1, when: new Date(0) }));
 * // {"count":5,"ratio":1.0,"when":{"$date":"1970-01-01T00:00:00.000Z"}}
 * ```
 *
 * @param value the value.
 * @param indent spaces per level for a multi-line form; 0 for one line. @default {0}
 */
export function toJson(value: Value, indent = 0): string {
  return write(value, indent, "");
}

function write(value: Value, indent: number, pad: string): string {
  switch (typeOf(value)) {
    case "null":
      return "null";
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return JSON.stringify(value);
    case "double": {
      const n = value as number;
      return Number.isFinite(n) ? formatDouble(n) : tagged("$double", String(n), indent, pad);
    }
    case "int64": {
      const n = value as bigint;
      if (n < INT64_MIN || n > INT64_MAX) throw new RangeError(`${n} is out of the int64 range`);
      return n >= -SAFE && n <= SAFE ? n.toString() : tagged("$int64", n.toString(), indent, pad);
    }
    case "uint64":
      return tagged("$uint64", (value as UInt64).toString(), indent, pad);
    case "data":
      return tagged("$data", toBase64(value as Uint8Array), indent, pad);
    case "date":
      return tagged("$date", (value as Date).toISOString(), indent, pad);
    case "uuid":
      return tagged("$uuid", (value as Uuid).text, indent, pad);
    case "type":
      return tagged("$type", (value as TypeCode).code, indent, pad);
    case "constant":
      return tagged("$constant", (value as EnumConstant).code, indent, pad);
    case "specifier": {
      const v = value as ObjectSpecifier;
      return descriptor("$specifier", { want: v.want, from: v.from, form: v.form, seld: v.seld });
    }
    case "insertion": {
      const v = value as InsertionLocation;
      return descriptor("$insertion", { position: v.position, object: v.object });
    }
    case "comparison": {
      const v = value as Comparison;
      return descriptor("$comparison", { op: v.op, left: v.left, right: v.right });
    }
    case "logical": {
      const v = value as LogicalTest;
      return descriptor("$logical", { op: v.op, operands: [...v.operands] });
    }
    case "array": {
      const items = value as Value[];
      if (items.length === 0) return "[]";
      const inner = pad + " ".repeat(indent);
      const parts = items.map((item) => write(item, indent, inner));
      return indent ? `[\n${inner}${parts.join(`,\n${inner}`)}\n${pad}]` : `[${parts.join(",")}]`;
    }
    case "dictionary": {
      const dict = value as Record<string, Value>;
      const keys = Object.keys(dict);
      if (keys.length === 1 && TAGS.has(keys[0])) {
        return `{"$dictionary":${indent ? " " : ""}${writeObject(dict, keys, indent, pad)}}`;
      }
      return writeObject(dict, keys, indent, pad);
    }
  }
  throw new TypeError(`not a Value: ${String(value)}`);

  function descriptor(tag: string, parts: Record<string, Value>): string {
    const keys = Object.keys(parts);
    return `{${JSON.stringify(tag)}:${indent ? " " : ""}${writeObject(parts, keys, indent, pad)}}`;
  }
}

function writeObject(
  dict: Record<string, Value>,
  keys: string[],
  indent: number,
  pad: string,
): string {
  if (keys.length === 0) return "{}";
  const inner = pad + " ".repeat(indent);
  const sep = indent ? ": " : ":";
  const parts = keys.map((k) => `${JSON.stringify(k)}${sep}${write(dict[k], indent, inner)}`);
  return indent ? `{\n${inner}${parts.join(`,\n${inner}`)}\n${pad}}` : `{${parts.join(",")}}`;
}

function tagged(tag: string, text: string, indent: number, _pad: string): string {
  return `{${JSON.stringify(tag)}:${indent ? " " : ""}${JSON.stringify(text)}}`;
}

/**
 * Reads JSON text in ipckit's JSON form into a Value.
 *
 * @throws {SyntaxError} when the text is not JSON, or a `$` form is malformed.
 * @throws {RangeError} when an integer is beyond the uint64 range.
 */
export function fromJson(text: string): Value {
  try {
    return fromJsonValue(JSON.parse(text, reviveNumber));
  } catch (error) {
    if (isStackOverflow(error)) throw new SyntaxError(TOO_DEEP);
    throw error;
  }
}

/** What reading says of text nested beyond what a stack holds (far beyond what a Value may). */
export const TOO_DEEP =
  `nested too deeply to read: a value holds at most ${DEFAULT_LIMITS.maxDepth} levels of arrays and dictionaries`;

/** Whether `error` is the engine's "Maximum call stack size exceeded". */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack/i.test(error.message);
}

function reviveNumber(
  this: unknown,
  _key: string,
  value: unknown,
  context?: { source?: string },
): unknown {
  if (typeof value !== "number" || context?.source === undefined) return value;
  const source = context.source;
  if (/[.eE]/.test(source)) return value;
  const n = BigInt(source);
  if (n >= INT64_MIN && n <= INT64_MAX) return n;
  if (n > INT64_MAX && n <= UINT64_MAX) return new UInt64(n);
  throw new RangeError(
    `the integer ${source} is out of the int64 and uint64 ranges; write it as a double (${source}.0)`,
  );
}

/**
 * Converts already-parsed JSON (as `JSON.parse` returns it, with integers as `bigint` where the
 * caller preserved them) into a Value, reading the `$` forms.
 */
export function fromJsonValue(raw: unknown, path = "value"): Value {
  if (raw === null || typeof raw === "boolean" || typeof raw === "string") return raw;
  if (typeof raw === "number" || typeof raw === "bigint" || raw instanceof UInt64) return raw;
  if (Array.isArray(raw)) return raw.map((item, i) => fromJsonValue(item, `${path}[${i}]`));
  if (!isDictionary(raw)) throw new TypeError(`${path}: not JSON`);
  const keys = Object.keys(raw);
  if (keys.length === 1 && TAGS.has(keys[0])) {
    const tag = keys[0];
    const body = raw[tag];
    if (tag === "$dictionary") {
      if (!isDictionary(body)) throw new SyntaxError(`${path}: "$dictionary" takes an object`);
      return convertObject(body, path);
    }
    if (tag in DESCRIPTOR_FORMS) {
      return readDescriptor(tag as keyof typeof DESCRIPTOR_FORMS, body, `${path}.${tag}`);
    }
    if (typeof body !== "string") {
      throw new SyntaxError(`${path}: "${tag}" takes a string, as in {"${tag}": "…"}`);
    }
    return readTagged(tag, body, path);
  }
  return convertObject(raw, path);
}

function readDescriptor(
  tag: keyof typeof DESCRIPTOR_FORMS,
  body: unknown,
  path: string,
): Value {
  const [kind, names] = DESCRIPTOR_FORMS[tag];
  const example = `{"${tag}": {${names.map((n) => `"${n}": …`).join(", ")}}}`;
  if (!isDictionary(body)) throw new SyntaxError(`${path}: takes an object, as in ${example}`);
  const extra = Object.keys(body).find((k) => !(names as readonly string[]).includes(k));
  if (extra !== undefined) throw new SyntaxError(`${path}: unknown part "${extra}" (${example})`);
  const parts = names.map((name) => {
    if (!Object.hasOwn(body, name)) throw new SyntaxError(`${path}: "${name}" is missing`);
    return fromJsonValue(body[name], `${path}.${name}`);
  });
  try {
    return descriptorFromParts(kind, parts);
  } catch (error) {
    throw new SyntaxError(`${path}: ${(error as Error).message}`);
  }
}

function convertObject(raw: Record<string, unknown>, path: string): Value {
  const out: Record<string, Value> = {};
  for (const key of Object.keys(raw)) {
    if (key === "__proto__") throw new SyntaxError(`${path}: the key "__proto__" is not allowed`);
    out[key] = fromJsonValue(raw[key], `${path}.${key}`);
  }
  return out;
}

function readTagged(tag: string, body: string, path: string): Value {
  const bad = (want: string): never => {
    throw new SyntaxError(`${path}: {"${tag}": ${JSON.stringify(body)}} needs ${want}`);
  };
  switch (tag) {
    case "$int64": {
      if (!/^-?\d+$/.test(body)) bad("a decimal integer");
      const n = BigInt(body);
      if (n < INT64_MIN || n > INT64_MAX) bad(`an integer in ${INT64_MIN}…${INT64_MAX}`);
      return n;
    }
    case "$uint64": {
      if (!/^\d+$/.test(body)) bad("a decimal integer");
      const n = BigInt(body);
      if (n > UINT64_MAX) bad(`an integer in 0…${UINT64_MAX}`);
      return new UInt64(n);
    }
    case "$double": {
      const specials: Record<string, number> = {
        "NaN": NaN,
        "Infinity": Infinity,
        "-Infinity": -Infinity,
        "-0": -0,
      };
      if (body in specials) return specials[body];
      const n = Number(body);
      if (body.trim() === "" || Number.isNaN(n)) bad("NaN, Infinity, -Infinity or a number");
      return n;
    }
    case "$data":
      try {
        return fromBase64(body);
      } catch {
        return bad("base64 text");
      }
    case "$date": {
      const date = new Date(body);
      if (Number.isNaN(date.getTime())) bad("an ISO 8601 date such as 2026-01-02T03:04:05.000Z");
      return date;
    }
    case "$uuid":
      try {
        return new Uuid(body);
      } catch {
        return bad("a UUID such as 6ba7b810-9dad-11d1-80b4-00c04fd430c8");
      }
    case "$type":
    case "$constant":
      if (body.length !== 4) bad("exactly four characters (spaces count)");
      return tag === "$type" ? new TypeCode(body) : new EnumConstant(body);
  }
  throw new SyntaxError(`${path}: unknown form ${tag}`);
}
