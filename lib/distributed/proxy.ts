/**
 * The calling side: {@linkcode connect} to a vended object and get a typed proxy,
 * {@linkcode Remote}, whose methods return promises; and the few functions that act on a
 * proxy rather than call through it (their names cannot clash with the object's methods).
 *
 * @module
 */

import { ConnectionInvalidError, ProtocolError, TimeoutError } from "../errors.ts";
import { type Connection, connectionOf, openConnection } from "./connection.ts";
import type { ByRef } from "./references.ts";
import { makeRemoteObject, remoteEntry, withOptions } from "./remote_object.ts";
import type { RuntimeDirOptions } from "../transport/runtime_dir.ts";
import type { UInt64, Uuid } from "../wire/value.ts";

/** A function of any signature. */
export type AnyFunction = (...args: never[]) => unknown;

/** The wire values that are objects: they come as they went. */
type WireObject = Uint8Array | Date | UInt64 | Uuid;

/**
 * What a result becomes on the caller's side: an object marked with `byRef` a
 * {@linkcode Remote} of it (a function a {@linkcode RemoteMethod}), an async iterable an async
 * iterator of its items, arrays and dictionaries the same with their parts so mapped,
 * anything else its copy.
 */
export type RemoteValue<R> = R extends ByRef<infer O>
  ? (O extends AnyFunction ? RemoteMethod<O> : Remote<O>)
  : R extends WireObject ? R
  : R extends AsyncIterable<infer I> ? AsyncIterableIterator<RemoteValue<I>>
  : R extends readonly (infer E)[] ? RemoteValue<E>[]
  : R extends object ? { [K in keyof R]: RemoteValue<R[K]> }
  : R;

/** A method as the caller sees it: the same arguments, a promise of its result. */
export type RemoteMethod<F> = F extends (...args: infer A) => infer R
  ? (...args: A) => Promise<RemoteValue<Awaited<R>>>
  : never;

/**
 * The caller's view of a vended object of type `T`: its methods named by strings, each
 * returning a promise of its result; no properties, and never a thenable.
 */
export type Remote<T> = {
  readonly [
    K in keyof T as K extends "then" ? never
      : K extends string ? (T[K] extends AnyFunction ? K : never)
      : never
  ]: RemoteMethod<T[K]>;
};

/** Options of {@linkcode connect}. */
export interface ConnectOptions extends RuntimeDirOptions {
  /** Milliseconds each call waits for its result; 0 waits forever. @default {0} */
  timeout?: number;
  /**
   * Milliseconds to wait, when nothing vends the name but a loaded service declares it in its
   * `ports`, for that service to start and vend it; 0 waits forever. @default {10000}
   */
  launchTimeout?: number;
  /** Called once when the connection ends (the vendor went away, or it was closed). @default {undefined} */
  onInvalidate?: () => void;
  /**
   * Told of failures nobody waits for: a one-way call of one of this side's callbacks that
   * threw. @default {logs them to standard error}
   */
  onError?: (error: unknown, what: string) => void;
}

/**
 * Connects to the object vended as `name` and returns its proxy. The method table (which
 * methods there are, which are one-way) comes with the connection. When nothing vends the name
 * but a loaded service declares it in its `ports`, the service is started first (as the first
 * `send` to a port starts it), and the connection is made once it vends the object.
 *
 * @throws {NotFoundError} when nothing is vended under the name (or its service ended or could
 *   not start before it vended it).
 * @throws {PortTimeoutError} when its service did not vend it within `launchTimeout`.
 * @throws {ProtocolError} when the name is a message port that vends no object.
 *
 * @example
 * ```ts
 * import { connect } from "./proxy.ts";
 * interface Calc { add(a: number, b: number): number }
 * const calc = await connect<Calc>("com.example.calc");
 * console.log(await calc.add(1, 2)); // 3
 * ```
 */
export async function connect<T>(name: string, options: ConnectOptions = {}): Promise<Remote<T>> {
  const connection = await openConnection(name, {
    ...options,
    demandTimeoutMs: options.launchTimeout ?? 10_000,
  });
  let table;
  try {
    table = await connection.table();
  } catch (error) {
    connection.close();
    if (error instanceof ConnectionInvalidError || error instanceof TimeoutError) throw error;
    throw new ProtocolError(
      `the port "${name}" vends no object (a plain message port?): it answered the request for its method table with ${
        (error as Error).message
      }`,
      { cause: error },
    );
  }
  return makeRemoteObject(connection.rootHandle, table, { timeout: options.timeout }) as Remote<
    T
  >;
}

function entryOf(remote: object) {
  const entry = typeof remote === "object" || typeof remote === "function"
    ? remoteEntry(remote)
    : undefined;
  if (!entry) throw new TypeError("not a remote object or function (a proxy from connect())");
  return entry;
}

/**
 * Lets go of a remote object or function now, rather than when it is garbage-collected: its
 * owner drops it once no one else holds it, and calls through it fail from then on. For the
 * proxy {@linkcode connect} returned, it ends the connection.
 */
export function release(remote: object): void {
  entryOf(remote).handle.release();
}

/** Whether calls through `remote` can still be made (its connection lives, it was not released). */
export function isValid(remote: object): boolean {
  return entryOf(remote).handle.isValid;
}

/**
 * Calls `callback` once when the connection of `remote` ends (its vendor went away, or it was
 * closed); returns a function that unregisters it.
 */
export function onInvalidate(remote: object, callback: () => void): () => void {
  const connection = connectionOf(entryOf(remote) && remote);
  if (!connection) throw new TypeError("not a remote object or function");
  return connection.onInvalidate(callback);
}

/** The connection `remote` calls through (its vendor's process id, `close()`). */
export function connectionFor(remote: object): Connection {
  const connection = connectionOf(entryOf(remote) && remote);
  if (!connection) throw new TypeError("not a remote object or function");
  return connection;
}

/**
 * The same remote object or function, whose calls time out after `ms` milliseconds (0: never)
 * with a `TimeoutError`.
 *
 * @example
 * ```ts
 * import { connect, withTimeout } from "./proxy.ts";
 * const calc = await connect<{ slow(): void }>("com.example.calc");
 * await withTimeout(calc, 500).slow(); // TimeoutError after 0.5 s
 * ```
 */
export function withTimeout<T extends object>(remote: T, ms: number): T {
  if (!(ms >= 0)) throw new RangeError(`a timeout is 0 or more milliseconds, not ${ms}`);
  entryOf(remote);
  return withOptions(remote, { timeout: ms });
}

/**
 * Calls `method` of a remote object by name, whether or not its method table lists it (the
 * owner decides): for methods known only at run time.
 */
export function invoke(remote: object, method: string, ...args: unknown[]): Promise<unknown> {
  const entry = entryOf(remote);
  if (!entry.handle.isValid) {
    return Promise.reject(new ConnectionInvalidError(`${entry.handle.label} is invalid`));
  }
  return entry.handle.call(method, args, entry.table.oneway.includes(method), entry.options);
}
