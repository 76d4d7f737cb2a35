/**
 * The names a shell completes at completion time (`ipckit complete -- …`): the live ports, the
 * pasteboards and the notification names that have a state, read straight from the runtime
 * directory's files. Quietly and fast: no broker is asked or started, nothing is printed, and a
 * directory that is missing or unreadable completes nothing.
 *
 * @module
 */

import type { Completable } from "./_spec.ts";
import { resolveRuntimeDir } from "../lib/transport/runtime_dir.ts";

/** Names by what they name. */
export type CompletionNames = Record<Completable, string[]>;

/**
 * Reads the names in a runtime directory.
 *
 * @param runtimeDir the runtime directory; by default the user's.
 */
export async function readCompletionNames(runtimeDir?: string): Promise<CompletionNames> {
  let dir: string;
  try {
    dir = resolveRuntimeDir({ runtimeDir });
  } catch {
    return { ports: [], pasteboards: [], notifications: [] };
  }
  const [ports, pasteboards, notifications] = await Promise.all([
    // A port's NAME.json holds its real name (long names have hashed file names); a port whose
    // owner died leaves files behind until the next owner: its socket no longer answers.
    names(`${dir}/ports`, ".json", async (path) => {
      const info = JSON.parse(await Deno.readTextFile(path));
      const conn = await Deno.connect({ transport: "unix", path: path.replace(/json$/, "sock") });
      conn.close();
      return typeof info.name === "string" ? info.name : undefined;
    }),
    // NAME.state, the name %-escaped; long names are hashed (with a ~) and left out.
    names(`${dir}/pasteboards`, ".state", (path) => {
      const key = path.slice(path.lastIndexOf("/") + 1, -".state".length);
      return Promise.resolve(key.includes("~") ? undefined : decodeURIComponent(key));
    }),
    // notify-state/NAME, the name itself where it is plain; others are hashed (~…) and left out.
    names(`${dir}/notify-state`, "", (path) => {
      const name = path.slice(path.lastIndexOf("/") + 1);
      return Promise.resolve(name.startsWith("~") || name.endsWith(".tmp") ? undefined : name);
    }),
  ]);
  return { ports, pasteboards, notifications };
}

async function names(
  dir: string,
  suffix: string,
  nameOf: (path: string) => Promise<string | undefined>,
): Promise<string[]> {
  const found: Promise<string | undefined>[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.endsWith(suffix)) continue;
      found.push(nameOf(`${dir}/${entry.name}`).catch(() => undefined));
    }
  } catch {
    return [];
  }
  // One name a line, a tab before its description: a name with a control character in it
  // would come out as other names, so it is left out.
  return (await Promise.all(found))
    .filter((n): n is string => n !== undefined && !hasControl(n))
    .sort();
}

function hasControl(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}
