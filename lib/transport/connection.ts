/**
 * A framed, bidirectional request/reply connection over a Unix socket: either side can send
 * requests (correlated by id, each with its own timeout), answer them, and send one-way events.
 * Frames are written in order and coalesced while a write is in flight. A peer that sends
 * garbage, an oversized frame, a half frame and then silence, or floods without reading costs
 * only its own connection: it gets a `bye` frame saying why, and the connection closes.
 *
 * @module
 */

import {
  ConnectionClosedError,
  type IpcError,
  LimitError,
  ProtocolError,
  RemoteError,
  TimeoutError,
} from "../errors.ts";
import { FrameDecoder } from "../wire/frame.ts";
import { encodeMessage, encodeMessageParts, SEPARATE_BYTES } from "../wire/frame.ts";
import { DEFAULT_LIMITS, HELLO_LIMITS, type Limits } from "../wire/limits.ts";
import type { Dictionary, Value } from "../wire/value.ts";
import { byeError, clientMismatch, helloMessage, readMessage } from "./message.ts";
import { PROTOCOL_VERSION } from "./protocol.ts";
import { settlesWithin, startWatchdog } from "../_timer.ts";

/** Answers a request: returns the reply body, or throws (an {@linkcode RemoteError}'s code is kept). */
export type RequestHandler = (
  method: string,
  body: Value,
  connection: Connection,
) => Value | Promise<Value>;

/** Receives a one-way event. */
export type EventHandler = (method: string, body: Value, connection: Connection) => void;

/** Options of a {@linkcode Connection}. */
export interface ConnectionOptions {
  /** Frame and value limits. @default {DEFAULT_LIMITS} */
  limits?: Limits;
  /** Answers the peer's requests. @default {a handler that answers "unknown-method"} */
  onRequest?: RequestHandler;
  /** Receives the peer's events. @default {ignore them} */
  onEvent?: EventHandler;
  /** How long a frame may stay half-received before the peer is cut off. @default {10000} */
  stallTimeoutMs?: number;
  /** How many bytes may wait to be written before the peer is cut off as not reading. @default {64 MiB} */
  maxQueuedBytes?: number;
  /** The protocol version this side speaks (tests change it). @default {PROTOCOL_VERSION} */
  protocolVersion?: number;
  /** What this side says about itself in its hello. @default {{}} */
  hello?: Dictionary;
  /** How long to wait for the peer's hello; 0 does not watch for it. @default {5000} */
  helloTimeoutMs?: number;
  /**
   * Whether the connection stops keeping the process alive while nothing waits on it (no
   * pending request, no {@linkcode Connection.hold}): what a library client wants, so that a
   * script ends when its work is done. @default {false}
   */
  unrefWhenIdle?: boolean;
}

/** Options of {@linkcode Connection.request}. */
export interface RequestOptions {
  /** Milliseconds to wait for the reply; 0 waits forever. @default {0} */
  timeoutMs?: number;
  /** Cancels the wait. @default {undefined} */
  signal?: AbortSignal;
}

interface Pending {
  method: string;
  resolve: (value: Value) => void;
  reject: (error: Error) => void;
  cancelTimer?: () => void;
}

const NO_HANDLER: RequestHandler = (method) => {
  throw new RemoteError("unknown-method", `unknown method ${method}`);
};

/** How long a connection whose writes broke is still read for what the other side sent. */
const WRITE_BROKEN_MS = 2000;

/** One connection; see the module documentation. */
export class Connection {
  #conn: Deno.Conn;
  #limits: Limits;
  #decoder: FrameDecoder;
  #onRequest: RequestHandler;
  #onEvent: EventHandler | undefined;
  #stallTimeoutMs: number;
  #maxQueuedBytes: number;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #outbox: Uint8Array[] = [];
  #queuedBytes = 0;
  #enqueuedBytes = 0;
  #writtenBytes = 0;
  #flushing: Promise<void> | null = null;
  #cancelStall: (() => void) | undefined;
  #closing = false;
  /**
   * Set when a write failed (the other side closed): nothing more is written, but what it
   * sent before it closed is still read, up to its end.
   */
  #writeBroken: Error | undefined;
  #closeReason: Error | undefined;
  #closed: Promise<void>;
  #resolveClosed!: () => void;
  #holds = 0;
  #refed = true;
  #unrefWhenIdle: boolean;
  #unrefPending = false;
  #peerHello: Dictionary | undefined;
  #helloWaiter: { resolve: (hello: Dictionary) => void; reject: (e: Error) => void } | undefined;
  #ready: Promise<Dictionary>;
  #cancelHello: () => void;
  #server: boolean;
  #protocolVersion: number;
  #ownHello: Dictionary;

  /**
   * Wraps an accepted or connected socket. Use {@linkcode connectTo} or a
   * {@linkcode ../transport/listener.ts} listener rather than calling this directly.
   *
   * @param conn the socket.
   * @param server whether this is the accepting side (it waits for the peer's hello first).
   */
  constructor(conn: Deno.Conn, server: boolean, options: ConnectionOptions = {}) {
    this.#conn = conn;
    this.#server = server;
    this.#limits = options.limits ?? DEFAULT_LIMITS;
    // Until the peer's hello is in, only what a hello needs is read (see HELLO_LIMITS).
    this.#decoder = new FrameDecoder(
      Math.min(HELLO_LIMITS.maxFrameBytes, this.#limits.maxFrameBytes),
    );
    this.#onRequest = options.onRequest ?? NO_HANDLER;
    this.#onEvent = options.onEvent;
    this.#stallTimeoutMs = options.stallTimeoutMs ?? 10_000;
    this.#maxQueuedBytes = options.maxQueuedBytes ?? 64 * 1024 * 1024;
    this.#protocolVersion = options.protocolVersion ?? PROTOCOL_VERSION;
    this.#unrefWhenIdle = options.unrefWhenIdle ?? false;
    this.#ownHello = helloMessage(this.#protocolVersion, options.hello);
    this.#closed = new Promise((resolve) => this.#resolveClosed = resolve);
    this.#ready = new Promise<Dictionary>((resolve, reject) => {
      this.#helloWaiter = { resolve, reject };
    });
    this.#ready.catch(() => {});
    const helloTimeoutMs = options.helloTimeoutMs ?? 5000;
    this.#cancelHello = helloTimeoutMs > 0
      ? startWatchdog(helloTimeoutMs, () => {
        this.#fail(
          new TimeoutError(`no hello from the other side within ${helloTimeoutMs} ms`),
          "protocol",
        );
      })
      : () => {};
    this.#readLoop();
    if (!server) this.#enqueue(encodeMessage(this.#ownHello, this.#limits)).catch(() => {});
  }

  /**
   * Resolves with the peer's hello once the handshake is done; rejects when the peer speaks
   * another protocol version, is not ipckit, stays silent, or closes first.
   */
  get ready(): Promise<Dictionary> {
    return this.#ready;
  }

  /** What the peer said about itself in its hello (after the handshake). */
  get peerHello(): Dictionary | undefined {
    return this.#peerHello;
  }

  /** Resolves once the connection is closed, for whatever reason. */
  get closed(): Promise<void> {
    return this.#closed;
  }

  /** Why the connection closed (undefined while open, or after an orderly close). */
  get closeReason(): Error | undefined {
    return this.#closeReason;
  }

  /** Whether the connection is closed or closing. */
  get isClosed(): boolean {
    return this.#closing || this.#writeBroken !== undefined;
  }

  /** How many bytes wait to be written (a peer that does not read makes this grow). */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /**
   * How many bytes were ever queued to be written: a frame queued now ends at this offset of
   * the stream plus its length (see {@linkcode writtenBytes}).
   */
  get enqueuedBytes(): number {
    return this.#enqueuedBytes;
  }

  /**
   * How many bytes were written to the socket: a frame whose end offset is within this went out
   * whole, even when the connection broke on a later one.
   */
  get writtenBytes(): number {
    return this.#writtenBytes;
  }

  /** How many requests this side is waiting on. */
  get pendingRequests(): number {
    return this.#pending.size;
  }

  /**
   * Sends a request and waits for its reply. A large byte array body (64 KiB or more) is
   * written from the caller's memory, not copied: leave it unchanged until the promise settles.
   *
   * @throws {RemoteError} when the peer answered with an error.
   * @throws {TimeoutError} when no reply came within `timeoutMs`.
   * @throws {ConnectionClosedError} when the connection closed first.
   */
  request(method: string, body: Value = null, options: RequestOptions = {}): Promise<Value> {
    if (this.#closing) return Promise.reject(this.#closedError());
    const id = this.#nextId++;
    let frame: Uint8Array[];
    try {
      frame = encodeMessageParts({ t: "req", id, m: method, b: body }, this.#limits);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<Value>((resolve, reject) => {
      const entry: Pending = { method, resolve, reject };
      const { timeoutMs, signal } = options;
      if (timeoutMs && timeoutMs > 0) {
        entry.cancelTimer = startWatchdog(timeoutMs, () => {
          this.#settle(id);
          reject(new TimeoutError(`no reply to ${method} within ${timeoutMs / 1000} s`));
        });
      }
      if (signal) {
        const abort = () => {
          if (this.#settle(id)) reject(signal.reason ?? new DOMException("aborted", "AbortError"));
        };
        if (signal.aborted) return abort();
        signal.addEventListener("abort", abort, { once: true });
      }
      this.#pending.set(id, entry);
      this.#updateRef();
      this.#enqueue(frame).catch(() => {});
    });
  }

  /**
   * Sends a one-way event; resolves once it is written (a large byte array body is written from
   * the caller's memory: leave it unchanged until then).
   */
  notify(method: string, body: Value = null): Promise<void> {
    if (this.#closing) return Promise.reject(this.#closedError());
    let frame: Uint8Array[];
    try {
      frame = encodeMessageParts({ t: "evt", m: method, b: body }, this.#limits);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#enqueue(frame);
  }

  /**
   * Sends a frame already made by {@linkcode encodeMessage} (an event encoded once for many
   * connections); resolves once it is written. Nothing may change its bytes afterwards.
   */
  sendEncoded(frame: Uint8Array): Promise<void> {
    return this.#enqueue(frame);
  }

  /**
   * Keeps the process alive for this connection's sake (a subscription, a served port) until
   * the returned function is called. With `unrefWhenIdle`, a connection without holds or
   * pending requests does not keep a program from ending.
   */
  hold(): () => void {
    this.#holds++;
    this.#updateRef();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds--;
      this.#updateRef();
    };
  }

  /**
   * Closes the connection: sends `bye` (with the reason when given), lets queued frames go
   * out, then closes the socket. Pending requests fail with {@linkcode ConnectionClosedError}.
   */
  async close(reason?: { code: string; message: string }): Promise<void> {
    if (this.#closing) return this.#closed;
    if (reason) {
      try {
        this.#outbox.push(encodeMessage({ t: "bye", code: reason.code, msg: reason.message }));
      } catch { /* the reason is best effort */ }
    }
    this.#closing = true;
    try {
      if (!this.#flushing && this.#outbox.length) this.#flushing = this.#flush();
      if (this.#flushing) {
        await settlesWithin(this.#flushing, 1000);
      }
    } catch { /* closing anyway */ }
    this.#shutdown(undefined);
    return this.#closed;
  }

  /** Closes the connection at the end of an `await using` scope ({@linkcode close}). */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #closedError(): Error {
    return this.#closeReason ?? new ConnectionClosedError("the connection is closed");
  }

  #settle(id: number): Pending | undefined {
    const entry = this.#pending.get(id);
    if (!entry) return undefined;
    this.#pending.delete(id);
    entry.cancelTimer?.();
    this.#updateRef();
    return entry;
  }

  #wantsRef(): boolean {
    return !this.#unrefWhenIdle || this.#holds > 0 || this.#pending.size > 0 ||
      this.#helloWaiter !== undefined;
  }

  #updateRef(): void {
    if (this.#closing) return;
    if (this.#wantsRef()) {
      if (!this.#refed) {
        this.#refed = true;
        this.#conn.ref();
      }
    } else if (this.#refed && !this.#unrefPending) {
      // Unref a few microtasks later: a caller that sends its next request as soon as the
      // reply arrives (back-to-back requests) should not pay two calls into the runtime each.
      this.#unrefPending = true;
      const check = (hops: number) => {
        if (hops > 0) return queueMicrotask(() => check(hops - 1));
        this.#unrefPending = false;
        if (this.#closing || this.#wantsRef() || !this.#refed) return;
        this.#refed = false;
        this.#conn.unref();
      };
      check(4);
    }
  }

  /** Queues a frame, or a frame's head and the large bytes that end it. */
  #enqueue(frame: Uint8Array | Uint8Array[]): Promise<void> {
    if (this.#closing) return Promise.reject(this.#closedError());
    if (this.#writeBroken) return Promise.reject(this.#writeBroken);
    if (frame instanceof Uint8Array) {
      this.#outbox.push(frame);
      this.#queuedBytes += frame.length;
      this.#enqueuedBytes += frame.length;
    } else {
      for (const part of frame) {
        this.#outbox.push(part);
        this.#queuedBytes += part.length;
        this.#enqueuedBytes += part.length;
      }
    }
    if (this.#queuedBytes > this.#maxQueuedBytes) {
      const error = new LimitError(
        `the other side is not reading: over ${this.#maxQueuedBytes} bytes wait to be written`,
      );
      this.#fail(error, "not-reading");
      return Promise.reject(error);
    }
    this.#flushing ??= this.#flush();
    return this.#flushing;
  }

  async #flush(): Promise<void> {
    try {
      while (this.#outbox.length > 0) {
        const frames = this.#outbox;
        this.#outbox = [];
        // Small frames are copied together into one write; large byte arrays are written as
        // they are, never copied.
        for (let i = 0; i < frames.length;) {
          let data = frames[i];
          let j = i + 1;
          if (data.length < SEPARATE_BYTES) {
            let size = data.length;
            while (j < frames.length && frames[j].length < SEPARATE_BYTES) {
              size += frames[j++].length;
            }
            if (j > i + 1) {
              data = new Uint8Array(size);
              let offset = 0;
              for (let k = i; k < j; k++) {
                data.set(frames[k], offset);
                offset += frames[k].length;
              }
            }
          }
          i = j;
          let written = 0;
          while (written < data.length) {
            const n = await this.#conn.write(data.subarray(written));
            written += n;
            this.#writtenBytes += n;
          }
          this.#queuedBytes -= data.length;
        }
      }
    } catch (error) {
      const broken = new ConnectionClosedError(
        `the connection broke while writing: ${(error as Error).message}`,
        { cause: error },
      );
      this.#brokeWriting(broken);
      throw this.#closeReason ?? broken;
    } finally {
      this.#flushing = null;
    }
  }

  async #readLoop(): Promise<void> {
    try {
      for (;;) {
        const n = await this.#conn.read(this.#decoder.space());
        if (n === null) break;
        this.#decoder.commit(n);
        for (let body = this.#decoder.next(); body !== undefined; body = this.#decoder.next()) {
          this.#handleFrame(body);
          if (this.#closing) return;
        }
        this.#watchStall();
      }
      const half = this.#decoder.pending > 0 ? ` in the middle of a frame` : "";
      this.#shutdown(
        this.#closeReason ??
          new ConnectionClosedError(`the other side closed the connection${half}`),
      );
    } catch (error) {
      if (this.#closing) return;
      if (error instanceof LimitError || error instanceof ProtocolError) {
        this.#fail(error, error instanceof LimitError ? "limit" : "protocol");
      } else {
        this.#shutdown(
          new ConnectionClosedError(`the connection broke: ${(error as Error).message}`, {
            cause: error,
          }),
        );
      }
    }
  }

  /**
   * A write failed: the other side is gone, or going. Frames it sent before it closed may
   * still wait to be read (a client that posts and closes at once, while this side writes to
   * it): they are read and handled up to the end of the stream, which then closes the
   * connection, rather than dropped with the socket. Should the end not come, it closes
   * anyway after a while.
   */
  #brokeWriting(error: ConnectionClosedError): void {
    if (this.#closing || this.#writeBroken) return;
    this.#writeBroken = error;
    this.#closeReason ??= error;
    this.#outbox = [];
    this.#queuedBytes = 0;
    const cancel = startWatchdog(WRITE_BROKEN_MS, () => this.#shutdown(error));
    this.#closed.then(cancel);
  }

  #watchStall(): void {
    this.#cancelStall?.();
    this.#cancelStall = undefined;
    if (this.#decoder.pending === 0 || this.#closing) return;
    this.#cancelStall = startWatchdog(this.#stallTimeoutMs, () => {
      this.#fail(
        new ProtocolError(`half a frame and then nothing for ${this.#stallTimeoutMs} ms`),
        "stalled",
      );
    });
  }

  /** Tells the peer why, then closes. */
  #fail(error: IpcError, code: string): void {
    if (this.#closing) return;
    this.#closeReason = error;
    this.close({ code, message: error.message });
  }

  #handleFrame(body: Uint8Array): void {
    const message = readMessage(
      body,
      this.#peerHello === undefined ? HELLO_LIMITS : this.#limits,
    );
    if (this.#peerHello === undefined && message.t !== "hello" && message.t !== "bye") {
      throw new ProtocolError(`expected a hello first, got "${message.t}"`);
    }
    switch (message.t) {
      case "hello":
        return this.#handleHello(message);
      case "req": {
        const { id, m, b } = message;
        if (typeof id !== "number" || typeof m !== "string" || b === undefined) {
          throw new ProtocolError("a request without id, method or body");
        }
        this.#answer(id, m, b);
        return;
      }
      case "res":
      case "err": {
        if (typeof message.id !== "number") throw new ProtocolError("a reply without id");
        const entry = this.#settle(message.id);
        if (!entry) return; // timed out or cancelled: the late reply is dropped
        if (message.t === "res") entry.resolve(message.b ?? null);
        else {
          entry.reject(
            new RemoteError(String(message.code ?? "failed"), String(message.msg ?? "failed")),
          );
        }
        return;
      }
      case "evt":
        if (typeof message.m !== "string") throw new ProtocolError("an event without method");
        try {
          this.#onEvent?.(message.m, message.b ?? null, this);
        } catch { /* an event handler's failure is its own business */ }
        return;
      case "bye": {
        const error = byeError(message);
        this.#closeReason = error;
        this.#shutdown(error);
        return;
      }
    }
    throw new ProtocolError(`an unknown message type "${message.t}"`);
  }

  #handleHello(message: Dictionary): void {
    if (this.#peerHello !== undefined) throw new ProtocolError("a second hello");
    const version = message.v;
    if (version !== this.#protocolVersion) {
      const peer = this.#server ? "this client" : "the other side";
      const error = new ProtocolError(
        this.#server
          ? `protocol mismatch: ${peer} speaks ipckit protocol ${String(version)} (${
            String(message.name)
          }), this side speaks ${this.#protocolVersion} (${
            String(this.#ownHello.name)
          }); use the same ipckit version on both sides, or run "ipckit daemon stop" so the broker restarts with the client's version`
          : clientMismatch(message, this.#protocolVersion),
      );
      if (this.#server) {
        this.#closeReason = error;
        this.close({ code: "version", message: error.message });
        return;
      }
      this.#closeReason = error;
      this.close();
      return;
    }
    this.#peerHello = message;
    this.#decoder.maxFrameBytes = this.#limits.maxFrameBytes;
    if (this.#server) {
      this.#enqueue(encodeMessage(this.#ownHello, this.#limits)).catch(() => {});
    }
    this.#cancelHello();
    const waiter = this.#helloWaiter;
    this.#helloWaiter = undefined;
    this.#updateRef();
    waiter?.resolve(message);
  }

  async #answer(id: number, method: string, body: Value): Promise<void> {
    let reply: Value;
    try {
      reply = await this.#onRequest(method, body, this);
    } catch (error) {
      const code = error instanceof RemoteError ? error.code : "failed";
      if (this.#closing) return;
      this.#enqueue(
        encodeMessage({ t: "err", id, code, msg: (error as Error).message ?? String(error) }),
      ).catch(() => {});
      return;
    }
    if (this.#closing) return;
    let frame: Uint8Array | Uint8Array[];
    try {
      frame = encodeMessageParts({ t: "res", id, b: reply ?? null }, this.#limits);
    } catch (error) {
      frame = encodeMessage({
        t: "err",
        id,
        code: "bad-reply",
        msg: `the reply could not be sent: ${(error as Error).message}`,
      });
    }
    this.#enqueue(frame).catch(() => {});
  }

  #shutdown(reason: Error | undefined): void {
    if (reason && !this.#closeReason) this.#closeReason = reason;
    this.#closing = true;
    this.#cancelStall?.();
    this.#cancelHello();
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    const error = this.#closedError();
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(error);
    this.#helloWaiter?.reject(error);
    this.#helloWaiter = undefined;
    this.#resolveClosed();
  }
}
