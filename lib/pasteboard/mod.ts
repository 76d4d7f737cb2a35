/**
 * Pasteboards: named pasteboards with items of several representations keyed by UTI, lazy and
 * derived data, change counts and watching, and the desktop clipboard as a mirror.
 *
 * @module
 */

export * from "./pasteboard.ts";
export * from "./derive.ts";
export * from "./list.ts";
export * from "./once.ts";
export type { OpenReply, WriteResult } from "./protocol.ts";
export * from "./desktop/backend.ts";
export { denoRunner, desktopBackend, detectDesktop } from "./desktop/desktop.ts";
