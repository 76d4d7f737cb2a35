/**
 * One connection between a vendor and a process that uses its object, the same on both ends:
 * either side calls the other's objects (the vended object, objects handed out by reference,
 * callbacks), answers calls, streams async iterables and releases references. It speaks over
 * a message port connection (`../ports.ts`'s `Channel`, its fixed-layout data frames), both
 * ways; `protocol.ts` has the messages.
 *
 * Whatever a peer sends, a malformed or refused message is an error reply (or, one-way, a
 * report to `onError`), never a crash: unknown methods and operations, references it does not
 * hold, bodies that do not decode, argument lists over {@linkcode MAX_ARGS}.
 *
 * @module
 */

import {
  ConnectionInvalidError,
  IpcError,
  ProtocolError,
  RemoteError,
  TimeoutError,
} from "../errors.ts";
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
import { startWatchdog } from "../_timer.ts";
import { decodeValue } from "../wire/msgpack.ts";
import {
  EnumConstant,
  isDescriptor,
  isDictionary,
  TypeCode,
  UInt64,
  Uuid,
  type Value,
} from "../wire/value.ts";
import {
  ERROR_CODES,
  KIND_FUNCTION,
  KIND_OBJECT,
  MAX_ARGS,
  MAX_REFS,
  MAX_RUNNING,
  MAX_STREAMS,
  MAX_UNWRITTEN_ITEM_BYTES,
  type MethodTable,
  OP,
  OWNER_NAMED,
  OWNER_RECEIVER,
  OWNER_SENDER,
  type RefDescriptor,
  type RefPath,
  REPLY,
  ROOT,
} from "./protocol.ts";
import { ExportTable, isByRef, setMethodTable } from "./references.ts";
import {
  type CallOptions,
  isRemote,
  makeRemoteFunction,
  makeRemoteObject,
  remoteEntry,
  type RemoteHandle,
} from "./remote_object.ts";
import { InStream, OutStream } from "./streams.ts";
import {
  checkPlace,
  describe,
  frameOf,
  isAsyncIterable,
  isId,
  isNames,
  isThenable,
  LIMITS,
  messageOf,
  methodSet,
  pathOf,
  Refusal,
  thrownOf,
} from "./_messages.ts";

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

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
  /** What was asked, for messages: `echo()`, `the function`, `the method table`. */
  what: string;
  /** The call's arguments, kept until the answer: references in them stay held meanwhile. */
  keep: unknown;
  cancelTimer?: () => void;
}

/** A reference this side holds to one of the peer's objects. */
class RefHandle implements RemoteHandle {
  readonly connection: Connection;
  readonly target: number;
  readonly kind: number;
  readonly table: MethodTable;
  readonly label: string;
  /** The owner's secret for handing this reference on to a third process (see `retain`). */
  readonly token: string;
  /** The proxy or function that stands for it (it holds this handle, not the other way). */
  remote: WeakRef<object> | undefined;
  released = false;

  constructor(
    connection: Connection,
    target: number,
    kind: number,
    table: MethodTable,
    token = "",
  ) {
    this.connection = connection;
    this.target = target;
    this.kind = kind;
    this.table = table;
    this.token = token;
    this.label = target === ROOT
      ? connection.label
      : `${kind === KIND_FUNCTION ? "function" : "object"} #${target} of ${connection.label}`;
  }

  get isValid(): boolean {
    return !this.released && this.connection.isValid;
  }

  call(method: string, args: unknown[], oneway: boolean, options: CallOptions): Promise<unknown> {
    if (this.released) {
      return Promise.reject(
        new ConnectionInvalidError(`${this.label} was released; it cannot be called any more`),
      );
    }
    return this.connection.call(this.target, method, args, oneway, options);
  }

  release(): void {
    this.connection.releaseHandle(this);
  }
}

/** The connection a proxy or remote function calls through. */
export function connectionOf(remote: object): Connection | undefined {
  const handle = remoteEntry(remote)?.handle;
  return handle instanceof RefHandle ? handle.connection : undefined;
}

interface Imported {
  handle: WeakRef<RefHandle>;
  /** How many times the peer sent it since this side last released it. */
  count: number;
}

interface FinalizationHeld {
  connection: Connection;
  target: number;
  entry: Imported;
}

/** Reused by every encoding (which never nests): no arrays of their own for each message. */
const SCRATCH_REFS: [RefPath, RefDescriptor][] = [];
const SCRATCH_AT: RefPath = [];

function defaultOnError(error: unknown, what: string): void {
  console.error(
    `ipckit distributed: ${what} failed: ${error instanceof Error ? error.stack : error}`,
  );
}

/** One connection; see the module documentation. */
export class Connection {
  static #registry = new FinalizationRegistry<FinalizationHeld>((held) =>
    held.connection.#finalized(held)
  );
  /** Streams whose reader dropped them unfinished: their owner is told to stop. */
  static #dropped = new FinalizationRegistry<{ connection: Connection; stream: number }>(
    ({ connection, stream }) => {
      if (!connection.#inStreams.delete(stream)) return;
      connection.sendCancel(stream);
    },
  );

  #channel: Channel;
  #name: string | undefined;
  #vendorName: string | undefined;
  #root: { object: object; table: MethodTable } | undefined;
  #exports: ExportTable;
  #options: ConnectionOptions;
  #timeout: number;
  #onError: (error: unknown, what: string) => void;
  #server: boolean;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #imports = new Map<number, Imported>();
  #outStreams = new Map<number, OutStream>();
  /** Bytes of stream items given to the channel and not written yet. */
  #itemBytes = 0;
  /** Streams waiting for {@linkcode #itemBytes} to go down. */
  #drainWaiters: (() => void)[] = [];
  /** The streams being read here: weakly, so that one its reader dropped is cancelled. */
  #inStreams = new Map<number, WeakRef<InStream>>();
  #nextStream = 1;
  /** Calls of this side's objects running or being answered. */
  #running = 0;
  #resumeReading: (() => void) | undefined;
  #valid = true;
  #closing = false;
  #onInvalidate: (() => void)[] = [];
  #releases: number[] = [];
  #releaseQueued = false;
  #peerPid: number | undefined;
  #ready: Promise<void>;
  #helloSeen!: () => void;
  #helloFailed!: (error: Error) => void;
  #rootHandle: RefHandle;

  /**
   * Speaks over `conn`: the vendor's side when `options.root` is given (it answers the peer's
   * hello), else the side that connected.
   */
  constructor(conn: Deno.UnixConn, options: ConnectionOptions) {
    this.#options = options;
    this.#name = options.name;
    this.#vendorName = options.vendorName;
    this.#root = options.root;
    this.#server = options.root !== undefined;
    this.#exports = options.exports ?? new ExportTable();
    this.#timeout = options.timeout ?? 0;
    this.#onError = options.onError ?? defaultOnError;
    if (options.onInvalidate) this.#onInvalidate.push(options.onInvalidate);
    this.#rootHandle = new RefHandle(this, ROOT, KIND_OBJECT, { methods: [], oneway: [] });
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
    return this.#rootHandle;
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
      body = this.#encode(
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
      if (this.#releases.length > 0) this.#flushReleases();
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
    if (this.#releases.length > 0) this.#flushReleases();
    return new Promise<unknown>((resolve, reject) => {
      const id = this.#nextId++;
      const [frame, payload] = frameOf(K_REQUEST, id, op, body); // throws: rejects
      const pending: Pending = { resolve, reject, what, keep };
      this.#pending.set(id, pending);
      if (timeout > 0) {
        pending.cancelTimer = startWatchdog(timeout, () => {
          if (this.#pending.get(id) !== pending) return;
          this.#pending.delete(id);
          reject(
            new TimeoutError(`${what} of ${this.label} did not answer within ${timeout} ms`),
          );
          this.#updateRef();
        });
      }
      this.#channel.ref(true);
      this.#channel.write(frame, payload, (error) => {
        if (error === undefined) return;
        const entry = this.#pending.get(id);
        if (entry !== pending) return;
        this.#pending.delete(id);
        pending.cancelTimer?.();
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

  // -------------------------------------------------------------------------------------------
  // Values out: references in, wire values checked with the path of what cannot go

  /** The message `[...head, value]`, or `[...head, value, refs]` when it carries references. */
  #encode(head: Value[], value: unknown, root: string, functions: boolean): Value {
    const refs = SCRATCH_REFS;
    const at = SCRATCH_AT;
    refs.length = 0;
    at.length = 0;
    let prepared: unknown;
    try {
      if (root === "argument") {
        // The arguments: each named by its position.
        const args = value as unknown[];
        let copy: unknown[] | undefined;
        for (let i = 0; i < args.length; i++) {
          at.push(i);
          const item = this.#prepare(args[i], root, at, refs, functions, 1);
          at.pop();
          if (item !== args[i]) (copy ??= args.slice())[i] = item;
        }
        prepared = copy ?? args;
      } else prepared = this.#prepare(value, root, at, refs, functions, 0);
    } finally {
      at.length = 0;
    }
    head.push(prepared as Value);
    if (refs.length > 0) {
      if (refs.length > MAX_REFS) {
        throw new RangeError(`${refs.length} references are over the limit of ${MAX_REFS}`);
      }
      head.push(refs.splice(0) as unknown as Value);
    }
    return head as Value;
  }

  /**
   * `value` as it goes on the wire: the same value when it is all wire values (nothing is
   * copied), else a copy with `null` where a reference goes, each listed in `refs` with its
   * place. `at` is the place of `value` under `root`; a path is spelled only for an error.
   */
  #prepare(
    value: unknown,
    root: string,
    at: RefPath,
    refs: [RefPath, RefDescriptor][],
    functions: boolean,
    depth: number,
  ): unknown {
    switch (typeof value) {
      case "number":
      case "boolean":
      case "string":
      case "bigint":
        return value;
      case "function":
        if (isRemote(value)) {
          refs.push([[...at], this.#describeRemote(value)]);
          return null;
        }
        if (!functions && !isByRef(value)) {
          throw new TypeError(
            `${
              pathOf(root, at)
            }: a function goes only as an argument (a callback), or marked with byRef()`,
          );
        }
        refs.push([[...at], this.#describeLocal(value)]);
        return null;
      case "object": {
        if (value === null) return null;
        if (
          value instanceof Uint8Array || value instanceof Date || value instanceof UInt64 ||
          value instanceof Uuid || value instanceof TypeCode ||
          value instanceof EnumConstant || isDescriptor(value)
        ) {
          return value;
        }
        if (isRemote(value)) {
          refs.push([[...at], this.#describeRemote(value)]);
          return null;
        }
        if (isByRef(value)) {
          refs.push([[...at], this.#describeLocal(value)]);
          return null;
        }
        if (depth >= LIMITS.maxDepth) {
          throw new RangeError(
            `${pathOf(root, at)}: nested deeper than the limit of ${LIMITS.maxDepth}`,
          );
        }
        if (Array.isArray(value)) {
          let copy: unknown[] | undefined;
          for (let i = 0; i < value.length; i++) {
            const item = value[i];
            // Scalars need no place of their own (the usual bulk of a large array).
            if (typeof item !== "object" && typeof item !== "function") {
              if (item === undefined || typeof item === "symbol") at.push(i);
              else continue;
            } else at.push(i);
            const out = this.#prepare(item, root, at, refs, functions, depth + 1);
            at.pop();
            if (out !== item) (copy ??= value.slice())[i] = out;
          }
          return copy ?? value;
        }
        if (isDictionary(value)) {
          let copy: Record<string, unknown> | undefined;
          for (const key of Object.keys(value)) {
            at.push(key);
            const item = this.#prepare(value[key], root, at, refs, functions, depth + 1);
            at.pop();
            if (item !== value[key]) (copy ??= { ...value })[key] = item;
          }
          return copy ?? value;
        }
      }
    }
    throw new TypeError(
      `${pathOf(root, at)}: ${
        describe(value)
      } is not a wire value; send null, booleans, numbers, bigints, strings, Uint8Arrays, Dates, UInt64, Uuid, scripting descriptors, arrays and plain objects, or mark it with byRef() to pass it by reference`,
    );
  }

  /** A reference to one of this side's objects, handed to the peer once more. */
  #describeLocal(object: object): RefDescriptor {
    const entry = this.#exports.export(object, this);
    // A function's table is empty; a one-way function says so with the method "" (itself).
    const oneway = entry.kind === KIND_FUNCTION ? (entry.oneway ? [""] : []) : entry.table.oneway;
    return [OWNER_SENDER, entry.id, entry.kind, entry.table.methods, oneway, entry.token];
  }

  /** A proxy being handed on: back to its owner, to a named owner, or forwarded by us. */
  #describeRemote(value: object): RefDescriptor {
    const entry = remoteEntry(value)!;
    const handle = entry.handle;
    if (handle instanceof RefHandle) {
      if (handle.connection === this) return [OWNER_RECEIVER, handle.target];
      const name = handle.connection.name;
      if (name !== undefined) {
        return [
          OWNER_NAMED,
          handle.target,
          handle.kind,
          entry.table.methods,
          entry.table.oneway,
          name,
          handle.token,
        ];
      }
    }
    // The owner has no name the peer could reach: we forward its calls.
    setMethodTable(value, entry.table);
    return this.#describeLocal(value);
  }

  // -------------------------------------------------------------------------------------------
  // Values in: references become proxies (or our own objects again)

  /** Puts the objects `refs` describe in their places in `value`; a promise when one waits. */
  #attach(value: unknown, refs: unknown): unknown {
    if (refs === undefined) return value;
    if (!Array.isArray(refs) || refs.length > MAX_REFS) {
      throw new Refusal(ERROR_CODES.badRequest, "a malformed list of references");
    }
    const places: { path: RefPath; object: unknown }[] = [];
    let waits: Promise<unknown>[] | undefined;
    for (const ref of refs) {
      if (!Array.isArray(ref) || ref.length !== 2 || !Array.isArray(ref[0])) {
        throw new Refusal(ERROR_CODES.badRequest, "a malformed reference");
      }
      const path = ref[0] as RefPath;
      if (path.length === 0 && refs.length > 1) {
        throw new Refusal(ERROR_CODES.badRequest, "a reference in place of the whole and more");
      }
      checkPlace(value, path);
      const place = { path, object: this.#resolve(ref[1]) };
      if (place.object instanceof Promise) {
        (waits ??= []).push(place.object.then((object) => place.object = object));
      }
      places.push(place);
    }
    const put = () => {
      let root = value;
      for (const { path, object } of places) {
        if (path.length === 0) root = object;
        else {
          let container = root as Record<string | number, unknown>;
          for (let i = 0; i < path.length - 1; i++) {
            container = container[path[i]] as Record<string | number, unknown>;
          }
          container[path[path.length - 1]] = object;
        }
      }
      return root;
    };
    return waits ? Promise.all(waits).then(put) : put();
  }

  /** The object a reference stands for: a proxy, one of ours, or (named) a promise of one. */
  #resolve(descriptor: unknown): unknown {
    const d = descriptor as unknown[];
    const malformed = () => new Refusal(ERROR_CODES.badRequest, "a malformed reference");
    if (!Array.isArray(d) || typeof d[0] !== "number" || !isId(d[1])) throw malformed();
    const id = d[1] as number;
    if (d[0] === OWNER_RECEIVER) {
      if (id === ROOT && this.#root) return this.#root.object;
      const entry = this.#exports.held(id, this);
      if (!entry) {
        throw new Refusal(
          ERROR_CODES.unknownReference,
          `a reference to object #${id}, which this side did not hand to the caller (or it was released)`,
        );
      }
      return entry.object;
    }
    if (d[0] !== OWNER_SENDER && d[0] !== OWNER_NAMED) throw malformed();
    const [kind, methods, oneway] = [d[2], d[3], d[4]];
    if (
      (kind !== KIND_OBJECT && kind !== KIND_FUNCTION) || !isNames(methods) || !isNames(oneway)
    ) {
      throw malformed();
    }
    const table: MethodTable = { methods: methods as string[], oneway: oneway as string[] };
    if (d[0] === OWNER_SENDER) {
      return this.#import(id, kind, table, typeof d[5] === "string" ? d[5] : "");
    }
    const name = d[5];
    if (typeof name !== "string" || name.length === 0) throw malformed();
    if (name === this.#vendorName) {
      // One of ours, coming back from a process that holds it on another connection: only
      // that process may name it (ids are not secrets to guess from).
      const entry = this.#exports.get(id);
      const pid = this.#peerPid;
      const holds = entry &&
        [...entry.holds.keys()].some((holder) =>
          holder === this || (holder instanceof Connection && holder.peerPid === pid)
        );
      if (!entry || !holds) {
        throw new Refusal(
          ERROR_CODES.unknownReference,
          `a reference to object #${id}, which was not handed to the caller (or it was released)`,
        );
      }
      return entry.object;
    }
    const options: RuntimeDirOptions = { runtimeDir: this.#options.runtimeDir };
    const token = typeof d[6] === "string" ? d[6] : "";
    return namedConnection(name, options).then(async (connection) => {
      await connection.#request(OP.retain, [id, token], "taking a reference");
      return connection.#import(id, kind, table, token);
    });
  }

  /** A proxy (or function) for the peer's object `target`, the same one while it lives. */
  #import(target: number, kind: number, table: MethodTable, token: string): object {
    const known = this.#imports.get(target);
    const handle = known?.handle.deref();
    if (known && handle) {
      // Held already: the same proxy, or a new one for the same handle when only proxies
      // made from it with other options (withTimeout) are left.
      known.count++;
      const remote = handle.remote?.deref();
      if (remote) return remote;
      const made = this.#remoteFor(handle);
      handle.remote = new WeakRef(made);
      return made;
    }
    // Collected but not finalized yet: what it held is released now (its finalizer will
    // find another entry and do nothing).
    if (known) this.#queueRelease(target, known.count);
    const fresh = new RefHandle(this, target, kind, table, token);
    const made = this.#remoteFor(fresh);
    fresh.remote = new WeakRef(made);
    const entry: Imported = { handle: new WeakRef(fresh), count: 1 };
    this.#imports.set(target, entry);
    // The handle lives as long as any proxy made from it (withTimeout's included).
    Connection.#registry.register(fresh, { connection: this, target, entry }, fresh);
    return made;
  }

  #remoteFor(handle: RefHandle): object {
    return handle.kind === KIND_FUNCTION
      ? makeRemoteFunction(handle, handle.table.oneway.includes(""))
      : makeRemoteObject(handle, handle.table);
  }

  #finalized(held: FinalizationHeld): void {
    if (this.#imports.get(held.target) !== held.entry) return;
    this.#imports.delete(held.target);
    this.#queueRelease(held.target, held.entry.count);
  }

  /** Lets go of a proxy or remote function now (`release()`). */
  releaseHandle(handle: RemoteHandle): void {
    if (!(handle instanceof RefHandle) || handle.connection !== this || handle.released) return;
    if (handle.target !== ROOT) handle.released = true;
    if (handle.target === ROOT) {
      this.close();
      return;
    }
    const entry = this.#imports.get(handle.target);
    if (entry?.handle.deref() !== handle) return;
    Connection.#registry.unregister(handle);
    this.#imports.delete(handle.target);
    this.#queueRelease(handle.target, entry.count);
  }

  #queueRelease(target: number, count: number): void {
    if (!this.#valid) return;
    this.#releases.push(target, count);
    if (this.#releaseQueued) return;
    this.#releaseQueued = true;
    queueMicrotask(() => this.#flushReleases());
  }

  /** Sends the releases queued; before any request, so that it comes after them. */
  #flushReleases(): void {
    this.#releaseQueued = false;
    if (this.#releases.length === 0) return;
    const flat = this.#releases.splice(0);
    if (!this.#valid) return;
    const pairs: number[][] = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
    this.#oneway(OP.release, pairs);
  }

  // -------------------------------------------------------------------------------------------
  // Streams

  /** @internal A stream's item goes out. */
  sendItem(stream: number, item: unknown): void {
    const body = this.#encode([stream], item, "item", false);
    if (!this.#valid) return;
    const [frame, payload] = frameOf(K_ONEWAY, 0, OP.item, body);
    const size = frame.length + (payload?.length ?? 0);
    this.#itemBytes += size;
    this.#channel.write(frame, payload, () => {
      this.#itemBytes -= size;
      if (this.#itemBytes < MAX_UNWRITTEN_ITEM_BYTES) this.#drained();
    });
  }

  /**
   * @internal Waits while a peer that does not read leaves {@linkcode MAX_UNWRITTEN_ITEM_BYTES}
   * of items unwritten: each stream's window bounds its items, this bounds them all.
   */
  drained(): Promise<void> | undefined {
    if (this.#itemBytes < MAX_UNWRITTEN_ITEM_BYTES || !this.#valid) return undefined;
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #drained(): void {
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }

  /** @internal A stream ended. */
  sendEnd(stream: number, error?: unknown): void {
    this.#oneway(
      OP.end,
      error === undefined ? [stream] : [stream, thrownOf(error)],
    );
  }

  /** @internal The reader takes more. */
  sendCredit(stream: number, items: number): void {
    this.#oneway(OP.credit, [stream, items]);
  }

  /** @internal A reader waits for an item. */
  readerWaits(): void {
    if (this.#valid) this.#channel.ref(true);
  }

  /** @internal The reader stopped. */
  sendCancel(stream: number): void {
    this.#oneway(OP.cancel, [stream]);
    this.#updateRef();
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
    let reading = false;
    for (const ref of this.#inStreams.values()) if (ref.deref()?.waiting) reading = true;
    this.#channel.ref(this.#pending.size > 0 || reading);
  }

  #invalidate(why: string): void {
    if (!this.#valid) return;
    this.#valid = false;
    const error = this.#invalidError(why);
    this.#helloFailed(error);
    for (const pending of this.#pending.values()) {
      pending.cancelTimer?.();
      pending.reject(error);
    }
    this.#pending.clear();
    for (const ref of this.#inStreams.values()) ref.deref()?.end(error);
    this.#inStreams.clear();
    for (const stream of this.#outStreams.values()) stream.cancel();
    this.#outStreams.clear();
    this.#drained();
    this.#exports.releaseAll(this);
    for (const { handle } of this.#imports.values()) {
      const h = handle.deref();
      if (h) Connection.#registry.unregister(h);
    }
    this.#imports.clear();
    for (const callback of this.#onInvalidate.splice(0)) {
      try {
        callback();
      } catch (caught) {
        this.#onError(caught, "an onInvalidate callback");
      }
    }
  }

  #onReply(id: number, status: number, body: Uint8Array): void {
    const pending = this.#pending.get(id);
    if (!pending) return; // timed out meanwhile
    this.#pending.delete(id);
    pending.cancelTimer?.();
    try {
      const message = decodeValue(body, LIMITS);
      if (status === REPLY.value) pending.resolve(message);
      else if (status === REPLY.refs) {
        if (!Array.isArray(message) || message.length !== 2) {
          throw new ProtocolError("a malformed reply");
        }
        const value = this.#attach(message[0], message[1]);
        if (value instanceof Promise) value.then(pending.resolve, pending.reject);
        else pending.resolve(value);
      } else if (status === REPLY.thrown) {
        pending.reject(this.#remoteError(message, pending.what));
      } else if (status === REPLY.stream) {
        if (!Array.isArray(message) || !isId(message[0])) {
          throw new ProtocolError("a malformed stream reply");
        }
        const streamId = message[0] as number;
        const stream = new InStream(streamId, this, (done) => {
          this.#inStreams.delete(done);
          Connection.#dropped.unregister(stream);
          this.#updateRef();
        });
        this.#inStreams.set(streamId, new WeakRef(stream));
        Connection.#dropped.register(stream, { connection: this, stream: streamId }, stream);
        pending.resolve(stream);
      } else throw new ProtocolError(`a reply of unknown status ${status}`);
    } catch (error) {
      pending.reject(
        error instanceof Refusal || error instanceof ProtocolError
          ? new ProtocolError(`${this.label} answered ${pending.what} with ${error.message}`)
          : error,
      );
    }
  }

  #remoteError(message: Value, what: string): RemoteError {
    const fields = isDictionary(message) ? message : {};
    const text = typeof fields.message === "string" ? fields.message : "(no message)";
    const name = typeof fields.name === "string" ? fields.name : "Error";
    const code = typeof fields.code === "string" ? fields.code : ERROR_CODES.exception;
    const error = new RemoteError(code, text, {
      remoteName: name,
      remoteStack: typeof fields.stack === "string" ? fields.stack : undefined,
    });
    if (what && code === ERROR_CODES.exception) {
      error.stack = `RemoteError: ${name}: ${text}\n    at ${what} in ${this.label}`;
    }
    return error;
  }

  #onRefused(id: number, body: Uint8Array): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    pending.cancelTimer?.();
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
        if (isId(m[0]) && isId(m[1])) this.#outStreams.get(m[0] as number)?.credit(m[1] as number);
        return;
      case OP.cancel:
        if (isId(m[0])) this.#outStreams.get(m[0] as number)?.cancel();
        return;
      case OP.item: {
        const stream = isId(m[0]) ? this.#inStreams.get(m[0] as number)?.deref() : undefined;
        if (!stream || m.length < 2) return;
        try {
          const item = this.#attach(m[1], m[2]);
          if (item instanceof Promise) item.catch(() => {});
          stream.push(item);
        } catch (error) {
          stream.end(error);
        }
        return;
      }
      case OP.end: {
        const stream = isId(m[0]) ? this.#inStreams.get(m[0] as number)?.deref() : undefined;
        stream?.end(m.length > 1 ? this.#remoteError(m[1], "") : undefined);
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
      const attached = this.#attach(args, message[3]);
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
      if (this.#outStreams.size >= MAX_STREAMS) {
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
      const stream = this.#nextStream++;
      this.#reply(id, REPLY.stream, [stream], true);
      this.#outStreams.set(
        stream,
        new OutStream(stream, result, this, (done) => this.#outStreams.delete(done)),
      );
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
      body = this.#encode([], result, "result", false);
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
