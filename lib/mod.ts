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
export * from "./broker/client.ts";
export { Broker, type BrokerOptions } from "./broker/mod.ts";
export { runBroker } from "./daemon/mod.ts";
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
export * as tell from "./tell/mod.ts";
export { runScript } from "./tell/mod.ts";
export {
  type AppConnection,
  type ClassAccessors,
  type CommandHandler,
  connectApp,
  type HandlerCall,
  listApps,
  type ScriptableApp,
  type ScriptableAppOptions,
  type ScriptingEvent,
  type ScriptingReply,
  serveScriptableApp,
} from "./scripting/mod.ts";
export { application, type DynamicApplication, openBridge } from "./scripting/mod.ts";
export {
  type ItemInfo,
  listPasteboards,
  type ListPasteboardsOptions,
  Pasteboard,
  type PasteboardChange,
  type PasteboardItem,
  type PasteboardMissing,
  type PasteboardOptions,
  type PasteboardReading,
  type PasteboardSummary,
  type ReadOptions,
  type RepresentationData,
  UploadedData,
  type WriteOptions,
} from "./pasteboard/mod.ts";
export {
  ancestorsOf,
  conformsTo,
  declaredTypes,
  declareType,
  extensionsOf,
  mimeTypesOf,
  normalizeType,
  preferredMimeType,
  type TypeDeclaration,
  utiForExtension,
  utiForMime,
  utiForPath,
} from "./uti.ts";
export * from "./ports/mod.ts";
export {
  type ByteSource,
  ChunkQueue,
  type ChunkQueueOptions,
  chunksOf,
  DEFAULT_CHUNK_BYTES,
} from "./transport/chunks.ts";
export * from "./notifications/mod.ts";
export {
  type ByRef,
  byRef,
  connect,
  type Connection as DistributedConnection,
  connectionFor,
  type ConnectOptions as DistributedConnectOptions,
  invoke,
  isValid,
  oneway,
  onInvalidate,
  release,
  type Remote,
  type RemoteMethod,
  type RemoteValue,
  vend,
  type VendOptions,
  Vendor,
  withTimeout,
} from "./distributed/mod.ts";
export * from "./monitor/mod.ts";
export * from "./launch/mod.ts";
