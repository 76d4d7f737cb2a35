/**
 * Scripting: for now the types that typed bridges (`ipckit sdp` output) are written in, and the
 * terminology table they export. The scriptable-app server and the bridge runtime come later.
 *
 * @example
 * ```ts
 * import type { Property, ReadonlyProperty, Specifier } from "./mod.ts";
 * interface SafariTab extends Specifier {
 *   readonly url: Property<string>;
 *   readonly name: ReadonlyProperty<string>;
 * }
 * ```
 *
 * @module
 */

export type * from "./bridge_types.ts";
export type * from "../sdef/terminology_table.ts";
