/**
 * The declared-port markers: one empty file per port a loaded service declares, under
 * `launch/ports/` in the runtime directory, named as the port's socket is. A sender that finds
 * no port looks here before it asks (and perhaps starts) a broker.
 *
 * @module
 */

import { portPaths } from "../ports/names.ts";
import { DECLARED_PORTS_DIR, LAUNCH_DIR } from "./protocol.ts";

/** The marker file that says a loaded service declares `port`. */
export async function declaredPortMarker(port: string, runtimeDir: string): Promise<string> {
  const { socket } = await portPaths(port, { runtimeDir });
  const base = socket.slice(socket.lastIndexOf("/") + 1, -".sock".length);
  return `${runtimeDir}/${LAUNCH_DIR}/${DECLARED_PORTS_DIR}/${base}`;
}
