/**
 * Uniform Type Identifiers: the type system of pasteboards. A type is a reverse-DNS string
 * (`public.png`) that conforms to one or more parents (`public.image`, `public.data`), so
 * conformance is a graph, not a tree; it carries tags — MIME types (with their parameters:
 * `text/plain;charset=utf-8` is `public.utf8-plain-text`) and, through the `mime-db` package,
 * file extensions. A MIME type that no declaration knows gets a dynamic identifier
 * (`dyn.mime.application.x-foo`) that turns back into the same MIME type.
 *
 * Everywhere ipckit accepts a type, a UTI or a MIME type works: {@linkcode normalizeType}.
 *
 * @example Lookups both ways
 * ```ts
 * import { conformsTo, normalizeType, preferredMimeType } from "./uti.ts";
 * normalizeType("text/plain; charset=UTF-8"); // "public.utf8-plain-text"
 * conformsTo("public.png", "public.image");   // true
 * preferredMimeType("public.html");           // "text/html"
 * ```
 *
 * @module
 */

/** A type's declaration. */
export interface TypeDeclaration {
  /** The identifier, such as `"public.png"`. */
  readonly identifier: string;
  /** The types it conforms to directly. @default {[]} */
  readonly conformsTo?: readonly string[];
  /** Its MIME types, preferred first, parameters included where they tell it apart. @default {[]} */
  readonly mimeTypes?: readonly string[];
  /** One line for people. @default {""} */
  readonly description?: string;
}

const DECLARATIONS: TypeDeclaration[] = [
  { identifier: "public.item", description: "anything" },
  { identifier: "public.content", conformsTo: ["public.item"], description: "content" },
  { identifier: "public.data", conformsTo: ["public.item"], description: "bytes" },
  {
    identifier: "public.composite-content",
    conformsTo: ["public.content"],
    description: "mixed content",
  },
  { identifier: "public.text", conformsTo: ["public.data", "public.content"], description: "text" },
  {
    identifier: "public.plain-text",
    conformsTo: ["public.text"],
    mimeTypes: ["text/plain"],
    description: "plain text",
  },
  {
    identifier: "public.utf8-plain-text",
    conformsTo: ["public.plain-text"],
    mimeTypes: ["text/plain;charset=utf-8"],
    description: "UTF-8 text",
  },
  {
    identifier: "public.utf16-external-plain-text",
    conformsTo: ["public.plain-text"],
    mimeTypes: ["text/plain;charset=utf-16"],
    description: "UTF-16 text with a byte-order mark",
  },
  {
    identifier: "public.utf16-plain-text",
    conformsTo: ["public.plain-text"],
    mimeTypes: ["text/plain;charset=utf-16le"],
    description: "UTF-16 text, little-endian, no byte-order mark",
  },
  {
    identifier: "public.html",
    conformsTo: ["public.text"],
    mimeTypes: ["text/html"],
    description: "HTML",
  },
  {
    identifier: "public.xml",
    conformsTo: ["public.text"],
    mimeTypes: ["application/xml", "text/xml"],
    description: "XML",
  },
  {
    identifier: "public.json",
    conformsTo: ["public.text"],
    mimeTypes: ["application/json"],
    description: "JSON",
  },
  {
    identifier: "public.yaml",
    conformsTo: ["public.text"],
    mimeTypes: ["application/yaml", "application/x-yaml", "text/yaml"],
    description: "YAML",
  },
  {
    identifier: "public.rtf",
    conformsTo: ["public.text"],
    mimeTypes: ["text/rtf", "application/rtf"],
    description: "Rich Text Format",
  },
  {
    identifier: "public.comma-separated-values-text",
    conformsTo: ["public.text"],
    mimeTypes: ["text/csv"],
    description: "comma-separated values",
  },
  {
    identifier: "public.tab-separated-values-text",
    conformsTo: ["public.text"],
    mimeTypes: ["text/tab-separated-values"],
    description: "tab-separated values",
  },
  { identifier: "public.url", conformsTo: ["public.data"], description: "a URL" },
  {
    identifier: "public.file-url",
    conformsTo: ["public.url"],
    mimeTypes: ["text/uri-list"],
    description: "a file URL",
  },
  {
    identifier: "public.image",
    conformsTo: ["public.data", "public.content"],
    description: "image",
  },
  {
    identifier: "public.png",
    conformsTo: ["public.image"],
    mimeTypes: ["image/png"],
    description: "PNG image",
  },
  {
    identifier: "public.jpeg",
    conformsTo: ["public.image"],
    mimeTypes: ["image/jpeg"],
    description: "JPEG image",
  },
  {
    identifier: "com.compuserve.gif",
    conformsTo: ["public.image"],
    mimeTypes: ["image/gif"],
    description: "GIF image",
  },
  {
    identifier: "public.tiff",
    conformsTo: ["public.image"],
    mimeTypes: ["image/tiff"],
    description: "TIFF image",
  },
  {
    identifier: "com.microsoft.bmp",
    conformsTo: ["public.image"],
    mimeTypes: ["image/bmp"],
    description: "BMP image",
  },
  {
    identifier: "org.webmproject.webp",
    conformsTo: ["public.image"],
    mimeTypes: ["image/webp"],
    description: "WebP image",
  },
  {
    identifier: "public.svg-image",
    conformsTo: ["public.image", "public.xml"],
    mimeTypes: ["image/svg+xml"],
    description: "SVG image",
  },
  {
    identifier: "com.adobe.pdf",
    conformsTo: ["public.data", "public.composite-content"],
    mimeTypes: ["application/pdf"],
    description: "PDF document",
  },
  {
    identifier: "com.adobe.postscript",
    conformsTo: ["public.data", "public.composite-content"],
    mimeTypes: ["application/postscript"],
    description: "PostScript document",
  },
  {
    identifier: "com.adobe.encapsulated-postscript",
    conformsTo: ["com.adobe.postscript"],
    mimeTypes: ["image/x-eps", "application/eps"],
    description: "Encapsulated PostScript",
  },
  {
    identifier: "public.audiovisual-content",
    conformsTo: ["public.data", "public.content"],
    description: "audio or video",
  },
  {
    identifier: "public.audio",
    conformsTo: ["public.audiovisual-content"],
    description: "audio",
  },
  {
    identifier: "public.mp3",
    conformsTo: ["public.audio"],
    mimeTypes: ["audio/mpeg"],
    description: "MP3 audio",
  },
  {
    identifier: "public.movie",
    conformsTo: ["public.audiovisual-content"],
    description: "video",
  },
  {
    identifier: "public.mpeg-4",
    conformsTo: ["public.movie"],
    mimeTypes: ["video/mp4"],
    description: "MPEG-4 video",
  },
  { identifier: "public.archive", conformsTo: ["public.data"], description: "archive" },
  {
    identifier: "public.zip-archive",
    conformsTo: ["public.archive"],
    mimeTypes: ["application/zip"],
    description: "ZIP archive",
  },
  {
    identifier: "org.gnu.gnu-zip-archive",
    conformsTo: ["public.archive"],
    mimeTypes: ["application/gzip"],
    description: "gzip archive",
  },
];

const declarations = new Map<string, TypeDeclaration>();
const byMime = new Map<string, string>();
/** Dynamic types made for MIME families: their parent by the MIME type's top-level part. */
const FAMILY_PARENT: Record<string, string> = {
  text: "public.text",
  image: "public.image",
  audio: "public.audio",
  video: "public.movie",
};
const DYNAMIC_PREFIX = "dyn.mime.";

/**
 * Declares a type (an app's own, such as `com.example.recipe`), or adds to the registry.
 *
 * @throws {TypeError} for an identifier that is not reverse-DNS-like, or one already declared
 *   differently.
 */
export function declareType(declaration: TypeDeclaration): void {
  const id = declaration.identifier;
  if (!isValidIdentifier(id)) {
    throw new TypeError(
      `"${id}" is not a type identifier: use letters, digits, "-" and ".", as in com.example.recipe`,
    );
  }
  if (id.startsWith("dyn.")) {
    throw new TypeError(`"${id}": dyn. identifiers are made, not declared`);
  }
  if (declarations.has(id)) {
    throw new TypeError(`the type ${id} is already declared`);
  }
  for (const parent of declaration.conformsTo ?? []) {
    if (!declarations.has(parent) && !parent.startsWith(DYNAMIC_PREFIX)) {
      throw new TypeError(`${id} conforms to ${parent}, which is not declared`);
    }
  }
  declarations.set(id, declaration);
  for (const mime of declaration.mimeTypes ?? []) {
    const key = mimeKey(mime);
    if (!byMime.has(key)) byMime.set(key, id);
  }
}

for (const declaration of DECLARATIONS) declareType(declaration);

/** Whether `text` looks like a type identifier (`public.png`, `com.example.x`, `dyn.…`). */
export function isValidIdentifier(text: string): boolean {
  return /^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/.test(text);
}

/** Whether `text` looks like a MIME type (`type/subtype`, parameters allowed). */
export function isMimeType(text: string): boolean {
  return /^[A-Za-z0-9!#$&^_.+-]+\/[A-Za-z0-9!#$&^_.+-]+\s*(;.*)?$/.test(text.trim());
}

/** The declaration of a type, when it is declared (dynamic types are not). */
export function typeDeclaration(uti: string): TypeDeclaration | undefined {
  return declarations.get(uti);
}

/** Every declared identifier. */
export function declaredTypes(): string[] {
  return [...declarations.keys()];
}

/**
 * Turns a UTI or a MIME type into a UTI: declared MIME types map to their UTI (parameters
 * count where they tell types apart, `charset` for text/plain), unknown ones to a dynamic UTI.
 *
 * @throws {TypeError} for text that is neither.
 */
export function normalizeType(type: string): string {
  const text = type.trim();
  if (text.includes("/")) {
    if (!isMimeType(text)) {
      throw new TypeError(`"${type}" is not a MIME type (type/subtype) or a type identifier`);
    }
    return utiForMime(text);
  }
  if (!isValidIdentifier(text)) {
    throw new TypeError(
      `"${type}" is neither a type identifier (public.png) nor a MIME type (image/png)`,
    );
  }
  return text;
}

/** The UTI of a MIME type (a dynamic one for MIME types no declaration has). */
export function utiForMime(mime: string): string {
  const key = mimeKey(mime);
  const known = byMime.get(key);
  if (known) return known;
  const essence = key.split(";")[0];
  const withoutParams = byMime.get(essence);
  // Parameters that do not tell types apart (html's charset) do not make a new type; text/plain
  // with an unknown charset is its own type.
  if (withoutParams && essence !== "text/plain") return withoutParams;
  return DYNAMIC_PREFIX + key.replace(/[^A-Za-z0-9.]/g, (c) => {
    if (c === "/") return ".";
    return "-" + c.charCodeAt(0).toString(16).toUpperCase().padStart(2, "0");
  });
}

/** Whether a UTI is a dynamic one made for an unknown MIME type. */
export function isDynamic(uti: string): boolean {
  return uti.startsWith("dyn.");
}

/** The MIME types of a UTI, preferred first (a dynamic one gives back its MIME type). */
export function mimeTypesOf(uti: string): string[] {
  const declared = declarations.get(uti);
  if (declared) return [...(declared.mimeTypes ?? [])];
  const mime = dynamicMime(uti);
  return mime ? [mime] : [];
}

/** The preferred MIME type of a UTI, or `undefined` when it has none. */
export function preferredMimeType(uti: string): string | undefined {
  return mimeTypesOf(uti)[0];
}

/** The MIME type to show for a UTI: its preferred one, else `application/octet-stream`. */
export function mimeTypeOrData(uti: string): string {
  return preferredMimeType(uti) ?? "application/octet-stream";
}

/** The types a UTI conforms to directly. */
export function parentsOf(uti: string): string[] {
  const declared = declarations.get(uti);
  if (declared) return [...(declared.conformsTo ?? [])];
  const mime = dynamicMime(uti);
  if (!mime) return [];
  const [family, rest] = mime.split(";")[0].split("/");
  const parents: string[] = [];
  if (family === "text" && mime.startsWith("text/plain")) parents.push("public.plain-text");
  else if (FAMILY_PARENT[family]) parents.push(FAMILY_PARENT[family]);
  if (rest?.endsWith("+json")) parents.push("public.json");
  if (rest?.endsWith("+xml")) parents.push("public.xml");
  if (parents.length === 0) parents.push("public.data");
  return parents;
}

/** Every type a UTI conforms to, itself included, nearest first. */
export function ancestorsOf(uti: string): string[] {
  const seen = new Set<string>([uti]);
  const queue = [uti];
  for (let i = 0; i < queue.length; i++) {
    for (const parent of parentsOf(queue[i])) {
      if (!seen.has(parent)) {
        seen.add(parent);
        queue.push(parent);
      }
    }
  }
  return queue;
}

/** Whether `uti` is `parent` or conforms to it through any path of the graph. */
export function conformsTo(uti: string, parent: string): boolean {
  if (uti === parent) return true;
  return ancestorsOf(uti).includes(parent);
}

/**
 * The UTI of a file extension (`"png"` or `".png"`), from the `mime-db` table (loaded on first
 * use); `undefined` for an extension nobody knows.
 */
export async function utiForExtension(extension: string): Promise<string | undefined> {
  const ext = extension.replace(/^\./, "").toLowerCase();
  if (ext === "") return undefined;
  const index = await extensionIndex();
  const mime = index.get(ext);
  return mime ? utiForMime(mime) : undefined;
}

/** The file extensions of a UTI, from the `mime-db` table (loaded on first use). */
export async function extensionsOf(uti: string): Promise<string[]> {
  const db = await mimeDb();
  const out: string[] = [];
  for (const mime of mimeTypesOf(uti)) {
    for (const ext of db[mime.split(";")[0]]?.extensions ?? []) {
      if (!out.includes(ext)) out.push(ext);
    }
  }
  return out;
}

/** The UTI of a file by its name's extension; `undefined` when the extension is unknown. */
export function utiForPath(path: string): Promise<string | undefined> {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  if (dot <= 0) return Promise.resolve(undefined);
  return utiForExtension(name.slice(dot + 1));
}

/** A MIME type in a comparable form: lower case, no spaces, no quotes, charset after. */
function mimeKey(mime: string): string {
  const parts = mime.split(";").map((p) => p.trim()).filter((p) => p !== "");
  const essence = parts.shift()!.toLowerCase();
  const params = parts.map((p) => {
    const eq = p.indexOf("=");
    if (eq < 0) return p.toLowerCase();
    const name = p.slice(0, eq).trim().toLowerCase();
    let value = p.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
    if (name === "charset") value = value.toLowerCase().replace(/^utf8$/, "utf-8");
    return `${name}=${value}`;
  }).sort();
  return [essence, ...params].join(";");
}

function dynamicMime(uti: string): string | undefined {
  if (!uti.startsWith(DYNAMIC_PREFIX)) return undefined;
  const body = uti.slice(DYNAMIC_PREFIX.length);
  const dot = body.indexOf(".");
  if (dot < 0) return undefined;
  const decode = (s: string) =>
    s.replace(/-([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return `${decode(body.slice(0, dot))}/${decode(body.slice(dot + 1))}`;
}

type MimeDb = Record<string, { source?: string; extensions?: string[] }>;
let db: Promise<MimeDb> | undefined;
let extIndex: Promise<Map<string, string>> | undefined;

function mimeDb(): Promise<MimeDb> {
  // deps.ts is imported only here, on first use: it names npm packages, which the hot commands
  // (copy and paste of standard input) must not load.
  db ??= import("./deps.ts").then((deps) => deps.loadMimeDb()).then((module) =>
    module.default as MimeDb
  );
  return db;
}

/**
 * File extension (lower case, no dot) → MIME type, from the `mime-db` table (loaded on first use):
 * a declared type's MIME type first, then IANA's entries, as `mime-types` ranks them.
 */
export function extensionIndex(): Promise<Map<string, string>> {
  extIndex ??= mimeDb().then((table) => {
    const rank = (mime: string) => {
      const source = table[mime].source;
      return source === "iana" ? 3 : source === "apache" ? 2 : source === "nginx" ? 1 : 0;
    };
    const index = new Map<string, string>();
    for (const [mime, entry] of Object.entries(table)) {
      for (const ext of entry.extensions ?? []) {
        const current = index.get(ext);
        // Our own declarations win: an extension that maps to a declared type keeps it.
        if (
          !current ||
          (byMime.has(mime) && !byMime.has(current)) ||
          (byMime.has(mime) === byMime.has(current) && rank(mime) > rank(current))
        ) {
          index.set(ext, mime);
        }
      }
    }
    return index;
  });
  return extIndex;
}
