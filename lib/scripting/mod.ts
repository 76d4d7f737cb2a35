/**
 * Scripting: the event protocol, scriptable apps (the Cocoa Scripting runtime), the client that
 * sends events to them, and the types that typed bridges (`ipckit sdp` output) are written in.
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
export type * from "./types.ts";
export * from "./protocol.ts";
export { AppleEventError, type AppleEventErrorDetails } from "../errors.ts";
export { serveScriptableApp } from "./app.ts";
export {
  type AppConnection,
  type AppDefinition,
  type AppInfo,
  connectApp,
  findApp,
  listApps,
  type SendEventOptions,
} from "./client.ts";
