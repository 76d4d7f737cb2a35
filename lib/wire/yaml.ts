/**
 * ipckit's YAML form of Values, both ways, on `yaml` (loaded on first use): `!!binary` for data,
 * timestamps for dates, `!uint64` and `!uuid` for those types, integers for int64 and numbers
 * with a fraction or exponent for doubles (`1.0`, `-0.0`, `.nan`, `.inf`); `!type docu` and
 * `!constant "yes "` for type codes and enumerator constants, and `!specifier`, `!insertion`,
 * `!comparison`, `!logical` for the scripting descriptors, whose text is their JSON form.
 *
 * @module
 */

import { loadYaml } from "../deps.ts";
import { formatDouble, fromJson, toJson } from "./json.ts";
import {
  Comparison,
  EnumConstant,
  InsertionLocation,
  INT64_MAX,
  INT64_MIN,
  isDictionary,
  LogicalTest,
  ObjectSpecifier,
  TypeCode,
  UInt64,
  UINT64_MAX,
  Uuid,
  type Value,
} from "./value.ts";
import { isStackOverflow, TOO_DEEP } from "./json.ts";

type YamlModule = Awaited<ReturnType<typeof loadYaml>>;
type Tags = NonNullable<import("npm:yaml@2.9.1").SchemaOptions["customTags"]>;

let loaded: Promise<{ yaml: YamlModule; customTags: Tags }> | undefined;

function load() {
  loaded ??= loadYaml().then((yaml) => {
    const extra: unknown[] = [
      {
        // First, so a double is never written as an integer; it never matches when reading.
        tag: "tag:yaml.org,2002:float",
        default: true,
        identify: (value: unknown) => typeof value === "number",
        test: /(?!)/,
        resolve: resolveFloat,
        stringify: ({ value }: { value: unknown }) => {
          const n = value as number;
          if (Number.isNaN(n)) return ".nan";
          if (!Number.isFinite(n)) return n > 0 ? ".inf" : "-.inf";
          return formatDouble(n);
        },
      },
      {
        tag: "!uint64",
        identify: (value: unknown) => value instanceof UInt64,
        resolve: (text: string, onError: (message: string) => void) => {
          if (!/^\d+$/.test(text.trim()) || BigInt(text.trim()) > UINT64_MAX) {
            onError(`!uint64 needs an integer in 0…${UINT64_MAX}, not ${text}`);
            return null;
          }
          return new UInt64(BigInt(text.trim()));
        },
        stringify: ({ value }: { value: unknown }) => (value as UInt64).toString(),
      },
      {
        tag: "!uuid",
        identify: (value: unknown) => value instanceof Uuid,
        resolve: (text: string, onError: (message: string) => void) => {
          try {
            return new Uuid(text.trim());
          } catch (error) {
            onError(`!uuid: ${(error as Error).message}`);
            return null;
          }
        },
        stringify: ({ value }: { value: unknown }) => (value as Uuid).text,
      },
    ];
    const codes = [["!type", TypeCode], ["!constant", EnumConstant]] as const;
    for (const [tag, Kind] of codes) {
      extra.push({
        tag,
        identify: (value: unknown) => value instanceof Kind,
        resolve: (text: string, onError: (message: string) => void) => {
          try {
            return new Kind(text);
          } catch (error) {
            onError(`${tag}: ${(error as Error).message}`);
            return null;
          }
        },
        stringify: ({ value }: { value: unknown }) => JSON.stringify((value as TypeCode).code),
      });
    }
    const descriptors = [
      ["!specifier", ObjectSpecifier],
      ["!insertion", InsertionLocation],
      ["!comparison", Comparison],
      ["!logical", LogicalTest],
    ] as const;
    for (const [tag, Kind] of descriptors) {
      extra.push({
        tag,
        identify: (value: unknown) => value instanceof Kind,
        resolve: (text: string, onError: (message: string) => void) => {
          try {
            const value = fromJson(text);
            if (value instanceof Kind) return value;
            onError(`${tag} needs the JSON form of a ${tag.slice(1)}`);
          } catch (error) {
            onError(`${tag}: ${(error as Error).message}`);
          }
          return null;
        },
        stringify: ({ value }: { value: unknown }) =>
          JSON.stringify(toJson(value as ObjectSpecifier)),
      });
    }
    const customTags = ((tags: unknown[]) => [
      extra[0],
      ...tags,
      "binary",
      "timestamp",
      ...extra.slice(1),
    ]) as unknown as Tags;
    return { yaml, customTags };
  });
  return loaded;
}

/** Reads a YAML float, the special forms included (`.nan`, `-.inf`, `.Inf`…). */
function resolveFloat(text: string): number {
  const t = text.trim();
  const special = /^([-+]?)\.(inf|nan)$/i.exec(t);
  if (special) {
    if (special[2].toLowerCase() === "nan") return NaN;
    return special[1] === "-" ? -Infinity : Infinity;
  }
  return Number(t.replaceAll("_", ""));
}

/**
 * Writes a Value as one YAML document (without the `---` marker).
 *
 * @example
 * ```ts
 * import { toYaml } from "./yaml.ts";
 * console.log(await toYaml({ count: 5n, ratio: 1 })); // "count: 5\nratio: 1.0\n"
 * ```
 */
export async function toYaml(value: Value): Promise<string> {
  const { yaml, customTags } = await load();
  return yaml.stringify(ownBytes(value), { customTags, lineWidth: 0 });
}

/**
 * `yaml` writes a byte array's whole underlying buffer, so a view into a larger buffer (as every
 * decoded value is) must be copied to a byte array of its own first.
 */
function ownBytes(value: Value): Value {
  if (value instanceof Uint8Array) {
    const whole = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength;
    return whole ? value : value.slice();
  }
  if (Array.isArray(value)) return value.map(ownBytes);
  if (isDictionary(value)) {
    const out: Record<string, Value> = {};
    for (const key of Object.keys(value)) out[key] = ownBytes(value[key]);
    return out;
  }
  return value;
}

/**
 * Reads one YAML document into a Value.
 *
 * @throws {SyntaxError} when the text is not YAML or a tag's text is wrong, with line and column.
 */
export async function fromYaml(text: string): Promise<Value> {
  const { yaml, customTags } = await load();
  let doc;
  try {
    doc = yaml.parseDocument(text, { customTags, intAsBigInt: true, uniqueKeys: true });
  } catch (error) {
    if (isStackOverflow(error)) throw new SyntaxError(TOO_DEEP);
    throw error;
  }
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) {
    const where = problem.linePos?.[0];
    const message = /call stack/i.test(problem.message)
      ? TOO_DEEP
      : problem.code === "MULTIPLE_DOCS"
      ? "one YAML document is one value: this text holds several (--- starts each)"
      : problem.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new SyntaxError(`${where ? `line ${where.line}, column ${where.col}: ` : ""}${message}`);
  }
  // A dictionary's keys are strings: a list or mapping as a key would be turned into text.
  let collectionKey: { range?: [number, number, number] | null } | undefined;
  yaml.visit(doc, {
    Pair(_key, pair) {
      const key = yaml.isAlias(pair.key) ? pair.key.resolve(doc) : pair.key;
      if (!yaml.isCollection(key)) return;
      collectionKey = pair.key as typeof collectionKey;
      return yaml.visit.BREAK;
    },
  });
  if (collectionKey) {
    const where = collectionKey.range ? lineOf(text, collectionKey.range[0]) : "";
    throw new SyntaxError(
      `${where}a dictionary's key is text (or a number): a list or mapping cannot be a key`,
    );
  }
  return normalize(doc.toJS({ mapAsMap: false }), "value");
}

/** `line L, column C: ` of an offset in `text`. */
function lineOf(text: string, offset: number): string {
  const before = text.slice(0, offset).split("\n");
  return `line ${before.length}, column ${before[before.length - 1].length + 1}: `;
}

function normalize(raw: unknown, path: string): Value {
  switch (typeof raw) {
    case "boolean":
    case "number":
    case "string":
      return raw;
    case "bigint":
      if (raw >= INT64_MIN && raw <= INT64_MAX) return raw;
      if (raw > INT64_MAX && raw <= UINT64_MAX) return new UInt64(raw);
      throw new RangeError(`${path}: the integer ${raw} is out of the int64 and uint64 ranges`);
    case "undefined":
      return null;
    case "object": {
      if (raw === null || raw instanceof UInt64 || raw instanceof Uuid) return raw;
      if (
        raw instanceof TypeCode || raw instanceof EnumConstant || raw instanceof ObjectSpecifier ||
        raw instanceof InsertionLocation || raw instanceof Comparison || raw instanceof LogicalTest
      ) return raw;
      if (raw instanceof Date) return raw;
      if (raw instanceof Uint8Array) {
        return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength).slice();
      }
      if (Array.isArray(raw)) return raw.map((item, i) => normalize(item, `${path}[${i}]`));
      if (isDictionary(raw)) {
        const out: Record<string, Value> = {};
        for (const key of Object.keys(raw)) {
          if (key === "__proto__") {
            throw new SyntaxError(`${path}: the key "__proto__" is not allowed`);
          }
          out[key] = normalize((raw as Record<string, unknown>)[key], `${path}.${key}`);
        }
        return out;
      }
    }
  }
  throw new TypeError(`${path}: YAML gave ${typeof raw}, which is not a Value`);
}
