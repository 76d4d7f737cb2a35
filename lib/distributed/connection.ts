/**
 * One connection between a vendor and a process that uses its object, the same on both ends:
 * the call and reply engine over a message port connection (`../ports/channel.ts`'s `Channel`), both
 * ways. `protocol.ts` has the messages, `_marshal.ts` the values and references in them,
 * `_calls.ts` the calls waiting on their answers, `_stream_table.ts` the streams.
 *
 * Whatever a peer sends, a malformed or refused message is an error reply (or, one-way, a
 * report to `onError`), never a crash: unknown methods and operations, references it does not
 * hold, bodies that do not decode, argument lists over {@linkcode MAX_ARGS}.
 *
 * @module
 */

import { ConnectionInvalidError, IpcError, ProtocolError, RemoteError } from "../errors.ts";
import { Channel, COPY, type Receiver } from "../ports/channel.ts";
import {
  dataFrame,
  EMPTY,
  helloFrame,
  K_ERROR,
  K_ONEWAY,
  K_REPLY,
  K_REQUEST,
  MAX_WHOLE,
} from "../ports/protocol.ts";
import { openPortSocket } from "../ports/lookup.ts";
import { PROTOCOL_VERSION } from "../transport/protocol.ts";
import type { RuntimeDirOptions } from "../transport/runtime_dir.ts";
import { resolveRuntimeDir } from "../transport/runtime_dir.ts";
import { decodeValue } from "../wire/msgpack.ts";
import { isDictionary, type Value } from "../wire/value.ts";
import {
  ERROR_CODES,
  frameOf,
  isId,
  KIND_FUNCTION,
  LIMITS,
  MAX_ARGS,
  MAX_RUNNING,
  MAX_STREAMS,
  type MethodTable,
  OP,
  Refusal,
  remoteErrorOf,
  REPLY,
  ROOT,
  thrownOf,
} from "./protocol.ts";
import { ExportTable, isByRef, methodSet } from "./references.ts";
import type { CallOptions, RemoteHandle } from "./remote_object.ts";
import { StreamTable } from "./_stream_table.ts";
import { type Pending, PendingCalls } from "./_calls.ts";
import { Marshal, type Peer, peerOf } from "./_marshal.ts";

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** Options of a {@linkcode Connection}. */
export interface ConnectionOptions extends RuntimeDirOptions {
  /** The vended name at the other end, when this side connected to it by name. @default {undefined} */
  name?: string;
  /** The vended name of this side, when it is the vendor. @default {undefined} */
  vendorName?: string;
  /** What this side vends (target 0), when it is the vendor. @default {undefined} */
  root?: { object: object; table: MethodTable };
  /** The objects this side hands out by reference. @default {a table of its own} */
  exports?: ExportTable;
  /** Milliseconds a call waits for its result; 0 waits forever. @default {0} */
  timeout?: number;
  /**
   * Told of failures nobody waits for: a one-way call that threw, a malformed one-way message.
   * @default {logs to standard error}
   */
  onError?: (error: unknown, what: string) => void;
  /** Called once when the connection ends. @default {undefined} */
  onInvalidate?: () => void;
}

/** The connection a proxy or remote function calls through. */
export function connectionOf(remote: object): Connection | undefined {
  const peer = peerOf(remote);
  return peer instanceof Connection ? peer : undefined;
}

function defaultOnError(error: unknown, what: string): void {
  console.error(
    `ipckit distributed: ${what} failed: ${error instanceof Error ? error.stack : error}`,
  );
}

/** Whether `value` can be iterated with `for await`. */
function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}

/** Whether `value` is a promise, or like one. */
function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function";
}

/** The message of whatever was thrown. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** One connection; see the module documentation. */
export class Connection implements Peer {
  #channel: Channel;
  #name: string | undefined;
  #vendorName: string | undefined;
  #root: { object: object; table: MethodTable } | undefined;
  #exports: ExportTable;
  #timeout: number;
  #onError: (error: unknown, what: string) => void;
  #server: boolean;
  #calls = new PendingCalls();
  #marshal: Marshal;
  #streams = new StreamTable({
    isValid: () => this.#valid,
    itemFrame: (stream, item) => {
      const body = this.#marshal.encode([stream], item, "item", false);
      return this.#valid ? frameOf(K_ONEWAY, 0, OP.item, body) : undefined;
    },
    write: (frame, payload, written) => this.#channel.write(frame, payload, written),
    oneway: (op, body) => this.#oneway(op, body),
    readerWaits: () => {
      if (this.#valid) this.#channel.ref(true);
    },
    readerStopped: () => this.#updateRef(),
  });
  /** Calls of this side's objects running or being answered. */
  #running = 0;
  #resumeReading: (() => void) | undefined;
  #valid = true;
  #closing = false;
  #onInvalidate: (() => void)[] = [];
  #peerPid: number | undefined;
  #ready: Promise<void>;
  #helloSeen!: () => void;
  #helloFailed!: (error: Error) => void;

  /**
   * Speaks over `conn`: the vendor's side when `options.root` is given (it answers the peer's
   * hello), else the side that connected.
   */
  constructor(conn: Deno.UnixConn, options: ConnectionOptions) {
    this.#name = options.name;
    this.#vendorName = options.vendorName;
    this.#root = options.root;
    this.#server = options.root !== undefined;
    this.#exports = options.exports ?? new ExportTable();
    this.#timeout = options.timeout ?? 0;
    this.#onError = options.onError ?? defaultOnError;
    if (options.onInvalidate) this.#onInvalidate.push(options.onInvalidate);
    this.#marshal = new Marshal(this, {
      exports: this.#exports,
      root: this.#root,
      vendorName: this.#vendorName,
      runtimeDir: options.runtimeDir,
      oneway: (op, body) => this.#oneway(op, body),
      request: (op, body, what) => this.#request(op, body, what),
      named: (name, named) => namedConnection(name, named).then((other) => other.#marshal),
    });
    this.#ready = new Promise((resolve, reject) => {
      this.#helloSeen = resolve;
      this.#helloFailed = reject;
    });
    this.#ready.catch(() => {});
    this.#channel = new Channel(conn, this.#receiver());
    if (!this.#server) {
      this.#channel.write(helloFrame(this.#name ?? ""));
      this.#channel.ref(false);
    }
  }

  /** What the other end is called in messages. */
  get label(): string {
    if (this.#name !== undefined) return `"${this.#name}"`;
    return this.#server ? "a connected process" : "the vendor";
  }

  /** The vended name at the other end, when this side connected to it by name. */
  get name(): string | undefined {
    return this.#name;
  }

  /** The other process's id, once its hello arrived. */
  get peerPid(): number | undefined {
    return this.#peerPid;
  }

  /** Whether the connection still works. */
  get isValid(): boolean {
    return this.#valid;
  }

  /** Resolves once the other side's hello arrived. */
  get ready(): Promise<void> {
    return this.#ready;
  }

  /** The handle of the vended object at the other end (target 0). */
  get rootHandle(): RemoteHandle {
    return this.#marshal.rootHandle;
  }

  /** Calls `callback` once when the connection ends; returns a function that unregisters it. */
  onInvalidate(callback: () => void): () => void {
    if (!this.#valid) {
      queueMicrotask(callback);
      return () => {};
    }
    this.#onInvalidate.push(callback);
    return () => {
      const i = this.#onInvalidate.indexOf(callback);
      if (i >= 0) this.#onInvalidate.splice(i, 1);
    };
  }

  /**
   * Ends the connection: calls waiting on it fail, references both ways are let go. It is
   * ended when this returns (the promise is for `await`, as on every long-lived object);
   * calling it again does nothing.
   *
   * @param reason what the other side is told.
   */
  close(reason = "the other side closed the connection"): Promise<void> {
    if (this.#valid) {
      this.#closing = true;
      this.#channel.close({ code: "closed", message: reason });
    }
    return Promise.resolve();
  }

  /** Ends the connection at the end of an `await using` scope ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Asks the other side for the method table of what it vends. */
  table(): Promise<MethodTable> {
    return this.#request(OP.table, null, "the method table").then((value) => {
      const table = value as { methods?: unknown; oneway?: unknown };
      if (
        !isDictionary(table) || !Array.isArray(table.methods) || !Array.isArray(table.oneway) ||
        !table.methods.every((m) => typeof m === "string") ||
        !table.oneway.every((m) => typeof m === "string")
      ) {
        throw new ProtocolError(`${this.label} sent a malformed method table`);
      }
      return { methods: table.methods as string[], oneway: table.oneway as string[] };
    });
  }

  /**
   * Calls `method` of the object `target` at the other end (0: the vended object; `""`: the
   * function itself) and resolves with its result; one-way, once the call is written.
   */
  call(
    target: number,
    method: string,
    args: unknown[],
    oneway: boolean,
    options: CallOptions = {},
  ): Promise<unknown> {
    if (!this.#valid) return Promise.reject(this.#invalidError());
    let body: Value;
    try {
      let n = args.length;
      while (n > 0 && args[n - 1] === undefined) n--; // trailing optional arguments
      if (n > MAX_ARGS) {
        throw new RangeError(`${n} arguments are over the limit of ${MAX_ARGS}`);
      }
      body = this.#marshal.encode(
        [target, method],
        n === args.length ? args : args.slice(0, n),
        "argument",
        true,
      );
    } catch (error) {
      const what = method === "" ? `calling ${this.#rootLabel(target)}` : `calling ${method}()`;
      if (error instanceof TypeError) {
        return Promise.reject(new TypeError(`${what}: ${error.message}`, { cause: error }));
      }
      return Promise.reject(error);
    }
    if (oneway) {
      this.#marshal.flushReleases();
      return new Promise((resolve, reject) => {
        const [frame, payload] = frameOf(K_ONEWAY, 0, OP.call, body);
        this.#channel.write(
          frame,
          payload,
          (error) => error === undefined ? resolve(undefined) : reject(this.#sendError(error)),
        );
      });
    }
    const what = method === "" ? "the function" : `${method}()`;
    return this.#send(OP.call, body, what, args, options.timeout ?? this.#timeout);
  }

  #rootLabel(target: number): string {
    return target === ROOT ? this.label : `the function #${target} of ${this.label}`;
  }

  /** A request that waits for its answer. */
  #send(op: number, body: Value, what: string, keep: unknown, timeout: number) {
    this.#marshal.flushReleases();
    return new Promise<unknown>((resolve, reject) => {
      const id = this.#calls.newId();
      const [frame, payload] = frameOf(K_REQUEST, id, op, body); // throws: rejects
      const pending: Pending = { resolve, reject, what, keep };
      this.#calls.add(id, pending, timeout, this.label, () => this.#updateRef());
      this.#channel.ref(true);
      this.#channel.write(frame, payload, (error) => {
        if (error === undefined || !this.#calls.drop(id, pending)) return;
        reject(this.#sendError(error));
      });
    });
  }

  #request(op: number, body: Value, what: string): Promise<unknown> {
    if (!this.#valid) return Promise.reject(this.#invalidError());
    return this.#send(op, body, what, undefined, this.#timeout);
  }

  #sendError(error: unknown): Error {
    if (!this.#valid) return this.#invalidError();
    return error instanceof Error ? error : new IpcError(String(error));
  }

  #invalidError(why?: string): ConnectionInvalidError {
    return new ConnectionInvalidError(
      this.#server
        ? `the connection from ${this.label} ended${why ? `: ${why}` : ""}`
        : `the connection to ${this.label} is invalid${
          why ? `: ${why}` : ""
        }; connect again once it is vended again`,
    );
  }

  /** Lets go of a proxy or remote function now (`release()`). */
  releaseHandle(handle: RemoteHandle): void {
    this.#marshal.release(handle);
  }

  #oneway(op: number, body: Value): void {
    if (!this.#valid) return;
    const [frame, payload] = frameOf(K_ONEWAY, 0, op, body);
    this.#channel.write(frame, payload);
  }

  // -------------------------------------------------------------------------------------------
  // Frames in

  #receiver(): Receiver {
    return {
      // A message's bytes are copied into memory shared with others' (never handed out
      // twice): byte arrays in the decoded values are views into it, and an array of their
      // own for every message would cost more than the rest of its reading.
      target: (kind) =>
        kind === K_REQUEST || kind === K_ONEWAY || kind === K_REPLY || kind === K_ERROR
          ? COPY
          : null,
      data: (kind, id, msgid, _total, payload) => {
        // Nothing is returned to the channel: a value would hold its reading back.
        const body = payload ?? EMPTY;
        switch (kind) {
          case K_REQUEST:
            this.#onRequest(id, msgid, body);
            return this.#holdReading();
          case K_ONEWAY:
            this.#onOneway(msgid, body);
            return this.#holdReading();
          case K_REPLY:
            this.#onReply(id, msgid, body);
            return;
          case K_ERROR:
            this.#onRefused(id, body);
            return;
        }
        throw new ProtocolError(
          `a Distributed Objects connection got a frame of type ${
            String.fromCharCode(kind)
          } (messages over ${MAX_WHOLE} bytes go as streams)`,
        );
      },
      hello: (fields) => {
        if (fields.v !== PROTOCOL_VERSION) {
          const message = `protocol mismatch: the other side speaks ipckit protocol ${
            String(fields.v)
          } (${
            String(fields.name)
          }), this side ${PROTOCOL_VERSION}; use the same ipckit version on both sides`;
          this.#helloFailed(new ProtocolError(message));
          this.#channel.close({ code: "version", message });
          return;
        }
        if (
          !this.#server && this.#name !== undefined && typeof fields.port === "string" &&
          fields.port !== this.#name
        ) {
          // A socket file that leads to another vendor (a link planted in ports/): the
          // calls would go to an object nobody asked for.
          const message =
            `the socket of "${this.#name}" is answered by the vendor of "${fields.port}" (a link or a stray file in the runtime directory's ports/); remove it and vend "${this.#name}" again`;
          this.#helloFailed(new ProtocolError(message));
          this.#invalidate(message); // what waits hears why, not that the channel closed
          this.#channel.close({ code: "wrong-port", message });
          return;
        }
        if (typeof fields.pid === "number") this.#peerPid = fields.pid;
        if (this.#server) this.#channel.write(helloFrame(this.#vendorName ?? ""));
        this.#helloSeen();
      },
      idle: () => this.#updateRef(),
      closed: (error, bye) => {
        const why = this.#closing
          ? "it was closed here"
          : error
          ? error.message
          : bye
          ? "the other side closed it"
          : this.#server
          ? "the process went away"
          : "its vendor went away";
        this.#invalidate(why);
      },
    };
  }

  /** Whether the connection should keep the process alive: a call or a stream waits on it. */
  #updateRef(): void {
    // (The channel calls it once from its constructor, before it is ours.)
    if (this.#server || !this.#valid || !(this.#channel as Channel | undefined)) return;
    // Not for references the peer holds: its collector may keep them for ever, and a script
    // that is done would never end.
    this.#channel.ref(this.#calls.size > 0 || this.#streams.readerWaiting);
  }

  #invalidate(why: string): void {
    if (!this.#valid) return;
    this.#valid = false;
    const error = this.#invalidError(why);
    this.#helloFailed(error);
    this.#calls.rejectAll(error);
    this.#streams.endAll(error);
    this.#marshal.invalidate();
    for (const callback of this.#onInvalidate.splice(0)) {
      try {
        callback();
      } catch (caught) {
        this.#onError(caught, "an onInvalidate callback");
      }
    }
  }

  #onReply(id: number, status: number, body: Uint8Array): void {
    const pending = this.#calls.take(id);
    if (!pending) return; // timed out meanwhile
    try {
      const message = decodeValue(body, LIMITS);
      if (status === REPLY.value) pending.resolve(message);
      else if (status === REPLY.refs) {
        if (!Array.isArray(message) || message.length !== 2) {
          throw new ProtocolError("a malformed reply");
        }
        const value = this.#marshal.attach(message[0], message[1]);
        if (value instanceof Promise) value.then(pending.resolve, pending.reject);
        else pending.resolve(value);
      } else if (status === REPLY.thrown) {
        pending.reject(remoteErrorOf(message, pending.what, this.label));
      } else if (status === REPLY.stream) {
        if (!Array.isArray(message) || !isId(message[0])) {
          throw new ProtocolError("a malformed stream reply");
        }
        pending.resolve(this.#streams.read(message[0] as number));
      } else throw new ProtocolError(`a reply of unknown status ${status}`);
    } catch (error) {
      pending.reject(
        error instanceof Refusal || error instanceof ProtocolError
          ? new ProtocolError(`${this.label} answered ${pending.what} with ${error.message}`)
          : error,
      );
    }
  }

  #onRefused(id: number, body: Uint8Array): void {
    const pending = this.#calls.take(id);
    if (!pending) return;
    pending.reject(new RemoteError(ERROR_CODES.badRequest, decoder.decode(body)));
  }

  #onRequest(id: number, op: number, body: Uint8Array): void {
    switch (op) {
      case OP.call:
        return this.#serveCall(id, body, false);
      case OP.table: {
        if (!this.#root) {
          return this.#answerThrown(
            id,
            new Refusal(ERROR_CODES.unknownReference, "nothing is vended here"),
          );
        }
        const { methods, oneway } = this.#root.table;
        return this.#reply(id, REPLY.value, { methods, oneway });
      }
      case OP.retain: {
        let target: unknown;
        let token: unknown;
        try {
          const message = decodeValue(body, LIMITS);
          if (Array.isArray(message)) [target, token] = message;
        } catch { /* answered below */ }
        if (!isId(target)) {
          return this.#answerThrown(id, new Refusal(ERROR_CODES.badRequest, "a malformed retain"));
        }
        // Only a process a holder handed the reference on to knows its secret: ids are
        // counted from 1, and a guessed one must not reach another caller's object.
        if (typeof token !== "string" || !this.#exports.retain(target as number, this, token)) {
          return this.#answerThrown(
            id,
            new Refusal(
              ERROR_CODES.unknownReference,
              `object #${target} of ${
                this.#vendorName ?? "this process"
              } was released before it could be taken, or was not handed on to this process`,
            ),
          );
        }
        return this.#reply(id, REPLY.value, true);
      }
    }
    // Not a Distributed Objects request (`ipckit send` to a vended name): said plainly.
    const text = `${
      this.#vendorName ?? "this port"
    } vends a Distributed Object and answers only its calls (message id ${op} is none); use connect() from the ipckit library`;
    this.#channel.write(dataFrame(K_ERROR, id, op, -1, encoder.encode(text)));
  }

  #onOneway(op: number, body: Uint8Array): void {
    if (op === OP.call) return this.#serveCall(0, body, true);
    let message: Value;
    try {
      message = decodeValue(body, LIMITS);
    } catch (error) {
      this.#onError(error, `a malformed one-way message from ${this.label}`);
      return;
    }
    const m = Array.isArray(message) ? message : [];
    switch (op) {
      case OP.release:
        for (const pair of m) {
          if (Array.isArray(pair) && isId(pair[0]) && isId(pair[1])) {
            this.#exports.release(pair[0] as number, this, pair[1] as number);
          }
        }
        return;
      case OP.credit:
        if (isId(m[0]) && isId(m[1])) this.#streams.sent(m[0] as number)?.credit(m[1] as number);
        return;
      case OP.cancel:
        if (isId(m[0])) this.#streams.sent(m[0] as number)?.cancel();
        return;
      case OP.item: {
        const stream = isId(m[0]) ? this.#streams.reading(m[0] as number) : undefined;
        if (!stream || m.length < 2) return;
        try {
          const item = this.#marshal.attach(m[1], m[2]);
          if (item instanceof Promise) item.catch(() => {});
          stream.push(item);
        } catch (error) {
          stream.end(error);
        }
        return;
      }
      case OP.end: {
        const stream = isId(m[0]) ? this.#streams.reading(m[0] as number) : undefined;
        stream?.end(m.length > 1 ? remoteErrorOf(m[1], "", this.label) : undefined);
        return;
      }
    }
    this.#onError(
      new ProtocolError(`an unknown one-way operation ${op}`),
      `a one-way message from ${this.label}`,
    );
  }

  /** A call of one of our objects: checked, run, answered (unless one-way). */
  #serveCall(id: number, body: Uint8Array, oneway: boolean): void {
    this.#running++;
    let method = "";
    try {
      let message: Value;
      try {
        message = decodeValue(body, LIMITS);
      } catch (error) {
        throw new Refusal(ERROR_CODES.badRequest, `a malformed call: ${messageOf(error)}`);
      }
      if (
        !Array.isArray(message) || message.length < 3 || message.length > 4 ||
        !isId(message[0]) || typeof message[1] !== "string" || !Array.isArray(message[2])
      ) {
        throw new Refusal(
          ERROR_CODES.badRequest,
          "a malformed call: not [target, method, arguments]",
        );
      }
      const target = message[0] as number;
      method = message[1];
      const args = message[2];
      if (args.length > MAX_ARGS) {
        throw new Refusal(
          ERROR_CODES.badRequest,
          `a call with ${args.length} arguments, over the limit of ${MAX_ARGS}`,
        );
      }
      let self: object | undefined;
      let fn: unknown;
      if (target === ROOT) {
        if (!this.#root) {
          throw new Refusal(ERROR_CODES.unknownReference, "nothing is vended here");
        }
        if (!methodSet(this.#root.table).has(method)) {
          throw new Refusal(
            ERROR_CODES.unknownMethod,
            `"${method}" is not a method that can be called on ${
              this.#vendorName ? `"${this.#vendorName}"` : "the vended object"
            }`,
          );
        }
        self = this.#root.object;
        fn = (self as Record<string, unknown>)[method];
      } else {
        const entry = this.#exports.held(target, this);
        if (!entry) {
          throw new Refusal(
            ERROR_CODES.unknownReference,
            `no object #${target} was handed to this connection (or it was released)`,
          );
        }
        if (entry.kind === KIND_FUNCTION) {
          if (method !== "") {
            throw new Refusal(ERROR_CODES.unknownMethod, `object #${target} is a function`);
          }
          fn = entry.object;
        } else {
          if (!methodSet(entry.table).has(method)) {
            throw new Refusal(
              ERROR_CODES.unknownMethod,
              `"${method}" is not a method that can be called on object #${target}`,
            );
          }
          self = entry.object;
          fn = (self as Record<string, unknown>)[method];
        }
      }
      if (typeof fn !== "function") {
        throw new Refusal(ERROR_CODES.unknownMethod, `"${method}" is no longer a function`);
      }
      const attached = this.#marshal.attach(args, message[3]);
      const f = fn as (...a: unknown[]) => unknown;
      if (attached instanceof Promise) {
        attached.then(
          (callArgs) => this.#run(id, oneway, method, f, self, callArgs as unknown[]),
          (error) => this.#answered(id, oneway, method, undefined, error, true),
        );
      } else this.#run(id, oneway, method, f, self, attached as unknown[]);
    } catch (error) {
      this.#answered(id, oneway, method, undefined, error, true);
    }
  }

  /** Runs a call and answers it: at once when it returns a value, else once it settles. */
  #run(
    id: number,
    oneway: boolean,
    method: string,
    fn: (...args: unknown[]) => unknown,
    self: object | undefined,
    args: unknown[],
  ): void {
    let result: unknown;
    try {
      result = Reflect.apply(fn, self, args);
    } catch (error) {
      return this.#answered(id, oneway, method, undefined, error, true);
    }
    if (isThenable(result)) {
      Promise.resolve(result).then(
        (value) => this.#answered(id, oneway, method, value, undefined, false),
        (error) => this.#answered(id, oneway, method, undefined, error, true),
      );
    } else this.#answered(id, oneway, method, result, undefined, false);
  }

  #answered(
    id: number,
    oneway: boolean,
    method: string,
    result: unknown,
    error: unknown,
    failed: boolean,
  ): void {
    if (oneway) {
      this.#callDone();
      if (failed) this.#onError(error, `the one-way call ${method || "of a function"}()`);
      return;
    }
    if (!this.#valid) return;
    if (failed) return this.#answerThrown(id, error, true);
    if (isAsyncIterable(result) && !isByRef(result)) {
      if (this.#streams.sending >= MAX_STREAMS) {
        try {
          (result as AsyncIterable<unknown>)[Symbol.asyncIterator]().return?.()?.catch(() => {});
        } catch { /* its own business */ }
        return this.#answerThrown(
          id,
          new RangeError(
            `${
              method || "the function"
            }() returned a stream, and ${MAX_STREAMS} streams of this connection are open: read them to their end or stop reading them first`,
          ),
          true,
        );
      }
      const stream = this.#streams.newId();
      this.#reply(id, REPLY.stream, [stream], true);
      this.#streams.send(stream, result);
      return;
    }
    if (result === undefined) result = null;
    // The usual results need no walk: scalars and bytes.
    const type = typeof result;
    if (
      type === "number" || type === "string" || type === "boolean" || type === "bigint" ||
      result === null || result instanceof Uint8Array
    ) {
      return this.#reply(id, REPLY.value, result as Value, true);
    }
    let body: Value;
    try {
      body = this.#marshal.encode([], result, "result", false);
    } catch (caught) {
      const message = `the result of ${method || "the function"}() cannot be sent: ${
        messageOf(caught)
      }`;
      return this.#answerThrown(
        id,
        caught instanceof TypeError ? new TypeError(message) : new RangeError(message),
        true,
      );
    }
    const message = body as Value[];
    if (message.length === 1) this.#reply(id, REPLY.value, message[0], true);
    else this.#reply(id, REPLY.refs, message, true);
  }

  #answerThrown(id: number, error: unknown, call = false): void {
    this.#reply(id, REPLY.thrown, thrownOf(error), call);
  }

  /** Answers request `id`; the answer of a call (`call`) ends it once written. */
  #reply(id: number, status: number, body: Value, call = false): void {
    if (!this.#valid) return;
    let frame: Uint8Array, payload: Uint8Array | undefined;
    try {
      [frame, payload] = frameOf(K_REPLY, id, status, body);
    } catch (error) {
      // A result over the limits (a string, the frame): the caller hears why.
      if (status === REPLY.thrown) throw error;
      return this.#answerThrown(id, error, call);
    }
    this.#channel.write(frame, payload, call ? this.#callDone : undefined);
  }

  /**
   * A call is over (its answer written, or a one-way call done). A peer that sends calls
   * without reading their answers is not read any more once {@linkcode MAX_RUNNING} are
   * running, until one is over: what waits here stays bounded.
   */
  #callDone = (): void => {
    if (--this.#running >= MAX_RUNNING || !this.#resumeReading) return;
    const resume = this.#resumeReading;
    this.#resumeReading = undefined;
    resume();
  };

  /** Holds the channel's reading back while too many calls run. */
  #holdReading(): Promise<void> | undefined {
    if (this.#running < MAX_RUNNING || !this.#valid) return undefined;
    return new Promise((resolve) => this.#resumeReading = resolve);
  }
}

// ---------------------------------------------------------------------------------------------
// Connecting by name

/** Options of {@linkcode openConnection}. */
export interface OpenConnectionOptions extends RuntimeDirOptions {
  /**
   * Milliseconds to wait for a loaded service that declares the name to start and vend it; 0
   * waits forever. @default {10000}
   */
  demandTimeoutMs?: number;
  /** Milliseconds a call waits for its result; 0 waits forever. @default {0} */
  timeout?: number;
  /** Called once when the connection ends. @default {undefined} */
  onInvalidate?: () => void;
  /** Told of failures nobody waits for. @default {logs to standard error} */
  onError?: (error: unknown, what: string) => void;
}

/**
 * Connects to the object vended as `name` and waits for its hello.
 *
 * @throws {NotFoundError} when nothing is vended under the name.
 */
export async function openConnection(
  name: string,
  options: OpenConnectionOptions = {},
): Promise<Connection> {
  const { conn } = await openPortSocket(name, options);
  const connection = new Connection(conn, { ...options, name });
  return connection;
}

/** Connections this process opened to reach references handed on by a third process. */
const named = new Map<string, Promise<Connection>>();

/** A connection to `name` for references handed on by others: one per name and directory. */
function namedConnection(name: string, options: RuntimeDirOptions): Promise<Connection> {
  const key = `${resolveRuntimeDir(options)}\0${name}`;
  let connection = named.get(key);
  if (!connection) {
    connection = openConnection(name, {
      ...options,
      onInvalidate: () => named.delete(key),
    });
    connection.catch(() => named.delete(key));
    named.set(key, connection);
  }
  return connection;
}
