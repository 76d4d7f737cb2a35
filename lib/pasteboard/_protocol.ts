/**
 * What the pasteboard client and the broker's `pasteboard` service agree on: sizes of inline
 * data and chunks, and how many chunks may be in flight. Large data travels as a sequence of
 * chunk requests (`pasteboard.upload` up, `pasteboard.chunk` down), at most
 * {@linkcode WINDOW} at a time, so memory stays bounded on both sides whatever the size.
 *
 * @module
 */

/** Data up to this size travels inside the request or reply itself. */
export const INLINE_BYTES = 256 * 1024;
/** The size of one chunk of streamed data. */
export const CHUNK_BYTES = 1024 * 1024;
/** How many chunk requests may be in flight at once. */
export const WINDOW = 8;
/** The largest representation a derived type is made from (it is converted in memory). */
export const MAX_DERIVE_SOURCE_BYTES = 64 * 1024 * 1024;
