/**
 * The cache of apps' terminology for `tell`: an app's definition cannot change while its
 * process runs, so the terminology fetched once is kept under the runtime directory with its
 * lookups built (`Terminology.index`), named by the app's bundle id and a hash of its process
 * (pid and start time), and read from there by later scripts instead of asking the app again
 * and building the lookups again. A file of another process of the same app is removed when a
 * new one is written.
 *
 * @module
 */

import {
  INDEX_VERSION,
  Terminology,
  type TerminologyIndex,
  type TerminologyTable,
} from "../sdef/terminology.ts";
import { resolveRuntimeDir, type RuntimeDirOptions } from "../transport/runtime_dir.ts";
// Already loaded by the tell command (its files are read and written without following links).
import { ensureDirSync, readFileNoFollowSync, writeFileReplacing } from "../transport/no_follow.ts";

/** What identifies one run of an app. */
export interface AppIdentity {
  /** The bundle id. */
  readonly bundleId: string;
  /** The serving process. */
  readonly pid: number;
  /** When it started. */
  readonly since: string;
}

const DIR = "tell-terms";

function hash(text: string): string {
  // FNV-1a, 32 bits: a name, not a secret.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

function fileName(app: AppIdentity): string {
  const safe = app.bundleId.replace(/[^A-Za-z0-9._-]/g, "_");
  // The index's version in the name: ipckits of two versions keep files of their own.
  return `${safe}-${hash(`${app.pid}\u0000${app.since}`)}.i${INDEX_VERSION}.json`;
}

/** What a cache file holds. */
interface CachedTerms {
  readonly table: TerminologyTable;
  readonly index: TerminologyIndex;
}

/** The cached terminology of this run of an app, if there is one (and it reads). */
export function readCachedTerms(
  app: AppIdentity,
  options: RuntimeDirOptions = {},
): Terminology | undefined {
  const runtimeDir = options.runtimeDir;
  try {
    // Synchronous: one small file, read once at start-up.
    const path = `${resolveRuntimeDir({ runtimeDir })}/${DIR}/${fileName(app)}`;
    // A link planted there is refused: no cache.
    const text = new TextDecoder().decode(readFileNoFollowSync(path));
    const cached: Partial<CachedTerms> = JSON.parse(text);
    if (typeof cached?.table !== "object" || cached.index?.v !== INDEX_VERSION) return undefined;
    return new Terminology(cached.table, cached.index);
  } catch {
    return undefined;
  }
}

/** Keeps the terminology of this run of an app; failures to write are not errors. */
export async function writeCachedTerms(
  app: AppIdentity,
  terms: Terminology,
  options: RuntimeDirOptions = {},
): Promise<void> {
  const dir = `${resolveRuntimeDir(options)}/${DIR}`;
  const name = fileName(app);
  const prefix = name.slice(0, name.lastIndexOf("-") + 1);
  try {
    ensureDirSync(dir); // a link planted at the folder is refused, not followed
    for await (const e of Deno.readDir(dir)) {
      if (e.name.startsWith(prefix) && e.name !== name) {
        await Deno.remove(`${dir}/${e.name}`).catch(() => {});
      }
    }
    const cached: CachedTerms = { table: terms.table, index: terms.index() };
    // A new file under an unpredictable name, renamed over: a planted link is replaced.
    await writeFileReplacing(`${dir}/${name}`, JSON.stringify(cached));
  } catch {
    // A cache that cannot be written only costs the next script a request.
  }
}
