/**
 * The on-demand start of a service by its port, the sender's side: when nobody serves a port,
 * a sender asks the broker to start the loaded service that declares it
 * ({@linkcode demandPort}), so the first `send` to a stopped service is delivered, not
 * refused. The launch service answers; the declared-port markers tell a sender, without a
 * broker, whether asking would help.
 *
 * @module
 */

import { callBroker } from "./once.ts";
import {
  ConnectionClosedError,
  NotFoundError,
  PORT_STATUS,
  PortTimeoutError,
  RemoteError,
} from "../errors.ts";
import { resolveRuntimeDir, type RuntimeDirOptions } from "../transport/runtime_dir.ts";
import { DECLARED_PORTS_DIR, DEMAND_ERRORS, DEMAND_METHOD, LAUNCH_DIR } from "./protocol.ts";

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

/** The marker file that says a loaded service declares the port whose socket is `socket`. */
export function portMarker(socket: string, runtimeDir: string): string {
  const base = socket.slice(socket.lastIndexOf("/") + 1, -".sock".length);
  return `${runtimeDir}/${LAUNCH_DIR}/${DECLARED_PORTS_DIR}/${base}`;
}

/** Options of {@linkcode demandPort}. */
export interface DemandOptions extends RuntimeDirOptions {
  /** Milliseconds to wait for the service to serve the port; 0 waits forever. @default {0} */
  timeoutMs?: number;
}

/**
 * Asks the broker to start the loaded service that declares port `name` (whose socket is
 * `socket`), and waits until the service serves it. Looks at the declared-port markers first,
 * so a port nobody declares costs one `lstat`, and no broker is started for it.
 *
 * @returns whether a service declares the port (and now serves it); false: nobody declares it.
 * @throws {NotFoundError} when the service ended or could not start before serving the port.
 * @throws {PortTimeoutError} status -1 when it did not serve the port within `timeoutMs`.
 */
export async function demandPort(
  name: string,
  socket: string,
  options: DemandOptions = {},
): Promise<boolean> {
  const runtimeDir = resolveRuntimeDir(options);
  if (!(await exists(portMarker(socket, runtimeDir)))) {
    // No broker has loaded the services here yet: one would, if the services directory has any.
    if (await exists(`${runtimeDir}/${LAUNCH_DIR}`) || !(await hasDefinitions())) return false;
  }
  const timeoutMs = options.timeoutMs ?? 0;
  const deadline = Date.now() + timeoutMs;
  try {
    for (let attempt = 0;; attempt++) {
      // Once more with the time left when the broker went away while the sender waited: the
      // next broker adopts the service the first one was starting.
      const left = timeoutMs > 0 ? Math.max(1, deadline - Date.now()) : 0;
      try {
        // The broker answers when the port is served, within timeoutMs; a little more for the
        // reply.
        await callBroker(DEMAND_METHOD, { port: name, timeoutMs: left }, {
          runtimeDir: options.runtimeDir,
          timeoutMs: left > 0 ? left + 1000 : 0,
        });
        return true;
      } catch (error) {
        if (!(error instanceof ConnectionClosedError) || attempt > 0) throw error;
      }
    }
  } catch (error) {
    if (!(error instanceof RemoteError)) throw error;
    switch (error.code) {
      case DEMAND_ERRORS.notDeclared:
        return false;
      case DEMAND_ERRORS.timeout:
        throw new PortTimeoutError(PORT_STATUS.sendTimeout, error.message, { cause: error });
      default:
        throw new NotFoundError(`no port "${name}": ${error.message}`, { cause: error });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether the services directory holds a definition (`.yaml`, `.yml`). */
async function hasDefinitions(): Promise<boolean> {
  try {
    for await (const entry of Deno.readDir(servicesDir())) {
      if (isDefinitionFile(entry.name)) return true;
    }
  } catch { /* none */ }
  return false;
}
