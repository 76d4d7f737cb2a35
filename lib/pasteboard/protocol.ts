/**
 * The pasteboard protocol: the `pasteboard.*` methods between a client and the broker's
 * `pasteboard` service, their bodies (dictionaries; each method's documentation gives its body
 * and reply), and the sizes both ends keep to. Large data travels in chunks, at most
 * {@linkcode WINDOW} in flight, or through files in the runtime directory.
 *
 * @module
 */

import { RemoteError } from "../errors.ts";
import { openReadSync } from "../transport/no_follow.ts";
import { type Dictionary, isDictionary, type Value } from "../wire/value.ts";
import type { DesktopEnv } from "./desktop/backend.ts";

/** The service's name: the prefix of its methods. */
export const SERVICE = "pasteboard";

/**
 * Writes items: `{name, items, append, pasteOnce?, desktop?}` ({@linkcode writeBody}); each item
 * a list of `{type, data}`, `{type, upload}` (an upload's id, or `file:ID` for a file written
 * into {@linkcode PREPARE}'s directory) or `{type, promise: true, tag}`. Answers
 * `{changeCount, desktop}` ({@linkcode readWriteReply}).
 */
export const WRITE = "pasteboard.write";
/** Sends a chunk of an upload: `{id, name, data}`; answers `null`. */
export const UPLOAD = "pasteboard.upload";
/** Asks where large data may be written as a file: `null`; answers `{dir}`. */
export const PREPARE = "pasteboard.prepare";
/** Empties a pasteboard: `{name}`; answers `{changeCount}`. */
export const CLEAR = "pasteboard.clear";
/**
 * What a pasteboard holds: `{name}`; answers `{changeCount, items, desktopHolds, pasteOnce?,
 * mirror?}`, each item a list of `{type, size, lazy}`.
 */
export const INFO = "pasteboard.info";
/** Every pasteboard written to: `null`; answers a list of `{name, changeCount, types}`. */
export const LIST = "pasteboard.list";
/**
 * Reads a representation: `{name, types, item?, files?, unlessDesktop?}`; answers what
 * {@linkcode readOpenReply} reads (`{type, item, size, changeCount, derivedFrom?}` with `data`,
 * `path` or `handle`; `{missing: true, held, items, changeCount}`; or `{desktop: true}`).
 */
export const OPEN = "pasteboard.open";
/** Reads a chunk of an open read: `{handle, offset, length}`; answers the bytes. */
export const CHUNK = "pasteboard.chunk";
/** Ends an open read: `{handle}`; answers `null`. */
export const CLOSE = "pasteboard.close";
/** Watches a pasteboard ({@linkcode CHANGED} events): `{name}`; answers `{changeCount}`. */
export const WATCH = "pasteboard.watch";
/** Stops watching: `{name}`; answers `null`. */
export const UNWATCH = "pasteboard.unwatch";
/**
 * Hands over a promise's data: `{name, tag, data}` or `{name, tag, upload}`; answers `{kept}`
 * (false when the pasteboard no longer holds that promise).
 */
export const FULFILL = "pasteboard.fulfill";
/** Event to watchers: `{name, changeCount}` after every change. */
export const CHANGED = "pasteboard.changed";
/** Event to a promise's owner: `{name, tags}`, promises the pasteboard no longer holds. */
export const RELEASED = "pasteboard.released";
/**
 * Request from the broker to a promise's owner: `{name, changeCount, item, type, tag}`; the
 * owner answers `{data}` or `{upload}`.
 */
export const PROVIDE = "pasteboard.provide";

/**
 * The desktop selection (the one rule the client and the broker keep) a pasteboard is mirrored to: the clipboard for `general`, the primary
 * selection for `primary` (`--primary`), none for the others.
 */
export function mirroredSelection(name: string): "clipboard" | "primary" | undefined {
  return name === "general" ? "clipboard" : name === "primary" ? "primary" : undefined;
}

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

/**
 * What a copy that met a full disk says, when `error` (a failed write of the pasteboard
 * `name`'s data under `dir`) is a full disk or quota; `undefined` for any other failure. Both
 * ends say it alike: the broker storing data, and a client writing large data into the
 * broker's `tmp/` itself.
 */
export function diskFullMessage(name: string, dir: string, error: unknown): string | undefined {
  const message = (error as Error)?.message ?? String(error);
  if (!/No space left|os error 28|quota|os error 122/i.test(message)) return undefined;
  return `cannot store the ${name} pasteboard: the disk holding ${dir} is full; free some space and copy again (the pasteboard still holds what it held before)`;
}

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

/** What a write asks besides its items. */
export interface WriteFields {
  /** Add the items after those held instead of replacing them. @default {false} */
  append?: boolean;
  /** Empty the pasteboard after the first read of its data. @default {false} */
  pasteOnce?: boolean;
  /** The desktop to publish the pasteboard to (`general` and `primary`). @default {none} */
  desktop?: DesktopEnv;
}

/** The body of a {@linkcode WRITE} request. */
export function writeBody(name: string, items: Value[], fields: WriteFields): Dictionary {
  const body: Dictionary = { name, items, append: fields.append === true };
  if (fields.pasteOnce) body.pasteOnce = true;
  if (fields.desktop) body.desktop = fields.desktop as unknown as Dictionary;
  return body;
}

/** What a {@linkcode WRITE} reply says. */
export interface WriteResult {
  /** The new change count. */
  changeCount: number;
  /** The type published to the desktop, when it was. */
  desktopType?: string;
  /** Every type offered to the desktop, when it offers several side by side. */
  desktopTypes?: string[];
}

/** Reads a {@linkcode WRITE} reply. */
export function readWriteReply(reply: Value): WriteResult {
  const r = reply as Dictionary;
  const published = isDictionary(r.desktop) && r.desktop.published === true
    ? String(r.desktop.type)
    : undefined;
  const types = isDictionary(r.desktop) && Array.isArray(r.desktop.types)
    ? r.desktop.types.map(String)
    : undefined;
  return {
    changeCount: Number(r.changeCount),
    desktopType: published,
    ...(published && types ? { desktopTypes: types } : {}),
  };
}
