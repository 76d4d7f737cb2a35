/**
 * Scripting definitions (sdef XML): the parser with XInclude, the model, the resolved
 * dictionary and its terminology.
 *
 * @example Reading a definition and looking up terms
 * ```ts
 * import { readSdef, resolveDictionary, Terminology } from "./mod.ts";
 * const dict = resolveDictionary(await readSdef("Safari.sdef"));
 * Terminology.fromDictionary(dict).code("class", "tab"); // "bTab"
 * ```
 *
 * @module
 */

export * from "./errors.ts";
export * from "./model.ts";
export * from "./four_char_code.ts";
export * from "./primitive_types.ts";
export * from "./parse.ts";
export {
  DEFAULT_MAX_INCLUDE_DEPTH,
  DEFAULT_MAX_INCLUDED_NODES,
  type IncludeOptions,
  STANDARD_INCLUDES,
  XINCLUDE_NAMESPACES,
} from "./xinclude.ts";
export * from "./dictionary.ts";
export * from "./terminology.ts";
export * from "./load.ts";
