/**
 * The broker's `pasteboard` service: the dispatch of the `pasteboard.*` methods to its parts,
 * the store ({@linkcode ./store.ts}), uploads, read handles, promised data and the desktop
 * mirror, and the writes and reads that go through several of them.
 *
 * @module
 */

import { RemoteError } from "../errors.ts";
import type { Connection } from "../transport/connection.ts";
import { type Dictionary, isDictionary, type Value } from "../wire/value.ts";
import { conformsTo, normalizeType } from "../uti.ts";
import type { Service, ServiceContext } from "../broker/service.ts";
import { checkRegularFileSync, openRead, writeNewFile } from "../transport/no_follow.ts";
import { derivation } from "./derive.ts";
import type { DesktopEnv } from "./desktop/backend.ts";
import { DesktopMirror } from "./mirror.ts";
import { Promises } from "./promises.ts";
import {
  CHANGED,
  CHUNK,
  CLEAR,
  CLOSE,
  FULFILL,
  INFO,
  INLINE_BYTES,
  LIST,
  MAX_DERIVE_SOURCE_BYTES,
  mirroredSelection,
  OPEN,
  PREPARE,
  RELEASED,
  SERVICE,
  UNWATCH,
  UPLOAD,
  WATCH,
  WRITE,
} from "./protocol.ts";
import { ReadHandles } from "./read_handles.ts";
import { type Board, describe, hasData, PasteboardStore, type Rep } from "./store.ts";
import { Uploads } from "./uploads.ts";

/** Makes the pasteboard service (registered in `SERVICES`). */
export function pasteboardService(context: ServiceContext): Service {
  return new PasteboardService(context);
}

class PasteboardService implements Service {
  readonly name = SERVICE;
  #log: ServiceContext["log"];
  #store: PasteboardStore;
  #uploads: Uploads;
  #handles = new ReadHandles();
  #promises: Promises;
  #mirror: DesktopMirror;
  #loaded: Promise<void>;

  constructor(context: ServiceContext) {
    this.#log = context.log;
    this.#store = new PasteboardStore(context.runtimeDir, context.log);
    this.#uploads = new Uploads(this.#store);
    this.#promises = new Promises(this.#store, this.#uploads);
    this.#mirror = new DesktopMirror(this.#store, context.log);
    this.#loaded = this.#store.load();
    this.#loaded.catch((error) =>
      this.#log.error(`cannot load the pasteboards: ${(error as Error).message}`)
    );
  }

  async handle(method: string, body: Value, connection: Connection): Promise<Value> {
    await this.#loaded;
    const b = isDictionary(body) ? body : {};
    switch (method) {
      case UPLOAD: {
        const id = stringField(b, "id");
        const data = b.data;
        if (!(data instanceof Uint8Array)) {
          throw new RemoteError("bad-request", "upload without data");
        }
        await this.#uploads.append(connection, id, stringOr(b.name, "pasteboard"), data);
        return null;
      }
      case CHUNK:
        return await this.#handles.chunk(
          connection,
          Number(b.handle),
          Number(b.offset),
          Number(b.length),
        );
      case WRITE:
        return await this.#write(b, connection);
      case CLEAR:
        return await this.#clearBoard(this.#store.board(nameOf(b)));
      case INFO:
        return await this.#info(b);
      case LIST:
        return this.#list();
      case OPEN:
        return await this.#open(b, connection);
      case CLOSE:
        this.#handles.close(connection, Number(b.handle));
        return null;
      case WATCH: {
        const board = this.#store.board(nameOf(b));
        board.watchers.add(connection);
        return { changeCount: board.changeCount };
      }
      case UNWATCH:
        this.#store.get(nameOf(b))?.watchers.delete(connection);
        return null;
      case FULFILL: {
        const board = this.#store.get(nameOf(b));
        const kept = await this.#promises.fulfill(board, stringField(b, "tag"), b, connection);
        return { kept };
      }
      case PREPARE:
        // Where a client on this machine may write large data itself (see Uploads.take).
        return { dir: this.#store.tmpDir };
    }
    throw new RemoteError("unknown-method", `the broker has no method ${method}`);
  }

  disconnected(connection: Connection): void {
    this.#uploads.disconnected(connection);
    this.#handles.disconnected(connection);
    for (const board of this.#store.boards()) board.watchers.delete(connection);
    this.#promises.disconnected(connection);
  }

  async close(): Promise<void> {
    await this.#mirror.close();
  }

  // ---- writing ----

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
            const stored = await this.#store.keep(name, raw.data);
            if (stored.file) created.push(stored.file);
            item.push({ type, ...stored, size: raw.data.length });
          } else if (typeof raw.upload === "string") {
            const { file, size } = await this.#uploads.take(name, raw.upload, connection);
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
      for (const file of created) await this.#store.removeData(file);
      throw error;
    }
    const board = this.#store.board(name);
    try {
      await this.#commit(
        board,
        append ? [...board.items, ...items] : items,
        b.pasteOnce === true || (append && board.pasteOnce === true),
      );
    } catch (error) {
      for (const file of created) await this.#store.removeData(file);
      throw error;
    }
    let desktop: Value = null;
    if (board.pasteOnce) this.#mirror.stop(board); // a secret is not left with a desktop tool
    else if (isDictionary(b.desktop) && mirroredSelection(name)) {
      desktop = await this.#mirror.publish(board, b.desktop as unknown as DesktopEnv);
    }
    return { changeCount: board.changeCount, desktop };
  }

  async #clearBoard(board: Board): Promise<Value> {
    board.pasteOnce = false;
    await this.#commit(board, [], false);
    return { changeCount: board.changeCount };
  }

  /**
   * Gives `board` its next items, saved before anyone hears of them: a save that fails leaves
   * the board as it was. Then the items it no longer holds are dropped and its watchers told.
   */
  async #commit(board: Board, items: Rep[][], pasteOnce: boolean): Promise<void> {
    const before = board.items;
    const wasOnce = board.pasteOnce;
    board.items = items;
    board.pasteOnce = pasteOnce;
    board.changeCount++;
    try {
      await this.#store.save(board);
    } catch (error) {
      board.items = before;
      board.pasteOnce = wasOnce;
      board.changeCount--;
      throw error;
    }
    const kept = new Set(items); // an append keeps what was there
    this.#dropItems(board, before.filter((item) => !kept.has(item)));
    this.#changed(board);
  }

  /** Removes the data of items the pasteboard no longer holds and frees their promises. */
  #dropItems(board: Board, items: Rep[][]): void {
    const owners = new Map<Connection, string[]>();
    for (const item of items) {
      for (const rep of item) {
        if (rep.file) this.#store.removeData(rep.file);
        else if (rep.owner) {
          owners.set(rep.owner, [...(owners.get(rep.owner) ?? []), rep.tag ?? ""]);
          rep.owner = undefined;
          rep.broken = "the pasteboard changed";
        }
      }
    }
    for (const [owner, tags] of owners) {
      owner.notify(RELEASED, { name: board.name, tags }).catch(() => {});
    }
  }

  #changed(board: Board): void {
    for (const watcher of board.watchers) {
      watcher.notify(CHANGED, { name: board.name, changeCount: board.changeCount })
        .catch(() => board.watchers.delete(watcher));
    }
  }

  // ---- reading ----

  /** Every pasteboard that has been written to, by name: its change count and its types. */
  #list(): Value {
    return [...this.#store.boards()]
      .filter((board) => board.changeCount > 0 || board.items.length > 0)
      .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
      .map((board) => ({
        name: board.name,
        changeCount: board.changeCount,
        types: [...new Set(board.items.flatMap((item) => item.map((rep) => rep.type)))],
      }));
  }

  async #info(b: Dictionary): Promise<Value> {
    const board = this.#store.get(nameOf(b));
    const holds = board ? await this.#mirror.alive(board) : false;
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
    const board = this.#store.get(name);
    const wanted = Array.isArray(b.types) ? b.types.map((t) => normalizeOrThrow(t)) : [];
    if (
      b.unlessDesktop === true && !board?.pasteOnce && !(board && await this.#mirror.alive(board))
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
        await this.#promises.materialize(board, index, source);
        if (source.size > MAX_DERIVE_SOURCE_BYTES) {
          throw new RemoteError(
            "too-large",
            `cannot make ${how.to} from ${how.from}: over ${MAX_DERIVE_SOURCE_BYTES} bytes`,
          );
        }
        let data: Uint8Array;
        try {
          data = how.convert(await this.#store.read(source));
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
    await this.#promises.materialize(board, index, rep);
    const reply: Dictionary = {
      type: rep.type,
      item: index,
      size: rep.size,
      changeCount: board.changeCount,
    };
    if (rep.inline || rep.size <= INLINE_BYTES) {
      reply.data = await this.#store.read(rep);
      return reply;
    }
    if (files) {
      // A link of its own for this reader, which opens and removes it: a later change of the
      // pasteboard cannot pull the data away mid-read.
      const path = `${this.#store.tmpDir}/${crypto.randomUUID()}.read`;
      const source = this.#store.dataPath(rep.file!);
      checkRegularFileSync(source); // a hard link to a link would be followed by the reader
      Deno.linkSync(source, path);
      reply.path = path;
      return reply;
    }
    this.#handles.checkRoom(connection);
    const file = await openRead(this.#store.dataPath(rep.file!));
    reply.handle = this.#handles.add(connection, file, rep.size);
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
    if (!files) this.#handles.checkRoom(connection);
    const path = `${this.#store.tmpDir}/${crypto.randomUUID()}.derived`;
    try {
      await writeNewFile(path, data);
    } catch (error) {
      throw this.#store.storageError(board.name, error);
    }
    if (files) {
      reply.path = path; // the reader opens and removes it
      return reply;
    }
    const file = await openRead(path);
    await Deno.remove(path);
    reply.handle = this.#handles.add(connection, file, data.length);
    return reply;
  }
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
