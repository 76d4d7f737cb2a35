/**
 * The limits every frame and value is held to, so that one misbehaving peer costs only its own
 * connection and never the memory of the process that reads it.
 *
 * @module
 */

/** Limits on frames and values. */
export interface Limits {
  /** The largest frame body, in bytes; larger payloads are streamed in chunks. @default {16 MiB} */
  maxFrameBytes: number;
  /** The deepest nesting of arrays and dictionaries. @default {64} */
  maxDepth: number;
  /** The longest string, in UTF-8 bytes. @default {4 MiB} */
  maxStringBytes: number;
}

/** The default limits. */
export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrameBytes: 16 * 1024 * 1024,
  maxDepth: 64,
  maxStringBytes: 4 * 1024 * 1024,
});
