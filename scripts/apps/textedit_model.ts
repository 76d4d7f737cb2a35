/**
 * The object model of ipckit's TextEdit app (`sdef/TextEdit.sdef`): documents with styled text.
 * A document's text is one string with a font, a size and a color per character; the Text
 * Suite's elements — paragraphs, words, characters, attribute runs — are views over that string
 * ({@linkcode TextRange}), worked out when asked, so they always show the text as it is now.
 *
 * @example
 * ```ts
 * import { TextEditApp } from "./textedit_model.ts";
 * const app = new TextEditApp();
 * const doc = app.newDocument({ text: "Hello\nworld\n" });
 * doc.text.paragraphs.map(String); // ["Hello\n", "world\n"]
 * ```
 *
 * @module
 */

import { basename } from "node:path";
import type { ClassAccessors, CommandHandler } from "../../lib/scripting/types.ts";
import { AppleEventError } from "../../lib/errors.ts";
import { writeFileReplacing } from "../../lib/transport/no_follow.ts";

/** A color: red, green, blue, each 0–65535 (AppleScript's RGB color). */
export type Color = [number, number, number];

/** The attributes of one character. */
export interface TextStyle {
  /** The font's name. */
  readonly font: string;
  /** The size in points. */
  readonly size: number;
  /** The color. */
  readonly color: Color;
}

/** The style new text has: TextEdit's default, Helvetica 12, black. */
export const DEFAULT_STYLE: TextStyle = Object.freeze({
  font: "Helvetica",
  size: 12,
  color: [0, 0, 0] as Color,
});

function sameStyle(a: TextStyle, b: TextStyle): boolean {
  return a.font === b.font && a.size === b.size && a.color[0] === b.color[0] &&
    a.color[1] === b.color[1] && a.color[2] === b.color[2];
}

/** The styled text of a document: the string and a style per UTF-16 unit. */
export class StyledText {
  #string = "";
  #styles: TextStyle[] = [];

  /** The string. */
  get string(): string {
    return this.#string;
  }

  /** The style at an offset (the last character's past the end; the default for no text). */
  styleAt(offset: number): TextStyle {
    if (this.#styles.length === 0) return DEFAULT_STYLE;
    return this.#styles[Math.max(0, Math.min(offset, this.#styles.length - 1))];
  }

  /**
   * Replaces `[start, end)` with `text`; new text takes the style of the character before it
   * (of the first character at the start), as typing does.
   */
  replace(start: number, end: number, text: string, style?: TextStyle): void {
    const s = style ?? this.styleAt(start > 0 ? start - 1 : end);
    this.#string = this.#string.slice(0, start) + text + this.#string.slice(end);
    this.#styles.splice(start, end - start, ...new Array<TextStyle>(text.length).fill(s));
  }

  /** Sets one attribute over `[start, end)`. */
  restyle(start: number, end: number, change: Partial<TextStyle>): void {
    for (let i = start; i < end; i++) this.#styles[i] = { ...this.#styles[i], ...change };
  }

  /** The runs of equal style, as `[start, end)` pairs. */
  runs(start: number, end: number): [number, number][] {
    const out: [number, number][] = [];
    let from = start;
    for (let i = start + 1; i <= end; i++) {
      if (i === end || !sameStyle(this.#styles[i], this.#styles[from])) {
        if (i > from) out.push([from, i]);
        from = i;
      }
    }
    return out;
  }
}

/** Which of the Text Suite's classes a range is. */
export type TextClass = "text" | "paragraph" | "word" | "character" | "attribute run";

const WORDS = new Intl.Segmenter(undefined, { granularity: "word" });
const GRAPHEMES = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * A stretch of a document's text: the whole text (class `text`) or one paragraph, word,
 * character or attribute run of it. Its value is its string (`String(range)`); its font, size
 * and color are those of its first character, and setting one sets it for the whole stretch.
 * A range of the whole text follows the text as it changes; other ranges are views of the
 * moment they were asked for, as Cocoa's are (references to them go by index).
 */
export class TextRange {
  /** The document. */
  readonly document: TextDocument;
  /** The class, as the definition names it. */
  readonly textClass: TextClass;
  readonly #start: number;
  readonly #end: number | null;
  // The element lists as last worked out, for the document's revision then: the same objects
  // while the text does not change, so that a reference by index finds the one it names.
  #cache = new Map<string, { revision: number; list: TextRange[] }>();

  /** A range of a document's text; `end` `null` for "to the end, whatever it is then". */
  constructor(document: TextDocument, textClass: TextClass, start: number, end: number | null) {
    this.document = document;
    this.textClass = textClass;
    this.#start = start;
    this.#end = end;
  }

  /** Where it starts, in UTF-16 units. */
  get start(): number {
    return Math.min(this.#start, this.document.styled.string.length);
  }

  /** Where it ends. */
  get end(): number {
    const length = this.document.styled.string.length;
    return this.#end === null ? length : Math.min(this.#end, length);
  }

  /** Its text. */
  toString(): string {
    return this.document.styled.string.slice(this.start, this.end);
  }

  /** Its text (what `get` answers for a text object). */
  valueOf(): string {
    return this.toString();
  }

  /** Its characters as plain text (the hidden `text` contents of the Text Suite's classes). */
  get text(): string {
    return this.toString();
  }

  /** Replaces its characters (`set text of paragraph 1 to "…"`). */
  set text(value: string) {
    this.replace(String(value));
  }

  /** Replaces its text (`set paragraph 1 to "…"`). */
  replace(text: string): void {
    this.document.edit(this.start, this.end, String(text));
  }

  /** The font of its first character. */
  get font(): string {
    return this.document.styled.styleAt(this.start).font;
  }

  set font(value: string) {
    this.#restyle({ font: String(value) });
  }

  /** The size of its first character. */
  get size(): number {
    return this.document.styled.styleAt(this.start).size;
  }

  set size(value: number) {
    const n = Number(value);
    if (!(n > 0 && n <= 10_000)) {
      throw new AppleEventError(
        -10000,
        `Can’t set the size to ${value}: a size is 1 to 10000 points.`,
      );
    }
    this.#restyle({ size: n });
  }

  /** The color of its first character. */
  get color(): Color {
    return [...this.document.styled.styleAt(this.start).color] as Color;
  }

  set color(value: Color) {
    if (
      !Array.isArray(value) || value.length !== 3 ||
      !value.every((c) => Number.isInteger(c) && c >= 0 && c <= 65535)
    ) {
      throw new AppleEventError(
        -1700,
        "Can’t make that into a color: it is {red, green, blue}, each 0 to 65535.",
        {
          offendingObject: value as never,
        },
      );
    }
    this.#restyle({ color: [value[0], value[1], value[2]] });
  }

  #restyle(change: Partial<TextStyle>): void {
    this.document.styled.restyle(this.start, this.end, change);
    this.document.markModified();
  }

  #cached(key: string, make: () => TextRange[]): TextRange[] {
    const revision = this.document.revision;
    const hit = this.#cache.get(key);
    if (hit && hit.revision === revision) return hit.list;
    const list = make();
    this.#cache.set(key, { revision, list });
    return list;
  }

  /** Its paragraphs: each up to and with its line break; a last one without, if not empty. */
  get paragraphs(): TextRange[] {
    return this.#cached("paragraphs", () => this.#paragraphs());
  }

  #paragraphs(): TextRange[] {
    const text = this.toString();
    const out: TextRange[] = [];
    let from = 0;
    for (let i = 0; i < text.length; i++) {
      if (text[i] === "\n" || text[i] === "\r" || text[i] === "\u2029") {
        if (text[i] === "\r" && text[i + 1] === "\n") i++;
        out.push(this.#sub("paragraph", from, i + 1));
        from = i + 1;
      }
    }
    if (from < text.length) out.push(this.#sub("paragraph", from, text.length));
    return out;
  }

  /** Its words. */
  get words(): TextRange[] {
    return this.#cached("words", () => this.#words());
  }

  #words(): TextRange[] {
    const out: TextRange[] = [];
    for (const s of WORDS.segment(this.toString())) {
      if (s.isWordLike) out.push(this.#sub("word", s.index, s.index + s.segment.length));
    }
    return out;
  }

  /** Its characters (what a reader sees as one: a letter with its accents, an emoji). */
  get characters(): TextRange[] {
    return this.#cached("characters", () => this.#characters());
  }

  #characters(): TextRange[] {
    const out: TextRange[] = [];
    for (const s of GRAPHEMES.segment(this.toString())) {
      out.push(this.#sub("character", s.index, s.index + s.segment.length));
    }
    return out;
  }

  /** Its runs of characters with one font, size and color. */
  get attributeRuns(): TextRange[] {
    return this.#cached("attributeRuns", () => this.#attributeRuns());
  }

  #attributeRuns(): TextRange[] {
    const base = this.start;
    return this.document.styled.runs(base, this.end).map(([s, e]) =>
      new TextRange(this.document, "attribute run", s, e)
    );
  }

  #sub(textClass: TextClass, from: number, to: number): TextRange {
    const base = this.start;
    return new TextRange(this.document, textClass, base + from, base + to);
  }

  /** The elements of a class, by the key the runtime asks (`paragraphs`). */
  elementsOf(key: string): TextRange[] {
    switch (key) {
      case "paragraphs":
        return this.paragraphs;
      case "words":
        return this.words;
      case "characters":
        return this.characters;
      case "attributeRuns":
        return this.attributeRuns;
    }
    throw new AppleEventError(-10008, `Text has no ${key}.`);
  }
}

/** Properties a new document may be made with. */
export interface DocumentProperties {
  /** Its name. @default {"Untitled", "Untitled 2", …} */
  name?: unknown;
  /** Its text. @default {""} */
  text?: unknown;
  /** The path of its file. @default {none} */
  path?: unknown;
}

/** A document: a name, maybe a file, and styled text. */
export class TextEditDocument {
  #name: string;
  #path: string | null;
  #modified = false;
  #revision = 0;
  /** The text, with its styles. */
  readonly styled: StyledText = new StyledText();
  #whole: TextRange;

  /** A document named `name`, with a file at `path` or none. */
  constructor(name: string, path: string | null) {
    this.#name = name;
    this.#path = path;
    this.#whole = new TextRange(this, "text", 0, null);
  }

  /** Its name. */
  get name(): string {
    return this.#name;
  }

  set name(value: string) {
    this.#name = String(value);
  }

  /** The path of its file, or `null` (missing value) before it has one. */
  get path(): string | null {
    return this.#path;
  }

  set path(value: string | null) {
    this.#path = value === null ? null : String(value);
  }

  /** Its file (the standard suite's `file`): the path, or `null`. */
  get file(): string | null {
    return this.#path;
  }

  /** Whether it changed since it was opened or saved. */
  get modified(): boolean {
    return this.#modified;
  }

  /** Its text (the document's contents: `paragraph 1 of document 1` is of this). */
  get text(): TextRange {
    return this.#whole;
  }

  /** Sets the whole text (`set text of document 1 to "…"`); the style of its start is kept. */
  set text(value: TextRange | string) {
    const s = String(value);
    this.edit(0, this.styled.string.length, s);
  }

  /** Replaces `[start, end)` of the text. */
  edit(start: number, end: number, text: string): void {
    this.styled.replace(start, end, text);
    this.markModified();
  }

  /** How many times its text or styles changed: views worked out before a change are stale. */
  get revision(): number {
    return this.#revision;
  }

  /** Marks it changed (its text or its styles). */
  markModified(): void {
    this.#modified = true;
    this.#revision++;
  }

  /** Writes the text to `path` (UTF-8), which becomes its file; it is then unmodified. */
  async saveTo(path?: string): Promise<void> {
    const target = path ?? this.#path;
    if (!target) {
      throw new AppleEventError(
        -10000,
        `The document “${this.#name}” has no file yet: save it in one (save document 1 in "/path/file.txt").`,
      );
    }
    try {
      // A new file renamed over the target: a link planted beside it is never written through.
      await writeFileReplacing(target, this.styled.string, { mode: 0o666 });
    } catch (e) {
      throw new AppleEventError(
        -10000,
        `Can’t save “${this.#name}” in ${target}: ${(e as Error).message}`,
      );
    }
    this.#path = target;
    this.#modified = false;
  }
}

/** A document; the type the views point back to. */
type TextDocument = TextEditDocument;

/** The application object. */
export class TextEditApp {
  /** The open documents, front first. */
  readonly documents: TextEditDocument[] = [];
  /** The app's name. */
  readonly name = "TextEdit";

  /** A new document (not yet listed), as `make new document with properties` makes it. */
  newDocument(properties: DocumentProperties = {}): TextEditDocument {
    const name = properties.name === undefined || properties.name === null
      ? this.#untitled()
      : String(properties.name);
    const path = properties.path === undefined || properties.path === null
      ? null
      : String(properties.path);
    const doc = new TextEditDocument(name, path);
    if (properties.text !== undefined && properties.text !== null) {
      doc.styled.replace(0, 0, String(properties.text));
      doc.markModified();
    }
    return doc;
  }

  #untitled(): string {
    const names = new Set(this.documents.map((d) => d.name));
    if (!names.has("Untitled")) return "Untitled";
    let i = 2;
    while (names.has(`Untitled ${i}`)) i++;
    return `Untitled ${i}`;
  }

  /** Opens a text file as a new front document, or answers the one already open for it. */
  async open(path: string): Promise<TextEditDocument> {
    const open = this.documents.find((d) => d.path === path);
    if (open) return open;
    let bytes: Uint8Array;
    try {
      bytes = await Deno.readFile(path);
    } catch (e) {
      const why = e instanceof Deno.errors.NotFound ? "no such file" : (e as Error).message;
      throw new AppleEventError(-43, `Can’t open ${path}: ${why}.`, { offendingObject: path });
    }
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch {
      throw new AppleEventError(
        -10000,
        `Can’t open ${path}: it is not UTF-8 text (TextEdit here reads plain text only).`,
        { offendingObject: path },
      );
    }
    const doc = new TextEditDocument(basename(path), path);
    doc.styled.replace(0, 0, text);
    this.documents.unshift(doc);
    return doc;
  }

  /**
   * Closes a document: `saving` `"yes"` saves it first (in `savingIn` if given), `"no"` drops
   * its changes, `"ask"` (the default) saves a changed document that has a file and refuses to
   * drop the changes of one that has none — there is nobody to ask.
   */
  async close(doc: TextEditDocument, saving = "ask", savingIn?: string): Promise<void> {
    if (saving === "yes" || (saving === "ask" && doc.modified && (doc.path || savingIn))) {
      await doc.saveTo(savingIn);
    } else if (saving === "ask" && doc.modified) {
      throw new AppleEventError(
        -128,
        `The document “${doc.name}” has changes and no file: close it saving no, or save it in a file first.`,
      );
    }
    const i = this.documents.indexOf(doc);
    if (i >= 0) this.documents.splice(i, 1);
  }
}

/** A list of model objects from a handler's `direct` (one object or several). */
function receiversOf(call: { direct: unknown; receivers: unknown[] }): unknown[] {
  if (call.receivers.length > 0) return call.receivers;
  if (Array.isArray(call.direct)) return call.direct;
  return call.direct === undefined || call.direct === null ? [] : [call.direct];
}

function documentsIn(app: TextEditApp, call: { direct: unknown; receivers: unknown[] }) {
  const docs = receiversOf(call);
  for (const d of docs) {
    if (!(d instanceof TextEditDocument)) {
      throw new AppleEventError(-1708, "Only documents can be saved or closed.");
    }
  }
  return docs.length > 0 ? docs as TextEditDocument[] : app.documents.slice(0, 1);
}

function savingOf(args: Record<string, unknown>): string {
  const saving = args.saving ?? "ask";
  if (saving !== "yes" && saving !== "no" && saving !== "ask") {
    throw new AppleEventError(
      -1700,
      `Can’t make ${String(saving)} into save options (yes, no, ask).`,
    );
  }
  return saving;
}

/**
 * The handlers of the commands TextEdit does itself: open, save, close (saving), quit (saving).
 * `onQuit` is called once every document is closed.
 */
export function textEditHandlers(
  app: TextEditApp,
  onQuit: () => void,
): Record<string, CommandHandler> {
  return {
    async open(call) {
      const paths = Array.isArray(call.direct) ? call.direct : [call.direct];
      const docs: TextEditDocument[] = [];
      for (const p of paths) docs.push(await app.open(String(p)));
      return Array.isArray(call.direct) ? docs : docs[0];
    },
    async save(call) {
      const into = call.args.in === undefined ? undefined : String(call.args.in);
      for (const doc of documentsIn(app, call)) await doc.saveTo(into);
      return null;
    },
    async close(call) {
      const saving = savingOf(call.args);
      const into = call.args.savingIn === undefined ? undefined : String(call.args.savingIn);
      for (const doc of documentsIn(app, call)) await app.close(doc, saving, into);
      return null;
    },
    async quit(call) {
      const saving = savingOf(call.args);
      for (const doc of [...app.documents]) await app.close(doc, saving);
      setTimeout(onQuit, 0);
      return null;
    },
  };
}

/** A piece of text made by `make new paragraph … with data "…"`, not yet in a document. */
export class NewText {
  /** The class it was made as. */
  readonly textClass: TextClass;
  /** Its text. */
  readonly string: string;
  /** Its style, if given. */
  readonly style: Partial<TextStyle>;

  /** Text to insert. */
  constructor(textClass: TextClass, string: string, style: Partial<TextStyle>) {
    this.textClass = textClass;
    this.string = string;
    this.style = style;
  }
}

function textRangeOf(container: object): TextRange {
  if (container instanceof TextRange) return container;
  if (container instanceof TextEditDocument) return container.text;
  throw new AppleEventError(-10024, "Text can only be put into the text of a document.");
}

/** The per-class accessors: documents into the app, text into documents. */
export function textEditAccessors(app: TextEditApp): Record<string, ClassAccessors> {
  const textClass = (cls: TextClass): ClassAccessors => ({
    create: (p) => {
      const style: { -readonly [K in keyof TextStyle]?: TextStyle[K] } = {};
      if (p.font !== undefined) style.font = String(p.font);
      if (p.size !== undefined) style.size = Number(p.size);
      if (p.color !== undefined) style.color = p.color as Color;
      const data = p.data ?? p.text ?? p.contents ?? "";
      return new NewText(cls, String(data), style);
    },
    insert: (container, key, object, index) => {
      const range = textRangeOf(container);
      const doc = range.document;
      const piece = object instanceof NewText ? object : new NewText(cls, String(object), {});
      const elements = range.elementsOf(key);
      const at = index >= elements.length ? range.end : elements[Math.max(0, index)].start;
      const base = doc.styled.styleAt(at > 0 ? at - 1 : at);
      doc.styled.replace(at, at, piece.string, { ...base, ...piece.style });
      doc.markModified();
      // The new element is the one at the place, or the last one before it where the new text
      // joined it (`"Hello!"` & `"more\n"`), as Cocoa's text storage has it.
      const after = range.elementsOf(key);
      return after[Math.min(index, after.length - 1)];
    },
    remove: (_container, _key, object) => {
      if (!(object instanceof TextRange)) return;
      object.document.edit(object.start, object.end, "");
    },
    copy: (object) => new NewText(cls, String(object), {}),
  });
  return {
    document: {
      create: (p) => app.newDocument(p),
      // Documents are in window order, front first: a new one comes to the front wherever it
      // was asked to go, as a new TextEdit window does; one moved goes where it is put.
      insert: (_container, _key, object, index) => {
        const doc = object as TextEditDocument;
        const i = app.documents.indexOf(doc);
        if (i < 0) {
          app.documents.unshift(doc);
          return;
        }
        app.documents.splice(i, 1);
        app.documents.splice(Math.max(0, Math.min(index, app.documents.length)), 0, doc);
      },
      remove: (_container, _key, object) => {
        const i = app.documents.indexOf(object as TextEditDocument);
        if (i >= 0) app.documents.splice(i, 1);
      },
      copy: (object) => {
        const src = object as TextEditDocument;
        const doc = app.newDocument({});
        doc.styled.replace(0, 0, src.styled.string);
        for (const [s, e] of src.styled.runs(0, src.styled.string.length)) {
          doc.styled.restyle(s, e, src.styled.styleAt(s));
        }
        doc.markModified();
        return doc;
      },
      byName: (_c, _k, name) => {
        const lower = name.toLowerCase();
        return app.documents.find((d) => d.name.toLowerCase() === lower);
      },
    },
    paragraph: textClass("paragraph"),
    word: textClass("word"),
    character: textClass("character"),
    "attribute run": textClass("attribute run"),
  };
}
