/**
 * ipckit, the library: the macOS IPC model on Linux, for Deno programs.
 *
 * Import it by path from anywhere (it needs no `deno.json`):
 *
 * ```ts
 * import { brokerStatus, toJson } from "./lib/mod.ts";
 * const status = await brokerStatus();
 * console.log(status ? toJson(status as never) : "no broker is running");
 * ```
 *
 * Run with the permissions in {@linkcode PERMISSIONS}.
 *
 * @module
 */

export * from "./errors.ts";
export * from "./permissions.ts";
export * from "./wire/mod.ts";
export * from "./transport/mod.ts";
export * from "./daemon.ts";
export { Broker, type BrokerOptions, runBroker } from "./broker/mod.ts";
export {
  formatWarning,
  loadDictionary,
  parseSdef,
  readDictionary,
  readSdef,
  resolveDictionary,
  SdefSyntaxError,
  Terminology,
  terminologyTable,
} from "./sdef/mod.ts";
export type {
  Dictionary as SdefResolvedDictionary,
  ParseOptions as SdefParseOptions,
  SdefDictionary,
  SdefWarning,
  TermMatch,
} from "./sdef/mod.ts";
export { generateBridge, type GenerateOptions } from "./sdp/mod.ts";
export type * as scripting from "./scripting/mod.ts";
