/**
 * The local stand-ins of remote objects: a proxy whose methods send calls, and a function that
 * sends a call when called. They know nothing of connections: each holds a
 * {@linkcode RemoteHandle} that does the calling.
 *
 * A proxy answers only the methods of its table; everything else is answered here and never
 * sent: `then` is `undefined` (so a proxy is never taken for a promise, and `await connect()`
 * works), symbols and inspection are local, properties cannot be set.
 *
 * @module
 */

import type { MethodTable } from "./protocol.ts";

/** Options of one call. */
export interface CallOptions {
  /** Milliseconds to wait for the result; 0 waits forever. @default {0} */
  timeout?: number;
}

/** What a proxy or remote function calls through. */
export interface RemoteHandle {
  /** What the object is called in messages (the vended name, or a reference's). */
  readonly label: string;
  /** Whether calls can still be made. */
  readonly isValid: boolean;
  /** Sends a call of `method` (`""` for a function) and resolves with its result. */
  call(method: string, args: unknown[], oneway: boolean, options: CallOptions): Promise<unknown>;
  /** Lets go of the remote object now (for the vended object itself: ends the connection). */
  release(): void;
}

interface Entry {
  handle: RemoteHandle;
  table: MethodTable;
  options: CallOptions;
}

const entries = new WeakMap<object, Entry>();
const INSPECT = Symbol.for("Deno.customInspect");
const NODE_INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** The handle, table and options behind a proxy or remote function, if it is one. */
export function remoteEntry(value: object): Entry | undefined {
  return entries.get(value);
}

/** Whether `value` is a proxy or a remote function. */
export function isRemote(value: unknown): boolean {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    entries.has(value);
}

/** A proxy for a remote object with the methods of `table`. */
export function makeRemoteObject(
  handle: RemoteHandle,
  table: MethodTable,
  options: CallOptions = {},
): object {
  // A method named `then` would make the proxy a thenable: call it with `invoke()`.
  const methods = new Set(table.methods.filter((name) => name !== "then"));
  const oneways = new Set(table.oneway);
  const cache = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  const describe = () => `[remote ${handle.label}${handle.isValid ? "" : " (invalid)"}]`;
  // Deno's inspection looks at a proxy's target, not through its traps.
  const target = Object.create(null);
  target[INSPECT] = describe;
  target[NODE_INSPECT] = describe;
  const proxy = new Proxy(target, {
    get(_target, key) {
      if (typeof key === "symbol") {
        if (key === Symbol.toStringTag) return "RemoteObject";
        if (key === INSPECT || key === NODE_INSPECT) return describe;
        return undefined;
      }
      if (!methods.has(key)) return key === "toString" ? describe : undefined;
      let method = cache.get(key);
      if (!method) {
        const oneway = oneways.has(key);
        method = (...args: unknown[]) => handle.call(key, args, oneway, options);
        cache.set(key, method);
      }
      return method;
    },
    has(_target, key) {
      return typeof key === "string" && methods.has(key);
    },
    set() {
      return false;
    },
    defineProperty() {
      return false;
    },
    deleteProperty() {
      return false;
    },
    setPrototypeOf() {
      return false;
    },
  });
  entries.set(proxy, { handle, table, options });
  return proxy;
}

/** A function that calls a remote function. */
export function makeRemoteFunction(
  handle: RemoteHandle,
  oneway: boolean,
  options: CallOptions = {},
): (...args: unknown[]) => Promise<unknown> {
  const fn = (...args: unknown[]) => handle.call("", args, oneway, options);
  entries.set(fn, { handle, table: { methods: [""], oneway: oneway ? [""] : [] }, options });
  return fn;
}

/** The same remote object or function, its calls with other options. */
export function withOptions<T extends object>(remote: T, options: CallOptions): T {
  const entry = entries.get(remote);
  if (!entry) throw new TypeError("not a remote object or function");
  const merged = { ...entry.options, ...options };
  if (typeof remote === "function") {
    return makeRemoteFunction(entry.handle, entry.table.oneway.length > 0, merged) as T;
  }
  return makeRemoteObject(entry.handle, entry.table, merged) as T;
}
