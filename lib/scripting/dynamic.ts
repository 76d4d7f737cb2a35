/**
 * The dynamic bridge: `await application("Orchard")` builds the application object of a running
 * app from the terminology it sends with its definition, like JXA's `Application("Notes")`,
 * with no generated module. The objects are the same as a generated bridge's (lazy references,
 * one event per command, the same values and errors), untyped, with escape hatches for raw
 * codes: `app.property("pnam")`, `app.elements("Tree")`, `app.send("coregetd", {"----": ref})`.
 *
 * @module
 */

import type { TerminologyTable } from "../sdef/terminology_table.ts";
import { loadDictionary } from "../sdef/load.ts";
import { enumSlots } from "../sdp/enum_slots.ts";
import { applicationReference, BridgeSession } from "./bridge_runtime.ts";
import { BridgeTerms } from "./bridge_terms.ts";
import type { ApplicationOptions } from "./bridge_types.ts";
import { type AppConnection, connectApp } from "./client.ts";

/**
 * A member of a dynamic bridge's object: a property, an element collection, a command or a
 * method; any name may be read from it and it may be called. Its results are `unknown` until
 * a script checks them.
 */
export interface DynamicObject {
  /** A member by name: what the app's terminology calls it, camelCased. */
  readonly [name: string]: DynamicMember;
}

/**
 * A member: readable further, and callable (a command or a method; `whose` takes a test
 * callback).
 */
export type DynamicMember = DynamicObject & {
  (test: (item: DynamicTest) => DynamicClause): DynamicResult;
  (...args: unknown[]): DynamicResult;
};

/** What a dynamic `whose` callback gets: every property by name, to compare. */
export interface DynamicTest {
  /** A property of the object being tested. */
  readonly [name: string]: DynamicComparison;
}

/** The comparisons of a property inside a dynamic `whose`. */
export interface DynamicComparison {
  /** Equal to the value. */
  equals(value: unknown): DynamicClause;
  /** Not equal to the value. */
  notEquals(value: unknown): DynamicClause;
  /** Less than the value. */
  lessThan(value: unknown): DynamicClause;
  /** Less than or equal to the value. */
  lessThanOrEquals(value: unknown): DynamicClause;
  /** Greater than the value. */
  greaterThan(value: unknown): DynamicClause;
  /** Greater than or equal to the value. */
  greaterThanOrEquals(value: unknown): DynamicClause;
  /** Contains the value. */
  contains(value: unknown): DynamicClause;
  /** Does not contain the value. */
  doesNotContain(value: unknown): DynamicClause;
  /** Starts with the value. */
  startsWith(value: unknown): DynamicClause;
  /** Ends with the value. */
  endsWith(value: unknown): DynamicClause;
  /** Is one of the values. */
  isIn(values: readonly unknown[]): DynamicClause;
}

/** A test clause of a dynamic `whose`, combined with `and`, `or` and `not`. */
export interface DynamicClause {
  /** Both hold. */
  and(other: DynamicClause): DynamicClause;
  /** Either holds. */
  or(other: DynamicClause): DynamicClause;
  /** It does not hold. */
  not(): DynamicClause;
}

/** What calling a member gives: a reference (readable further) or a promise of a value. */
export type DynamicResult = DynamicObject & Promise<unknown>;

/** The application object of a dynamic bridge: members by name, and `close()`. */
export type DynamicApplication = DynamicObject & {
  /** Ends the connection; awaitable. */
  close(): Promise<void>;
};

/**
 * Connects to a running app by name or bundle id and builds its application object from the
 * terminology the app sends.
 *
 * @param app the app's name or bundle id (`id "com.example.Orchard"` for the id only), or
 *   options with `name` or `bundleId`.
 * @param options the timeout of each event and the runtime directory.
 * @throws {NotFoundError} when no such app runs.
 * @example Names of every tree, in one event
 * ```ts ignore
 * import { application } from "./dynamic.ts";
 * const orchard = await application("Orchard");
 * const names = await orchard.trees.every().name.get(); // unknown: ["Bramley", "Cox", …]
 * await orchard.close();
 * ```
 */
export async function application(
  app: string | ApplicationOptions,
  options: ApplicationOptions = {},
): Promise<DynamicApplication> {
  const opts = typeof app === "string" ? { ...options, name: app } : { ...options, ...app };
  const which = opts.bundleId !== undefined ? `id "${opts.bundleId}"` : opts.name;
  if (which === undefined) throw new TypeError("application() takes a name or a bundle id");
  const connection = await connectApp(
    which,
    opts.runtimeDir === undefined ? {} : { runtimeDir: opts.runtimeDir },
  );
  try {
    const session = new BridgeSession(connection, await appTerms(connection), opts.timeout);
    return applicationReference(session) as DynamicApplication;
  } catch (error) {
    connection.close();
    throw error;
  }
}

/**
 * The terms of a running app, from the terminology and definition it sends: what
 * {@linkcode application} builds its objects from.
 *
 * @param connection a connection to the app.
 */
export async function appTerms(connection: AppConnection): Promise<BridgeTerms> {
  const definition = await connection.definition();
  const table = JSON.parse(definition.terminology) as TerminologyTable;
  let slots: string[] = [];
  try {
    slots = enumSlots(await loadDictionary(definition.sdef, { file: `${definition.name}.sdef` }));
  } catch {
    // Without its enumerations the bridge sends terms as text, which apps take by name.
  }
  return new BridgeTerms(table, slots);
}
