/**
 * The one-shot calls the hot commands use (`ipckit copy`, `ipckit paste`): each is one request
 * on a connection of its own ({@linkcode callBroker}), without {@linkcode ./pasteboard.ts
 * Pasteboard}'s long-lived connection; the desktop's modules load only when there is a desktop.
 * Small data travels inline, large data is read from a link of its own in the runtime directory.
 *
 * @example Copy text, read it back
 * ```ts ignore
 * import { quickRead, quickWrite } from "./once.ts";
 * const text = new TextEncoder().encode("hello");
 * await quickWrite("demo", [[{ type: "public.utf8-plain-text", data: text }]]);
 * const reading = await quickRead("demo", ["public.utf8-plain-text"]);
 * if ("type" in reading && reading.bytes) console.log(new TextDecoder().decode(reading.bytes));
 * ```
 *
 * @module
 */

import { callBroker } from "../broker/once.ts";
import { RemoteError } from "../errors.ts";
import type { Dictionary, Value } from "../wire/value.ts";
import type { DesktopEnv } from "./desktop/backend.ts";
import {
  CLEAR,
  INFO,
  mirroredSelection,
  OPEN,
  type OpenReply,
  readOpenReply,
  readWriteReply,
  WRITE,
  writeBody,
  type WriteResult,
} from "./protocol.ts";

/** Options of the functions here. */
export interface QuickOptions {
  /** The runtime directory. @default {IPCKIT_RUNTIME_DIR, else XDG_RUNTIME_DIR/ipckit, else /tmp/ipckit-UID} */
  runtimeDir?: string;
}

/**
 * The desktop the general pasteboard is mirrored to (its clipboard; for the `primary`
 * pasteboard, its primary selection), as {@linkcode ./pasteboard.ts Pasteboard} finds it: none
 * for another pasteboard, none with `local`, and none (without loading anything) when neither
 * `WAYLAND_DISPLAY` nor `DISPLAY` is set.
 */
export async function desktopFor(name: string, local: boolean): Promise<DesktopEnv | undefined> {
  const selection = mirroredSelection(name);
  if (!selection || local) return undefined;
  if (!Deno.env.get("WAYLAND_DISPLAY") && !Deno.env.get("DISPLAY")) return undefined;
  const { detectDesktop } = await import("./desktop/desktop.ts");
  const desktop = detectDesktop();
  return desktop && selection === "primary" ? { ...desktop, primary: true } : desktop;
}

/** One representation to write: its type (a UTI) and its bytes. */
export interface QuickRep {
  /** The type, a UTI. */
  type: string;
  /** The bytes, at most {@linkcode ./protocol.ts INLINE_BYTES}. */
  data: Uint8Array;
}

/** Options of {@linkcode quickWrite}. */
export interface QuickWriteOptions extends QuickOptions {
  /** Add the items after those held instead of replacing them. @default {false} */
  append?: boolean;
  /** The desktop to publish the general pasteboard to. @default {none} */
  desktop?: DesktopEnv;
  /** Empty the pasteboard after the first read of its data (`copy --paste-once`). @default {false} */
  pasteOnce?: boolean;
}

/**
 * Writes items of small representations to the pasteboard `name` in one request.
 *
 * @returns the new change count and, when it was published, the desktop's type (and every
 *   type offered, when there are several).
 */
export async function quickWrite(
  name: string,
  items: QuickRep[][],
  options: QuickWriteOptions = {},
): Promise<WriteResult> {
  const body = writeBody(name, items as unknown as Value[], options);
  return readWriteReply(await callBroker(WRITE, body, { runtimeDir: options.runtimeDir }));
}

/** Empties the pasteboard `name`; returns its new change count. */
export async function quickClear(name: string, options: QuickOptions = {}): Promise<number> {
  const reply = await callBroker(CLEAR, { name }, options) as Dictionary;
  return Number(reply.changeCount);
}

/** What the pasteboard holds, from one `pasteboard.info` request. */
export interface QuickInfo {
  /** The change count. */
  changeCount: number;
  /** Each item's representations' types (UTIs). */
  items: string[][];
  /** Whether the general pasteboard's mirror owns the desktop clipboard. */
  desktopHolds: boolean;
  /** Whether it empties at the first read (`copy --paste-once`): then it, not the desktop, is read. */
  pasteOnce: boolean;
}

/** What the pasteboard `name` holds. */
export async function quickInfo(name: string, options: QuickOptions = {}): Promise<QuickInfo> {
  const reply = await callBroker(INFO, { name }, options) as Dictionary;
  return {
    changeCount: Number(reply.changeCount),
    items: (reply.items as Dictionary[][]).map((item) => item.map((rep) => String(rep.type))),
    desktopHolds: reply.desktopHolds === true,
    pasteOnce: reply.pasteOnce === true,
  };
}

/** Data read by {@linkcode quickRead}: whole when small (`bytes`), else an open `file` to read. */
export type QuickReading = Omit<Extract<OpenReply, { type: string }>, "handle">;

/** What {@linkcode quickRead} found missing: the types there are (none: an empty pasteboard). */
export type QuickMissing = Extract<OpenReply, { missing: true }>;

/** Options of {@linkcode quickRead}. */
export interface QuickReadOptions extends QuickOptions {
  /** Read only this item (0 is the first). @default {the first item that has the type} */
  item?: number;
  /**
   * The general pasteboard is mirrored to a desktop: answer `{ desktop: true }` instead of
   * reading when the mirror no longer owns the desktop clipboard (the desktop may hold
   * something copied elsewhere). @default {false}
   */
  unlessDesktop?: boolean;
}

/**
 * Reads the first of the wanted types (UTIs, in order of preference) that the pasteboard holds,
 * or one that conforms, or one it can be derived from; with none wanted, the first item (or
 * `item`): its text, held or derived (a file's path only when it holds nothing else), else its
 * first representation. One request.
 *
 * @returns the reading, what is there when the type is not, or `{ desktop: true }` (see
 *   {@linkcode QuickReadOptions.unlessDesktop}).
 */
export async function quickRead(
  name: string,
  wanted: string[],
  options: QuickReadOptions = {},
): Promise<QuickReading | QuickMissing | { desktop: true }> {
  const body: Dictionary = { name, types: wanted, files: true };
  if (options.item !== undefined) body.item = options.item;
  if (options.unlessDesktop) body.unlessDesktop = true;
  const reply = await callBroker(OPEN, body, {
    runtimeDir: options.runtimeDir,
  }) as Dictionary;
  const reading = readOpenReply(reply);
  if ("handle" in reading && reading.handle !== undefined) {
    throw new RemoteError("bad-reply", "the broker streamed a read that asked for files");
  }
  return reading;
}
