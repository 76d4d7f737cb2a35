/**
 * The built-in types a definition may name without defining them (`text`, `integer`, `file`,
 * `location specifier`, …), with the older names and the four-character codes real files use for
 * them (`TEXT`, `long`, `alis`, …), each sorted into the kind of value it holds.
 *
 * @module
 */

/** What kind of value a built-in type holds. */
export type PrimitiveKind =
  | "any"
  | "text"
  | "number"
  | "boolean"
  | "date"
  | "file"
  | "record"
  | "specifier"
  | "location"
  | "type"
  | "list"
  | "point"
  | "rectangle"
  | "color"
  | "data"
  | "missing"
  | "property";

/** A built-in type. */
export interface PrimitiveType {
  /** Its canonical name (`text`). */
  readonly name: string;
  /** Its four-character code (`ctxt`). */
  readonly code: string;
  /** The kind of value. */
  readonly kind: PrimitiveKind;
}

/** [name, code, kind, other names and codes…] */
const TABLE: [string, string, PrimitiveKind, ...string[]][] = [
  ["any", "****", "any", "anything"],
  [
    "text",
    "ctxt",
    "text",
    "string",
    "Unicode text",
    "unicode text",
    "styled text",
    "international text",
    "TEXT",
    "utxt",
    "itxt",
    "styl",
    "cstr",
    "utf8",
    "version",
    "vers",
    "encoded string",
    "rich text",
    "text.ctxt",
  ],
  [
    "integer",
    "long",
    "number",
    "small integer",
    "shor",
    "double integer",
    "comp",
    "unsigned integer",
    "magn",
    "unsigned short",
    "ushr",
    "unsigned long",
    "unsigned double integer",
    "ucom",
    "sing",
  ],
  ["real", "doub", "number", "small real", "extended real", "exte", "long real", "ldbl", "fixed"],
  ["number", "nmbr", "number"],
  ["boolean", "bool", "boolean", "true", "fals"],
  ["date", "ldt ", "date", "long date", "ldat"],
  [
    "file",
    "file",
    "file",
    "alias",
    "alis",
    "file specification",
    "fss ",
    "file url",
    "furl",
    "file ref",
    "fsrf",
    "POSIX file",
    "posix file",
  ],
  ["record", "reco", "record"],
  ["specifier", "obj ", "specifier", "item", "cobj", "reference", "object", "object specifier"],
  ["location specifier", "insl", "location", "location reference", "insertion location"],
  [
    "type",
    "type",
    "type",
    "type class",
    "class",
    "pcls",
    "type code",
    "enumerator",
    "enum",
    "constant",
  ],
  ["list", "list", "list"],
  ["point", "QDpt", "point"],
  ["rectangle", "qdrt", "rectangle", "bounding rectangle", "rect"],
  ["RGB color", "cRGB", "color", "color", "RGB16 color", "tr16", "RGB96 color", "tr96"],
  [
    "data",
    "tdta",
    "data",
    "raw data",
    "rdat",
    "picture",
    "PICT",
    "TIFF picture",
    "TIFF",
    "JPEG picture",
    "JPEG",
    "GIF picture",
    "GIFf",
    "pixel map record",
    "tpmm",
  ],
  ["missing value", "msng", "missing"],
  ["property", "prop", "property", "property specifier"],
  // AppleScript's own classes, which scripting additions name without defining.
  ["application", "capp", "specifier"],
  ["script", "scpt", "specifier"],
  ["process serial number", "psn ", "data", "psn"],
];

const BY_NAME: Map<string, PrimitiveType> = new Map();
const BY_CODE: Map<string, PrimitiveType> = new Map();
for (const [name, code, kind, ...aliases] of TABLE) {
  const type = { name, code, kind };
  BY_NAME.set(name.toLowerCase(), type);
  BY_CODE.set(code, type);
  for (const alias of aliases) {
    if (alias.length === 4 && !alias.includes(" ") && alias !== "text" && alias !== "file") {
      if (!BY_CODE.has(alias)) BY_CODE.set(alias, type);
    }
    if (!BY_NAME.has(alias.toLowerCase())) BY_NAME.set(alias.toLowerCase(), type);
  }
}

/**
 * Finds a built-in type by its name (any case, older names included).
 *
 * @example
 * ```ts
 * import { primitiveByName } from "./primitive_types.ts";
 * primitiveByName("Unicode text")?.kind; // "text"
 * ```
 */
export function primitiveByName(name: string): PrimitiveType | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/**
 * Finds a built-in type by its four-character code (`TEXT`, `long`, `alis`).
 *
 * @example
 * ```ts
 * import { primitiveByCode } from "./primitive_types.ts";
 * primitiveByCode("alis")?.name; // "file"
 * ```
 */
export function primitiveByCode(code: string): PrimitiveType | undefined {
  return BY_CODE.get(code);
}
