/**
 * Listing the live ports of a runtime directory ({@linkcode listPorts}), as `ipckit ports`
 * shows them.
 *
 * @module
 */

import { readTextNoFollow } from "../transport/no_follow.ts";
import { resolveRuntimeDir, type RuntimeDirOptions } from "../transport/runtime_dir.ts";
import { recordedPorts } from "./names.ts";

/** A live port, as {@linkcode listPorts} finds it. */
export interface PortInfo {
  /** The port's name. */
  name: string;
  /** The serving process. */
  pid: number;
  /** When it started serving. */
  since: Date;
  /** Its socket. */
  socket: string;
}

/**
 * The live ports in the runtime directory: those whose socket answers. Files left by a
 * killed owner are not listed (the next owner of the name takes them over).
 */
export async function listPorts(options: RuntimeDirOptions = {}): Promise<PortInfo[]> {
  const found = (await recordedPorts(resolveRuntimeDir(options))).map(async ({ socket, info }) => {
    try {
      const record = JSON.parse(await readTextNoFollow(info));
      if (typeof record.name !== "string" || typeof record.pid !== "number") return undefined;
      const conn = await Deno.connect({ transport: "unix", path: socket });
      conn.close();
      return { name: record.name, pid: record.pid, since: new Date(record.since), socket };
    } catch {
      return undefined;
    }
  });
  const ports = (await Promise.all(found)).filter((p): p is PortInfo => p !== undefined);
  return ports.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
