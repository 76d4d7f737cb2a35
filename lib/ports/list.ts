/**
 * Listing the live ports of a runtime directory ({@linkcode listPorts}), as `ipckit ports`
 * shows them.
 *
 * @module
 */

import { readFileNoFollow } from "../transport/no_follow.ts";
import { resolveRuntimeDir, type RuntimeDirOptions } from "../transport/runtime_dir.ts";

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
  const dir = `${resolveRuntimeDir(options)}/ports`;
  const found: Promise<PortInfo | undefined>[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.endsWith(".json")) continue;
      const base = `${dir}/${entry.name.slice(0, -".json".length)}`;
      found.push((async () => {
        try {
          const info = JSON.parse(
            new TextDecoder().decode(await readFileNoFollow(`${base}.json`)),
          );
          if (typeof info.name !== "string" || typeof info.pid !== "number") return undefined;
          const conn = await Deno.connect({ transport: "unix", path: `${base}.sock` });
          conn.close();
          return {
            name: info.name,
            pid: info.pid,
            since: new Date(info.since),
            socket: `${base}.sock`,
          };
        } catch {
          return undefined;
        }
      })());
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  const ports = (await Promise.all(found)).filter((p): p is PortInfo => p !== undefined);
  return ports.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
