/**
 * The remote port (`CFMessagePortCreateRemote`): a port served by another process, looked up
 * by name ({@linkcode connectPort}), and the requests sent to it over one connection, with
 * message ids, send and receive timeouts, one-way sends and CF status codes.
 *
 * @module
 */

import { PORT_STATUS, PortError, PortTimeoutError, ProtocolError } from "../errors.ts";
import { startWatchdog } from "../_timer.ts";
import { concatBytes } from "../wire/bytes.ts";
import type { ByteSource } from "../transport/chunks.ts";
import { PROTOCOL_VERSION } from "../transport/protocol.ts";
import {
  EMPTY,
  helloFrame,
  K_ERROR,
  K_REPLY,
  K_REPLY_CHUNK,
  ONEWAY_KINDS,
  portBrokeProtocol,
  portHandlerFailed,
  portVersionMismatch,
  RECYCLE_MIN,
  REQUEST_KINDS,
  SourceError,
} from "./protocol.ts";
import { Channel, FRESH, type Receiver, sendMessage } from "./channel.ts";
import { type OpenPortOptions, openPortSocket } from "./lookup.ts";
import type { SendRequestOptions } from "./once.ts";

const encoder = new TextEncoder();

/** Options of {@linkcode connectPort}. */
export interface ConnectPortOptions extends OpenPortOptions {
  /** Called once when the port becomes invalid (its server went away, or invalidate()). */
  onInvalidate?: () => void;
}

interface Pending {
  resolve: (reply: Uint8Array | null) => void;
  reject: (error: Error) => void;
  parts?: Uint8Array[];
  size: number;
  sink?: (chunk: Uint8Array) => void | Promise<void>;
  /** Its receive timeout, while it waits for the reply. */
  deadline?: Deadline;
}

/** A timeout of one request: `fire` is called at `at` (a `performance.now()` time). */
interface Deadline {
  at: number;
  fire: () => void;
}

/**
 * The timeouts of one remote port's requests on one timer, armed for the earliest of them:
 * arming a timer for each request would cost more than many a request does. Back-to-back
 * requests with the same timeouts never re-arm it. The timer (`startWatchdog`) does not keep the
 * process alive by itself; a request waiting for its reply or its sending does.
 */
class Deadlines {
  #items = new Set<Deadline>();
  #armedAt = Infinity;
  #cancel: (() => void) | undefined;

  /** Calls `fire` in `ms` milliseconds unless removed first. */
  add(ms: number, fire: () => void): Deadline {
    const deadline = { at: performance.now() + ms, fire };
    this.#items.add(deadline);
    if (deadline.at < this.#armedAt) this.#arm(deadline.at);
    return deadline;
  }

  remove(deadline: Deadline): void {
    this.#items.delete(deadline);
  }

  #arm(at: number): void {
    this.#cancel?.();
    this.#armedAt = at;
    this.#cancel = startWatchdog(Math.max(0, at - performance.now()), this.#check);
  }

  #check = (): void => {
    this.#armedAt = Infinity;
    this.#cancel = undefined;
    const now = performance.now();
    let next = Infinity;
    for (const deadline of [...this.#items]) {
      if (deadline.at <= now) {
        this.#items.delete(deadline);
        deadline.fire();
      } else if (this.#items.has(deadline)) next = Math.min(next, deadline.at);
    }
    if (next < this.#armedAt) this.#arm(next);
  };
}

/** A port served by another process, looked up by name; see {@linkcode connectPort}. */
export class RemotePort {
  #name: string;
  #socket: string;
  #channel!: Channel;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #valid = true;
  #reconnect = false;
  #onInvalidate: (() => void)[] = [];
  #serverPid: number | undefined;
  #unrefHops = 0;
  #scratch: Uint8Array | undefined;
  #deadlines = new Deadlines();

  /** @internal Use {@linkcode connectPort}. */
  constructor(name: string, socket: string, conn: Deno.UnixConn, options: ConnectPortOptions) {
    this.#name = name;
    this.#socket = socket;
    if (options.onInvalidate) this.#onInvalidate.push(options.onInvalidate);
    this.#open(conn);
  }

  /** The port's name. */
  get name(): string {
    return this.#name;
  }

  /** Whether the port is still valid (its server is there and it was not invalidated). */
  get isValid(): boolean {
    return this.#valid;
  }

  /** The serving process's id, once its hello arrived. */
  get serverPid(): number | undefined {
    return this.#serverPid;
  }

  /** Calls `callback` once when the port becomes invalid; returns a function that unregisters it. */
  onInvalidate(callback: () => void): () => void {
    if (!this.#valid) {
      callback();
      return () => {};
    }
    this.#onInvalidate.push(callback);
    return () => {
      const i = this.#onInvalidate.indexOf(callback);
      if (i >= 0) this.#onInvalidate.splice(i, 1);
    };
  }

  /**
   * Closes the connection (`CFMessagePortInvalidate`); waiting requests fail with status -3
   * (invalid). Resolves once it is closed; calling it again does nothing.
   */
  invalidate(): Promise<void> {
    if (!this.#valid) return Promise.resolve();
    this.#becomeInvalid(
      new PortError(PORT_STATUS.isInvalid, `the port "${this.#name}" was invalidated`),
    );
    this.#channel.close();
    return Promise.resolve();
  }

  /** Closes the connection: {@linkcode invalidate}, under the name every long-lived object has. */
  close(): Promise<void> {
    return this.invalidate();
  }

  /** Closes the connection at the end of an `await using` scope ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.invalidate();
  }

  #open(conn: Deno.UnixConn): void {
    // deno-lint-ignore no-this-alias
    const port = this;
    const receiver: Receiver = {
      target(kind, id, _msgid, _total, length) {
        const entry = port.#pending.get(id);
        if (!entry && kind !== K_ERROR) return null;
        if (entry?.sink && length >= RECYCLE_MIN) {
          // Handed to onReplyChunk and awaited before the next read: one buffer serves all.
          if (!port.#scratch || port.#scratch.length < length) {
            port.#scratch = new Uint8Array(length);
          }
          return port.#scratch.subarray(0, length);
        }
        return FRESH;
      },
      data(kind, id, _msgid, _total, payload) {
        const entry = port.#pending.get(id);
        if (!entry) return;
        switch (kind) {
          case K_REPLY_CHUNK:
          case K_REPLY: {
            if (kind === K_REPLY && !entry.sink && !entry.parts) {
              // The usual case: a reply in one frame, in fresh memory of its own.
              if (port.#settle(id, true)) entry.resolve(payload ?? new Uint8Array(0));
              return;
            }
            let wait: void | Promise<void> = undefined;
            if (entry.sink) {
              if (payload && payload.length > 0) wait = entry.sink(payload);
            } else if (payload && payload.length > 0) {
              (entry.parts ??= []).push(payload);
              entry.size += payload.length;
            }
            if (kind === K_REPLY_CHUNK) return wait;
            const finish = () => {
              if (!port.#settle(id, true)) return;
              if (entry.sink) return entry.resolve(null);
              entry.resolve(concatBytes(entry.parts ?? [], entry.size));
            };
            if (wait) {
              return wait.then(finish, (error) => {
                if (port.#settle(id, true)) entry.reject(error);
              });
            }
            finish();
            return;
          }
          case K_ERROR:
            if (port.#settle(id, true)) {
              entry.reject(portHandlerFailed(port.#name, payload ?? EMPTY));
            }
            return;
        }
        throw new ProtocolError(`a port sender got a frame of type ${String.fromCharCode(kind)}`);
      },
      hello(fields) {
        if (fields.v !== PROTOCOL_VERSION) {
          port.#becomeInvalid(portVersionMismatch(port.#name, fields));
          channel.close();
          return;
        }
        if (typeof fields.pid === "number") port.#serverPid = fields.pid;
      },
      idle(which) {
        // A microtask after the last reply was handed over: a caller that sends requests back
        // to back has sent the next one by now, and the reference does not flip each time.
        if (port.#pending.size === 0) which.ref(false);
      },
      closed(error, bye) {
        if (channel !== port.#channel) return;
        if (port.#reconnect) {
          // We cut the connection ourselves after a send timeout: the next request reconnects.
          port.#failPending(
            new PortError(PORT_STATUS.transportError, "the connection was reset"),
          );
          return;
        }
        const why = error instanceof ProtocolError
          ? portBrokeProtocol(port.#name, error)
          : new PortError(
            PORT_STATUS.becameInvalid,
            `the port "${port.#name}" became invalid (status -5): ${
              bye ? "its server closed the connection" : "its server went away"
            }${error ? ` (${error.message})` : ""}`,
            { cause: error },
          );
        port.#becomeInvalid(why);
      },
    };
    const channel = new Channel(conn, receiver);
    channel.write(helloFrame(this.#name));
    this.#channel = channel;
    this.#reconnect = false;
    channel.ref(false);
  }

  #becomeInvalid(error: Error): void {
    if (!this.#valid) return;
    this.#valid = false;
    this.#failPending(error);
    for (const callback of this.#onInvalidate.splice(0)) {
      try {
        callback();
      } catch { /* the callback's own business */ }
    }
  }

  #failPending(error: Error): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(error);
  }

  /**
   * Takes request `id` off the waiting ones. Once none waits, the connection lets the process
   * end: when the channel is about to wait for more (after a reply, `answered`), else a few
   * microtasks later.
   */
  #settle(id: number, answered = false): Pending | undefined {
    const entry = this.#pending.get(id);
    if (!entry) return undefined;
    this.#pending.delete(id);
    if (entry.deadline) this.#deadlines.remove(entry.deadline);
    if (this.#pending.size === 0 && !answered) this.#scheduleUnref();
    return entry;
  }

  #scheduleUnref(): void {
    if (this.#unrefHops > 0) return;
    // A few microtasks later: back-to-back requests should not flip the reference each time.
    this.#unrefHops = 4;
    queueMicrotask(this.#unrefCheck);
  }

  #unrefCheck = (): void => {
    if (--this.#unrefHops > 0) return queueMicrotask(this.#unrefCheck);
    if (this.#pending.size === 0) this.#channel.ref(false);
  };

  /**
   * Sends a request (`CFMessagePortSendRequest`) and resolves with the reply's bytes, or
   * `null` for a one-way send.
   *
   * @param msgid the message id, a 32-bit integer the callback gets.
   * @param data the request: bytes, text, or a stream (sent in chunks as it is read).
   * @throws {PortTimeoutError} status -1 when sending took over `sendTimeout`, -2 when no
   *   reply came within `receiveTimeout`.
   * @throws {PortHandlerError} when the callback failed; the message is its.
   * @throws {PortError} status -3 when the port is invalid, -4 on a transport error, -5 when
   *   the port became invalid during the request (its server went away).
   */
  sendRequest(
    msgid: number,
    data: ByteSource | string = EMPTY,
    options: SendRequestOptions = {},
  ): Promise<Uint8Array | null> {
    if (!Number.isInteger(msgid) || msgid < -0x80000000 || msgid > 0x7fffffff) {
      return Promise.reject(new RangeError(`a message id is a 32-bit integer, not ${msgid}`));
    }
    if (!this.#valid) {
      return Promise.reject(
        new PortError(
          PORT_STATUS.isInvalid,
          `the port "${this.#name}" is invalid (status -3): it was invalidated or its server went away`,
        ),
      );
    }
    if (this.#reconnect || this.#channel.isClosed) {
      return this.#reopen().then(() => this.sendRequest(msgid, data, options));
    }
    return new Promise<Uint8Array | null>((resolve, reject) => {
      this.#send(msgid, data, options, resolve, reject);
    });
  }

  #send(
    msgid: number,
    data: ByteSource | string,
    options: SendRequestOptions,
    resolve: (reply: Uint8Array | null) => void,
    reject: (error: Error) => void,
  ): void {
    const channel = this.#channel;
    const body = typeof data === "string" ? encoder.encode(data) : data;
    const oneway = options.oneway ?? false;
    const id = this.#nextId++;
    const sendTimeout = options.sendTimeout ?? 0;
    const receiveTimeout = options.receiveTimeout ?? 0;
    let entry: Pending | undefined;
    if (!oneway) {
      entry = { resolve, reject, size: 0, sink: options.onReplyChunk };
      this.#pending.set(id, entry);
    }
    channel.ref(true);
    let sendDeadline: Deadline | undefined;
    let sent = false;
    const done = (error?: unknown) => {
      sent = true;
      if (sendDeadline) this.#deadlines.remove(sendDeadline);
      if (error !== undefined) {
        if (entry && !this.#settle(id)) return; // already answered, or timed out
        if (!entry && this.#pending.size === 0) this.#scheduleUnref();
        return reject(this.#sendFailure(error));
      }
      if (oneway) {
        if (this.#pending.size === 0) this.#scheduleUnref();
        return resolve(null);
      }
      if (receiveTimeout > 0 && this.#pending.has(id)) {
        entry!.deadline = this.#deadlines.add(receiveTimeout * 1000, () => {
          if (!this.#settle(id)) return;
          reject(
            new PortTimeoutError(
              PORT_STATUS.receiveTimeout,
              `no reply from the port "${this.#name}" within ${receiveTimeout} s (receive timeout, status -2)`,
            ),
          );
        });
      }
    };
    const job = sendMessage(
      channel,
      oneway ? ONEWAY_KINDS : REQUEST_KINDS,
      id,
      msgid,
      body,
      done,
    );
    if (sendTimeout > 0 && !sent) {
      sendDeadline = this.#deadlines.add(sendTimeout * 1000, () => {
        if (sent) return;
        sent = true;
        if (entry) this.#settle(id);
        else if (this.#pending.size === 0) this.#scheduleUnref();
        reject(
          new PortTimeoutError(
            PORT_STATUS.sendTimeout,
            `could not send to the port "${this.#name}" within ${sendTimeout} s (send timeout, status -1): its server is not reading`,
          ),
        );
        if (job.started) {
          // Part of a frame went out: this connection cannot carry another. The next request
          // reconnects; the others waiting on it fail with a transport error.
          this.#reconnect = true;
          channel.close();
        } else job.cancelled = true;
      });
    }
  }

  #sendFailure(error: unknown): Error {
    if (error instanceof SourceError) return error;
    if (error instanceof PortError && error.status === PORT_STATUS.transportError) {
      return new PortError(
        PORT_STATUS.transportError,
        `sending to the port "${this.#name}" failed (transport error, status -4): ${error.message}`,
        { cause: error },
      );
    }
    return error as Error;
  }

  async #reopen(): Promise<void> {
    let conn: Deno.UnixConn;
    try {
      conn = await Deno.connect({ transport: "unix", path: this.#socket });
    } catch (error) {
      const invalid = new PortError(
        PORT_STATUS.isInvalid,
        `the port "${this.#name}" is invalid (status -3): its server went away`,
        { cause: error },
      );
      this.#becomeInvalid(invalid);
      throw invalid;
    }
    this.#open(conn);
  }
}

/**
 * Looks up a port by name and connects to it (`CFMessagePortCreateRemote`).
 *
 * @throws {NotFoundError} when no live process serves the name.
 *
 * @example
 * ```ts
 * import { connectPort, NotFoundError } from "../mod.ts";
 * try {
 *   const port = await connectPort("com.example.nobody");
 *   await port.close();
 * } catch (error) {
 *   if (!(error instanceof NotFoundError)) throw error;
 * }
 * ```
 */
export async function connectPort(
  name: string,
  options: ConnectPortOptions = {},
): Promise<RemotePort> {
  const { conn, socket } = await openPortSocket(name, options);
  return new RemotePort(name, socket, conn, options);
}
