/**
 * Pasteboards, as `NSPasteboard` has them: named pasteboards held by the broker (so their
 * contents outlive the program that copied them), items with several representations keyed by
 * UTI, change counts, lazy (promised) data, derived representations and watching. The general
 * pasteboard is mirrored to the desktop clipboard when the environment has one.
 *
 * @example Copy HTML with a plain-text fallback, read it back
 * ```ts
 * import { Pasteboard } from "./pasteboard.ts";
 * const pb = Pasteboard.named("demo");
 * await pb.writeItems([{ "public.html": "<b>hi</b>", "text/plain": "hi" }]);
 * const text = await pb.readString("public.utf8-plain-text"); // "hi"
 * await pb.close();
 * ```
 *
 * @module
 */

import { type BrokerClientOptions, connectBroker, reconnectBroker } from "../broker/client.ts";
import { ProtocolError, RemoteError, RuntimeDirError } from "../errors.ts";
import { debug } from "../_debug.ts";
import type { Connection } from "../transport/connection.ts";
import { type Dictionary, isDictionary, type Value } from "../wire/value.ts";
import { normalizeType } from "../uti.ts";
import { sleep } from "../_timer.ts";
import {
  CHANGED,
  CLEAR,
  FULFILL,
  INFO,
  INLINE_BYTES,
  mirroredSelection,
  OPEN,
  PREPARE,
  PROVIDE,
  readOpenReply,
  readWriteReply,
  RELEASED,
  UNWATCH,
  WATCH,
  WRITE,
  writeBody,
  type WriteResult,
} from "./protocol.ts";
import { isUtf8 } from "./derive.ts";
import {
  type DesktopEnv,
  type DesktopHolding,
  desktopHolding,
  detectDesktop,
  readDesktopClipboard,
  utisForTargets,
} from "./desktop/desktop.ts";
import { chunkStream, fileStream, oneShot, readWhole } from "./_streams.ts";
import { uploadChunks, UploadedData, uploadFile } from "./_upload.ts";
import { watchDesktop } from "./_watch_desktop.ts";

export { UploadedData } from "./_upload.ts";
export { DESKTOP_POLL_MS } from "./_watch_desktop.ts";

/** The data of one representation: bytes, text (UTF-8), a stream, or a function that makes it when someone asks (lazy). */
export type RepresentationData =
  | Uint8Array
  | string
  | ReadableStream<Uint8Array>
  | UploadedData
  | (() => Uint8Array | string | Promise<Uint8Array | string>);

/** An item to write: its representations by type (a UTI or a MIME type). */
export type PasteboardItem = Record<string, RepresentationData>;

/** What a pasteboard holds in one item. */
export interface ItemInfo {
  /** Its representations' types (UTIs), in the order written. */
  types: string[];
  /** Their sizes in bytes (-1 for data promised and not provided yet). */
  sizes: number[];
}

/** One change of a watched pasteboard. */
export interface PasteboardChange {
  /** The pasteboard's name. */
  name: string;
  /** Its change count after the change. */
  changeCount: number;
  /** Whether another program copied to the desktop clipboard (X11, found by polling). */
  desktop?: boolean;
  /**
   * Set when the broker went away and the watch reconnected: changes between `from` and `to`
   * may have been missed (`changeCount` is the count now).
   */
  gap?: { from: Date; to: Date };
}

/** Data read from a pasteboard as a stream. */
export interface PasteboardReading {
  /** The type served (a UTI). */
  type: string;
  /** Which item it came from (0 is the first). */
  item: number;
  /** Its size in bytes. */
  size: number;
  /** The type it was derived from, when it was made on demand. */
  derivedFrom?: string;
  /** Whether it came from the desktop clipboard rather than the broker. */
  fromDesktop: boolean;
  /** The whole data, when it came in one piece (small data): no need for the stream. */
  bytes?: Uint8Array;
  /**
   * The data, in chunks: a byte stream, so a BYOB reader (`stream.getReader({ mode: "byob" })`)
   * can have it read straight into one buffer of its own, used again and again.
   */
  stream: ReadableStream<Uint8Array>;
}

/** What a read found missing: the types there are. */
export interface PasteboardMissing {
  /** Always true. */
  missing: true;
  /** The types the pasteboard (or the asked item) holds; empty for an empty pasteboard. */
  held: string[];
  /** Whether this describes the desktop clipboard. */
  fromDesktop: boolean;
}

/** Options of {@linkcode Pasteboard.general} and {@linkcode Pasteboard.named}. */
export interface PasteboardOptions {
  /** The runtime directory. @default {IPCKIT_RUNTIME_DIR, else XDG_RUNTIME_DIR/ipckit, else /tmp/ipckit-UID} */
  runtimeDir?: string;
  /**
   * The desktop clipboard to mirror the general pasteboard to, `false` for none.
   * @default {detected from the environment (WAYLAND_DISPLAY, DISPLAY)}
   */
  desktop?: DesktopEnv | false;
  /**
   * How large data travels: `"files"` writes and reads it in the runtime directory (the page
   * cache, once), `"socket"` streams it in chunks over the broker connection.
   * @default {"files"}
   */
  transfer?: "files" | "socket";
}

/** Options of {@linkcode Pasteboard.writeItems}. */
export interface WriteOptions {
  /** Add the items after those held instead of replacing them. @default {false} */
  append?: boolean;
  /**
   * The broker empties the pasteboard after the first read of its data (for secrets); it is
   * not published to the desktop clipboard, and reads of it never go to the desktop.
   * @default {false}
   */
  pasteOnce?: boolean;
}

/** Options of {@linkcode Pasteboard.read}. */
export interface ReadOptions {
  /** Read only this item (0 is the first). @default {the first item that has the type} */
  item?: number;
}

interface Promised {
  name: string;
  type: string;
  provide: () => Uint8Array | string | Promise<Uint8Array | string>;
}

const encoder = new TextEncoder();

/** A pasteboard; see the module documentation. */
export class Pasteboard {
  /** Its name (`"general"`, `"find"`, any other). */
  readonly name: string;
  #options: PasteboardOptions;
  #connection: Promise<Connection> | undefined;
  #promises = new Map<string, Promised>();
  #release: (() => void) | undefined;
  #signalHandlers: [Deno.Signal, () => void][] = [];
  #watchers = new Set<(change: PasteboardChange) => void>();
  #desktop: DesktopEnv | false | undefined;
  #tmpDir: Promise<string> | undefined;

  private constructor(name: string, options: PasteboardOptions) {
    if (name === "" || name.length > 255) {
      throw new RangeError("a pasteboard name is 1 to 255 characters");
    }
    this.name = name;
    this.#options = options;
  }

  /** The general pasteboard: what copy and paste use, mirrored to the desktop clipboard. */
  static general(options: PasteboardOptions = {}): Pasteboard {
    return new Pasteboard("general", options);
  }

  /**
   * A pasteboard by name (`find`, `font`, `ruler`, `drag`, or any name): broker only, except
   * `general`, which is {@linkcode Pasteboard.general}, and `primary`, mirrored to the desktop's
   * primary selection (X11 and Wayland have one).
   */
  static named(name: string, options: PasteboardOptions = {}): Pasteboard {
    return new Pasteboard(name, options);
  }

  /** Empties the pasteboard; returns the new change count. */
  async clearContents(): Promise<number> {
    const reply = await this.#request(CLEAR, { name: this.name });
    return Number((reply as Dictionary).changeCount);
  }

  /**
   * Writes items (replacing what the pasteboard holds unless `append`); returns the new change
   * count. A function as data is a promise: it is called when someone reads that type, and
   * the pasteboard keeps this program's connection (and the program) alive until the
   * pasteboard changes or {@linkcode Pasteboard.close} hands the data over.
   *
   * @throws {TypeError} for a type that is neither a UTI nor a MIME type.
   */
  async writeItems(items: PasteboardItem[], options: WriteOptions = {}): Promise<number> {
    const reply = await this.writeItemsDetailed(items, options);
    return reply.changeCount;
  }

  /**
   * {@linkcode Pasteboard.writeItems}, also telling what was published to the desktop.
   *
   * @returns the change count and, for the general pasteboard with a desktop, the type published
   *   (and every type offered, when the desktop offers several side by side).
   */
  async writeItemsDetailed(
    items: PasteboardItem[],
    options: WriteOptions = {},
  ): Promise<WriteResult> {
    const connection = await this.#connect();
    const wire: Value[] = [];
    const promised: [string, Promised][] = [];
    for (const item of items) {
      const reps: Value[] = [];
      for (const [rawType, data] of Object.entries(item)) {
        let type = normalizeType(rawType);
        if (typeof data === "function") {
          const tag = crypto.randomUUID();
          promised.push([tag, { name: this.name, type, provide: data }]);
          reps.push({ type, promise: true, tag });
        } else if (data instanceof ReadableStream) {
          reps.push({ type, upload: (await this.#upload(connection, data)).id });
        } else if (data instanceof UploadedData) {
          reps.push({ type, upload: data.id });
        } else {
          const bytes = typeof data === "string" ? encoder.encode(data) : data;
          if (!(bytes instanceof Uint8Array)) {
            throw new TypeError(
              `the data of ${rawType} is not bytes, text, a stream or a function`,
            );
          }
          // Plain text that is valid UTF-8 is UTF-8 text: text/plain reads as charset=utf-8.
          if (type === "public.plain-text" && isUtf8(bytes)) type = "public.utf8-plain-text";
          reps.push(
            bytes.length <= INLINE_BYTES
              ? { type, data: bytes }
              : { type, upload: (await this.#upload(connection, bytes)).id },
          );
        }
      }
      wire.push(reps);
    }
    const body = writeBody(this.name, wire, {
      append: options.append,
      pasteOnce: options.pasteOnce,
      desktop: this.#desktopEnv(),
    });
    for (const [tag, promise] of promised) this.#promises.set(tag, promise);
    let reply: Value;
    try {
      reply = await connection.request(WRITE, body);
    } catch (error) {
      for (const [tag] of promised) this.#promises.delete(tag);
      this.#updateHold();
      throw error;
    }
    this.#updateHold();
    return readWriteReply(reply);
  }

  /** The items held, with their types and sizes. */
  async items(): Promise<ItemInfo[]> {
    const info = await this.#info();
    return info.items;
  }

  /** Every type held, in order, without repeats. */
  async types(): Promise<string[]> {
    const out: string[] = [];
    for (const item of await this.items()) {
      for (const type of item.types) if (!out.includes(type)) out.push(type);
    }
    return out;
  }

  /** The change count: it goes up by one with every change. */
  async changeCount(): Promise<number> {
    return (await this.#info()).changeCount;
  }

  /**
   * Reads the first of the preferred types that is held (or conforms, or can be derived).
   *
   * @param types a type or types in order of preference (UTIs or MIME types).
   * @returns the bytes, or `null` when none is there (or the pasteboard is empty).
   * @throws {RemoteError} when the data was promised by a program that can no longer provide it.
   */
  async read(types: string | string[], options: ReadOptions = {}): Promise<Uint8Array | null> {
    const reading = await this.#open(types, options);
    if ("missing" in reading) return null;
    if ("file" in reading) return await readWhole(reading.file, reading.size);
    if (reading.bytes) return reading.bytes;
    const out = new Uint8Array(reading.size);
    let offset = 0;
    for await (const chunk of reading.stream) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return offset === out.length ? out : out.subarray(0, offset);
  }

  /** {@linkcode Pasteboard.read} as text (UTF-8), or `null`. */
  async readString(types: string | string[], options: ReadOptions = {}): Promise<string | null> {
    const data = await this.read(types, options);
    return data === null ? null : new TextDecoder().decode(data);
  }

  /**
   * Reads as a stream, for large data (memory stays bounded). With no types, the first item
   * (or `item`): its text, held or derived (a file's path only when it holds nothing else),
   * else its first representation.
   *
   * @returns the reading, or what is there when the type is not.
   */
  async readStream(
    types: string | string[] = [],
    options: ReadOptions = {},
  ): Promise<PasteboardReading | PasteboardMissing> {
    const reading = await this.#open(types, options);
    if ("file" in reading) {
      const { file, ...rest } = reading;
      return { ...rest, stream: fileStream(file) };
    }
    return reading;
  }

  /** {@linkcode Pasteboard.readStream}, with large data as the open file itself. */
  async #open(
    types: string | string[],
    options: ReadOptions,
  ): Promise<
    | PasteboardReading
    | PasteboardMissing
    | (Omit<PasteboardReading, "stream" | "bytes"> & { file: Deno.FsFile })
  > {
    const wanted = (Array.isArray(types) ? types : [types]).map((t) => normalizeType(t));
    const env = this.#desktopEnv();
    const connection = await this.#connect();
    const body: Dictionary = { name: this.name, types: wanted, files: this.#viaFiles() };
    if (options.item !== undefined) body.item = options.item;
    // With a desktop, the broker answers `{desktop: true}` instead when its mirror no longer
    // owns the desktop clipboard: then the desktop is read when it holds anything.
    let reply = await connection.request(
      OPEN,
      env ? { ...body, unlessDesktop: true } : body,
    ) as Dictionary;
    if (reply.desktop === true) {
      const holding = await desktopHolding(env!);
      if (holding) return await readDesktop(holding, wanted);
      reply = await connection.request(OPEN, body) as Dictionary;
    }
    const read = readOpenReply(reply);
    if ("missing" in read) return { ...read, fromDesktop: false };
    if ("desktop" in read) {
      throw new RemoteError("bad-reply", "the broker sent the reader away twice");
    }
    const { bytes, file, handle, ...rest } = read;
    const base = { ...rest, derivedFrom: rest.derivedFrom, fromDesktop: false };
    if (bytes) return oneShot(base, bytes);
    if (file) return { ...base, file };
    return { ...base, stream: chunkStream(connection, handle!, rest.size) };
  }

  /**
   * The types available to read now, as `paste --list-types` shows them: the desktop's when
   * it holds something copied elsewhere, else the pasteboard's.
   */
  async availableTypes(): Promise<{ types: string[]; fromDesktop: boolean }> {
    const desktop = await this.#desktopToRead();
    if (desktop) {
      return { types: utisForTargets(desktop.targets), fromDesktop: true };
    }
    return { types: await this.types(), fromDesktop: false };
  }

  /**
   * The pasteboard's changes as they happen, pushed by the broker (no polling). When the broker
   * goes away (`daemon stop`, a crash), the watch reconnects by itself, as observers of
   * notifications do, and yields a change with a `gap`: changes may have been missed in that
   * time; when the pasteboard changed meanwhile, an ordinary change follows it.
   *
   * @example
   * ```ts
   * for await (const change of Pasteboard.general().watch()) console.log(change.changeCount);
   * ```
   */
  async *watch(options: { signal?: AbortSignal; onReady?: () => unknown } = {}): AsyncGenerator<
    PasteboardChange
  > {
    const signal = options.signal;
    const queue: PasteboardChange[] = [];
    let wake: (() => void) | undefined;
    let last: number | undefined;
    const listener = (change: PasteboardChange) => {
      queue.push(change);
      wake?.();
    };
    this.#watchers.add(listener);
    const aborted = new Promise<void>((resolve) => {
      if (signal?.aborted) resolve();
      signal?.addEventListener("abort", () => resolve(), { once: true });
    });
    let connection: Connection | undefined;
    let release = () => {};
    /** Watches over `connection`; returns the change count then. */
    const start = async (): Promise<number> => {
      release = connection!.hold();
      const reply = await connection!.request(WATCH, { name: this.name });
      this.#watchDesktop(listener, signal, connection!).catch(() => {});
      return Number((reply as Dictionary).changeCount);
    };
    try {
      connection = await this.#connect();
      last = await start();
      await options.onReady?.();
      while (!signal?.aborted) {
        if (queue.length > 0) {
          const change = queue.shift()!;
          if (!change.gap) last = change.changeCount;
          yield change;
          continue;
        }
        if (connection.isClosed) {
          release();
          const from = new Date();
          const fresh = await this.#reconnect(signal, aborted);
          if (!fresh) break;
          connection = fresh;
          const count = await start().catch(() => undefined);
          if (count === undefined) continue; // lost again: the next turn reconnects
          // The gap comes first, before changes heard since registering again; a change made
          // while away follows it unless one of those already tells of it.
          const since = queue.splice(0);
          queue.push({ name: this.name, changeCount: count, gap: { from, to: new Date() } });
          if (count !== last && !since.some((c) => !c.gap && c.changeCount >= count)) {
            queue.push({ name: this.name, changeCount: count });
          }
          queue.push(...since);
          continue;
        }
        await Promise.race([
          new Promise<void>((resolve) => wake = resolve),
          aborted,
          connection.closed,
        ]);
        wake = undefined;
      }
    } finally {
      this.#watchers.delete(listener);
      release();
      if (connection && !connection.isClosed) {
        connection.request(UNWATCH, { name: this.name }).catch(() => {});
      }
    }
  }

  /**
   * A new connection after the broker went away, through the same {@linkcode reconnectBroker}
   * every reconnecting client uses (a broker stopped on purpose with `daemon stop` is waited
   * for, not started again); tried again, at growing intervals up to half a second, until it
   * works or `signal` aborts (then `undefined`). Errors that trying again cannot mend (another
   * protocol version, a runtime directory refused) are thrown.
   */
  async #reconnect(
    signal: AbortSignal | undefined,
    aborted: Promise<void>,
  ): Promise<Connection | undefined> {
    for (let delay = 10; !signal?.aborted; delay = Math.min(delay * 2, 500)) {
      try {
        const connection = await reconnectBroker({ ...this.#brokerOptions(), signal });
        this.#connection = Promise.resolve(connection);
        if (!connection.isClosed) return connection;
      } catch (error) {
        if (error instanceof ProtocolError || error instanceof RuntimeDirError) throw error;
        debug("pasteboard", `reconnecting failed: ${(error as Error)?.message}`);
      }
      await Promise.race([sleep(delay), aborted]);
    }
    return undefined;
  }

  /** Tells `listener` of copies other programs make on the desktop, while it watches. */
  async #watchDesktop(
    listener: (change: PasteboardChange) => void,
    signal: AbortSignal | undefined,
    connection: Connection,
  ): Promise<void> {
    const env = this.#desktopEnv();
    if (!env) return;
    await watchDesktop(env, {
      info: () => this.#info(),
      onChange: (changeCount) => listener({ name: this.name, changeCount, desktop: true }),
      watching: () => this.#watchers.has(listener),
      signal,
      connection,
    });
  }

  /**
   * Hands over every promised representation still held (calling their functions), then
   * closes the connection to the broker.
   */
  async close(): Promise<void> {
    await this.handOver();
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection) await (await connection.catch(() => undefined))?.close();
  }

  /** Frees the broker connection when used with `await using`. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** Gives the broker the data of every promise still outstanding (an orderly exit does this). */
  async handOver(): Promise<void> {
    if (this.#promises.size === 0 || !this.#connection) return;
    const connection = await this.#connection;
    for (const [tag, promise] of [...this.#promises]) {
      try {
        const data = await provided(promise);
        await connection.request(FULFILL, {
          name: promise.name,
          tag,
          ...(await this.#dataBody(connection, data)),
        });
      } catch { /* the pasteboard changed or the broker went away: nothing to keep */ }
      this.#promises.delete(tag);
    }
    this.#updateHold();
  }

  // ---- internals ----

  #connect(): Promise<Connection> {
    this.#connection ??= connectBroker(this.#brokerOptions());
    this.#connection.catch(() => this.#connection = undefined);
    return this.#connection;
  }

  #brokerOptions(): BrokerClientOptions {
    return {
      runtimeDir: this.#options.runtimeDir,
      connection: {
        // The first request follows the hello at once: one round trip less per command.
        waitForHello: false,
        onRequest: (method, body) => this.#onRequest(method, body),
        onEvent: (method, body) => this.#onEvent(method, body),
      },
    };
  }

  async #request(method: string, body: Value): Promise<Value> {
    return await (await this.#connect()).request(method, body);
  }

  async #info(): Promise<
    { changeCount: number; items: ItemInfo[]; desktopHolds: boolean; mirror?: string }
  > {
    const reply = await this.#request(INFO, { name: this.name }) as Dictionary;
    const items = (reply.items as Dictionary[][]).map((item) => ({
      types: item.map((rep) => String(rep.type)),
      sizes: item.map((rep) => Number(rep.size)),
    }));
    return {
      changeCount: Number(reply.changeCount),
      items,
      desktopHolds: reply.desktopHolds === true,
      mirror: typeof reply.mirror === "string" ? reply.mirror : undefined,
    };
  }

  async #onRequest(method: string, body: Value): Promise<Value> {
    if (method !== PROVIDE || !isDictionary(body)) {
      throw new RemoteError("unknown-method", `unknown method ${method}`);
    }
    const promise = this.#promises.get(String(body.tag));
    if (!promise) {
      throw new RemoteError("promise-broken", `this program no longer provides ${body.type}`);
    }
    const data = await provided(promise);
    const connection = await this.#connect();
    const reply = await this.#dataBody(connection, data);
    // The broker keeps it from now on: nothing left to hand over for this one.
    this.#promises.delete(String(body.tag));
    queueMicrotask(() => this.#updateHold());
    return reply;
  }

  #onEvent(method: string, body: Value): void {
    if (!isDictionary(body)) return;
    if (method === CHANGED) {
      const change = { name: String(body.name), changeCount: Number(body.changeCount) };
      if (change.name === this.name) { for (const watcher of this.#watchers) watcher(change); }
    } else if (method === RELEASED && Array.isArray(body.tags)) {
      for (const tag of body.tags) this.#promises.delete(String(tag));
      this.#updateHold();
    }
  }

  async #dataBody(connection: Connection, data: Uint8Array): Promise<Dictionary> {
    return data.length <= INLINE_BYTES
      ? { data }
      : { upload: (await this.#upload(connection, data)).id };
  }

  /** Keeps the program alive while it promised data, and hands it over on Ctrl-C. */
  #updateHold(): void {
    if (this.#promises.size > 0 && !this.#release && this.#connection) {
      this.#connection.then((connection) => {
        if (this.#promises.size === 0 || this.#release) return;
        this.#release = connection.hold();
        for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
          const handler = () => {
            this.handOver().finally(() => Deno.exit(code));
          };
          Deno.addSignalListener(signal, handler);
          this.#signalHandlers.push([signal, handler]);
        }
      }).catch(() => {});
    } else if (this.#promises.size === 0 && this.#release) {
      this.#release();
      this.#release = undefined;
      for (const [signal, handler] of this.#signalHandlers.splice(0)) {
        Deno.removeSignalListener(signal, handler);
      }
    }
  }

  /**
   * Sends data to the broker ahead of {@linkcode Pasteboard.writeItems}, in chunks with bounded
   * memory, so its type can be decided after seeing all of it (as `copy` does for standard
   * input). Use the result as the data of one representation on this same pasteboard object.
   */
  async upload(stream: ReadableStream<Uint8Array>): Promise<UploadedData> {
    return await this.#upload(await this.#connect(), stream);
  }

  #viaFiles(): boolean {
    return this.#options.transfer !== "socket";
  }

  /**
   * Sends bytes or a stream to the broker: written straight into the broker's `tmp/` directory,
   * or as upload chunks over the socket (`transfer: "socket"`).
   */
  async #upload(
    connection: Connection,
    stream: Uint8Array | ReadableStream<Uint8Array>,
  ): Promise<UploadedData> {
    if (!this.#viaFiles()) return uploadChunks(connection, this.name, stream);
    this.#tmpDir ??= connection.request(PREPARE, null).then((r) => String((r as Dictionary).dir));
    return uploadFile(await this.#tmpDir, this.name, stream);
  }

  #desktopEnv(): DesktopEnv | undefined {
    const selection = mirroredSelection(this.name);
    if (!selection) return undefined;
    if (this.#options.desktop === false) return undefined;
    if (this.#desktop === undefined) {
      this.#desktop = this.#options.desktop ?? false;
      if (!this.#desktop && (Deno.env.get("WAYLAND_DISPLAY") || Deno.env.get("DISPLAY"))) {
        this.#desktop = detectDesktop() ?? false;
      }
      if (this.#desktop && selection === "primary") {
        this.#desktop = { ...this.#desktop, primary: true };
      }
    }
    return this.#desktop || undefined;
  }

  /**
   * The desktop to read from instead of the broker: when the general pasteboard's mirror no
   * longer owns the desktop clipboard and the desktop holds something.
   */
  async #desktopToRead(): Promise<DesktopHolding | undefined> {
    const env = this.#desktopEnv();
    if (!env) return undefined;
    const info = await this.#info();
    if (info.desktopHolds) return undefined;
    return await desktopHolding(env);
  }
}

async function provided(promise: Promised): Promise<Uint8Array> {
  const data = await promise.provide();
  return typeof data === "string" ? encoder.encode(data) : data;
}

async function readDesktop(
  desktop: DesktopHolding,
  wanted: string[],
): Promise<PasteboardReading | PasteboardMissing> {
  const read = await readDesktopClipboard(desktop, wanted);
  if ("held" in read) return { missing: true, held: read.held, fromDesktop: true };
  return oneShot({
    type: read.type,
    item: 0,
    size: read.data.length,
    ...(read.derivedFrom ? { derivedFrom: read.derivedFrom } : {}),
    fromDesktop: true,
  }, read.data);
}
