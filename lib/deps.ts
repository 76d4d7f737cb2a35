/**
 * The npm packages the library uses, by full specifier, so that a script anywhere can import
 * `lib/mod.ts` by path without ipckit's `deno.json`. Keep the versions in step with the
 * `imports` of `deno.json`.
 *
 * @module
 */

export { DecodeError, Decoder, Encoder, ExtensionCodec } from "npm:@msgpack/msgpack@3.1.3";

/** Loads `yaml` on first use: it is only needed for the YAML forms. */
export function loadYaml(): Promise<typeof import("npm:yaml@2.9.1")> {
  // deno-lint-ignore no-import-prefix
  return import("npm:yaml@2.9.1");
}

/** Loads `saxes` on first use: it is only needed to read scripting definitions. */
export function loadSaxes(): Promise<typeof import("npm:saxes@6.0.0")> {
  // deno-lint-ignore no-import-prefix
  return import("npm:saxes@6.0.0");
}
