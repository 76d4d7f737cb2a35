/**
 * The `sdp` generator: a scripting definition in, a typed TypeScript bridge module out.
 *
 * @example Generating a bridge from a file
 * ```ts
 * import { readDictionary } from "../sdef/mod.ts";
 * import { generateBridge } from "./mod.ts";
 * const code = generateBridge(await readDictionary("Notes.sdef"), { basename: "Notes" });
 * ```
 *
 * @module
 */

export * from "./generate.ts";
export * from "./naming.ts";
