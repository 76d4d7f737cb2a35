/**
 * Scripting: scriptable apps (the Cocoa Scripting runtime: {@linkcode serveScriptableApp}), the
 * event protocol they speak (`protocol.ts`), the client that sends them events
 * ({@linkcode connectApp}), the types that typed bridges (`ipckit sdp` output) are written in,
 * the runtime behind them ({@linkcode openBridge}) and the dynamic bridge
 * ({@linkcode application}: `await application("Notes")`, no generated module).
 *
 * @example An app and a client
 * ```ts ignore
 * import { connectApp, serveScriptableApp } from "./mod.ts";
 * import { ObjectSpecifier } from "../wire/value.ts";
 * const app = await serveScriptableApp({
 *   bundleId: "com.example.Orchard",
 *   name: "Orchard",
 *   definition: new URL("./Orchard.sdef", import.meta.url),
 *   model: { trees: [{ id: 1, name: "Bramley", fruits: [] }] },
 *   handlers: { harvest: ({ direct }) => ({ count: 3, weight: 0.7 }) },
 * });
 * const orchard = await connectApp("orchard");
 * const tree = new ObjectSpecifier("Tree", "application", "index", 1n);
 * const name = await orchard.send({
 *   code: "coregetd",
 *   params: { "----": new ObjectSpecifier("prop", tree, "property", "pnam") },
 * }); // "Bramley"
 * await orchard.close();
 * await app.close();
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
  applicationReference,
  type BridgeDefinition,
  BridgeSession,
  isReference,
  openBridge,
  specifierOf,
} from "./bridge_runtime.ts";
export { BridgeTerms } from "./bridge_terms.ts";
export {
  application,
  appTerms,
  type DynamicApplication,
  type DynamicClause,
  type DynamicComparison,
  type DynamicMember,
  type DynamicObject,
  type DynamicResult,
  type DynamicTest,
} from "./dynamic.ts";
export { ScriptingError } from "../errors.ts";
export {
  type AppConnection,
  type AppDefinition,
  type AppInfo,
  connectApp,
  findApp,
  listApps,
  type SendEventOptions,
} from "./client.ts";
