/**
 * The broker's `pasteboard` service: named pasteboards holding items, each with several
 * representations keyed by UTI; change counts; promised (lazy) data asked of its owner when
 * someone reads it; derived representations made on demand; watchers told of every change; the
 * general pasteboard mirrored to the desktop clipboard.
 *
 * Storage: everything users rely on is on disk under `pasteboards/` in the runtime directory as
 * it changes, so a crash, `kill -9` or idle exit loses nothing: one `NAME.state` file per
 * pasteboard (written to a temporary file and renamed: never half-written; no fsync, since a
 * broker crash is not a machine crash) and one file per representation under `data/`. Large
 * data is streamed to and from those files in chunks, so memory stays bounded. A full disk is a
 * `disk-full` error and the pasteboard keeps what it held. No file or directory there is ever
 * opened through a link (`../transport/no_follow.ts`): a link planted at `data/` or at a data
 * file is refused, not followed.
 *
 * Methods (bodies are dictionaries): `write`, `upload`, `clear`, `info`, `list`, `open`, `chunk`,
 * `close`, `watch`, `unwatch`, `fulfill`. `open` with `unlessDesktop` answers `{desktop: true}`
 * instead when the general pasteboard's mirror does not own the desktop clipboard (what `info`
 * would say, in the same round trip). Events to clients: `pasteboard.changed` (watchers) and
 * `pasteboard.released` (owners of promises that the pasteboard no longer holds). Request to an
 * owner: `pasteboard.provide`.
 *
 * @module
 */

import { RemoteError } from "../errors.ts";
import type { Connection } from "../transport/connection.ts";
import { decodeValue, encodeValue } from "../wire/msgpack.ts";
import { type Dictionary, isDictionary, type Value } from "../wire/value.ts";
import { sleep } from "../_timer.ts";
import { conformsTo, normalizeType } from "../uti.ts";
import { derivation } from "./derive.ts";
import { CHUNK_BYTES, INLINE_BYTES, MAX_DERIVE_SOURCE_BYTES } from "./protocol.ts";
import type { DesktopBackend, DesktopEnv } from "./desktop/desktop.ts";
import type { X11SelectionOwner } from "./desktop/x11_owner.ts";
import type { Service, ServiceContext } from "../broker/service.ts";
import {
  checkRegularFileSync,
  ensureDirSync,
  openRead,
  readFileNoFollow,
  writeExclusiveSync,
  writeFileReplacing,
  writeNewFile,
} from "../transport/no_follow.ts";

interface Rep {
  type: string;
  /** The data file's name under `data/`, for data larger than {@linkcode STATE_INLINE_BYTES}. */
  file?: string;
  /** Small data, kept in the state file itself (one file write per copy, not two). */
  inline?: Uint8Array;
  size: number;
  /** The connection that promised the data (lazy), while it is connected. */
  owner?: Connection;
  ownerPid?: number;
  /** The owner's name for the promise, sent back when its data is wanted. */
  tag?: string;
  /** Why a promise can no longer be kept. */
  broken?: string;
  /** A read in progress that asked the owner. */
  providing?: Promise<void>;
}

interface Board {
  name: string;
  changeCount: number;
  items: Rep[][];
  watchers: Set<Connection>;
  mirror?: Mirror;
  /** Emptied by the first read of its data (`copy --paste-once`); never on the desktop. */
  pasteOnce?: boolean;
}

interface Mirror {
  pid: number;
  program: string;
  type: string;
  alive: boolean;
  child?: Deno.ChildProcess;
  replaced?: boolean;
  /** Which mirror this is, for watchers (see `#info`). */
  id: string;
  /** The X11 owner in this process, offering several types (while the broker runs). */
  owner?: X11SelectionOwner;
  /** What a tool publishes when the broker stops while {@linkcode Mirror.owner} owns it. */
  handOver?: { desktop: DesktopEnv; offer: Offer };
}

/** One type offered to the desktop: its UTI, the desktop's name for it and the data. */
interface Offer {
  uti: string;
  target: string;
  data: Uint8Array;
}

/** Mirrors made by this broker, for their ids. */
let mirrors = 0;

interface Upload {
  path: string;
  file: Deno.FsFile;
  size: number;
  chain: Promise<void>;
  failed?: Error;
}

interface ReadHandle {
  file: Deno.FsFile;
  size: number;
  chain: Promise<unknown>;
}

interface ClientState {
  uploads: Map<string, Upload>;
  handles: Map<number, ReadHandle>;
  nextHandle: number;
}

/**
 * The most reads and uploads one connection may have open at once: each holds a file open,
 * and open files are the broker's to share among all its clients.
 */
const MAX_OPEN_PER_CLIENT = 64;

/** The most one `pasteboard.chunk` answers with (clients ask for `CHUNK_BYTES`). */
const MAX_CHUNK_BYTES = 4 * CHUNK_BYTES;

/** The name of a data file under `data/`. */
const DATA_FILE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Data up to this size is kept inside the pasteboard's state file rather than a file of its own. */
const STATE_INLINE_BYTES = 16 * 1024;

/** Whether a representation's data is here (not only promised). */
function hasData(rep: Rep): boolean {
  return rep.file !== undefined || rep.inline !== undefined;
}

/** Makes the pasteboard service (registered in `SERVICES`). */
export function pasteboardService(context: ServiceContext): Service {
  return new PasteboardService(context);
}

class PasteboardService implements Service {
  readonly name = "pasteboard";
  #root: string;
  #dataDir: string;
  #tmpDir: string;
  #log: ServiceContext["log"];
  #boards = new Map<string, Board>();
  #clients = new Map<Connection, ClientState>();
  #loaded: Promise<void>;

  constructor(context: ServiceContext) {
    this.#root = `${context.runtimeDir}/pasteboards`;
    this.#dataDir = `${this.#root}/data`;
    this.#tmpDir = `${this.#root}/tmp`;
    this.#log = context.log;
    this.#loaded = this.#load();
    this.#loaded.catch((error) =>
      this.#log.error(`cannot load the pasteboards: ${(error as Error).message}`)
    );
  }

  async handle(method: string, body: Value, connection: Connection): Promise<Value> {
    await this.#loaded;
    const b = isDictionary(body) ? body : {};
    switch (method) {
      case "pasteboard.upload":
        return await this.#upload(b, connection);
      case "pasteboard.chunk":
        return await this.#chunk(b, connection);
      case "pasteboard.write":
        return await this.#write(b, connection);
      case "pasteboard.clear":
        return await this.#clear(b);
      case "pasteboard.info":
        return await this.#info(b);
      case "pasteboard.list":
        return this.#list();
      case "pasteboard.open":
        return await this.#open(b, connection);
      case "pasteboard.close":
        return this.#closeHandle(b, connection);
      case "pasteboard.watch": {
        const board = this.#board(nameOf(b));
        board.watchers.add(connection);
        return { changeCount: board.changeCount };
      }
      case "pasteboard.unwatch":
        this.#boards.get(nameOf(b))?.watchers.delete(connection);
        return null;
      case "pasteboard.fulfill":
        return await this.#fulfill(b, connection);
      case "pasteboard.prepare":
        // Where a client on this machine may write large data itself (see #takeUpload).
        return { dir: this.#tmpDir };
    }
    throw new RemoteError("unknown-method", `the broker has no method ${method}`);
  }

  disconnected(connection: Connection): void {
    const client = this.#clients.get(connection);
    this.#clients.delete(connection);
    if (client) {
      for (const upload of client.uploads.values()) {
        upload.chain.then(() => {
          try {
            upload.file.close();
          } catch { /* closed */ }
          return Deno.remove(upload.path);
        }).catch(() => {});
      }
      for (const handle of client.handles.values()) {
        handle.chain.finally(() => {
          try {
            handle.file.close();
          } catch { /* closed */ }
        });
      }
    }
    for (const board of this.#boards.values()) {
      board.watchers.delete(connection);
      let changed = false;
      for (const item of board.items) {
        for (const rep of item) {
          if (rep.owner === connection && !hasData(rep)) {
            rep.owner = undefined;
            rep.broken = `the program that promised ${rep.type} on the ${
              describe(board.name)
            } (pid ${rep.ownerPid ?? "?"}) exited without providing it`;
            changed = true;
          } else if (rep.owner === connection) rep.owner = undefined;
        }
      }
      if (changed) this.#save(board).catch(() => {});
    }
  }

  async close(): Promise<void> {
    for (const board of this.#boards.values()) {
      const mirror = board.mirror;
      // The desktop keeps its copy after the broker stops; the next broker checks it by pid.
      // What this process offered itself goes to a tool, with the type it can carry best.
      if (mirror?.owner?.owns && mirror.handOver) {
        const { desktop, offer } = mirror.handOver;
        try {
          const { desktopBackend } = await import("./desktop/desktop.ts");
          mirror.owner.close();
          const replaced = await this.#publish(
            board,
            await desktopBackend(desktop),
            desktop,
            offer,
          );
          board.mirror?.child?.unref();
          if (isDictionary(replaced) && replaced.published) await this.#save(board);
        } catch (error) {
          this.#log.error(`cannot hand the desktop clipboard over: ${(error as Error).message}`);
        }
      } else board.mirror?.child?.unref();
    }
  }

  // ---- storage ----

  async #load(): Promise<void> {
    ensureDirSync(this.#root);
    ensureDirSync(this.#dataDir);
    // Removing a link removes the link only, never what it points to.
    await Deno.remove(this.#tmpDir, { recursive: true }).catch(() => {});
    ensureDirSync(this.#tmpDir);
    const used = new Set<string>();
    // A state saved whole but not yet in its place when the last broker stopped (see #save).
    const fresh: string[] = [];
    for await (const entry of Deno.readDir(this.#root)) {
      if (entry.isFile && entry.name.endsWith(".state.new")) fresh.push(entry.name);
    }
    for (const name of fresh) {
      await Deno.rename(`${this.#root}/${name}`, `${this.#root}/${name.slice(0, -4)}`);
    }
    for await (const entry of Deno.readDir(this.#root)) {
      if (!entry.isFile || !entry.name.endsWith(".state")) continue;
      try {
        const value = decodeValue(await readFileNoFollow(`${this.#root}/${entry.name}`));
        const board = boardFromValue(value);
        if (!board) continue;
        for (const item of board.items) for (const rep of item) if (rep.file) used.add(rep.file);
        this.#boards.set(board.name, board);
      } catch (error) {
        this.#log.error(`cannot read ${entry.name}: ${(error as Error).message}`);
      }
    }
    for await (const entry of Deno.readDir(this.#dataDir)) {
      if (!used.has(entry.name)) {
        await Deno.remove(`${this.#dataDir}/${entry.name}`).catch(() => {});
      }
    }
  }

  #board(name: string): Board {
    let board = this.#boards.get(name);
    if (!board) {
      board = { name, changeCount: 0, items: [], watchers: new Set() };
      this.#boards.set(name, board);
    }
    return board;
  }

  async #save(board: Board): Promise<void> {
    const value: Dictionary = {
      name: board.name,
      changeCount: board.changeCount,
      ...(board.pasteOnce ? { pasteOnce: true } : {}),
      items: board.items.map((item) =>
        item.map((rep) => {
          const out: Dictionary = { type: rep.type, size: rep.size };
          if (rep.inline) out.data = rep.inline;
          else if (rep.file) out.file = rep.file;
          else {
            out.broken = rep.broken ??
              `the program that promised ${rep.type} (pid ${
                rep.ownerPid ?? "?"
              }) lost its connection when the broker stopped`;
          }
          return out;
        })
      ),
    };
    // A mirror in this process ends with it: only a tool's is worth remembering.
    if (board.mirror?.alive && !board.mirror.owner) {
      value.mirror = {
        pid: board.mirror.pid,
        program: board.mirror.program,
        type: board.mirror.type,
      };
    }
    const path = `${this.#root}/${fileKey(board.name)}.state`;
    let temp: string | undefined;
    let renamed = false;
    try {
      const bytes = encodeValue(value);
      if (bytes.length <= 256 * 1024) {
        // A small state file: the blocking calls take microseconds, where each async one costs
        // a trip through the runtime's thread pool (and every copy waits on this one). It takes
        // the old one's place in two steps, through `NAME.state.new` (whole, and preferred by
        // #load should the broker die in between): a rename over an existing file makes ext4
        // write the new file out at once (its replace-by-rename heuristic), which costs more
        // than the rest of a save and which the broker does not need (no fsync, see above).
        temp = writeExclusiveSync(this.#tmpDir, bytes, ".state");
        Deno.renameSync(temp, `${path}.new`);
        renamed = true;
        try {
          Deno.removeSync(path);
        } catch (error) {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        }
        Deno.renameSync(`${path}.new`, path);
      } else {
        await writeFileReplacing(path, bytes, { tempDir: this.#tmpDir });
      }
    } catch (error) {
      if (temp) await Deno.remove(temp).catch(() => {});
      // Not saved after all: the old state stays, unless it is already gone.
      if (renamed && exists(path)) await Deno.remove(`${path}.new`).catch(() => {});
      throw this.#storageError(board.name, error);
    }
  }

  #storageError(name: string, error: unknown): Error {
    const message = (error as Error)?.message ?? String(error);
    if (/No space left|os error 28|quota|os error 122/i.test(message)) {
      return new RemoteError(
        "disk-full",
        `cannot store the ${
          describe(name)
        }: the disk holding ${this.#root} is full; free some space and copy again (the pasteboard still holds what it held before)`,
      );
    }
    return new RemoteError(
      "storage",
      `cannot store the ${describe(name)} under ${this.#root}: ${message}`,
    );
  }

  /** Keeps data: small data in the state file, larger in a data file of its own. */
  async #store(name: string, data: Uint8Array): Promise<{ file?: string; inline?: Uint8Array }> {
    if (data.length <= STATE_INLINE_BYTES) return { inline: data.slice() };
    return { file: await this.#writeData(name, data) };
  }

  /** A representation's data (it must be here). */
  async #readRep(rep: Rep): Promise<Uint8Array> {
    if (rep.inline) return rep.inline;
    return await readFileNoFollow(this.#dataPath(rep.file!));
  }

  /** Where a data file is; its name is checked (a state file could say anything). */
  #dataPath(file: string): string {
    if (!DATA_FILE.test(file)) {
      throw new RemoteError("storage", `a bad data file name in the pasteboard state: ${file}`);
    }
    return `${this.#dataDir}/${file}`;
  }

  async #writeData(name: string, data: Uint8Array): Promise<string> {
    const file = crypto.randomUUID();
    try {
      await writeNewFile(`${this.#dataDir}/${file}`, data);
    } catch (error) {
      throw this.#storageError(name, error);
    }
    return file;
  }

  // ---- writing ----

  #client(connection: Connection): ClientState {
    let client = this.#clients.get(connection);
    if (!client) {
      client = { uploads: new Map(), handles: new Map(), nextHandle: 1 };
      this.#clients.set(connection, client);
    }
    return client;
  }

  async #upload(b: Dictionary, connection: Connection): Promise<Value> {
    const id = stringField(b, "id");
    const data = b.data;
    if (!(data instanceof Uint8Array)) throw new RemoteError("bad-request", "upload without data");
    const client = this.#client(connection);
    let upload = client.uploads.get(id);
    if (!upload) {
      if (client.uploads.size >= MAX_OPEN_PER_CLIENT) {
        throw new RemoteError(
          "too-many",
          `this connection has ${MAX_OPEN_PER_CLIENT} uploads open; finish them (pasteboard.write) first`,
        );
      }
      // Opened without a pause: the next chunk, already on its way, must find this upload.
      const path = `${this.#tmpDir}/${crypto.randomUUID()}.upload`;
      let file: Deno.FsFile;
      try {
        file = Deno.openSync(path, { write: true, createNew: true, mode: 0o600 });
      } catch (error) {
        throw this.#storageError(stringOr(b.name, "pasteboard"), error);
      }
      upload = { path, file, size: 0, chain: Promise.resolve() };
      client.uploads.set(id, upload);
    }
    const u = upload;
    u.chain = u.chain.then(async () => {
      if (u.failed) return;
      try {
        let written = 0;
        while (written < data.length) written += await u.file.write(data.subarray(written));
        u.size += data.length;
      } catch (error) {
        u.failed = this.#storageError(stringOr(b.name, "pasteboard"), error);
      }
    });
    await u.chain;
    if (u.failed) throw u.failed;
    return null;
  }

  /** Turns a finished upload into a data file. */
  async #takeUpload(
    name: string,
    id: string,
    connection: Connection,
  ): Promise<{ file: string; size: number }> {
    if (id.startsWith("file:")) return this.#takeFile(name, id.slice(5));
    const client = this.#client(connection);
    const upload = client.uploads.get(id);
    if (!upload) {
      // An empty stream sends no chunk.
      return { file: await this.#writeData(name, new Uint8Array()), size: 0 };
    }
    client.uploads.delete(id);
    await upload.chain;
    try {
      upload.file.close();
    } catch { /* closed */ }
    if (upload.failed) {
      await Deno.remove(upload.path).catch(() => {});
      throw upload.failed;
    }
    const file = crypto.randomUUID();
    await Deno.rename(upload.path, `${this.#dataDir}/${file}`);
    return { file, size: upload.size };
  }

  /**
   * Takes a file a client wrote itself into `tmp/` (large data: the bytes go through the page
   * cache once instead of through the socket). Same user, same 0700 runtime directory.
   */
  #takeFile(name: string, id: string): { file: string; size: number } {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new RemoteError("bad-request", "bad upload file name");
    const path = `${this.#tmpDir}/${id}.upload`;
    let size: number;
    // Blocking calls: microseconds each, less than a trip through the runtime's thread pool.
    try {
      const info = Deno.lstatSync(path);
      if (!info.isFile) throw new Error("not a file");
      size = info.size;
    } catch {
      throw new RemoteError("bad-request", `the uploaded data for the ${name} pasteboard is gone`);
    }
    const file = crypto.randomUUID();
    Deno.renameSync(path, `${this.#dataDir}/${file}`);
    return { file, size };
  }

  async #write(b: Dictionary, connection: Connection): Promise<Value> {
    const name = nameOf(b);
    const append = b.append === true;
    const inputs = b.items;
    if (!Array.isArray(inputs)) throw new RemoteError("bad-request", "write without items");
    const created: string[] = [];
    const items: Rep[][] = [];
    try {
      for (const input of inputs) {
        if (!Array.isArray(input) || input.length === 0) {
          throw new RemoteError("bad-request", "an item needs at least one representation");
        }
        const item: Rep[] = [];
        for (const raw of input) {
          if (!isDictionary(raw)) throw new RemoteError("bad-request", "bad representation");
          const type = typeField(raw);
          if (item.some((r) => r.type === type)) {
            throw new RemoteError("bad-request", `an item holds ${type} twice`);
          }
          if (raw.data instanceof Uint8Array) {
            const stored = await this.#store(name, raw.data);
            if (stored.file) created.push(stored.file);
            item.push({ type, ...stored, size: raw.data.length });
          } else if (typeof raw.upload === "string") {
            const { file, size } = await this.#takeUpload(name, raw.upload, connection);
            created.push(file);
            item.push({ type, file, size });
          } else if (raw.promise === true) {
            const pid = connection.peerHello?.pid;
            item.push({
              type,
              size: -1,
              tag: stringOr(raw.tag, ""),
              owner: connection,
              ownerPid: typeof pid === "number" ? pid : undefined,
            });
          } else {
            throw new RemoteError("bad-request", `no data for ${type}`);
          }
        }
        items.push(item);
      }
    } catch (error) {
      for (const file of created) await Deno.remove(`${this.#dataDir}/${file}`).catch(() => {});
      throw error;
    }
    const board = this.#board(name);
    const before = board.items;
    const previousCount = board.changeCount;
    const wasOnce = board.pasteOnce;
    board.items = append ? [...before, ...items] : items;
    board.pasteOnce = b.pasteOnce === true || (append && board.pasteOnce === true);
    board.changeCount++;
    try {
      await this.#save(board);
    } catch (error) {
      board.items = before;
      board.pasteOnce = wasOnce;
      board.changeCount = previousCount;
      for (const file of created) await Deno.remove(`${this.#dataDir}/${file}`).catch(() => {});
      throw error;
    }
    if (!append) this.#dropItems(board, before);
    this.#changed(board);
    let desktop: Value = null;
    if (board.pasteOnce) this.#stopMirror(board); // a secret is not left with a desktop tool
    else if (isDictionary(b.desktop) && (name === "general" || name === "primary")) {
      desktop = await this.#mirror(board, b.desktop as unknown as DesktopEnv);
    }
    return { changeCount: board.changeCount, desktop };
  }

  async #clear(b: Dictionary): Promise<Value> {
    return await this.#clearBoard(this.#board(nameOf(b)));
  }

  async #clearBoard(board: Board): Promise<Value> {
    const before = board.items;
    board.pasteOnce = false;
    board.items = [];
    board.changeCount++;
    try {
      await this.#save(board);
    } catch (error) {
      board.items = before;
      board.changeCount--;
      throw error;
    }
    this.#dropItems(board, before);
    this.#changed(board);
    return { changeCount: board.changeCount };
  }

  /** Removes the data of items the pasteboard no longer holds and frees their promises. */
  #dropItems(board: Board, items: Rep[][]): void {
    const owners = new Map<Connection, string[]>();
    for (const item of items) {
      for (const rep of item) {
        if (rep.file) Deno.remove(`${this.#dataDir}/${rep.file}`).catch(() => {});
        else if (rep.owner) {
          owners.set(rep.owner, [...(owners.get(rep.owner) ?? []), rep.tag ?? ""]);
          rep.owner = undefined;
          rep.broken = "the pasteboard changed";
        }
      }
    }
    for (const [owner, tags] of owners) {
      owner.notify("pasteboard.released", { name: board.name, tags }).catch(() => {});
    }
  }

  #changed(board: Board): void {
    for (const watcher of board.watchers) {
      watcher.notify("pasteboard.changed", { name: board.name, changeCount: board.changeCount })
        .catch(() => board.watchers.delete(watcher));
    }
  }

  // ---- reading ----

  /** Every pasteboard that has been written to, by name: its change count and its types. */
  #list(): Value {
    return [...this.#boards.values()]
      .filter((board) => board.changeCount > 0 || board.items.length > 0)
      .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
      .map((board) => ({
        name: board.name,
        changeCount: board.changeCount,
        types: [...new Set(board.items.flatMap((item) => item.map((rep) => rep.type)))],
      }));
  }

  async #info(b: Dictionary): Promise<Value> {
    const board = this.#boards.get(nameOf(b));
    const holds = board ? await this.#mirrorAlive(board) : false;
    return {
      changeCount: board?.changeCount ?? 0,
      items: (board?.items ?? []).map((item) =>
        item.map((rep) => ({ type: rep.type, size: rep.size, lazy: !hasData(rep) }))
      ),
      desktopHolds: holds,
      ...(board?.pasteOnce ? { pasteOnce: true } : {}),
      // Which mirror process: watchers tell their own publishing from another program's copy.
      ...(holds ? { mirror: board!.mirror!.id } : {}),
    };
  }

  /**
   * Finds the representation to read: for each wanted type in order, an item holding it or a
   * type conforming to it, else one it can be derived from. Answers `{missing: true, held}` when
   * there is none.
   */
  async #open(b: Dictionary, connection: Connection): Promise<Value> {
    const name = nameOf(b);
    const board = this.#boards.get(name);
    const wanted = Array.isArray(b.types) ? b.types.map((t) => normalizeOrThrow(t)) : [];
    if (
      b.unlessDesktop === true && !board?.pasteOnce && !(board && await this.#mirrorAlive(board))
    ) {
      // The desktop clipboard is not our mirror's (`info` and `open` in one round trip): the
      // reader looks at the desktop first.
      return { desktop: true, changeCount: board?.changeCount ?? 0 };
    }
    const onlyItem = typeof b.item === "number" ? b.item : undefined;
    const files = b.files === true;
    const items = board?.items ?? [];
    const candidates = onlyItem === undefined
      ? items.map((item, index) => ({ item, index }))
      : items[onlyItem]
      ? [{ item: items[onlyItem], index: onlyItem }]
      : [];
    const held = candidates.map(({ item }) => item.map((r) => r.type));
    const missing = {
      missing: true,
      changeCount: board?.changeCount ?? 0,
      items: items.length,
      held: [...new Set(held.flat())],
    };
    if (!board || candidates.length === 0) return missing;
    // No type asked for: the first item (or the one asked for) as text when it holds text or
    // text can be made of its content, else its first representation. A copied file's path
    // (from its file URL) counts only when the item holds nothing else.
    const bare = wanted.length === 0;
    if (bare) candidates.splice(1);
    const types = bare ? ["public.utf8-plain-text"] : wanted;
    for (const type of types) {
      for (const { item, index } of candidates) {
        const rep = item.find((r) => r.type === type) ??
          item.find((r) => conformsTo(r.type, type));
        if (rep) return this.#once(board, await this.#serve(board, index, rep, connection, files));
      }
      for (const { item, index } of candidates) {
        const sources = item.map((r) => r.type).filter((t) =>
          !bare || item.length === 1 || t !== "public.file-url"
        );
        const how = derivation(type, sources);
        if (!how) continue;
        const source = item.find((r) => r.type === how.from)!;
        await this.#materialize(board, index, source);
        if (source.size > MAX_DERIVE_SOURCE_BYTES) {
          throw new RemoteError(
            "too-large",
            `cannot make ${how.to} from ${how.from}: over ${MAX_DERIVE_SOURCE_BYTES} bytes`,
          );
        }
        let data: Uint8Array;
        try {
          data = how.convert(await this.#readRep(source));
        } catch (error) {
          if (error instanceof TypeError) continue; // not convertible: not offered
          throw error;
        }
        return this.#once(
          board,
          await this.#serveBytes(board, index, how.to, data, connection, how.from, files),
        );
      }
    }
    if (bare) {
      const { item, index } = candidates[0];
      return this.#once(board, await this.#serve(board, index, item[0], connection, files));
    }
    return missing;
  }

  /** After a read of a paste-once pasteboard's data: empties it (the reader has its data). */
  #once(board: Board, reply: Value): Value {
    if (board.pasteOnce) {
      board.pasteOnce = false;
      this.#clearBoard(board).catch((error) =>
        this.#log.error(`cannot empty the paste-once ${describe(board.name)}: ${error.message}`)
      );
    }
    return reply;
  }

  async #serve(
    board: Board,
    index: number,
    rep: Rep,
    connection: Connection,
    files = false,
  ): Promise<Value> {
    await this.#materialize(board, index, rep);
    const reply: Dictionary = {
      type: rep.type,
      item: index,
      size: rep.size,
      changeCount: board.changeCount,
    };
    if (rep.inline || rep.size <= INLINE_BYTES) {
      reply.data = await this.#readRep(rep);
      return reply;
    }
    if (files) {
      // A link of its own for this reader, which opens and removes it: a later change of the
      // pasteboard cannot pull the data away mid-read.
      const path = `${this.#tmpDir}/${crypto.randomUUID()}.read`;
      const source = this.#dataPath(rep.file!);
      checkRegularFileSync(source); // a hard link to a link would be followed by the reader
      Deno.linkSync(source, path);
      reply.path = path;
      return reply;
    }
    this.#roomForHandle(connection);
    const file = await openRead(this.#dataPath(rep.file!));
    reply.handle = this.#addHandle(connection, file, rep.size);
    return reply;
  }

  async #serveBytes(
    board: Board,
    index: number,
    type: string,
    data: Uint8Array,
    connection: Connection,
    derivedFrom: string,
    files = false,
  ): Promise<Value> {
    const reply: Dictionary = {
      type,
      item: index,
      size: data.length,
      changeCount: board.changeCount,
      derivedFrom,
    };
    if (data.length <= INLINE_BYTES) {
      reply.data = data;
      return reply;
    }
    if (!files) this.#roomForHandle(connection);
    const path = `${this.#tmpDir}/${crypto.randomUUID()}.derived`;
    try {
      await writeNewFile(path, data);
    } catch (error) {
      throw this.#storageError(board.name, error);
    }
    if (files) {
      reply.path = path; // the reader opens and removes it
      return reply;
    }
    const file = await openRead(path);
    await Deno.remove(path);
    reply.handle = this.#addHandle(connection, file, data.length);
    return reply;
  }

  /** Refuses a read handle over {@linkcode MAX_OPEN_PER_CLIENT} (each holds an open file). */
  #roomForHandle(connection: Connection): void {
    if ((this.#clients.get(connection)?.handles.size ?? 0) >= MAX_OPEN_PER_CLIENT) {
      throw new RemoteError(
        "too-many",
        `this connection has ${MAX_OPEN_PER_CLIENT} reads open; close some (pasteboard.close) first`,
      );
    }
  }

  #addHandle(connection: Connection, file: Deno.FsFile, size: number): number {
    const client = this.#client(connection);
    const id = client.nextHandle++;
    client.handles.set(id, { file, size, chain: Promise.resolve() });
    return id;
  }

  async #chunk(b: Dictionary, connection: Connection): Promise<Value> {
    const handle = this.#clients.get(connection)?.handles.get(Number(b.handle));
    if (!handle) throw new RemoteError("bad-request", "no such read handle");
    const offset = Number(b.offset);
    const asked = Number(b.length);
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(asked) || asked < 0) {
      throw new RemoteError("bad-request", "a chunk needs a whole offset and length, 0 or more");
    }
    // What one request may make the broker hold: a client asking for a whole large file in
    // one chunk gets MAX_CHUNK_BYTES of it, and asks again for the rest.
    const length = Math.min(asked, MAX_CHUNK_BYTES, Math.max(0, handle.size - offset));
    const result = handle.chain.then(async () => {
      await handle.file.seek(offset, Deno.SeekMode.Start);
      const out = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const n = await handle.file.read(out.subarray(got));
        if (n === null) break;
        got += n;
      }
      return got === length ? out : out.subarray(0, got);
    });
    handle.chain = result.catch(() => {});
    return await result;
  }

  #closeHandle(b: Dictionary, connection: Connection): Value {
    const client = this.#clients.get(connection);
    const id = Number(b.handle);
    const handle = client?.handles.get(id);
    if (handle) {
      client!.handles.delete(id);
      handle.chain.finally(() => {
        try {
          handle.file.close();
        } catch { /* closed */ }
      });
    }
    return null;
  }

  // ---- promised data ----

  /** Makes sure a representation's data is here: asks its owner when it was promised. */
  async #materialize(board: Board, index: number, rep: Rep): Promise<void> {
    if (hasData(rep)) return;
    if (rep.providing) return await rep.providing;
    if (!rep.owner) {
      throw new RemoteError(
        "promise-broken",
        `cannot paste ${rep.type}: ${rep.broken ?? "nobody can provide it any more"}`,
      );
    }
    const owner = rep.owner;
    rep.providing = (async () => {
      let reply: Value;
      try {
        reply = await owner.request("pasteboard.provide", {
          name: board.name,
          changeCount: board.changeCount,
          item: index,
          type: rep.type,
          tag: rep.tag ?? "",
        }, { timeoutMs: 60_000 });
      } catch (error) {
        if (hasData(rep)) return; // handed over while we asked
        throw new RemoteError(
          "promise-broken",
          `cannot paste ${rep.type}: the program that promised it (pid ${
            rep.ownerPid ?? "?"
          }) did not provide it: ${(error as Error).message}`,
        );
      }
      if (hasData(rep)) return;
      await this.#keep(board, rep, reply, owner);
    })();
    try {
      await rep.providing;
    } finally {
      rep.providing = undefined;
    }
  }

  /** Stores data an owner provided for its promise. */
  async #keep(board: Board, rep: Rep, reply: Value, owner: Connection): Promise<void> {
    if (!isDictionary(reply)) throw new RemoteError("bad-request", "bad provided data");
    let stored: { file?: string; inline?: Uint8Array; size: number };
    if (reply.data instanceof Uint8Array) {
      stored = { ...(await this.#store(board.name, reply.data)), size: reply.data.length };
    } else if (typeof reply.upload === "string") {
      stored = await this.#takeUpload(board.name, reply.upload, owner);
    } else {
      throw new RemoteError("bad-request", `the owner sent no data for ${rep.type}`);
    }
    rep.file = stored.file;
    rep.inline = stored.inline;
    rep.size = stored.size;
    rep.owner = undefined;
    rep.broken = undefined;
    if (board.items.some((item) => item.includes(rep))) await this.#save(board);
    else if (stored.file) await Deno.remove(`${this.#dataDir}/${stored.file}`).catch(() => {});
  }

  async #fulfill(b: Dictionary, connection: Connection): Promise<Value> {
    const board = this.#boards.get(nameOf(b));
    const tag = stringField(b, "tag");
    for (const item of board?.items ?? []) {
      const rep = item.find((r) => r.owner === connection && r.tag === tag && !hasData(r));
      if (rep) {
        await this.#keep(board!, rep, b, connection);
        return { kept: true };
      }
    }
    return { kept: false };
  }

  // ---- the desktop mirror ----

  async #mirrorAlive(board: Board): Promise<boolean> {
    const mirror = board.mirror;
    if (!mirror?.alive) return false;
    if (mirror.owner) return mirror.alive = mirror.owner.owns;
    if (mirror.child) return true;
    // A mirror started by an earlier broker: alive while its process is (Deno reads no /proc
    // without all permissions, so ask ps).
    try {
      const out = await new Deno.Command("ps", {
        args: ["-o", "args=", "-p", String(mirror.pid)],
        stdout: "piped",
        stderr: "null",
      }).output();
      if (out.success && new TextDecoder().decode(out.stdout).includes(mirror.program)) return true;
    } catch {
      // No ps here: whether the process lives is the best we can tell.
      try {
        Deno.kill(mirror.pid, "SIGCONT");
        return true;
      } catch { /* gone */ }
    }
    mirror.alive = false;
    return false;
  }

  /**
   * Publishes the general pasteboard's first item to the desktop: on an X11 display this process
   * can reach, every representation the desktop can carry and its text, side by side (an owner
   * of the clipboard in this process, {@linkcode X11SelectionOwner}); otherwise, through a tool
   * that offers one type, the best: the text, else an image.
   */
  async #mirror(board: Board, desktop: DesktopEnv): Promise<Value> {
    const { desktopBackend } = await import("./desktop/desktop.ts");
    const backend = await desktopBackend(desktop);
    this.#stopMirror(board);
    const item = board.items[0];
    if (!item) return null;
    const offers: Offer[] = [];
    let total = 0;
    const offer = async (uti: string, data: () => Promise<Uint8Array>) => {
      const target = backend.publishTarget(uti);
      if (!target || offers.some((o) => o.target === target)) return;
      const bytes = await data();
      if (total + bytes.length > MAX_DERIVE_SOURCE_BYTES && offers.length > 0) return;
      total += bytes.length;
      offers.push({ uti, target, data: bytes });
    };
    const text = item.find((r) => hasData(r) && r.type === "public.utf8-plain-text");
    if (text) await offer(text.type, () => this.#readRep(text));
    else {
      const how = derivation(
        "public.utf8-plain-text",
        item.filter((r) => hasData(r)).map((r) => r.type),
      );
      const source = how && item.find((r) => r.type === how.from);
      if (how && source && source.size <= MAX_DERIVE_SOURCE_BYTES) {
        try {
          const data = how.convert(await this.#readRep(source));
          await offer(how.to, () => Promise.resolve(data));
        } catch { /* not convertible */ }
      }
    }
    const image = item.find((r) => hasData(r) && conformsTo(r.type, "public.image"));
    if (image && (offers.length === 0 || backend.name === "xclip")) {
      await offer(image.type, () => this.#readRep(image));
    }
    if (offers.length === 0) return null;
    // The rest, side by side, where this process can offer them itself.
    if (backend.name === "xclip" && desktop.env.DISPLAY) {
      for (const rep of item) {
        if (hasData(rep) && rep.size <= MAX_DERIVE_SOURCE_BYTES && rep.type !== "public.file-url") {
          await offer(rep.type, () => this.#readRep(rep));
        }
      }
      if (offers.length > 1) {
        const published = await this.#own(board, desktop, offers);
        if (published) return published;
      }
    }
    return await this.#publish(board, backend, desktop, offers[0]);
  }

  /** Offers several types from this process (X11); `undefined` when the display refuses it. */
  async #own(board: Board, desktop: DesktopEnv, offers: Offer[]): Promise<Value | undefined> {
    const { X11SelectionOwner } = await import("./desktop/x11_owner.ts");
    const owner = await X11SelectionOwner.open(desktop.env.DISPLAY, {
      XAUTHORITY: desktop.env.XAUTHORITY,
      HOME: Deno.env.get("HOME"),
    });
    if (!owner) return undefined;
    const mirror: Mirror = {
      pid: Deno.pid,
      program: "ipckit",
      type: offers[0].uti,
      alive: true,
      id: `${Deno.pid}.${++mirrors}`,
      owner,
      handOver: { desktop, offer: offers[0] },
    };
    board.mirror = mirror;
    owner.onLost = () => {
      mirror.alive = false;
      owner.close();
    };
    const targets = new Map(offers.map((o) => [o.target, o.data]));
    if (!(await owner.own(targets, desktop.primary ? "PRIMARY" : "CLIPBOARD"))) {
      owner.close();
      board.mirror = undefined;
      return undefined;
    }
    return {
      published: true,
      type: offers[0].uti,
      types: offers.map((o) => o.uti),
      backend: "x11",
    };
  }

  /** Publishes one type through the desktop's tool, which owns the clipboard while it runs. */
  async #publish(
    board: Board,
    backend: DesktopBackend,
    desktop: DesktopEnv,
    chosen: Offer,
  ): Promise<Value> {
    const target = chosen.target;
    const command = backend.publishCommand(target);
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(command.program, {
        args: command.args,
        env: desktop.env,
        stdin: "piped",
        stdout: "null",
        // Not a pipe: the tool outlives the broker, and a write to a pipe nobody reads any more
        // would kill it in the middle of a paste (the pasting program would wait forever).
        stderr: "null",
      }).spawn();
    } catch (error) {
      this.#log.error(`cannot start ${command.program}: ${(error as Error).message}`);
      return { published: false, error: `cannot start ${command.program}` };
    }
    const mirror: Mirror = {
      pid: child.pid,
      program: command.program,
      type: chosen.uti,
      alive: true,
      child,
      id: String(child.pid),
    };
    board.mirror = mirror;
    child.status.then((status) => {
      mirror.alive = false;
      mirror.child = undefined;
      if (!mirror.replaced && status.code !== 0 && status.signal === null) {
        this.#log.error(`${command.program} exited with ${status.code}`);
      }
      if (board.mirror === mirror) this.#save(board).catch(() => {});
    });
    try {
      const writer = child.stdin.getWriter();
      await writer.write(chosen.data);
      await writer.close();
    } catch { /* it exited; its status tells */ }
    // Then wait until the desktop offers the type (the mirror it replaces may let go of the
    // clipboard in between).
    // A deadline rather than a count of tries: on a loaded machine one try can take 100 ms.
    const deadline = Date.now() + 5000;
    while (mirror.alive && Date.now() < deadline) {
      const targets = await backend.targets().catch(() => [] as string[]);
      if (targets.includes(target) || (target === "UTF8_STRING" && targets.length > 0)) break;
      await sleep(20);
    }
    if (board.mirror === mirror) await this.#save(board).catch(() => {});
    return { published: mirror.alive, type: chosen.uti, backend: backend.name };
  }

  #stopMirror(board: Board): void {
    const mirror = board.mirror;
    if (!mirror) return;
    mirror.replaced = true;
    board.mirror = undefined;
    mirror.owner?.close();
    if (!mirror.alive) return;
    if (!mirror.child) {
      // Started by an earlier broker: only signal it if it is still that program.
      this.#mirrorAlive({ ...board, mirror }).then((alive) => {
        if (alive) Deno.kill(mirror.pid, "SIGTERM");
      }).catch(() => {});
      return;
    }
    try {
      mirror.child.kill("SIGTERM");
    } catch { /* gone */ }
  }
}

function boardFromValue(value: Value): Board | undefined {
  if (!isDictionary(value) || typeof value.name !== "string") return undefined;
  const items: Rep[][] = [];
  for (const item of Array.isArray(value.items) ? value.items : []) {
    if (!Array.isArray(item)) continue;
    const reps: Rep[] = [];
    for (const raw of item) {
      if (!isDictionary(raw) || typeof raw.type !== "string") continue;
      // Only a data file's own kind of name: a state file could name any path.
      const file = typeof raw.file === "string" && DATA_FILE.test(raw.file) ? raw.file : undefined;
      const lost = typeof raw.file === "string" && !file ? "its data file was lost" : undefined;
      reps.push({
        type: raw.type,
        size: Number(raw.size ?? 0),
        file,
        inline: raw.data instanceof Uint8Array ? raw.data : undefined,
        broken: typeof raw.broken === "string" ? raw.broken : lost,
      });
    }
    if (reps.length) items.push(reps);
  }
  const board: Board = {
    name: value.name,
    changeCount: Number(value.changeCount ?? 0),
    pasteOnce: value.pasteOnce === true,
    items,
    watchers: new Set(),
  };
  if (isDictionary(value.mirror)) {
    const m = value.mirror;
    board.mirror = {
      pid: Number(m.pid),
      program: String(m.program),
      type: String(m.type),
      alive: true,
      id: String(m.pid),
    };
  }
  return board;
}

/** A file name for a pasteboard name: safe characters kept, others %-escaped, long ones hashed. */
function fileKey(name: string): string {
  const safe = [...new TextEncoder().encode(name)].map((byte) => {
    const c = String.fromCharCode(byte);
    return /[A-Za-z0-9_-]/.test(c) ? c : `%${byte.toString(16).padStart(2, "0")}`;
  }).join("");
  if (safe.length <= 200) return safe;
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(name)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return `${safe.slice(0, 150)}~${hash.toString(16)}`;
}

/** Whether a file exists (a blocking call: microseconds). */
function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function describe(name: string): string {
  return `${name} pasteboard`;
}

function nameOf(b: Dictionary): string {
  const name = b.name;
  if (typeof name !== "string" || name === "" || name.length > 255) {
    throw new RemoteError("bad-request", "a pasteboard name is 1 to 255 characters");
  }
  return name;
}

function stringField(b: Dictionary, field: string): string {
  const value = b[field];
  if (typeof value !== "string") throw new RemoteError("bad-request", `missing ${field}`);
  return value;
}

function stringOr(value: Value, fallback: string): string {
  return typeof value === "string" ? value : fallback;
}

function typeField(b: Dictionary): string {
  return normalizeOrThrow(b.type);
}

function normalizeOrThrow(type: Value): string {
  if (typeof type !== "string") throw new RemoteError("bad-request", "a type is a string");
  try {
    return normalizeType(type);
  } catch (error) {
    throw new RemoteError("bad-type", (error as Error).message);
  }
}
