/**
 * The vending side: an object served under a port name ({@linkcode vend}), one
 * {@linkcode Connection} per process that connects, and one table of what it handed out by
 * reference, shared by its connections (so a reference handed on to a third process can be
 * taken by that process on a connection of its own).
 *
 * @module
 */

import { bindPortName, type BoundPortName, releasePortName } from "../ports/bind.ts";
import type { RuntimeDirOptions } from "../transport/runtime_dir.ts";
import { Connection } from "./connection.ts";
import type { MethodTable } from "./protocol.ts";
import { ExportTable, methodTableOf } from "./references.ts";

/** Options of {@linkcode vend}. */
export interface VendOptions extends RuntimeDirOptions {
  /**
   * Exactly the methods that may be called. @default {the functions on the object's prototype
   * chain up to, not including, `Object.prototype`; never `constructor`}
   */
  methods?: readonly string[];
  /** Methods that are one-way (as well as those marked with `oneway()`). @default {[]} */
  oneway?: readonly string[];
  /**
   * Told of failures nobody waits for: a one-way call that threw, a malformed one-way message.
   * @default {logs them to standard error}
   */
  onError?: (error: unknown, what: string) => void;
  /** Milliseconds the vendor's calls of callers' callbacks wait for a result; 0: forever. @default {0} */
  timeout?: number;
}

/** An object being vended; see {@linkcode vend}. */
export class Vendor {
  #name: string;
  #bound: BoundPortName;
  #root: { object: object; table: MethodTable };
  #options: VendOptions;
  #exports = new ExportTable();
  #connections = new Set<Connection>();
  #valid = true;
  #closed: Promise<void> | undefined;

  /** @internal Use {@linkcode vend}. */
  constructor(name: string, bound: BoundPortName, object: object, options: VendOptions) {
    this.#name = name;
    this.#bound = bound;
    this.#options = options;
    this.#root = { object, table: methodTableOf(object, options) };
    bound.endpoint.accept((conn) => this.#accepted(conn));
  }

  /** The name it is vended under (a port name: `ipckit ports` lists it). */
  get name(): string {
    return this.#name;
  }

  /** The methods that may be called, and which are one-way. */
  get table(): MethodTable {
    return this.#root.table;
  }

  /** How many processes are connected. */
  get connections(): number {
    return this.#connections.size;
  }

  /** How many objects it has handed out by reference that someone still holds. */
  get references(): number {
    return this.#exports.size;
  }

  /** Whether it is still vended. */
  get isValid(): boolean {
    return this.#valid;
  }

  /**
   * Stops vending: stops accepting, ends every connection (their pending calls fail with
   * `ConnectionInvalidError`), removes the socket and lets go of the name.
   */
  close(): Promise<void> {
    this.#closed ??= this.#shutdown();
    return this.#closed;
  }

  /** Stops vending at the end of an `await using` scope ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutdown(): Promise<void> {
    this.#valid = false;
    await this.#bound.endpoint.close();
    for (const connection of this.#connections) {
      connection.close(`the vendor stopped vending "${this.#name}"`);
    }
    this.#connections.clear();
    await releasePortName(this.#bound);
  }

  #accepted(conn: Deno.UnixConn): void {
    const connection = new Connection(conn, {
      root: this.#root,
      vendorName: this.#name,
      exports: this.#exports,
      runtimeDir: this.#options.runtimeDir,
      timeout: this.#options.timeout,
      onError: this.#options.onError,
      onInvalidate: () => this.#connections.delete(connection),
    });
    this.#connections.add(connection);
  }
}

/**
 * Vends `object` under `name`: other processes {@linkcode connect} to it and call its methods,
 * which run here. `methods` limits what can be called (by default every method on the object's
 * prototype chain up to `Object.prototype`, never `constructor`); properties are reachable only
 * through methods.
 *
 * @param name a port name (1 to 255 characters); `ipckit ports` lists it.
 * @param object the object whose methods are called.
 * @throws {NameTakenError} when another live process serves the name.
 * @throws {TypeError} when `methods` or `oneway` names something that is not a method.
 *
 * @example
 * ```ts
 * import { vend } from "./vendor.ts";
 * const vendor = await vend("com.example.calc", { add: (a: number, b: number) => a + b });
 * await vendor.close();
 * ```
 */
export async function vend(
  name: string,
  object: object,
  options: VendOptions = {},
): Promise<Vendor> {
  if ((typeof object !== "object" && typeof object !== "function") || object === null) {
    throw new TypeError("vend() takes an object whose methods are called");
  }
  methodTableOf(object, options); // a wrong list fails before the name is taken
  const bound = await bindPortName(name, options);
  return new Vendor(name, bound, object, options);
}
