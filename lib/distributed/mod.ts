/**
 * Distributed Objects: a process vends an object under a name, others connect and call its
 * methods through a typed proxy; the calls run in the vending process (`NSConnection`'s root
 * object and `NSDistantObject`, asynchronous, typed and bounded).
 *
 * - Values go **by copy** as wire values (`../wire/value.ts`); a value the wire cannot carry
 *   is a `TypeError` at the caller naming where it is (`argument 0.meta: a Map is not a wire
 *   value…`).
 * - Objects marked with {@linkcode byRef}, and functions passed as arguments (callbacks), go
 *   **by reference**: the other side gets a proxy whose calls come back to the owner. A
 *   reference is let go when its proxy is garbage-collected, {@linkcode release}d, or its
 *   connection ends; handed on to a third process, it calls its owner (directly when the
 *   owner is a vendor the sender connected to by name, else through the sender). A cycle of
 *   references across processes is never collected: release one of them.
 * - **One-way** methods ({@linkcode oneway}, or `vend`'s `oneway` option) return once the call
 *   is written; the vendor logs what they throw.
 * - A method that returns an **async iterable** streams its items with back-pressure.
 * - An exception in the vendor rejects the call with a `RemoteError` carrying the remote class
 *   name, message and stack; a vendor that goes away rejects every pending call with
 *   `ConnectionInvalidError` ({@linkcode onInvalidate}); {@linkcode withTimeout} bounds calls.
 *
 * A vended name is a message port name: `ipckit ports` lists it, and the connection speaks the
 * ports' frames in both directions (`protocol.ts`).
 *
 * @example Vend in one process, call from another
 * ```ts
 * import { byRef, type ByRef, connect, vend } from "./mod.ts";
 *
 * class Counter {
 *   #n = 0;
 *   increment(by: number): number {
 *     return this.#n += by;
 *   }
 * }
 * class Store {
 *   counter(): ByRef<Counter> {
 *     return byRef(new Counter());
 *   }
 *   async *range(n: number): AsyncGenerator<number> {
 *     for (let i = 0; i < n; i++) yield i;
 *   }
 * }
 * const vendor = await vend("com.example.store", new Store());
 *
 * const store = await connect<Store>("com.example.store");
 * const counter = await store.counter(); // a Remote<Counter>
 * console.log(await counter.increment(2)); // 2
 * for await (const i of await store.range(3)) console.log(i); // 0 1 2
 * await vendor.close();
 * ```
 *
 * @module
 */

export {
  type ByRef,
  byRef,
  type byRefBrand,
  isByRef,
  type MethodTableOptions,
  oneway,
} from "./references.ts";
export { vend, type VendOptions, Vendor } from "./vendor.ts";
export {
  type AnyFunction,
  connect,
  connectionFor,
  type ConnectOptions,
  invoke,
  isValid,
  onInvalidate,
  release,
  type Remote,
  type RemoteMethod,
  type RemoteValue,
  withTimeout,
} from "./proxy.ts";
export type { Connection } from "./connection.ts";
export type { CallOptions, RemoteHandle } from "./remote_object.ts";
export type { MethodTable } from "./protocol.ts";
export type { RuntimeDirOptions } from "../transport/runtime_dir.ts";
