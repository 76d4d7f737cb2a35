/**
 * Values and frames: the typed Value model, the MessagePack codec, the JSON and YAML forms,
 * framing and limits. Pure: no I/O.
 *
 * @module
 */

export * from "./value.ts";
export * from "./limits.ts";
export * from "./msgpack.ts";
export * from "./json.ts";
export * from "./yaml.ts";
export * from "./frame.ts";
