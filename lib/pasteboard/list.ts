/**
 * {@linkcode listPasteboards}: the pasteboards the broker holds, with their change counts and
 * types, as System Events shows them.
 *
 * @module
 */

import { callBroker } from "../broker/client.ts";
import { NotFoundError, ProtocolError } from "../errors.ts";
import { isDictionary } from "../wire/value.ts";
import { LIST } from "./protocol.ts";

/** One pasteboard as {@linkcode listPasteboards} describes it. */
export interface PasteboardSummary {
  /** Its name (`general`, or a named pasteboard's). */
  name: string;
  /** Its change count. */
  changeCount: number;
  /** The types its items hold, each once, in the order the items give them. */
  types: string[];
}

/** Options of {@linkcode listPasteboards}. */
export interface ListPasteboardsOptions {
  /** The runtime directory. @default {IPCKIT_RUNTIME_DIR, else XDG_RUNTIME_DIR/ipckit, else /tmp/ipckit-UID} */
  runtimeDir?: string;
}

/**
 * Lists every pasteboard that has been written to, sorted by name. A broker is never started
 * just to look: with none running, there are none (an empty list).
 *
 * @example List the pasteboards
 * ```ts ignore
 * import { listPasteboards } from "./mod.ts";
 * for (const pb of await listPasteboards()) console.log(pb.name, pb.changeCount, pb.types);
 * ```
 *
 * @throws {ProtocolError} when the broker answers something else than a list.
 */
export async function listPasteboards(
  options: ListPasteboardsOptions = {},
): Promise<PasteboardSummary[]> {
  let reply;
  try {
    reply = await callBroker(LIST, null, {
      runtimeDir: options.runtimeDir,
      autostart: false,
    });
  } catch (error) {
    if (error instanceof NotFoundError) return [];
    throw error;
  }
  if (!Array.isArray(reply)) throw new ProtocolError("the broker answered no pasteboard list");
  return reply.filter(isDictionary).map((b) => ({
    name: String(b.name),
    changeCount: Number(b.changeCount),
    types: Array.isArray(b.types) ? b.types.map(String) : [],
  }));
}
