/**
 * What goes by reference, and the table of objects this side has handed out by reference.
 *
 * An object marked with {@linkcode byRef}, and a function passed as an argument, crosses as a
 * reference: the other side gets a proxy whose calls come back here. The owner keeps each such
 * object in an {@linkcode ExportTable} for as long as some connection holds it; a holder says
 * how many times it received a reference when it lets go (`release` with a count), so a
 * reference sent again while the holder was releasing it is never dropped too early.
 *
 * @module
 */

import { KIND_FUNCTION, KIND_OBJECT, type MethodTable } from "./protocol.ts";

const BY_REF = new WeakSet<object>();
const ONEWAY = new WeakSet<object>();

/** The brand that keeps the mark of {@linkcode byRef} in a type (it exists in types only). */
export declare const byRefBrand: unique symbol;

/** An object marked to go by reference ({@linkcode byRef}); the type keeps the mark. */
export type ByRef<T extends object> = T & { readonly [byRefBrand]: true };

/**
 * Marks `object` to go by reference: whoever gets it from a call gets a proxy whose method
 * calls run here, in this process, on this object. Returns the object itself.
 *
 * @example
 * ```ts
 * import { byRef } from "./references.ts";
 * const counter = byRef({ n: 0, increment() { return ++this.n; } });
 * ```
 */
export function byRef<T extends object>(object: T): ByRef<T> {
  if (object === null || (typeof object !== "object" && typeof object !== "function")) {
    throw new TypeError("byRef() takes an object or a function");
  }
  BY_REF.add(object);
  return object as ByRef<T>;
}

/** Sets the method table `object` is handed out with (a proxy handed on: its own table). */
export function setMethodTable(object: object, table: MethodTable): void {
  tables.set(object, table);
}

/** Whether `value` was marked with {@linkcode byRef}. */
export function isByRef(value: object): boolean {
  return BY_REF.has(value);
}

/**
 * Marks a function as one-way: a call through a proxy returns once the call is written, and
 * what it throws is the owner's to log, never the caller's. Returns the function itself.
 *
 * @example
 * ```ts
 * import { oneway } from "./references.ts";
 * const logger = { log: oneway((line: string) => console.log(line)) };
 * ```
 */
export function oneway<F extends (...args: never[]) => unknown>(fn: F): F {
  if (typeof fn !== "function") throw new TypeError("oneway() takes a function");
  ONEWAY.add(fn);
  return fn;
}

/** Whether `fn` was marked with {@linkcode oneway}. */
export function isOneway(fn: object): boolean {
  return ONEWAY.has(fn);
}

/** Options of {@linkcode methodTableOf}. */
export interface MethodTableOptions {
  /** Exactly these methods may be called. @default {every method up to Object.prototype} */
  methods?: readonly string[];
  /** These methods are one-way (as well as those marked with `oneway()`). @default {[]} */
  oneway?: readonly string[];
}

/**
 * The method table of `object`: by default the functions on its prototype chain up to, not
 * including, `Object.prototype` (`Function.prototype` for a function), never `constructor`;
 * `methods` given is exact.
 *
 * @throws {TypeError} when a name in `methods` or `oneway` is not a method of the object.
 */
export function methodTableOf(object: object, options: MethodTableOptions = {}): MethodTable {
  let methods: string[];
  if (options.methods) {
    methods = [...new Set(options.methods)];
    for (const name of methods) {
      if (typeof (object as Record<string, unknown>)[name] !== "function") {
        throw new TypeError(`"${name}" is listed in methods but is not a method of the object`);
      }
    }
  } else {
    const found = new Set<string>();
    const stop = typeof object === "function" ? Function.prototype : Object.prototype;
    for (let o: object | null = object; o && o !== stop; o = Object.getPrototypeOf(o)) {
      for (const name of Object.getOwnPropertyNames(o)) {
        if (name === "constructor" || found.has(name)) continue;
        const descriptor = Object.getOwnPropertyDescriptor(o, name);
        if (typeof descriptor?.value === "function") found.add(name);
      }
    }
    methods = [...found];
  }
  const oneways = new Set<string>();
  for (const name of options.oneway ?? []) {
    if (!methods.includes(name)) {
      throw new TypeError(`"${name}" is listed in oneway but is not a method that can be called`);
    }
    oneways.add(name);
  }
  for (const name of methods) {
    const fn = (object as Record<string, unknown>)[name];
    if (typeof fn === "function" && ONEWAY.has(fn)) oneways.add(name);
  }
  return { methods, oneway: [...oneways] };
}

const methodSets = new WeakMap<MethodTable, Set<string>>();

/** The methods of `table` as a set, made once per table. */
export function methodSet(table: MethodTable): Set<string> {
  let set = methodSets.get(table);
  if (!set) {
    set = new Set(table.methods);
    methodSets.set(table, set);
  }
  return set;
}

/** One object handed out by reference. */
export interface Exported {
  /** Its id, unique in its table while it is exported. */
  id: number;
  /** The object or function. */
  object: object;
  /** {@linkcode KIND_OBJECT} or {@linkcode KIND_FUNCTION}. */
  kind: number;
  /** What may be called on it (a function: nothing but itself). */
  table: MethodTable;
  /** Whether calls to it (a function) are one-way. */
  oneway: boolean;
  /**
   * The secret a holder hands on with the reference, which a third process shows to take it
   * (`retain`): unguessable, unlike the id.
   */
  token: string;
  /** How many times each holder received it and has not released it. */
  holds: Map<object, number>;
}

const tables = new WeakMap<object, MethodTable>();
const NO_METHODS: MethodTable = Object.freeze({ methods: [], oneway: [] }) as MethodTable;

/**
 * The objects one side has handed out by reference, with who holds each how many times. An
 * object leaves the table once no holder holds it: released, or its connection ended.
 */
export class ExportTable {
  #byId = new Map<number, Exported>();
  #byObject = new Map<object, Exported>();
  #perHolder = new Map<object, number>();
  #next = 1;

  /** How many objects are handed out. */
  get size(): number {
    return this.#byId.size;
  }

  /** Hands `object` out to `holder` once more; returns its entry. */
  export(object: object, holder: object): Exported {
    let entry = this.#byObject.get(object);
    if (!entry) {
      // A function goes as a function, marked byRef (to go as a result) or not.
      const isFunction = typeof object === "function";
      let table = isFunction ? NO_METHODS : tables.get(object);
      if (!table) {
        table = methodTableOf(object);
        tables.set(object, table);
      }
      entry = {
        id: this.#next++,
        object,
        kind: isFunction ? KIND_FUNCTION : KIND_OBJECT,
        table,
        oneway: isFunction && ONEWAY.has(object),
        token: crypto.randomUUID(),
        holds: new Map(),
      };
      this.#byId.set(entry.id, entry);
      this.#byObject.set(object, entry);
    }
    this.#hold(entry, holder);
    return entry;
  }

  /** How many objects `holder` holds. */
  heldBy(holder: object): number {
    return this.#perHolder.get(holder) ?? 0;
  }

  /** The entry of `id`, whoever holds it. */
  get(id: number): Exported | undefined {
    return this.#byId.get(id);
  }

  #hold(entry: Exported, holder: object): void {
    const held = entry.holds.get(holder);
    if (held === undefined) this.#perHolder.set(holder, this.heldBy(holder) + 1);
    entry.holds.set(holder, (held ?? 0) + 1);
  }

  #unhold(entry: Exported, holder: object): void {
    if (!entry.holds.delete(holder)) return;
    const n = this.heldBy(holder) - 1;
    if (n > 0) this.#perHolder.set(holder, n);
    else this.#perHolder.delete(holder);
    if (entry.holds.size === 0) this.#drop(entry);
  }

  /** The entry of `id`, when `holder` holds it. */
  held(id: number, holder: object): Exported | undefined {
    const entry = this.#byId.get(id);
    return entry?.holds.has(holder) ? entry : undefined;
  }

  /**
   * A third process takes the reference `id` that a holder handed on to it, with the secret
   * that came with it.
   *
   * @returns false when nobody holds `id` any more, or `token` is not its secret.
   */
  retain(id: number, holder: object, token: string): boolean {
    const entry = this.#byId.get(id);
    if (!entry || entry.token !== token) return false;
    this.#hold(entry, holder);
    return true;
  }

  /** `holder` lets go of `count` of the times it received `id`. */
  release(id: number, holder: object, count: number): void {
    const entry = this.#byId.get(id);
    const held = entry?.holds.get(holder);
    if (!entry || held === undefined) return;
    if (held > count) entry.holds.set(holder, held - count);
    else this.#unhold(entry, holder);
  }

  /** `holder` (a connection that ended) lets go of everything. */
  releaseAll(holder: object): void {
    if (!this.#perHolder.has(holder)) return;
    for (const entry of [...this.#byId.values()]) this.#unhold(entry, holder);
  }

  #drop(entry: Exported): void {
    this.#byId.delete(entry.id);
    this.#byObject.delete(entry.object);
  }
}
