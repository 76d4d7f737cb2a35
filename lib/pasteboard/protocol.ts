/**
 * What the pasteboard client and the broker's `pasteboard` service agree on: sizes of inline
 * data and chunks, and how many chunks may be in flight. Large data travels as a sequence of
 * chunk requests (`pasteboard.upload` up, `pasteboard.chunk` down), at most
 * {@linkcode WINDOW} at a time, so memory stays bounded on both sides whatever the size.
 *
 * @module
 */

import { RemoteError } from "../errors.ts";
import { openReadSync } from "../transport/no_follow.ts";
import type { Dictionary } from "../wire/value.ts";

/** Data up to this size travels inside the request or reply itself. */
export const INLINE_BYTES = 256 * 1024;
/** The size of one chunk of streamed data. */
export const CHUNK_BYTES = 1024 * 1024;
/** How many chunk requests may be in flight at once. */
export const WINDOW = 8;
/** The largest representation a derived type is made from (it is converted in memory). */
export const MAX_DERIVE_SOURCE_BYTES = 64 * 1024 * 1024;
/**
 * The most reads and uploads one connection may have open at once (each of each): each holds a
 * file open in the broker, and open files are the broker's to share among all its clients.
 */
export const MAX_OPEN_PER_CLIENT = 64;

/** What a `pasteboard.open` reply says, read the same way by every client. */
export type OpenReply =
  | { desktop: true }
  | { missing: true; held: string[] }
  | {
    /** The type served (a UTI). */
    type: string;
    /** Which item it came from. */
    item: number;
    /** Its size in bytes. */
    size: number;
    /** The type it was derived from, when it was made on demand. */
    derivedFrom?: string;
    /** Small data, whole. */
    bytes?: Uint8Array;
    /** Large data through the page cache: its file, already unlinked; the reader closes it. */
    file?: Deno.FsFile;
    /** Large data over the connection: the handle to ask its chunks with. */
    handle?: number;
  };

/**
 * Reads a `pasteboard.open` reply. A link the broker made for this reader is opened and removed
 * at once (blocking calls: microseconds each), so nothing is left behind whatever happens next.
 */
export function readOpenReply(reply: Dictionary): OpenReply {
  if (reply.desktop === true) return { desktop: true };
  if (reply.missing === true) return { missing: true, held: (reply.held as string[]) ?? [] };
  const reading: OpenReply = {
    type: String(reply.type),
    item: Number(reply.item),
    size: Number(reply.size),
  };
  if (typeof reply.derivedFrom === "string") reading.derivedFrom = reply.derivedFrom;
  if (reply.data instanceof Uint8Array) reading.bytes = reply.data;
  else if (typeof reply.path === "string") {
    reading.file = openReadSync(reply.path);
    try {
      Deno.removeSync(reply.path);
    } catch { /* gone already */ }
  } else if (reply.handle !== undefined) reading.handle = Number(reply.handle);
  else throw new RemoteError("bad-reply", "the broker answered a read without data");
  return reading;
}
