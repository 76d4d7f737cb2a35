/**
 * One call from sdef text or file to a resolved {@linkcode Dictionary}.
 *
 * @module
 */

import { type ParseOptions, parseSdef, readSdef } from "./parse.ts";
import { type Dictionary, resolveDictionary } from "./dictionary.ts";

/**
 * Parses sdef text and resolves it: {@linkcode parseSdef} then {@linkcode resolveDictionary},
 * with the same warning handler.
 *
 * @param text the XML, as text or as the file's bytes.
 * @param options where it came from, how to read includes, where warnings go.
 * @example Loading a definition
 * ```ts
 * import { loadDictionary } from "./load.ts";
 * const dict = await loadDictionary(await Deno.readTextFile("Notes.sdef"), { file: "Notes.sdef" });
 * ```
 */
export async function loadDictionary(
  text: string | Uint8Array,
  options: ParseOptions = {},
): Promise<Dictionary> {
  return resolveDictionary(await parseSdef(text, options), { onWarning: options.onWarning });
}

/**
 * Reads an sdef file and resolves it: {@linkcode readSdef} then {@linkcode resolveDictionary}.
 *
 * @param path the file.
 * @param options how to read includes, where warnings go.
 * @example Reading a definition
 * ```ts
 * import { readDictionary } from "./load.ts";
 * const dict = await readDictionary("Safari.sdef");
 * ```
 */
export async function readDictionary(
  path: string,
  options: Omit<ParseOptions, "file"> = {},
): Promise<Dictionary> {
  return resolveDictionary(await readSdef(path, options), { onWarning: options.onWarning });
}
