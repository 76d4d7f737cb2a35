/**
 * Byte arrays put together, and big-endian integers written into and read from them in place
 * (no `DataView` to allocate for each message): what the hand-written frames share.
 *
 * @module
 */

/** Writes `value` as a big-endian uint32 at `at`. */
export function writeUint32(bytes: Uint8Array, at: number, value: number): void {
  bytes[at] = value >>> 24;
  bytes[at + 1] = value >>> 16;
  bytes[at + 2] = value >>> 8;
  bytes[at + 3] = value;
}

/** Writes a safe integer as a big-endian int64 at `at` (two's complement). */
export function writeInt64(bytes: Uint8Array, at: number, value: number): void {
  writeUint32(bytes, at, Math.floor(value / 4294967296));
  writeUint32(bytes, at + 4, value >>> 0);
}

/** Reads a big-endian uint32 at `at`. */
export function readUint32(source: Uint8Array, at: number): number {
  return ((source[at] << 24) | (source[at + 1] << 16) | (source[at + 2] << 8) | source[at + 3]) >>>
    0;
}

/** Reads a big-endian int64 at `at`. */
export function readInt64(source: Uint8Array, at: number): number {
  const high = (source[at] << 24) | (source[at + 1] << 16) | (source[at + 2] << 8) |
    source[at + 3];
  return high * 4294967296 + readUint32(source, at + 4);
}

/**
 * The bytes of `parts`, one after another: the part itself when there is only one, otherwise a
 * new array (of `size` bytes, when the caller already counted them).
 */
export function concatBytes(parts: readonly Uint8Array[], size?: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  if (size === undefined) {
    size = 0;
    for (const part of parts) size += part.length;
  }
  const whole = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return whole;
}
