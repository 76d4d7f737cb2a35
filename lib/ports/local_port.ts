/**
 * The local port (`CFMessagePortCreateLocal`): a name this process serves, its socket, and the
 * callback that answers each request ({@linkcode createLocalPort},
 * {@linkcode createStreamingLocalPort}). Requests of any size arrive whole or as a stream;
 * their memory is reused once they are answered unless the port says otherwise.
 *
 * @module
 */

import { PORT_STATUS, PortError, ProtocolError } from "../errors.ts";
import { concatBytes } from "../wire/bytes.ts";
import { type ByteSource, ChunkQueue } from "../transport/chunks.ts";
import { readTextNoFollow } from "../transport/no_follow.ts";
import { IPCKIT_VERSION, PROTOCOL_VERSION } from "../transport/protocol.ts";
import { resolveRuntimeDir, type RuntimeDirOptions } from "../transport/runtime_dir.ts";
import {
  dataFrame,
  EMPTY,
  helloFrame,
  K_ABORT,
  K_CHUNK,
  K_ERROR,
  K_ONEWAY,
  K_ONEWAY_CHUNK,
  K_REQUEST,
  MAX_FRAME,
  RECYCLE_MIN,
  REPLY_KINDS,
} from "./protocol.ts";
import { Channel, COPY, FRESH, type Receiver, sendMessage } from "./channel.ts";
import { bindPortName, type BoundPortName, releasePortName } from "./bind.ts";
import { MONITORS_FILE } from "../broker/protocol.ts";
import type { PortPaths } from "./names.ts";
import type { PortReporter } from "./monitor.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What a port's callback returns: the reply's bytes or text, a stream of them, or nothing. */
export type PortReply =
  | Uint8Array
  | string
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | null
  | undefined
  | void;

/** About a request, for the callback. */
export interface RequestInfo {
  /** The port's name. */
  port: string;
  /** Whether the sender wants no reply. */
  oneway: boolean;
  /** The request's length in bytes, or -1 when the sender streams it without saying. */
  size: number;
}

/**
 * Answers a request: gets the message id and bytes, returns the reply (possibly async).
 *
 * As with `CFMessagePortCallBack`, `data` is valid until the reply has been sent (for a
 * one-way request, until the callback returns or its promise settles): its memory is the
 * port's, which then reuses it (a small request's data shares its `ArrayBuffer` with others':
 * mind `byteOffset`, and do not transfer it). Copy it (`data.slice()`) to keep it longer, or
 * create the port with `recycleRequests: false` ({@linkcode LocalPortOptions.recycleRequests}).
 * Returning `data` itself, or a part of it, as the reply is fine.
 */
export type PortCallback = (
  msgid: number,
  data: Uint8Array,
  info: RequestInfo,
) => PortReply | Promise<PortReply>;

/** Answers a request that it reads as a stream, as it arrives (for very large requests). */
export type StreamingPortCallback = (
  msgid: number,
  data: ReadableStream<Uint8Array>,
  info: RequestInfo,
) => PortReply | Promise<PortReply>;

/** Options of {@linkcode createLocalPort}. */
export interface LocalPortOptions extends RuntimeDirOptions {
  /** How many requests are handled at once, over all senders. @default {1} */
  concurrency?: number;
  /** Called once when the port is invalidated. @default {undefined} */
  onInvalidate?: () => void;
  /** Told when the callback of a one-way request fails (nobody waits for it). @default {ignore} */
  onError?: (error: unknown, msgid: number) => void;
  /**
   * The largest request a (non-streaming) callback gets as one array; a larger one is refused
   * with a "handler failed" error. @default {1 GiB}
   */
  maxRequestBytes?: number;
  /**
   * Whether the port reuses the memory of a request's data once the request is over, as
   * CFMessagePort does (its callback's data "will be deallocated after the callback exits").
   * By default it does: the `data` a callback gets is valid until the request's reply has been
   * sent (for a one-way request, until the callback returns or its promise settles); after
   * that, a later request may overwrite it. A callback that keeps the bytes longer (stores
   * them, hands them to work that outlives the reply) must copy them (`data.slice()`); the
   * memory is the port's, not to be transferred (a small request's shares its `ArrayBuffer`
   * with others'). This spares every request the cost of memory of its own: a buffer to
   * allocate and collect for a small one, zeroing and page faults for a large one.
   *
   * `false` gives each request fresh memory of its own that the callback may keep. Streaming
   * ports ({@linkcode createStreamingLocalPort}) never reuse memory. @default {true}
   */
  recycleRequests?: boolean;
  /**
   * Told the number of open connections (senders connected to the port) each time one opens
   * or closes, while the port is valid. @default {undefined}
   */
  onConnections?: (count: number) => void;
}

interface Inbound {
  /** Streamed to a streaming callback. */
  queue?: ChunkQueue;
  /** Collected in place, its length announced; grows as the data arrives. */
  whole?: Uint8Array;
  filled: number;
  /** The length the sender announced: the most `whole` may grow to. */
  announced: number;
  /** Collected in parts, its length not announced. */
  parts?: Uint8Array[];
  size: number;
  /** Why it will be refused once whole. */
  refused?: string;
  /** Whether it is one-way. */
  oneway: boolean;
}

/** A named port this process serves; see {@linkcode createLocalPort}. */
export class LocalPort {
  #name: string;
  #paths: PortPaths;
  #bound: BoundPortName;
  #callback: PortCallback | StreamingPortCallback;
  #streaming: boolean;
  #concurrency: number;
  #active = 0;
  #waiting: (() => void)[] = [];
  #channels = new Set<Channel>();
  #valid = true;
  #invalidated: Promise<void> | undefined;
  #onInvalidate: (() => void)[] = [];
  #onError: ((error: unknown, msgid: number) => void) | undefined;
  #maxRequest: number;
  #handled = 0;
  /** Large request buffers to reuse (recycleRequests, the default). */
  #recycled: Uint8Array[] | undefined;
  #running = 0;
  #idle: (() => void)[] = [];
  /** Reports each message to the attached monitors, while any is (`ipckit monitor`). */
  #reporter: PortReporter | undefined;
  /** When each request being handled arrived, while monitored. */
  #arrived: WeakMap<RequestInfo, number> | undefined;
  #onConnections: ((count: number) => void) | undefined;

  /** @internal Use {@linkcode createLocalPort}. */
  constructor(
    name: string,
    bound: BoundPortName,
    callback: PortCallback | StreamingPortCallback,
    streaming: boolean,
    options: LocalPortOptions,
  ) {
    this.#name = name;
    this.#bound = bound;
    this.#paths = bound.paths;
    this.#callback = callback;
    this.#streaming = streaming;
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
    if (options.onInvalidate) this.#onInvalidate.push(options.onInvalidate);
    this.#onError = options.onError;
    this.#onConnections = options.onConnections;
    this.#maxRequest = options.maxRequestBytes ?? 1024 * 1024 * 1024;
    if ((options.recycleRequests ?? true) && !streaming) this.#recycled = [];
    bound.endpoint.accept((conn) => this.#serve(conn));
  }

  /** The port's name. */
  get name(): string {
    return this.#name;
  }

  /** The socket it listens on. */
  get path(): string {
    return this.#paths.socket;
  }

  /** Whether it still serves. */
  get isValid(): boolean {
    return this.#valid;
  }

  /** How many requests (one-way included) its callback has finished. */
  get handled(): number {
    return this.#handled;
  }

  /** How many connections are open to it (a sender's, until it closes; `connectPort`'s). */
  get connections(): number {
    return this.#channels.size;
  }

  /** Resolves once no request is being handled or answered (at once when none is). */
  drained(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Calls `callback` once when the port is invalidated; returns a function that unregisters it. */
  onInvalidate(callback: () => void): () => void {
    this.#onInvalidate.push(callback);
    return () => {
      const i = this.#onInvalidate.indexOf(callback);
      if (i >= 0) this.#onInvalidate.splice(i, 1);
    };
  }

  /**
   * Stops serving: stops accepting, tells connected senders (their waiting requests fail with
   * "became invalid"), removes the socket and lets go of the name. Requests being handled are
   * given up. Calling it again does nothing.
   */
  invalidate(): Promise<void> {
    this.#invalidated ??= this.#shutdown();
    return this.#invalidated;
  }

  /** Stops serving: {@linkcode invalidate}, under the name every long-lived object has. */
  close(): Promise<void> {
    return this.invalidate();
  }

  /** Stops serving at the end of an `await using` scope ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.invalidate();
  }

  async #shutdown(): Promise<void> {
    this.#valid = false;
    this.#reporter?.close();
    this.#reporter = undefined;
    await this.#bound.endpoint.close();
    for (const channel of this.#channels) {
      channel.close({ code: "invalidated", message: `the port "${this.#name}" was invalidated` });
    }
    this.#channels.clear();
    await releasePortName(this.#bound);
    for (const callback of this.#onInvalidate.splice(0)) {
      try {
        callback();
      } catch { /* the callback's own business */ }
    }
  }

  /**
   * Reports to the monitors whose inboxes are listed in `text` (one a line), or to none: the
   * reporting code loads only once one is attached.
   *
   * @internal told by the broker (a `monitor` frame), or from its file when the port opens.
   */
  async monitors(text: string): Promise<void> {
    if (!this.#reporter && !text.includes("/")) return;
    const { PortReporter, parseMonitors } = await import("./monitor.ts");
    const inboxes = parseMonitors(text);
    if (!this.#valid) return;
    if (inboxes.length === 0) {
      this.#reporter?.close();
      this.#reporter = undefined;
      return;
    }
    if (this.#reporter) this.#reporter.set(inboxes);
    else {
      // The port's files are in the runtime directory's `ports/`.
      const runtimeDir = this.#paths.dir.slice(0, this.#paths.dir.lastIndexOf("/"));
      this.#reporter = new PortReporter(inboxes, runtimeDir);
    }
    this.#arrived ??= new WeakMap();
  }

  /** Reports a request's end to the monitors. */
  #report(info: RequestInfo, msgid: number, reply: PortReply, failure: unknown): void {
    const arrived = this.#arrived?.get(info);
    let size = -1; // one-way, or a stream
    if (!info.oneway) {
      if (reply === undefined || reply === null) size = 0;
      else if (typeof reply === "string") size = encoder.encode(reply).length;
      else if (reply instanceof Uint8Array) size = reply.length;
    }
    this.#reporter!.report({
      port: this.#name,
      msgid,
      size: info.size,
      reply: failure === undefined ? size : -1,
      ms: arrived === undefined ? -1 : performance.now() - arrived,
      oneway: info.oneway,
      ...(failure === undefined ? {} : { error: (failure as Error)?.message ?? String(failure) }),
    });
  }

  #serve(conn: Deno.UnixConn): void {
    const inbound = new Map<number, Inbound>();
    // deno-lint-ignore no-this-alias
    const port = this;
    const receiver: Receiver = {
      target(kind, id, msgid, total, length) {
        if (
          kind !== K_REQUEST && kind !== K_ONEWAY && kind !== K_CHUNK && kind !== K_ONEWAY_CHUNK
        ) {
          return FRESH;
        }
        let entry = inbound.get(id);
        if (!entry) {
          if (kind !== K_CHUNK && kind !== K_ONEWAY_CHUNK) {
            // The usual case: one frame. Its data is the callback's until it is answered.
            if (!port.#recycled) return FRESH;
            return length >= RECYCLE_MIN ? port.#borrow(length) : COPY;
          }
          entry = port.#startInbound(channel, id, msgid, total, kind === K_ONEWAY_CHUNK);
          inbound.set(id, entry);
        }
        if (entry.refused || entry.queue?.discarding) return null;
        if (entry.whole) {
          if (entry.filled + length > entry.announced) {
            entry.refused = "a request longer than its announced length";
            entry.whole = undefined;
            return null;
          }
          if (entry.filled + length > entry.whole.length) {
            // Grown with what arrives, never reserved up front: an announced length is only a
            // claim, and a hundred streams claiming 1 GiB each must not cost 100 GiB.
            const grown = new Uint8Array(
              Math.min(entry.announced, Math.max(2 * entry.whole.length, entry.filled + length)),
            );
            grown.set(entry.whole.subarray(0, entry.filled));
            entry.whole = grown;
          }
          // Read in place: a large request is not copied once more.
          const view = entry.whole.subarray(entry.filled, entry.filled + length);
          entry.filled += length;
          return view;
        }
        return FRESH;
      },
      data(kind, id, msgid, _total, payload) {
        switch (kind) {
          case K_REQUEST:
          case K_ONEWAY:
          case K_CHUNK:
          case K_ONEWAY_CHUNK:
            return port.#inbound(channel, inbound, kind, id, msgid, payload);
          case K_ABORT: {
            const entry = inbound.get(id);
            inbound.delete(id);
            entry?.queue?.error(
              new PortError(
                PORT_STATUS.transportError,
                `the sender gave up: ${decoder.decode(payload ?? EMPTY)}`,
              ),
            );
            return;
          }
        }
        throw new ProtocolError(`a port server got a frame of type ${String.fromCharCode(kind)}`);
      },
      hello(fields) {
        if (fields.v !== PROTOCOL_VERSION) {
          channel.close({
            code: "version",
            message: `protocol mismatch: the sender speaks ipckit protocol ${String(fields.v)} (${
              String(fields.name)
            }), the port "${port.#name}" speaks ${PROTOCOL_VERSION} (ipckit ${IPCKIT_VERSION}); use the same ipckit version on both sides`,
          });
          return;
        }
        channel.write(helloFrame(port.#name));
      },
      monitor(fields) {
        // Closing says the change is in: the broker waits for it.
        port.monitors(String(fields.to ?? "")).catch(() => {}).finally(() => channel.close());
      },
      closed() {
        if (port.#channels.delete(channel) && port.#valid) {
          port.#onConnections?.(port.#channels.size);
        }
        for (const entry of inbound.values()) {
          entry.queue?.error(
            new PortError(PORT_STATUS.transportError, "the sender went away mid-request"),
          );
        }
        inbound.clear();
      },
    };
    const channel = new Channel(conn, receiver);
    this.#channels.add(channel);
    this.#onConnections?.(this.#channels.size);
  }

  /** The first chunk of a streamed request. */
  #startInbound(
    channel: Channel,
    id: number,
    msgid: number,
    total: number,
    oneway: boolean,
  ): Inbound {
    const entry: Inbound = { filled: 0, size: 0, announced: 0, oneway };
    if (this.#streaming) {
      entry.queue = new ChunkQueue();
      const info = { port: this.#name, oneway, size: total };
      this.#run(channel, id, msgid, info, entry.queue.readable, entry);
    } else if (total > this.#maxRequest) {
      entry.refused =
        `a request of ${total} bytes is over this port's limit of ${this.#maxRequest}`;
    } else if (total >= 0) {
      entry.announced = total;
      entry.whole = EMPTY; // grown as the data arrives (see target)
    }
    return entry;
  }

  #inbound(
    channel: Channel,
    inbound: Map<number, Inbound>,
    kind: number,
    id: number,
    msgid: number,
    payload: Uint8Array | null,
  ): void | Promise<void> {
    const entry = inbound.get(id);
    if (!entry) {
      const data = payload ?? EMPTY;
      const info = { port: this.#name, oneway: kind === K_ONEWAY, size: data.length };
      this.#run(channel, id, msgid, info, data);
      return;
    }
    let wait: void | Promise<void> = undefined;
    if (entry.queue) {
      if (payload) wait = entry.queue.push(payload);
    } else if (!entry.whole && !entry.refused && payload) {
      entry.size += payload.length;
      if (entry.size > this.#maxRequest) {
        entry.refused = `a request over this port's limit of ${this.#maxRequest} bytes`;
        entry.parts = undefined;
      } else (entry.parts ??= []).push(payload);
    }
    if (kind === K_CHUNK || kind === K_ONEWAY_CHUNK) return wait;
    inbound.delete(id);
    const oneway = entry.oneway;
    if (entry.queue) {
      const queue = entry.queue;
      if (wait) return wait.then(() => queue.close());
      queue.close();
      return;
    }
    if (entry.refused) {
      if (!oneway) {
        channel.write(dataFrame(K_ERROR, id, msgid, -1, encoder.encode(entry.refused)));
      }
      return;
    }
    let data: Uint8Array;
    if (entry.whole) data = entry.whole.subarray(0, entry.filled);
    else data = concatBytes(entry.parts ?? [], entry.size);
    this.#run(channel, id, msgid, { port: this.#name, oneway, size: data.length }, data);
  }

  /** A buffer of `length` bytes for a request, reused when there is one (recycleRequests). */
  #borrow(length: number): Uint8Array {
    const pool = this.#recycled!;
    for (let i = 0; i < pool.length; i++) {
      if (pool[i].length >= length && pool[i].length <= 2 * length) {
        const [buffer] = pool.splice(i, 1);
        return buffer.subarray(0, length);
      }
    }
    return new Uint8Array(length);
  }

  /**
   * Handles a request: at once when fewer than `concurrency` are being handled, else once one
   * is done. Without a promise of its own: a callback that answers at once has its reply
   * queued before the read loop goes on, to go out with the others of the same read.
   */
  #run(
    channel: Channel,
    id: number,
    msgid: number,
    info: RequestInfo,
    data: Uint8Array | ReadableStream<Uint8Array>,
    streamed?: Inbound,
  ): void {
    this.#running++;
    if (this.#reporter) this.#arrived!.set(info, performance.now());
    if (this.#active < this.#concurrency) {
      this.#active++;
      this.#call(channel, id, msgid, info, data, streamed);
    } else {
      this.#waiting.push(() => this.#call(channel, id, msgid, info, data, streamed));
    }
  }

  /** One slot is free again: the next waiting request takes it (a microtask later). */
  #release(): void {
    const next = this.#waiting.shift();
    if (next) queueMicrotask(next);
    else this.#active--;
  }

  #call(
    channel: Channel,
    id: number,
    msgid: number,
    info: RequestInfo,
    data: Uint8Array | ReadableStream<Uint8Array>,
    streamed: Inbound | undefined,
  ): void {
    if (!this.#valid) return this.#finish(data, streamed);
    let input = data;
    if (this.#streaming && input instanceof Uint8Array) {
      const queue = new ChunkQueue();
      if (input.length > 0) queue.push(input);
      queue.close();
      input = queue.readable;
    }
    let reply: PortReply | Promise<PortReply>;
    try {
      reply = (this.#callback as (m: number, d: unknown, i: RequestInfo) => PortReply)(
        msgid,
        input,
        info,
      );
    } catch (error) {
      return this.#answer(channel, id, msgid, info, data, streamed, undefined, error);
    }
    if (
      reply !== null && typeof reply === "object" &&
      typeof (reply as { then?: unknown }).then === "function"
    ) {
      Promise.resolve(reply).then(
        (value) => this.#answer(channel, id, msgid, info, data, streamed, value, undefined),
        (error) => this.#answer(channel, id, msgid, info, data, streamed, undefined, error),
      );
      return;
    }
    this.#answer(channel, id, msgid, info, data, streamed, reply as PortReply, undefined);
  }

  /** Sends the callback's reply, or its failure; the request is over once it is sent. */
  #answer(
    channel: Channel,
    id: number,
    msgid: number,
    info: RequestInfo,
    data: Uint8Array | ReadableStream<Uint8Array>,
    streamed: Inbound | undefined,
    reply: PortReply,
    failure: unknown,
  ): void {
    if (this.#reporter) this.#report(info, msgid, reply, failure);
    try {
      if (info.oneway) {
        if (failure !== undefined) this.#onError?.(failure, msgid);
        return this.#finish(data, streamed);
      }
      if (channel.isClosed) return this.#finish(data, streamed);
      if (failure !== undefined) {
        const text = (failure as Error)?.message ?? String(failure);
        channel.write(dataFrame(K_ERROR, id, msgid, -1, encoder.encode(text)));
        return this.#finish(data, streamed);
      }
      let body: ByteSource;
      if (reply === undefined || reply === null) body = EMPTY;
      else if (typeof reply === "string") body = encoder.encode(reply);
      else body = reply as ByteSource;
      // Failing to send means the sender went away, or the reply's stream failed and said so.
      sendMessage(channel, REPLY_KINDS, id, msgid, body, () => this.#finish(data, streamed));
    } catch (error) {
      // As from an async function nobody awaits: the request is over, the error unhandled.
      this.#finish(data, streamed);
      Promise.reject(error);
    }
  }

  /** The request is over: its data may be reused (recycleRequests), its slot is free. */
  #finish(data: Uint8Array | ReadableStream<Uint8Array>, streamed: Inbound | undefined): void {
    // What the callback left unread is dropped as it arrives.
    streamed?.queue?.discard();
    if (
      this.#recycled && data instanceof Uint8Array && data.byteLength >= RECYCLE_MIN &&
      data.buffer.byteLength <= MAX_FRAME
    ) {
      if (this.#recycled.length < this.#concurrency + 1) {
        this.#recycled.push(new Uint8Array(data.buffer));
      }
    }
    this.#handled++;
    this.#release();
    if (--this.#running === 0) { for (const resolve of this.#idle.splice(0)) resolve(); }
  }
}

async function openPort(
  name: string,
  callback: PortCallback | StreamingPortCallback,
  streaming: boolean,
  options: LocalPortOptions,
): Promise<LocalPort> {
  if (typeof callback !== "function") throw new TypeError("a port needs a callback function");
  const bound = await bindPortName(name, options);
  const port = new LocalPort(name, bound, callback, streaming, options);
  // The monitors attached before the port was listed (the broker tells it of later ones).
  let monitors = "";
  try {
    monitors = await readTextNoFollow(`${resolveRuntimeDir(options)}/${MONITORS_FILE}`);
  } catch { /* none attached */ }
  if (monitors) await port.monitors(monitors).catch(() => {});
  return port;
}

/**
 * Creates a local port: takes the name and listens for requests (`CFMessagePortCreateLocal`).
 * The callback gets each request's message id and bytes and returns the reply; requests are
 * handled one at a time unless `concurrency` says otherwise. A callback that throws gives the
 * sender a {@linkcode PortHandlerError} with its message, and the port keeps serving.
 *
 * The callback's `data` is valid until the request's reply has been sent (for a one-way
 * request, until the callback returns or its promise settles), as CFMessagePort's is: then the
 * port reuses its memory for later requests. Copy it (`data.slice()`) to keep it longer, or
 * pass `recycleRequests: false` to get fresh memory for every request.
 *
 * @param name the port's name: 1 to 255 characters.
 * @param callback answers requests.
 * @throws {NameTakenError} when another live process serves the name.
 * @throws {RangeError} when the name is not a port name.
 *
 * @example
 * ```ts
 * import { createLocalPort } from "./mod.ts";
 * const port = await createLocalPort("com.example.echo", (_msgid, data) => data);
 * await port.close();
 * ```
 */
export function createLocalPort(
  name: string,
  callback: PortCallback,
  options: LocalPortOptions = {},
): Promise<LocalPort> {
  return openPort(name, callback, false, options);
}

/**
 * Creates a local port whose callback reads each request as a stream as it arrives, so a
 * request of hundreds of MiB never sits in memory whole; its pace holds the sender back.
 * Otherwise as {@linkcode createLocalPort}.
 *
 * @example
 * ```ts
 * import { createStreamingLocalPort } from "./mod.ts";
 * const port = await createStreamingLocalPort("com.example.count", async (_msgid, data) => {
 *   let n = 0;
 *   for await (const chunk of data) n += chunk.length;
 *   return String(n);
 * });
 * await port.close();
 * ```
 */
export function createStreamingLocalPort(
  name: string,
  callback: StreamingPortCallback,
  options: LocalPortOptions = {},
): Promise<LocalPort> {
  return openPort(name, callback, true, options);
}
