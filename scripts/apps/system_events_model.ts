/**
 * The object model of ipckit's System Events (`sdef/SystemEvents.sdef`): the Linux machine it
 * runs on. Disk items, files and folders are the file system, read when asked — a folder lists
 * its entries when its elements are asked for, a file's size and dates are read when asked —
 * so `name of every file of folder X` is one directory read, however many files there are.
 * Processes are `/proc`, read the same way.
 *
 * One object stands for one path (one process id) for as long as the app runs, so a reference
 * resolved twice finds the same object. A disk item's `id` is its POSIX path.
 *
 * @example
 * ```ts
 * import { SystemEventsApp } from "./system_events_model.ts";
 * const app = new SystemEventsApp();
 * app.temporaryItemsFolder.files.map((f) => f.name);
 * ```
 *
 * @module
 */

import { basename, dirname, extname, join } from "node:path";
import type { ClassAccessors, CommandHandler } from "../../lib/scripting/types.ts";
import { AppleEventError } from "../../lib/errors.ts";
import { typeDeclaration, utiForMime } from "../../lib/uti.ts";

/** -1728: what a reference names is not there (any more). */
const NO_SUCH_OBJECT = -1728;

function gone(what: string, e?: unknown): AppleEventError {
  const why = e instanceof Deno.errors.NotFound || e === undefined
    ? "it no longer exists"
    : (e as Error).message;
  return new AppleEventError(NO_SUCH_OBJECT, `Can’t get ${what}: ${why}.`);
}

function failed(what: string, e: unknown): AppleEventError {
  const why = e instanceof Deno.errors.PermissionDenied
    ? "permission denied"
    : e instanceof Deno.errors.AlreadyExists
    ? "something of that name is already there"
    : e instanceof Deno.errors.NotFound
    ? "no such file or folder"
    : (e as Error).message;
  return new AppleEventError(-10000, `Can’t ${what}: ${why}.`);
}

/** The disk items known so far, by path: one object per path. */
class Registry {
  #items = new Map<string, DiskItem>();
  /** Extension → MIME type, for files' type identifiers. */
  readonly types: Map<string, string>;

  constructor(types: Map<string, string>) {
    this.types = types;
  }

  /** The object for a path of a kind, made once (again if the path's kind changed). */
  get(path: string, kind: "file" | "folder" | "other"): DiskItem {
    const known = this.#items.get(path);
    if (known && known.entryKind === kind) return known;
    const item = kind === "folder"
      ? new Folder(this, path)
      : kind === "file"
      ? new File(this, path)
      : new DiskItem(this, path);
    this.#items.set(path, item);
    return item;
  }

  /** The object for a path as it is on disk now; `undefined` if nothing is there. */
  lookup(path: string): DiskItem | undefined {
    let info: Deno.FileInfo;
    try {
      info = Deno.statSync(path);
    } catch {
      return undefined;
    }
    return this.get(path, kindOf(info));
  }

  /** Moves an object to a new path (after a rename on disk), with what was under it. */
  moved(item: DiskItem, to: string): void {
    const from = item.posixPath;
    for (const [path, known] of [...this.#items]) {
      if (path === from || path.startsWith(`${from}/`)) {
        this.#items.delete(path);
        known.relocate(to + path.slice(from.length));
        this.#items.set(known.posixPath, known);
      }
    }
  }

  /** Forgets a path and what was under it (after a delete). */
  forget(path: string): void {
    for (const p of [...this.#items.keys()]) {
      if (p === path || p.startsWith(`${path}/`)) this.#items.delete(p);
    }
  }
}

/**
 * When a file was made: its birth time, else (a file system that keeps none reports the epoch,
 * or nothing) its change time, the nearest there is.
 */
export function creationDateOf(
  info: Pick<Deno.FileInfo, "birthtime" | "ctime" | "mtime">,
): Date | null {
  const birth = info.birthtime && info.birthtime.getTime() > 0 ? info.birthtime : null;
  return birth ?? info.ctime ?? info.mtime;
}

function kindOf(info: { isFile: boolean; isDirectory: boolean }): "file" | "folder" | "other" {
  return info.isDirectory ? "folder" : info.isFile ? "file" : "other";
}

/** An item of the file system: a path, its properties read when asked. */
export class DiskItem {
  #path: string;
  /** The registry it belongs to. */
  protected readonly registry: Registry;

  /** The item at `path` (absolute). */
  constructor(registry: Registry, path: string) {
    this.registry = registry;
    this.#path = path;
  }

  /** What it is on disk: a file, a folder, or something else (a socket, a device…). */
  get entryKind(): "file" | "folder" | "other" {
    return "other";
  }

  /** Follows a rename. */
  relocate(path: string): void {
    this.#path = path;
  }

  #stat(): Deno.FileInfo {
    try {
      return Deno.statSync(this.#path);
    } catch (e) {
      throw gone(`disk item "${this.#path}"`, e);
    }
  }

  /** Its POSIX path. */
  get posixPath(): string {
    return this.#path;
  }

  /** Its unique id: the POSIX path. */
  get id(): string {
    return this.#path;
  }

  /** Its name; setting it renames the item in its folder. */
  get name(): string {
    return this.#path === "/" ? "/" : basename(this.#path);
  }

  set name(value: string) {
    const name = String(value);
    if (name === "" || name.includes("/") || name === "." || name === "..") {
      throw new AppleEventError(
        -10000,
        `Can’t rename “${this.name}” to “${name}”: not a file name.`,
      );
    }
    const to = join(dirname(this.#path), name);
    if (to === this.#path) return;
    if (this.registry.lookup(to)) {
      throw new AppleEventError(-10000, `Can’t rename “${this.name}” to “${name}”: ${to} exists.`);
    }
    try {
      Deno.renameSync(this.#path, to);
    } catch (e) {
      throw failed(`rename ${this.#path} to “${name}”`, e);
    }
    this.registry.moved(this, to);
  }

  /** The name as shown to people. */
  get displayedName(): string {
    return this.name;
  }

  /** The extension of its name, without the dot (`""` for none). */
  get nameExtension(): string {
    return extname(this.name).slice(1);
  }

  /** The folder it is in; `null` (missing value) for the root. */
  get container(): Folder | null {
    if (this.#path === "/") return null;
    return this.registry.get(dirname(this.#path), "folder") as Folder;
  }

  /** When it was made (birth time where the file system keeps it, else change time). */
  get creationDate(): Date | null {
    return creationDateOf(this.#stat());
  }

  /** When it last changed; setting it sets the modification time. */
  get modificationDate(): Date | null {
    return this.#stat().mtime;
  }

  set modificationDate(value: Date | null) {
    if (!(value instanceof Date)) {
      throw new AppleEventError(-1700, "Can’t make that into a date.");
    }
    try {
      const info = this.#stat();
      Deno.utimeSync(this.#path, info.atime ?? value, value);
    } catch (e) {
      if (e instanceof AppleEventError) throw e;
      throw failed(`set the modification date of ${this.#path}`, e);
    }
  }

  /** Its size in bytes. */
  get size(): number {
    return this.#stat().size;
  }

  /** The space it takes on disk, in bytes. */
  get physicalSize(): number {
    const info = this.#stat();
    return info.blocks === null ? info.size : info.blocks * 512;
  }

  /** Its file URL. */
  get url(): string {
    return `file://${encodeURI(this.#path)}${
      this.entryKind === "folder" && this.#path !== "/" ? "/" : ""
    }`;
  }

  /** Whether it is visible: its name does not start with a dot. */
  get visible(): boolean {
    return !this.name.startsWith(".");
  }

  /** Its path, where it is shown as text. */
  toString(): string {
    return this.#path;
  }
}

/** A file. */
export class File extends DiskItem {
  /** Always "file". */
  override get entryKind(): "file" {
    return "file";
  }

  /** The kind of file, in words: its type's description (`plain text`, `image`). */
  get kind(): string {
    return typeDeclaration(this.typeIdentifier)?.description ?? "file";
  }

  /** Its type identifier (UTI), from its name's extension. */
  get typeIdentifier(): string {
    const ext = this.nameExtension.toLowerCase();
    const mime = ext === "" ? undefined : this.registry.types.get(ext);
    return mime ? utiForMime(mime) : "public.data";
  }
}

/** A folder: its items, read from disk each time they are asked for. */
export class Folder extends DiskItem {
  /** Always "folder". */
  override get entryKind(): "folder" {
    return "folder";
  }

  /** Every item in it, in directory order sorted by name. */
  get diskItems(): DiskItem[] {
    const out: DiskItem[] = [];
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(this.posixPath)];
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) throw gone(`folder "${this.posixPath}"`);
      throw failed(`list the folder ${this.posixPath}`, e);
    }
    entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
    const base = this.posixPath === "/" ? "" : this.posixPath;
    for (const entry of entries) {
      const path = `${base}/${entry.name}`;
      let kind = kindOf(entry);
      if (entry.isSymlink) {
        try {
          kind = kindOf(Deno.statSync(path));
        } catch {
          kind = "other"; // a dangling link
        }
      }
      out.push(this.registry.get(path, kind));
    }
    return out;
  }

  /** Its files. */
  get files(): File[] {
    return this.diskItems.filter((i): i is File => i instanceof File);
  }

  /** Its folders. */
  get folders(): Folder[] {
    return this.diskItems.filter((i): i is Folder => i instanceof Folder);
  }

  /** The item named `name` in it, straight from disk (no listing). */
  child(name: string): DiskItem | undefined {
    if (name.includes("/")) return undefined;
    return this.registry.lookup(join(this.posixPath, name));
  }
}

/** A disk item made by `make`, not yet on disk: where it goes is known when it is inserted. */
export class NewDiskItem {
  /** What to make. */
  readonly kind: "file" | "folder";
  /** Its name. */
  readonly name: string;
  /** For a duplicate, what it copies. */
  readonly source?: DiskItem;

  /** A file or folder to make, or a copy of `source`. */
  constructor(kind: "file" | "folder", name: string, source?: DiskItem) {
    this.kind = kind;
    this.name = name;
    this.source = source;
  }
}

/** What `ps` says about a process. */
export interface ProcessInfo {
  /** Its process id. */
  pid: number;
  /** Its parent's. */
  ppid: number;
  /** Its real user id. */
  uid: number;
  /** Its resident memory, in KiB. */
  rssKiB: number;
  /** Its terminal (`?` for none). */
  tty: string;
  /** CPU time used, in whole seconds. */
  cpuSeconds: number;
  /** The kernel's name for it (up to 15 characters). */
  comm: string;
  /** Its command line. */
  args: string;
}

/**
 * Lists the processes with one run of `ps` (procps), which reads `/proc` for us: Deno lets a
 * program read `/proc` only with `--allow-all`, which ipckit never asks for.
 */
export function listProcesses(): ProcessInfo[] {
  let out: Deno.CommandOutput;
  try {
    out = new Deno.Command("ps", {
      args: ["-e", "-o", "pid=,ppid=,uid=,rss=,tty=,times=,comm:15=,args="],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      env: { LC_ALL: "C" },
    }).outputSync();
  } catch (e) {
    throw new AppleEventError(
      -10000,
      `Can’t list the processes: ps did not run (${(e as Error).message}); install procps.`,
    );
  }
  if (!out.success) {
    throw new AppleEventError(
      -10000,
      `Can’t list the processes: ps failed: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  const list: ProcessInfo[] = [];
  for (const line of new TextDecoder().decode(out.stdout).split("\n")) {
    const m = line.match(/^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\d+) (.{15}) ?(.*)$/);
    if (!m) continue;
    list.push({
      pid: Number(m[1]),
      ppid: Number(m[2]),
      uid: Number(m[3]),
      rssKiB: Number(m[4]),
      tty: m[5],
      cpuSeconds: Number(m[6]),
      comm: m[7].trimEnd(),
      args: m[8],
    });
  }
  return list;
}

/** A process, as the last listing of the processes saw it. */
export class Process {
  /** Its process id. */
  readonly unixId: number;
  #info: ProcessInfo;
  #users: () => Map<number, string>;

  /** The process `info` describes. */
  constructor(info: ProcessInfo, users: () => Map<number, string>) {
    this.unixId = info.pid;
    this.#info = info;
    this.#users = users;
  }

  /** Takes what a newer listing says. */
  update(info: ProcessInfo): void {
    this.#info = info;
  }

  /** Its unique id: the process id. */
  get id(): number {
    return this.unixId;
  }

  /** Its name (the kernel's, up to 15 characters). */
  get name(): string {
    return this.#info.comm;
  }

  /** The name shown to people. */
  get displayedName(): string {
    return this.name;
  }

  /** Whether it runs without a terminal. */
  get backgroundOnly(): boolean {
    return this.#info.tty === "?";
  }

  /** Never: there is no front window here. */
  get frontmost(): boolean {
    return false;
  }

  /** The parent's process id. */
  get parentUnixId(): number {
    return this.#info.ppid;
  }

  /** The name of the user it runs as (its real uid's). */
  get user(): string {
    return this.#users().get(this.#info.uid) ?? String(this.#info.uid);
  }

  /** Its resident memory, in bytes. */
  get residentMemory(): number {
    return this.#info.rssKiB * 1024;
  }

  /** The processor time it used (user and system), in seconds. */
  get cpuTime(): number {
    return this.#info.cpuSeconds;
  }

  /** Its command line, arguments separated by spaces (`[name]` for a kernel thread). */
  get commandLine(): string {
    return this.#info.args;
  }

  /** Sends it a signal. */
  signal(signal: Deno.Signal): void {
    try {
      Deno.kill(this.unixId, signal);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) throw gone(`process ${this.unixId}`);
      throw failed(`send ${signal} to process ${this.unixId}`, e);
    }
  }
}

function readUsers(): Map<number, string> {
  const users = new Map<number, string>();
  try {
    for (const line of Deno.readTextFileSync("/etc/passwd").split("\n")) {
      const [name, , uid] = line.split(":");
      if (name && uid !== undefined) users.set(Number(uid), name);
    }
  } catch { /* no passwd: uids are shown as numbers */ }
  return users;
}

/** A folder of the user's, from the XDG user-dirs file, else `~/NAME`. */
function userDir(key: string, fallback: string): string {
  const home = Deno.env.get("HOME") ?? "/";
  const config = Deno.env.get("XDG_CONFIG_HOME") || join(home, ".config");
  try {
    const text = Deno.readTextFileSync(join(config, "user-dirs.dirs"));
    const m = text.match(new RegExp(`^XDG_${key}_DIR="([^"]*)"`, "m"));
    if (m) return m[1].replace(/^\$HOME/, home);
  } catch { /* none */ }
  return join(home, fallback);
}

/** The application object: the file system's starting points, the processes. */
export class SystemEventsApp {
  /** The app's name. */
  readonly name = "System Events";
  /**
   * The application's own disk items: those of the startup disk, listed when asked (the
   * runtime's start-up check does not list a getter's collection). By name, any POSIX path
   * (`folder "/Users"`, `disk item "/etc"`, `file "/etc/hosts"`), as Apple's System Events
   * finds them (see {@linkcode systemEventsAccessors}).
   */
  get diskItems(): DiskItem[] {
    return this.startupDisk.diskItems;
  }

  /** The startup disk's files (see {@linkcode diskItems}). */
  get files(): File[] {
    return this.startupDisk.files;
  }

  /** The startup disk's folders (see {@linkcode diskItems}). */
  get folders(): Folder[] {
    return this.startupDisk.folders;
  }
  readonly #registry: Registry;
  #processes = new Map<number, Process>();
  #users: Map<number, string> | undefined;

  /** ipckit's objects. */
  readonly ipckit: IpckitObjects;

  /**
   * The app over this machine; `types` maps file extensions to MIME types (see
   * `extensionIndex` of lib/uti.ts); `ipckit` reads ipckit's objects.
   */
  constructor(
    types: Map<string, string> = new Map(),
    ipckit: IpckitObjects = new IpckitObjects({
      ports: () => Promise.resolve([]),
      pasteboards: () => Promise.resolve([]),
      states: () => Promise.resolve([]),
    }),
  ) {
    this.#registry = new Registry(types);
    this.ipckit = ipckit;
  }

  /** The live message ports (as of the last refresh). */
  get messagePorts(): MessagePortItem[] {
    return this.ipckit.messagePorts;
  }

  /** The pasteboards (as of the last refresh). */
  get pasteboards(): PasteboardItem[] {
    return this.ipckit.pasteboards;
  }

  /** The notification names with a state (as of the last refresh). */
  get notificationStates(): NotificationStateItem[] {
    return this.ipckit.notificationStates;
  }

  #folder(path: string): Folder {
    return this.#registry.get(path, "folder") as Folder;
  }

  /** The root folder, `/`. */
  get startupDisk(): Folder {
    return this.#folder("/");
  }

  /** The user's home folder. */
  get homeFolder(): Folder {
    return this.#folder(Deno.env.get("HOME") ?? "/");
  }

  /** The user's Desktop folder. */
  get desktopFolder(): Folder {
    return this.#folder(userDir("DESKTOP", "Desktop"));
  }

  /** The user's Documents folder. */
  get documentsFolder(): Folder {
    return this.#folder(userDir("DOCUMENTS", "Documents"));
  }

  /** The user's Downloads folder. */
  get downloadsFolder(): Folder {
    return this.#folder(userDir("DOWNLOAD", "Downloads"));
  }

  /** The folder for temporary files. */
  get temporaryItemsFolder(): Folder {
    return this.#folder(Deno.env.get("TMPDIR") || "/tmp");
  }

  /** The disk item at a path, if there is one (for handlers given paths as text). */
  itemAt(path: string): DiskItem | undefined {
    return this.#registry.lookup(path);
  }

  /** The running processes, by process id: one listing each time they are asked for. */
  get processes(): Process[] {
    const users = () => (this.#users ??= readUsers());
    const next = new Map<number, Process>();
    for (const info of listProcesses()) {
      const known = this.#processes.get(info.pid);
      if (known) known.update(info);
      next.set(info.pid, known ?? new Process(info, users));
    }
    this.#processes = next;
    return [...next.values()];
  }

  /** Makes a new file or folder on disk in `folder` (for `make` and `duplicate`). */
  materialize(folder: Folder, item: NewDiskItem): DiskItem {
    const name = item.name;
    if (name === "" || name.includes("/") || name === "." || name === "..") {
      throw new AppleEventError(-10000, `Can’t make “${name}”: not a file name.`);
    }
    const path = join(folder.posixPath, name);
    if (item.source) {
      if (this.#registry.lookup(path)) {
        throw new AppleEventError(
          -10000,
          `Can’t copy to ${path}: something of that name is already there.`,
        );
      }
      copyTree(item.source.posixPath, path);
      return this.#registry.lookup(path)!;
    }
    try {
      if (item.kind === "folder") Deno.mkdirSync(path);
      else Deno.writeFileSync(path, new Uint8Array(), { createNew: true });
    } catch (e) {
      throw failed(`make ${item.kind} ${path}`, e);
    }
    return this.#registry.get(path, item.kind);
  }

  /** Moves an item into a folder (a rename). */
  moveInto(item: DiskItem, folder: Folder): DiskItem {
    const to = join(folder.posixPath, item.name);
    if (to === item.posixPath) return item;
    if (to.startsWith(`${item.posixPath}/`)) {
      throw new AppleEventError(-10024, `Can’t move ${item.posixPath} into itself.`, {
        offendingObject: folder as never, // the runtime answers it with its reference
      });
    }
    if (this.#registry.lookup(to)) {
      throw new AppleEventError(
        -10000,
        `Can’t move ${item.posixPath} to ${folder.posixPath}: ${to} exists.`,
      );
    }
    try {
      Deno.renameSync(item.posixPath, to);
    } catch (e) {
      throw failed(`move ${item.posixPath} to ${folder.posixPath}`, e);
    }
    this.#registry.moved(item, to);
    return item;
  }

  /** Deletes an item, a folder with what is in it. */
  delete(item: DiskItem): void {
    if (item.posixPath === "/") throw new AppleEventError(-10000, "Can’t delete the root folder.");
    try {
      Deno.removeSync(item.posixPath, { recursive: true });
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) throw gone(`disk item "${item.posixPath}"`);
      throw failed(`delete ${item.posixPath}`, e);
    }
    this.#registry.forget(item.posixPath);
  }
}

function copyTree(from: string, to: string): void {
  try {
    const info = Deno.lstatSync(from);
    if (info.isSymlink) Deno.symlinkSync(Deno.readLinkSync(from), to);
    else if (info.isDirectory) {
      Deno.mkdirSync(to);
      for (const e of Deno.readDirSync(from)) copyTree(join(from, e.name), join(to, e.name));
    } else Deno.copyFileSync(from, to);
  } catch (e) {
    throw failed(`copy ${from} to ${to}`, e);
  }
}

/** The signal names `kill … signal` takes (Deno's, without the `SIG`). */
const SIGNALS = new Set([
  "HUP",
  "INT",
  "QUIT",
  "KILL",
  "USR1",
  "USR2",
  "TERM",
  "CONT",
  "STOP",
  "TSTP",
  "ALRM",
  "WINCH",
]);

function signalOf(value: unknown): Deno.Signal {
  const name = String(value ?? "KILL").toUpperCase().replace(/^SIG/, "");
  if (!SIGNALS.has(name)) {
    throw new AppleEventError(
      -1700,
      `Can’t make “${String(value)}” into a signal: it is one of ${[...SIGNALS].join(", ")}.`,
    );
  }
  return `SIG${name}` as Deno.Signal;
}

function receiversOf(call: { direct: unknown; receivers: unknown[] }): unknown[] {
  if (call.receivers.length > 0) return call.receivers;
  if (Array.isArray(call.direct)) return call.direct;
  return call.direct === undefined || call.direct === null ? [] : [call.direct];
}

/**
 * The handlers of System Events: `delete` of disk items (from disk), `quit` of processes
 * (SIGTERM; of the application itself: it ends), `kill` of processes (a signal, SIGKILL unless
 * given).
 */
export function systemEventsHandlers(
  app: SystemEventsApp,
  onQuit: () => void,
): Record<string, CommandHandler> {
  return {
    delete(call) {
      for (const item of receiversOf(call)) {
        if (!(item instanceof DiskItem)) {
          throw new AppleEventError(-1708, "Only disk items can be deleted.");
        }
        app.delete(item);
      }
      return null;
    },
    quit(call) {
      const processes = receiversOf(call);
      if (processes.length === 0) {
        setTimeout(onQuit, 0);
        return null;
      }
      for (const p of processes) {
        if (!(p instanceof Process)) {
          throw new AppleEventError(-1708, "Only processes and the application can quit.");
        }
        p.signal("SIGTERM");
      }
      return null;
    },
    kill(call) {
      const signal = signalOf(call.args.signal);
      for (const p of receiversOf(call)) {
        if (!(p instanceof Process)) {
          throw new AppleEventError(-1708, "Only processes can be killed.");
        }
        p.signal(signal);
      }
      return null;
    },
  };
}

/**
 * The per-class accessors: `make new folder`/`file` and `duplicate` make them on disk, `move`
 * renames (its removal from the old folder is the rename itself), names and ids are looked up
 * on disk without listing the folder.
 */
export function systemEventsAccessors(app: SystemEventsApp): Record<string, ClassAccessors> {
  const forKind = (kind: "file" | "folder"): ClassAccessors => ({
    create: (p) =>
      new NewDiskItem(kind, p.name === undefined ? `untitled ${kind}` : String(p.name)),
    copy: (object) => new NewDiskItem(kind, (object as DiskItem).name, object as DiskItem),
    insert: (container, _key, object) => {
      if (!(container instanceof Folder)) {
        throw new AppleEventError(-10024, "Disk items can only be made in or moved to a folder.");
      }
      if (object instanceof NewDiskItem) return app.materialize(container, object);
      if (object instanceof DiskItem) return app.moveInto(object, container);
    },
    // A move takes the item out of its folder and puts it in another: the rename does both,
    // so taking it out does nothing on disk (delete is the delete handler's).
    remove: () => {},
    // The application finds any item by its POSIX path, by name or id (`folder "/Users"`);
    // a folder its own items by name, without listing itself.
    byName: (container, _key, name) =>
      container instanceof Folder
        ? container.child(name)
        : container === app
        ? (name.startsWith("/") ? app.itemAt(name) : app.startupDisk.child(name))
        : undefined,
    byId: (container, _key, id) => {
      const path = String(id);
      if (container === app) return path.startsWith("/") ? app.itemAt(path) : undefined;
      if (!(container instanceof Folder) || dirname(path) !== container.posixPath) return undefined;
      return app.itemAt(path);
    },
  });
  return {
    "disk item": forKind("file"),
    file: forKind("file"),
    folder: forKind("folder"),
  };
}

/** The class of a model object by the definition's names, where the element's is a superclass. */
export function systemEventsClassOf(object: object): string | undefined {
  if (object instanceof Folder) return "folder";
  if (object instanceof File) return "file";
  if (object instanceof DiskItem) return "disk item";
  if (object instanceof Process) return "process";
  return undefined;
}

/** A live message port, as last listed. */
export class MessagePortItem {
  /** Its name. */
  readonly name: string;
  /** The process serving it. */
  readonly unixId: number;
  /** When it started serving. */
  readonly creationDate: Date;

  /** A port as `listPorts()` described it. */
  constructor(name: string, unixId: number, creationDate: Date) {
    this.name = name;
    this.unixId = unixId;
    this.creationDate = creationDate;
  }
}

/** A pasteboard, as last read. */
export class PasteboardItem {
  /** Its name. */
  readonly name: string;
  /** The types it holds. */
  readonly types: string[];
  /** Its change count. */
  readonly changeCount: number;

  /** A pasteboard's name, types and change count. */
  constructor(name: string, types: string[], changeCount: number) {
    this.name = name;
    this.types = types;
    this.changeCount = changeCount;
  }
}

/** A notification name with a state (`notify_set_state`), as last read. */
export class NotificationStateItem {
  /** The notification name. */
  readonly name: string;
  /** Its 64-bit state. */
  readonly state: bigint;

  /** A name and its state. */
  constructor(name: string, state: bigint) {
    this.name = name;
    this.state = state;
  }
}

/** How ipckit's objects are read: the library's public, asynchronous calls. */
export interface IpckitSources {
  /** The live ports. */
  ports: () => Promise<{ name: string; pid: number; since: Date }[]>;
  /** Every pasteboard written to, with its types and change count (none without a broker). */
  pasteboards: () => Promise<{ name: string; types: string[]; changeCount: number }[]>;
  /** Every notification name with a state (none without a broker). */
  states: () => Promise<{ name: string; state: bigint }[]>;
}

/**
 * The ipckit objects of the session: message ports, pasteboards and notification states. The
 * library reads them asynchronously and the scripting runtime asks for elements
 * synchronously, so they are a snapshot that {@linkcode IpckitObjects.refresh} renews; the app
 * renews it every second. Objects keep their identity while they are unchanged, so
 * references to them hold.
 */
export class IpckitObjects {
  #sources: IpckitSources;
  /** The message ports. */
  messagePorts: MessagePortItem[] = [];
  /** The pasteboards. */
  pasteboards: PasteboardItem[] = [];
  /** The notification names with a state. */
  notificationStates: NotificationStateItem[] = [];

  /** Objects read through `sources`. */
  constructor(sources: IpckitSources) {
    this.#sources = sources;
  }

  /** Reads them again. */
  async refresh(): Promise<void> {
    const [ports, boards, states] = await Promise.all([
      this.#sources.ports(),
      this.#sources.pasteboards(),
      this.#sources.states(),
    ]);
    const known = new Map(this.messagePorts.map((p) => [`${p.name}\0${p.unixId}`, p]));
    this.messagePorts = ports.map((p) =>
      known.get(`${p.name}\0${p.pid}`) ?? new MessagePortItem(p.name, p.pid, p.since)
    );
    const oldBoards = new Map(this.pasteboards.map((b) => [b.name, b]));
    this.pasteboards = boards.map((b) => {
      const old = oldBoards.get(b.name);
      return old && old.changeCount === b.changeCount && old.types.join() === b.types.join()
        ? old
        : new PasteboardItem(b.name, b.types, b.changeCount);
    });
    const oldStates = new Map(this.notificationStates.map((x) => [x.name, x]));
    this.notificationStates = states.map((x) => {
      const old = oldStates.get(x.name);
      return old && old.state === x.state ? old : new NotificationStateItem(x.name, x.state);
    });
  }
}
