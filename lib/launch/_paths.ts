/**
 * Where definitions are: the services directory, and which files in a directory count.
 *
 * @module
 */

/**
 * The services directory: `$XDG_CONFIG_HOME/ipckit/services`, else
 * `$HOME/.config/ipckit/services`. Every definition in it is loaded when the broker starts.
 */
export function servicesDir(): string {
  const config = Deno.env.get("XDG_CONFIG_HOME") || `${Deno.env.get("HOME") ?? ""}/.config`;
  return `${config}/ipckit/services`;
}

/** Whether a file name looks like a definition (`.yaml` or `.yml`). */
export function isDefinitionFile(name: string): boolean {
  return name.endsWith(".yaml") || name.endsWith(".yml");
}
