/**
 * The broker core's protocol: the methods, bodies, files and checks that the core and the
 * capabilities plugged into it take from one place.
 *
 * @module
 */

// ---------------------------------------------------------------------------------------------
// Monitors (`ipckit monitor`)

/** The file in the runtime directory that lists the attached monitors' inboxes, one a line. */
export const MONITORS_FILE = "monitors";

/** The folder in the runtime directory where monitors listen. */
export const MONITORS_DIR = "monitor";

/** Whether `path` names a file directly in `runtimeDir`'s monitor folder (no `..`, no NUL). */
export function isInboxPath(path: string, runtimeDir: string): boolean {
  const folder = `${runtimeDir}/${MONITORS_DIR}/`;
  if (!path.startsWith(folder)) return false;
  const name = path.slice(folder.length);
  return name !== "" && name !== "." && name !== ".." && !/[/\0\n]/.test(name);
}

// ---------------------------------------------------------------------------------------------
// On-demand start of a service by its port (the launch service answers it)

/**
 * `{ port, timeoutMs }` → `{ label }` once the loaded service that declares `port` serves it.
 * Errors: {@linkcode DEMAND_ERRORS}.
 */
export const DEMAND_METHOD = "launch.demand";

/** The error codes of {@linkcode DEMAND_METHOD}'s replies. */
export const DEMAND_ERRORS = {
  /** No loaded service declares this port. */
  notDeclared: "not-declared",
  /** The service exited or could not be started before it served the port. */
  failed: "failed",
  /** The service did not serve the port in time. */
  timeout: "timeout",
} as const;

/** The directory of the service manager under the runtime directory. */
export const LAUNCH_DIR = "launch";

/**
 * Where markers of declared ports are, under {@linkcode LAUNCH_DIR}: one empty file per port a
 * loaded service declares, named as the port's socket is (without `.sock`), so a sender that
 * finds no port can tell, without a broker, that asking one would help.
 */
export const DECLARED_PORTS_DIR = "ports";
