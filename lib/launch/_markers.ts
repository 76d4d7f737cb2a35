/**
 * The declared-port markers: one empty file per port a loaded service declares, under
 * `launch/ports/` in the runtime directory, named as the port's socket is (the broker core's
 * `portMarker`). A sender that finds no port looks there before it asks (and perhaps starts) a
 * broker.
 *
 * @module
 */

import { portMarker } from "../broker/demand.ts";
import { portPaths } from "../ports/names.ts";

/** The marker file that says a loaded service declares `port`. */
export async function declaredPortMarker(port: string, runtimeDir: string): Promise<string> {
  const { socket } = await portPaths(port, { runtimeDir });
  return portMarker(socket, runtimeDir);
}
