/**
 * Path helpers for the sdef reader.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/**
 * Turns a `file:` URL into a local path; any other URL (ipckit loaded from a server) stays a
 * URL, which reading then reports as a file it cannot find.
 */
export function fromFileUrl(url: URL): string {
  return url.protocol === "file:" ? fileURLToPath(url) : url.href;
}
