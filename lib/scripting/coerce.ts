/**
 * Coercion of wire values to the definition's types, as the runtime hands them to the model
 * and to handlers: text ↔ number, integer ↔ real, boolean, date, file (→ path), enumerations by
 * term or code, records by record type, `list of X` (one value becomes a one-item list),
 * `type | type` alternatives, `missing value`, `any` and `specifier`. A value that cannot be
 * coerced is error -1700 with the value as the offending object and the expected type.
 *
 * @module
 */

import { AppleEventError } from "../errors.ts";
import type { SdefType } from "../sdef/model.ts";
import { camelCase } from "../sdp/naming.ts";
import {
  EnumConstant,
  InsertionLocation,
  isDictionary,
  ObjectSpecifier,
  TypeCode,
  type Value,
} from "../wire/value.ts";
import type { Model } from "./_model.ts";
import { ERRORS } from "./protocol.ts";

/** Resolves a reference to its model object(s), for class-typed values. */
export type ResolveReference = (spec: ObjectSpecifier) => unknown;

/**
 * Coerces a wire value to one of `types` (the first alternative that takes it).
 *
 * @throws {AppleEventError} -1700 when none does.
 */
export function coerceIn(
  value: Value,
  types: readonly SdefType[] | undefined,
  model: Model,
  resolve: ResolveReference,
): unknown {
  if (!types || types.length === 0) return plain(value, model, resolve);
  // `integer | text` keeps "12" text and 12 an integer: an alternative the value already is
  // comes before one it converts to.
  if (types.length > 1) {
    const exact = types.find((t) => isAlready(value, t, model));
    if (exact) return coerceOne(value, exact, model, resolve);
  }
  let first: unknown;
  for (const type of types) {
    try {
      return coerceOne(value, type, model, resolve);
    } catch (error) {
      first ??= error;
    }
  }
  throw first;
}

function isAlready(value: Value, type: SdefType, model: Model): boolean {
  if (type.list) return Array.isArray(value);
  const target = model.dict.findType(type.name);
  if (!target) return false;
  switch (target.kind) {
    case "primitive":
      switch (target.primitive.kind) {
        case "text":
          return typeof value === "string";
        case "number":
          return target.primitive.name === "integer"
            ? typeof value === "bigint"
            : typeof value === "number" || typeof value === "bigint";
        case "boolean":
          return typeof value === "boolean";
        case "date":
          return value instanceof Date;
        case "missing":
          return value === null;
        default:
          return false;
      }
    case "class":
      return value instanceof ObjectSpecifier ||
        (target.class.code === "ctxt" && typeof value === "string");
    case "enumeration":
      return value instanceof EnumConstant;
    case "record":
      return isDictionary(value);
    default:
      return false;
  }
}

function cannot(model: Model, value: Value, typeName: string, code?: string): never {
  throw new AppleEventError(
    ERRORS.cannotCoerce,
    `Can’t make ${model.describe(value)} into type ${typeName}.`,
    { offendingObject: value, expectedType: code },
  );
}

function coerceOne(value: Value, type: SdefType, model: Model, resolve: ResolveReference): unknown {
  if (type.list) {
    const items = Array.isArray(value) ? value : [value];
    const one = { ...type, list: false };
    return items.map((v) => coerceOne(v, one, model, resolve));
  }
  const target = model.dict.findType(type.name);
  if (value === null || (value instanceof TypeCode && value.code === "msng")) {
    if (
      !target || (target.kind === "primitive" && ["missing", "any"].includes(target.primitive.kind))
    ) {
      return null;
    }
    return cannot(model, value, type.name, codeOf(target));
  }
  if (!target) return plain(value, model, resolve);
  switch (target.kind) {
    case "primitive": {
      const p = target.primitive;
      switch (p.kind) {
        case "any":
          return plain(value, model, resolve);
        case "text":
          if (typeof value === "string") return value;
          if (typeof value === "bigint" || typeof value === "number") return String(value);
          if (typeof value === "boolean") return String(value);
          if (value instanceof EnumConstant) return value.code;
          return cannot(model, value, p.name, p.code);
        case "number": {
          let n: number;
          if (typeof value === "bigint") n = Number(value);
          else if (typeof value === "number") n = value;
          else if (typeof value === "string" && value.trim() !== "" && !isNaN(Number(value))) {
            n = Number(value);
          } else return cannot(model, value, p.name, p.code);
          return p.name === "integer" ? Math.round(n) : n;
        }
        case "boolean":
          if (typeof value === "boolean") return value;
          if (value instanceof EnumConstant && (value.code === "yes " || value.code === "no  ")) {
            return value.code === "yes ";
          }
          if (typeof value === "string" && /^(true|false|yes|no)$/i.test(value)) {
            return /^(true|yes)$/i.test(value);
          }
          return cannot(model, value, p.name, p.code);
        case "date": {
          if (value instanceof Date) return value;
          if (typeof value === "string") {
            const d = new Date(value);
            if (!isNaN(d.getTime())) return d;
          }
          return cannot(model, value, p.name, p.code);
        }
        case "file":
          if (typeof value === "string") {
            return value.startsWith("file://")
              ? decodeURIComponent(new URL(value).pathname)
              : value;
          }
          return cannot(model, value, p.name, p.code);
        case "record":
          if (isDictionary(value)) return recordIn(value, undefined, model, resolve);
          return cannot(model, value, p.name, p.code);
        case "specifier":
          if (value instanceof ObjectSpecifier) return value;
          return cannot(model, value, p.name, p.code);
        case "location":
          if (value instanceof InsertionLocation || value instanceof ObjectSpecifier) return value;
          return cannot(model, value, p.name, p.code);
        case "type":
          if (value instanceof TypeCode) return model.classByCode(value.code)?.name ?? value.code;
          if (typeof value === "string" && model.classByName(value)) {
            return model.classByName(value)!.name;
          }
          return cannot(model, value, p.name, p.code);
        case "list":
          return Array.isArray(value) ? value.map((v) => plain(v, model, resolve)) : [
            plain(value, model, resolve),
          ];
        case "missing":
          return cannot(model, value, p.name, p.code);
        default:
          return plain(value, model, resolve);
      }
    }
    case "class":
      // the text suite's `text` class (ctxt) holds text: a string is one
      if (target.class.code === "ctxt" && typeof value === "string") return value;
      if (value instanceof ObjectSpecifier) return resolve(value);
      return cannot(model, value, target.class.name, target.class.code);
    case "enumeration": {
      const e = target.enumeration;
      const found = value instanceof EnumConstant
        ? e.enumerators.find((x) => x.code === value.code)
        : typeof value === "string"
        ? e.enumerators.find((x) => x.name.toLowerCase() === value.toLowerCase())
        : undefined;
      if (!found) return cannot(model, value, e.name, e.code);
      return found.name;
    }
    case "record":
      if (!isDictionary(value)) return cannot(model, value, target.record.name, target.record.code);
      return recordIn(value, target.record.properties, model, resolve);
    case "value":
      return plain(value, model, resolve);
  }
}

function codeOf(target: ReturnType<Model["dict"]["findType"]>): string | undefined {
  if (!target) return undefined;
  switch (target.kind) {
    case "primitive":
      return target.primitive.code;
    case "class":
      return target.class.code;
    case "enumeration":
      return target.enumeration.code;
    case "record":
      return target.record.code;
    case "value":
      return target.value.code;
  }
}

/**
 * A record from the wire (keyed by code, or by term or camelCased name) to a plain object keyed
 * by camelCased name, each field coerced to its property's type.
 */
export function recordIn(
  record: Record<string, Value>,
  props: readonly { name: string; code: string; types: readonly SdefType[] }[] | undefined,
  model: Model,
  resolve: ResolveReference,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(record)) {
    const p = props?.find((x) => x.code === key || x.name === key || camelCase(x.name) === key) ??
      findAnyProperty(model, key);
    if (p) out[camelCase(p.name)] = coerceIn(v, p.types, model, resolve);
    else out[key] = plain(v, model, resolve);
  }
  return out;
}

function findAnyProperty(
  model: Model,
  key: string,
): { name: string; code: string; types: readonly SdefType[] } | undefined {
  for (const c of model.dict.classes) {
    for (const p of c.properties) {
      if (p.code === key || p.name === key || camelCase(p.name) === key) return p;
    }
  }
  for (const r of model.dict.recordTypes) {
    for (const p of r.properties) if (p.code === key || camelCase(p.name) === key) return p;
  }
  return undefined;
}

/** A wire value of no declared type, as plain JavaScript: int64 as a number, references resolved. */
function plain(value: Value, model: Model, resolve: ResolveReference): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof ObjectSpecifier) return resolve(value);
  if (value instanceof EnumConstant) {
    for (const e of model.dict.enumerations) {
      const x = e.enumerators.find((x) => x.code === value.code);
      if (x) return x.name;
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => plain(v, model, resolve));
  if (isDictionary(value)) return recordIn(value, undefined, model, resolve);
  return value;
}
