/**
 * The npm packages the library uses, by full specifier, so that a script anywhere can import
 * `lib/mod.ts` by path without ipckit's `deno.json`. Keep the versions in step with the
 * `imports` of `deno.json`. Each is loaded on first use: none is needed on the path of a
 * command that only talks to the broker, and any npm import there costs start-up.
 *
 * @module
 */

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

/**
 * Loads `mime-db`'s table (MIME types ↔ file extensions) on first use; a JSON import, so it
 * brings in no Node compatibility.
 */
export function loadMimeDb(): Promise<{ default: unknown }> {
  // deno-lint-ignore no-import-prefix
  return import("npm:mime-db@1.54.0/db.json", { with: { type: "json" } });
}
