/**
 * The values of a connection's messages, out and in. Out, a value the wire cannot carry is a
 * `TypeError` naming its place, and objects marked with `byRef`, callbacks and proxies go as
 * references (`protocol.ts`'s `RefDescriptor`); in, references become proxies (or this side's
 * own objects again), held while their proxy lives and released in batches.
 *
 * @module
 */

import { ConnectionInvalidError } from "../errors.ts";
import type { RuntimeDirOptions } from "../transport/runtime_dir.ts";
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
  checkPlace,
  ERROR_CODES,
  isId,
  isNames,
  KIND_FUNCTION,
  KIND_OBJECT,
  LIMITS,
  MAX_REFS,
  type MethodTable,
  OP,
  OWNER_NAMED,
  OWNER_RECEIVER,
  OWNER_SENDER,
  type RefDescriptor,
  type RefPath,
  Refusal,
  ROOT,
} from "./protocol.ts";
import { type ExportTable, isByRef, setMethodTable } from "./references.ts";
import {
  type CallOptions,
  isRemote,
  makeRemoteFunction,
  makeRemoteObject,
  remoteEntry,
  type RemoteHandle,
} from "./remote_object.ts";

/** What the references of a connection need of it. */
export interface Peer {
  /** What the other end is called in messages. */
  readonly label: string;
  /** The vended name at the other end, when this side connected to it by name. */
  readonly name: string | undefined;
  /** The other process's id, once its hello arrived. */
  readonly peerPid: number | undefined;
  /** Whether the connection still works. */
  readonly isValid: boolean;
  /** Calls `method` of the peer's object `target`. */
  call(
    target: number,
    method: string,
    args: unknown[],
    oneway: boolean,
    options: CallOptions,
  ): Promise<unknown>;
  /** Lets go of a proxy or remote function now. */
  releaseHandle(handle: RemoteHandle): void;
  /** Ends the connection. */
  close(): Promise<void>;
}

/** Options of a {@linkcode Marshal}. */
export interface MarshalOptions {
  /** The objects this side hands out by reference. */
  exports: ExportTable;
  /** What this side vends (target 0), when it is the vendor. @default {undefined} */
  root?: { object: object; table: MethodTable };
  /** The vended name of this side, when it is the vendor. @default {undefined} */
  vendorName?: string;
  /** Where named vendors are reached. @default {the default runtime directory} */
  runtimeDir?: string;
  /** Sends a one-way message to the peer. */
  oneway: (op: number, body: Value) => void;
  /** Sends a request to the peer and waits for its answer. */
  request: (op: number, body: Value, what: string) => Promise<unknown>;
  /** The references of this process's connection to the vendor `name`, made once. */
  named: (name: string, options: RuntimeDirOptions) => Promise<Marshal>;
}

/** A reference this side holds to one of the peer's objects. */
class RefHandle implements RemoteHandle {
  readonly connection: Peer;
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
    connection: Peer,
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

/** The peer a proxy or remote function calls through. */
export function peerOf(remote: object): Peer | undefined {
  const handle = remoteEntry(remote)?.handle;
  return handle instanceof RefHandle ? handle.connection : undefined;
}

interface Imported {
  handle: WeakRef<RefHandle>;
  /** How many times the peer sent it since this side last released it. */
  count: number;
}

interface FinalizationHeld {
  marshal: Marshal;
  target: number;
  entry: Imported;
}

/** Reused by every encoding (which never nests): no arrays of their own for each message. */
const SCRATCH_REFS: [RefPath, RefDescriptor][] = [];
const SCRATCH_AT: RefPath = [];

/** What a value is, for a message: `a Map`, `undefined`, `a function`. */
function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "symbol") return "a symbol";
  if (typeof value === "function") return "a function";
  const name = (value as object).constructor?.name;
  return name ? `a ${name}` : "an object without a prototype";
}

/** A place spelled for people: `argument 0.meta[2]`, `result.items[1]`. */
function pathOf(root: string, at: RefPath): string {
  let path = root;
  at.forEach((step, i) => {
    if (i === 0 && root === "argument") path += ` ${step}`;
    else path += typeof step === "number" ? `[${step}]` : `.${step}`;
  });
  return path;
}

/** The connections of this process: the holders of what it hands out by reference. */
const peers = new WeakSet<Peer>();

/** The references of one connection, both ways; see the module documentation. */
export class Marshal {
  static #registry = new FinalizationRegistry<FinalizationHeld>((held) =>
    held.marshal.#finalized(held)
  );

  #peer: Peer;
  #exports: ExportTable;
  #root: { object: object; table: MethodTable } | undefined;
  #vendorName: string | undefined;
  #runtimeDir: string | undefined;
  #oneway: (op: number, body: Value) => void;
  #request: (op: number, body: Value, what: string) => Promise<unknown>;
  #named: (name: string, options: RuntimeDirOptions) => Promise<Marshal>;
  #imports = new Map<number, Imported>();
  #releases: number[] = [];
  #releaseQueued = false;
  #rootHandle: RefHandle;

  /** The references of `peer`'s messages; `peer` holds what this side hands out. */
  constructor(peer: Peer, options: MarshalOptions) {
    this.#peer = peer;
    this.#exports = options.exports;
    this.#root = options.root;
    this.#vendorName = options.vendorName;
    this.#runtimeDir = options.runtimeDir;
    this.#oneway = options.oneway;
    this.#request = options.request;
    this.#named = options.named;
    this.#rootHandle = new RefHandle(peer, ROOT, KIND_OBJECT, { methods: [], oneway: [] });
    peers.add(peer);
  }

  /** The handle of the vended object at the other end (target 0). */
  get rootHandle(): RemoteHandle {
    return this.#rootHandle;
  }

  // -------------------------------------------------------------------------------------------
  // Values out: references in, wire values checked with the path of what cannot go

  /**
   * The message `[...head, value]`, or `[...head, value, refs]` when it carries references.
   * `root` names the value in errors (`argument`, `result`, `item`); `functions`: whether
   * functions go by reference without `byRef()` (callbacks in arguments).
   */
  encode(head: Value[], value: unknown, root: string, functions: boolean): Value {
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
    const entry = this.#exports.export(object, this.#peer);
    // A function's table is empty; a one-way function says so with the method "" (itself).
    const oneway = entry.kind === KIND_FUNCTION ? (entry.oneway ? [""] : []) : entry.table.oneway;
    return [OWNER_SENDER, entry.id, entry.kind, entry.table.methods, oneway, entry.token];
  }

  /** A proxy being handed on: back to its owner, to a named owner, or forwarded by us. */
  #describeRemote(value: object): RefDescriptor {
    const entry = remoteEntry(value)!;
    const handle = entry.handle;
    if (handle instanceof RefHandle) {
      if (handle.connection === this.#peer) return [OWNER_RECEIVER, handle.target];
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
  attach(value: unknown, refs: unknown): unknown {
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
      const entry = this.#exports.held(id, this.#peer);
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
      const pid = this.#peer.peerPid;
      const holds = entry &&
        [...entry.holds.keys()].some((holder) =>
          holder === this.#peer || (peers.has(holder as Peer) && (holder as Peer).peerPid === pid)
        );
      if (!entry || !holds) {
        throw new Refusal(
          ERROR_CODES.unknownReference,
          `a reference to object #${id}, which was not handed to the caller (or it was released)`,
        );
      }
      return entry.object;
    }
    const options: RuntimeDirOptions = { runtimeDir: this.#runtimeDir };
    const token = typeof d[6] === "string" ? d[6] : "";
    return this.#named(name, options).then(async (other) => {
      await other.#request(OP.retain, [id, token], "taking a reference");
      return other.#import(id, kind, table, token);
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
    const fresh = new RefHandle(this.#peer, target, kind, table, token);
    const made = this.#remoteFor(fresh);
    fresh.remote = new WeakRef(made);
    const entry: Imported = { handle: new WeakRef(fresh), count: 1 };
    this.#imports.set(target, entry);
    // The handle lives as long as any proxy made from it (withTimeout's included).
    Marshal.#registry.register(fresh, { marshal: this, target, entry }, fresh);
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
  release(handle: RemoteHandle): void {
    if (!(handle instanceof RefHandle) || handle.connection !== this.#peer || handle.released) {
      return;
    }
    if (handle.target !== ROOT) handle.released = true;
    if (handle.target === ROOT) {
      this.#peer.close();
      return;
    }
    const entry = this.#imports.get(handle.target);
    if (entry?.handle.deref() !== handle) return;
    Marshal.#registry.unregister(handle);
    this.#imports.delete(handle.target);
    this.#queueRelease(handle.target, entry.count);
  }

  #queueRelease(target: number, count: number): void {
    if (!this.#peer.isValid) return;
    this.#releases.push(target, count);
    if (this.#releaseQueued) return;
    this.#releaseQueued = true;
    queueMicrotask(() => this.#flushReleases());
  }

  /** Sends the releases queued; before any request, so that it comes after them. */
  flushReleases(): void {
    if (this.#releases.length > 0) this.#flushReleases();
  }

  #flushReleases(): void {
    this.#releaseQueued = false;
    if (this.#releases.length === 0) return;
    const flat = this.#releases.splice(0);
    if (!this.#peer.isValid) return;
    const pairs: number[][] = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
    this.#oneway(OP.release, pairs);
  }

  /** The connection ended: what the peer held here is let go, its proxies here are dead. */
  invalidate(): void {
    this.#exports.releaseAll(this.#peer);
    for (const { handle } of this.#imports.values()) {
      const h = handle.deref();
      if (h) Marshal.#registry.unregister(h);
    }
    this.#imports.clear();
  }
}
