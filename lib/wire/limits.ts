/**
 * The limits every frame and value is held to, so that one misbehaving peer costs only its own
 * connection and never the memory of the process that reads it.
 *
 * A frame is bounded in bytes, and what it may decode to is bounded too: a byte of MessagePack
 * can become an object of a hundred bytes (an empty map), so a 16 MiB frame of empty maps would
 * otherwise cost over a gigabyte and seconds of one thread.
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
  /** The most arrays and dictionaries one frame may decode to. @default {262144} */
  maxContainers?: number;
  /**
   * The most values one frame may decode to: every scalar, array, dictionary and dictionary
   * key counts (a byte array is one value, whatever its size). @default {1048576}
   */
  maxValues?: number;
}

/** The default limits. */
export const DEFAULT_LIMITS: Readonly<Required<Limits>> = Object.freeze({
  maxFrameBytes: 16 * 1024 * 1024,
  maxDepth: 64,
  maxStringBytes: 4 * 1024 * 1024,
  maxContainers: 256 * 1024,
  maxValues: 1024 * 1024,
});

/**
 * The limits of the first frame on a connection, before the peer has said who it is: a hello is
 * a small flat dictionary, so nothing larger is read (or buffered) before it.
 */
export const HELLO_LIMITS: Readonly<Required<Limits>> = Object.freeze({
  maxFrameBytes: 64 * 1024,
  maxDepth: 4,
  maxStringBytes: 16 * 1024,
  maxContainers: 64,
  maxValues: 1024,
});
