/**
 * Byte arrays put together: the one helper every side that collects a message in parts needs.
 *
 * @module
 */

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
