/**
 * The object model of ipckit's Notes app (`sdef/Notes.sdef`): accounts, folders (nested) and
 * notes, kept in one JSON file under `$XDG_DATA_HOME/ipckit/` that every change rewrites by a
 * temporary file and a rename, so a crash leaves the old file or the new one, never half of one.
 *
 * The objects follow the scripting runtime's model conventions: properties and elements are
 * fields or getters named by the camelCased term (`creationDate`, `notes`); the runtime's
 * per-class accessors ({@linkcode notesAccessors}) do make, delete, move and duplicate, and save.
 *
 * @example
 * ```ts
 * import { NotesStore } from "./notes_model.ts";
 * const store = NotesStore.open({ file: "/tmp/notes.json" });
 * store.app.notes.map((n) => n.name);
 * ```
 *
 * @module
 */

import { dirname, join } from "node:path";
import type { ClassAccessors } from "../../lib/scripting/types.ts";
import { AppleEventError } from "../../lib/errors.ts";
import { writeFileReplacingSync } from "../../lib/transport/no_follow.ts";

/** What a note is stored as. */
interface NoteRecord {
  id: string;
  name: string;
  body: string;
  created: string;
  modified: string;
}

/** What a folder is stored as. */
interface FolderRecord {
  id: string;
  name: string;
  folders: FolderRecord[];
  notes: NoteRecord[];
}

/** What an account is stored as. */
interface AccountRecord {
  id: string;
  name: string;
  folders: FolderRecord[];
}

/** The file. */
interface StoreRecord {
  version: 1;
  store: string;
  next: number;
  accounts: AccountRecord[];
}

/** The account and folder a new store starts with, named as a Mac's local ones are. */
export const DEFAULT_ACCOUNT = "On My Mac";
/** The folder new notes go to when no folder is named. */
export const DEFAULT_FOLDER = "Notes";

/** The default place of the notes file: `$XDG_DATA_HOME/ipckit/notes.json`. */
export function defaultNotesFile(): string {
  const data = Deno.env.get("XDG_DATA_HOME") ||
    join(Deno.env.get("HOME") ?? "/", ".local", "share");
  return join(data, "ipckit", "notes.json");
}

/** Options of {@linkcode NotesStore.open}. */
export interface NotesStoreOptions {
  /** The notes file. @default {defaultNotesFile()} */
  file?: string;
}

/** A note: its name, its HTML body, its dates. */
export class Note {
  /** The unique id (`x-coredata://STORE/ICNote/pN`, the form of Apple's). */
  readonly id: string;
  #name: string;
  #body: string;
  /** When it was made. */
  readonly creationDate: Date;
  #modified: Date;
  /** The folder it is in; `null` until inserted. */
  container: Folder | null = null;
  #store: NotesStore;

  /** Makes a note of the store (not yet in a folder). */
  constructor(store: NotesStore, record: NoteRecord) {
    this.#store = store;
    this.id = record.id;
    this.#name = record.name;
    this.#body = record.body;
    this.creationDate = new Date(record.created);
    this.#modified = new Date(record.modified);
  }

  /** The name: as given, else the first line of the text. */
  get name(): string {
    return this.#name || firstLine(this.plaintext);
  }

  set name(value: string) {
    this.#name = String(value);
    this.#touch();
  }

  /** The content, as HTML. */
  get body(): string {
    return this.#body;
  }

  set body(value: string) {
    this.#body = String(value);
    this.#touch();
  }

  /** The content as plain text: the HTML's text, one line per block. */
  get plaintext(): string {
    return htmlToText(this.#body);
  }

  /** When it last changed. */
  get modificationDate(): Date {
    return this.#modified;
  }

  #touch(): void {
    this.#modified = new Date();
    this.#store.save();
  }

  /** The stored form. */
  toRecord(): NoteRecord {
    return {
      id: this.id,
      name: this.#name,
      body: this.#body,
      created: this.creationDate.toISOString(),
      modified: this.#modified.toISOString(),
    };
  }
}

/** What a folder and an account share: a unique id, and a name whose change is saved. */
abstract class Named {
  /** The unique id. */
  readonly id: string;
  #name: string;
  #store: NotesStore;

  /** Makes an object of the store. */
  constructor(store: NotesStore, id: string, name: string) {
    this.#store = store;
    this.id = id;
    this.#name = name;
  }

  /** The name. */
  get name(): string {
    return this.#name;
  }

  set name(value: string) {
    this.#name = String(value);
    this.#store.save();
  }
}

/** A folder: notes and folders. */
export class Folder extends Named {
  /** Its folders. */
  readonly folders: Folder[] = [];
  /** Its notes. */
  readonly notes: Note[] = [];
  /** The account or folder it is in; `null` until inserted. */
  container: Account | Folder | null = null;

  /** The account it is in, at any depth. */
  get account(): Account | null {
    let c = this.container;
    while (c instanceof Folder) c = c.container;
    return c;
  }

  /** Its notes and those of its folders, at any depth. */
  allNotes(): Note[] {
    const out = [...this.notes];
    for (const f of this.folders) out.push(...f.allNotes());
    return out;
  }

  /** It and its folders, at any depth. */
  allFolders(): Folder[] {
    const out: Folder[] = [this];
    for (const f of this.folders) out.push(...f.allFolders());
    return out;
  }

  /** The stored form. */
  toRecord(): FolderRecord {
    return {
      id: this.id,
      name: this.name,
      folders: this.folders.map((f) => f.toRecord()),
      notes: this.notes.map((n) => n.toRecord()),
    };
  }
}

/** An account: folders. */
export class Account extends Named {
  /** Its top-level folders. */
  readonly folders: Folder[] = [];

  /** Every note of its folders, at any depth (read-only: notes are made in a folder). */
  get notes(): Note[] {
    return this.folders.flatMap((f) => f.allNotes());
  }

  /** The stored form. */
  toRecord(): AccountRecord {
    return { id: this.id, name: this.name, folders: this.folders.map((f) => f.toRecord()) };
  }
}

/** The application object: accounts, and every folder and note across them. */
export class NotesApp {
  /** The accounts. */
  readonly accounts: Account[] = [];
  /** No documents: the standard suite's element, which Notes does not use. */
  readonly documents: never[] = [];
  /** The app's name. */
  readonly name = "Notes";

  // Every folder and note, worked out once per change of the store (see changed()): `note 1`
  // is asked far more often than notes are made, moved or deleted.
  #folders: Folder[] | undefined;
  #notes: Note[] | undefined;

  /** Every folder of every account, nested ones included. */
  get folders(): Folder[] {
    return this.#folders ??= this.accounts.flatMap((a) => a.folders.flatMap((f) => f.allFolders()));
  }

  /** Every note. */
  get notes(): Note[] {
    return this.#notes ??= this.accounts.flatMap((a) => a.notes);
  }

  /** Forgets the lists of every folder and note: the store changed. */
  changed(): void {
    this.#folders = undefined;
    this.#notes = undefined;
  }
}

/** The notes, loaded from their file; every change is written back at once. */
export class NotesStore {
  /** The application object. */
  readonly app: NotesApp = new NotesApp();
  /** The file. */
  readonly file: string;
  #storeId: string;
  #next: number;
  #loading = true;
  #byId = new Map<string, Note | Folder | Account>();

  private constructor(file: string, record: StoreRecord) {
    this.file = file;
    this.#storeId = record.store;
    this.#next = record.next;
    for (const a of record.accounts) {
      const account = new Account(this, a.id, a.name);
      this.#index(account);
      this.app.accounts.push(account);
      for (const f of a.folders) this.#attachFolder(account, this.#loadFolder(f));
    }
    this.#loading = false;
  }

  /**
   * Opens the notes file, or starts a new store (one account, one folder) when there is none.
   * A file that is not a notes file is an error that names it: nothing is overwritten.
   */
  static open(options: NotesStoreOptions = {}): NotesStore {
    const file = options.file ?? defaultNotesFile();
    let text: string | undefined;
    try {
      text = Deno.readTextFileSync(file);
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) {
        throw new Error(`cannot read the notes file ${file}: ${(e as Error).message}`);
      }
    }
    if (text === undefined) {
      const store = new NotesStore(file, {
        version: 1,
        store: crypto.randomUUID().toUpperCase(),
        next: 1,
        accounts: [],
      });
      const account = store.newAccount(DEFAULT_ACCOUNT);
      store.attach(store.app, "accounts", account, 0);
      store.attach(account, "folders", store.newFolder(DEFAULT_FOLDER), 0);
      return store;
    }
    let record: StoreRecord;
    try {
      record = JSON.parse(text);
      if (record.version !== 1 || !Array.isArray(record.accounts)) throw new Error("not version 1");
    } catch (e) {
      throw new Error(
        `cannot read the notes file ${file}: it is not an ipckit notes file (${
          (e as Error).message
        }); move it away to start afresh`,
      );
    }
    return new NotesStore(file, record);
  }

  /** Writes the store: a temporary file beside it, then a rename over it. */
  save(): void {
    this.app.changed();
    if (this.#loading) return;
    const record: StoreRecord = {
      version: 1,
      store: this.#storeId,
      next: this.#next,
      accounts: this.app.accounts.map((a) => a.toRecord()),
    };
    Deno.mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    try {
      writeFileReplacingSync(this.file, JSON.stringify(record));
    } catch (e) {
      throw new AppleEventError(
        -10000,
        `cannot save the notes to ${this.file}: ${(e as Error).message}`,
      );
    }
  }

  /** A new id of Apple's form for an entity (`ICNote`, `ICFolder`, `ICAccount`). */
  #newId(entity: string): string {
    return `x-coredata://${this.#storeId}/${entity}/p${this.#next++}`;
  }

  #index(object: Note | Folder | Account): void {
    this.#byId.set(object.id, object);
  }

  #loadFolder(record: FolderRecord): Folder {
    const folder = new Folder(this, record.id, record.name);
    this.#index(folder);
    for (const n of record.notes) {
      const note = new Note(this, n);
      this.#index(note);
      note.container = folder;
      folder.notes.push(note);
    }
    for (const f of record.folders) this.#attachFolder(folder, this.#loadFolder(f));
    return folder;
  }

  #attachFolder(container: Account | Folder, folder: Folder): void {
    folder.container = container;
    container.folders.push(folder);
  }

  /** A new note, in no folder yet. */
  newNote(properties: { name?: unknown; body?: unknown } = {}): Note {
    const now = new Date().toISOString();
    return new Note(this, {
      id: this.#newId("ICNote"),
      name: properties.name === undefined ? "" : String(properties.name),
      body: properties.body === undefined ? "" : String(properties.body),
      created: now,
      modified: now,
    });
  }

  /** A new folder, in no account yet. */
  newFolder(name = "New Folder"): Folder {
    return new Folder(this, this.#newId("ICFolder"), name);
  }

  /** A new account, not yet listed. */
  newAccount(name = "Account"): Account {
    return new Account(this, this.#newId("ICAccount"), name);
  }

  /** The object with this id, if any. */
  byId(id: unknown): Note | Folder | Account | undefined {
    const found = this.#byId.get(String(id));
    return found && this.#attached(found) ? found : undefined;
  }

  #attached(object: Note | Folder | Account): boolean {
    if (object instanceof Account) return this.app.accounts.includes(object);
    return object.container !== null;
  }

  /** The folder new notes go to: the default folder of the first account. */
  defaultFolder(): Folder {
    const account = this.app.accounts[0];
    if (!account) {
      throw new AppleEventError(-10000, "Notes has no account to make a note in: make one first");
    }
    let folder = account.folders.find((f) => f.name === DEFAULT_FOLDER) ?? account.folders[0];
    if (!folder) {
      folder = this.newFolder(DEFAULT_FOLDER);
      this.attach(account, "folders", folder, 0);
    }
    return folder;
  }

  /**
   * Puts an object into a container's elements at a 0-based index (the runtime's `insert`),
   * then saves. The application's folders and notes, which span accounts, take new folders
   * into the first account and new notes into the default folder.
   */
  attach(container: object, key: string, object: object, index: number): void {
    this.app.changed();
    if (object instanceof Note) {
      let folder: Folder;
      let at = index;
      if (container instanceof Folder && key === "notes") folder = container;
      else if (container instanceof NotesApp && key === "notes") {
        folder = this.defaultFolder();
        at = index <= 0 ? 0 : folder.notes.length;
      } else throw cannotPut(object, container);
      this.#detach(object);
      folder.notes.splice(clamp(at, folder.notes.length), 0, object);
      object.container = folder;
      this.#index(object);
    } else if (object instanceof Folder) {
      let parent: Account | Folder;
      let at = index;
      if ((container instanceof Folder || container instanceof Account) && key === "folders") {
        parent = container;
      } else if (container instanceof NotesApp && key === "folders") {
        const account = this.app.accounts[0];
        if (!account) throw cannotPut(object, container);
        parent = account;
        at = index <= 0 ? 0 : account.folders.length;
      } else throw cannotPut(object, container);
      for (let c: Account | Folder | null = parent; c instanceof Folder; c = c.container) {
        if (c === object) {
          throw new AppleEventError(-10024, "Can’t move a folder into itself.");
        }
      }
      this.#detach(object);
      parent.folders.splice(clamp(at, parent.folders.length), 0, object);
      object.container = parent;
      for (const f of object.allFolders()) this.#index(f);
      for (const n of object.allNotes()) this.#index(n);
    } else if (object instanceof Account) {
      if (!(container instanceof NotesApp) || key !== "accounts") {
        throw cannotPut(object, container);
      }
      const i = this.app.accounts.indexOf(object);
      if (i >= 0) this.app.accounts.splice(i, 1);
      this.app.accounts.splice(clamp(index, this.app.accounts.length), 0, object);
      this.#index(object);
    } else throw cannotPut(object, container);
    this.save();
  }

  /** Takes an object out of wherever it is, then saves (the runtime's `remove`). */
  detach(object: object): void {
    if (object instanceof Account) {
      const i = this.app.accounts.indexOf(object);
      if (i >= 0) this.app.accounts.splice(i, 1);
    } else if (object instanceof Note || object instanceof Folder) this.#detach(object);
    this.save();
  }

  #detach(object: Note | Folder): void {
    this.app.changed();
    const c = object.container;
    if (!c) return;
    const list: (Note | Folder)[] = object instanceof Note ? (c as Folder).notes : c.folders;
    const i = list.indexOf(object);
    if (i >= 0) list.splice(i, 1);
    object.container = null;
  }

  /** A copy of a note or folder (the runtime's `copy`), with new ids, in no container. */
  copy(object: object): object {
    if (object instanceof Note) return this.newNote({ name: object.name, body: object.body });
    if (object instanceof Folder) {
      const folder = this.newFolder(object.name);
      for (const n of object.notes) {
        const note = this.newNote({ name: n.name, body: n.body });
        note.container = folder;
        folder.notes.push(note);
      }
      for (const f of object.folders) {
        const sub = this.copy(f) as Folder;
        sub.container = folder;
        folder.folders.push(sub);
      }
      return folder;
    }
    throw new AppleEventError(-10000, "Notes can only duplicate notes and folders.");
  }
}

function cannotPut(object: object, container: object): AppleEventError {
  return new AppleEventError(-10024, `Can’t put ${describe(object)} into ${describe(container)}.`);
}

/** An object of the model in words, for messages. */
function describe(object: object): string {
  if (object instanceof Note) return `note "${object.name}"`;
  if (object instanceof Folder) return `folder "${object.name}"`;
  if (object instanceof Account) return `account "${object.name}"`;
  if (object instanceof NotesApp) return "the application";
  return "that";
}

function clamp(index: number, length: number): number {
  return Math.max(0, Math.min(Number.isFinite(index) ? index : length, length));
}

/** The per-class accessors the scripting runtime uses to make, move, delete and copy. */
export function notesAccessors(store: NotesStore): Record<string, ClassAccessors> {
  const common: ClassAccessors = {
    insert: (container, key, object, index) => store.attach(container, key, object, index),
    remove: (_container, _key, object) => store.detach(object),
    copy: (object) => store.copy(object),
  };
  // By id through the store's index; the object found is an element of the container asked
  // only if it is in that container's collection.
  const byId =
    (type: typeof Note | typeof Folder | typeof Account) =>
    (container: object, key: string, id: unknown): object | undefined => {
      const found = store.byId(id);
      if (!(found instanceof type)) return undefined;
      const list = (container as Record<string, unknown>)[key];
      return Array.isArray(list) && list.includes(found) ? found : undefined;
    };
  return {
    note: {
      ...common,
      create: (p) => store.newNote({ name: p.name, body: p.body }),
      byId: byId(Note),
    },
    folder: {
      ...common,
      create: (p) => store.newFolder(p.name === undefined ? undefined : String(p.name)),
      byId: byId(Folder),
    },
    account: {
      ...common,
      create: (p) => store.newAccount(p.name === undefined ? undefined : String(p.name)),
      byId: byId(Account),
    },
  };
}

/** The first non-empty line of a text. */
function firstLine(text: string): string {
  return text.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
};

/** The text of some HTML: block ends and `<br>` become line breaks, tags go, entities decode. */
export function htmlToText(html: string): string {
  return html
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(/<\/(div|p|li|h[1-6]|tr|blockquote|pre)\s*>/gi, "\n")
    .replace(/<[^>]*>/g, "")
    .replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (all, e: string) => {
      if (e[0] === "#") {
        const n = e[1] === "x" || e[1] === "X" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1));
        return Number.isFinite(n) && n <= 0x10ffff ? String.fromCodePoint(n) : all;
      }
      return ENTITIES[e.toLowerCase()] ?? all;
    })
    .replace(/\n$/, "");
}
