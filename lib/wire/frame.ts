/**
 * Length-prefixed frames: a 4-byte big-endian body length, then the body. The decoder checks
 * the length against the limit before it buffers anything, so a huge length prefix costs
 * nothing but the connection it came on.
 *
 * @module
 */

import { LimitError, ProtocolError } from "../errors.ts";
import { writeUint32 } from "./bytes.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { encodeValueWithPrefix } from "./msgpack.ts";
import type { Limits } from "./limits.ts";
import type { Dictionary, Value } from "./value.ts";

/** The size of the length prefix. */
export const PREFIX_BYTES = 4;

const INITIAL_SIZE = 64 * 1024;
// Bodies at least this large are handed over without a copy when the buffer holds nothing else.
const LARGE_FRAME = 256 * 1024;

/** Prefixes a body with its length. */
export function encodeFrame(body: Uint8Array): Uint8Array {
  const frame = new Uint8Array(PREFIX_BYTES + body.length);
  new DataView(frame.buffer).setUint32(0, body.length);
  frame.set(body, PREFIX_BYTES);
  return frame;
}

/** Encodes a Value as MessagePack and frames it. */
export function encodeMessage(value: Value, limits: Limits = DEFAULT_LIMITS): Uint8Array {
  const frame = encodeValueWithPrefix(value, PREFIX_BYTES, limits);
  writeUint32(frame, 0, frame.length - PREFIX_BYTES);
  return frame;
}

/** Byte arrays at least this large are written after their frame's head instead of copied. */
export const SEPARATE_BYTES = 64 * 1024;

const NO_BYTES = new Uint8Array(0);

/**
 * Encodes and frames a message (a dictionary) like {@linkcode encodeMessage}, but when its last
 * field is a large byte array, that array is not copied: the result is the frame's head and then
 * the array itself, to be written one after the other. The bytes on the wire are the same.
 * Large payloads so cost no fresh memory and no copy on the way out.
 *
 * @returns one frame, or a frame's head and its last field's bytes.
 */
export function encodeMessageParts(
  message: Dictionary,
  limits: Limits = DEFAULT_LIMITS,
): Uint8Array[] {
  let lastKey: string | undefined;
  for (const key in message) lastKey = key;
  const last = lastKey === undefined ? undefined : message[lastKey];
  if (!(last instanceof Uint8Array) || last.length < SEPARATE_BYTES) {
    return [encodeMessage(message, limits)];
  }
  // The same dictionary with an empty array in the last place ends in bin 8 of length 0
  // (c4 00); that becomes a bin 32 header (c6 + length) and the bytes follow it.
  const stub = encodeMessage({ ...message, [lastKey!]: NO_BYTES }, limits);
  if (stub[stub.length - 2] !== 0xc4 || stub[stub.length - 1] !== 0) {
    throw new ProtocolError("the encoder did not put the last field last");
  }
  const bodyLength = stub.length - PREFIX_BYTES - 2 + 5 + last.length;
  if (bodyLength > limits.maxFrameBytes) {
    throw new LimitError(
      `an encoded value of ${bodyLength} bytes is over the frame limit of ${limits.maxFrameBytes}; stream it in chunks`,
    );
  }
  const head = new Uint8Array(stub.length + 3);
  head.set(stub.subarray(0, stub.length - 2));
  const view = new DataView(head.buffer);
  view.setUint32(0, bodyLength);
  head[stub.length - 2] = 0xc6;
  view.setUint32(stub.length - 1, last.length);
  return [head, last];
}

/**
 * Splits a byte stream into frame bodies.
 *
 * @example
 * ```ts
 * import { encodeFrame, FrameDecoder } from "./frame.ts";
 * const decoder = new FrameDecoder();
 * decoder.push(encodeFrame(new Uint8Array([1, 2, 3])));
 * console.log(decoder.next()); // Uint8Array(3) [ 1, 2, 3 ]
 * ```
 */
export class FrameDecoder {
  #buffer = new Uint8Array(INITIAL_SIZE);
  #start = 0;
  #end = 0;
  #maxFrameBytes: number;

  /**
   * Creates a decoder.
   *
   * @param maxFrameBytes the largest body accepted. @default {16 MiB}
   */
  constructor(maxFrameBytes: number = DEFAULT_LIMITS.maxFrameBytes) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  /** The largest body accepted from now on (a connection raises it once the hello is in). */
  get maxFrameBytes(): number {
    return this.#maxFrameBytes;
  }

  set maxFrameBytes(bytes: number) {
    this.#maxFrameBytes = bytes;
  }

  /** How many bytes are buffered but not yet a whole frame. */
  get pending(): number {
    return this.#end - this.#start;
  }

  /** Appends bytes read from the stream. */
  push(chunk: Uint8Array): void {
    this.#reserve(chunk.length);
    this.#buffer.set(chunk, this.#end);
    this.#end += chunk.length;
  }

  /**
   * Where the next read should go: free space after the buffered bytes, at least `min` bytes
   * and, when a frame's length is known, room for all of it, so a large frame arrives in few
   * reads and is never copied. Call {@linkcode commit} with what was read.
   */
  space(min = 64 * 1024): Uint8Array {
    let want = min;
    let exact = false;
    const available = this.#end - this.#start;
    if (available >= PREFIX_BYTES) {
      const b = this.#buffer, s = this.#start;
      const length = ((b[s] << 24) | (b[s + 1] << 16) | (b[s + 2] << 8) | b[s + 3]) >>> 0;
      if (length <= this.#maxFrameBytes) want = Math.max(want, PREFIX_BYTES + length - available);
      // The buffer then holds just this large frame: no room to spare for doubling.
      exact = length >= LARGE_FRAME;
    }
    this.#reserve(want, exact);
    return this.#buffer.subarray(this.#end);
  }

  /** Records that `n` bytes were read into {@linkcode space}. */
  commit(n: number): void {
    this.#end += n;
  }

  #reserve(extra: number, exact = false): void {
    if (this.#buffer.length - this.#end >= extra) return;
    const used = this.#end - this.#start;
    const needed = used + extra;
    if (needed <= this.#buffer.length && this.#start > 0) {
      this.#buffer.copyWithin(0, this.#start, this.#end);
    } else {
      // Exactly what a large frame needs (fresh memory costs page faults); doubling
      // otherwise.
      let size = used === 0 || exact ? Math.max(needed, INITIAL_SIZE) : this.#buffer.length;
      while (size < needed) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.#buffer.subarray(this.#start, this.#end));
      this.#buffer = grown;
    }
    this.#start = 0;
    this.#end = used;
  }

  /**
   * The next whole frame body, or `undefined` until more bytes arrive. The body is the
   * caller's: the decoder never writes to it again.
   *
   * @throws {LimitError} when the length prefix is over the limit.
   */
  next(): Uint8Array | undefined {
    const available = this.#end - this.#start;
    if (available < PREFIX_BYTES) return undefined;
    const b = this.#buffer, s = this.#start;
    const length = ((b[s] << 24) | (b[s + 1] << 16) | (b[s + 2] << 8) | b[s + 3]) >>> 0;
    if (length > this.#maxFrameBytes) {
      throw new LimitError(
        `a frame of ${length} bytes is over the limit of ${this.#maxFrameBytes} bytes`,
      );
    }
    if (available < PREFIX_BYTES + length) return undefined;
    this.#start += PREFIX_BYTES + length;
    if (this.#start === this.#end && length >= LARGE_FRAME) {
      // The buffer holds just this large body: hand it over and start a fresh one.
      this.#buffer = new Uint8Array(INITIAL_SIZE);
      this.#start = this.#end = 0;
      return b.subarray(s + PREFIX_BYTES, s + PREFIX_BYTES + length);
    }
    const body = b.slice(s + PREFIX_BYTES, s + PREFIX_BYTES + length);
    if (this.#start === this.#end) this.#start = this.#end = 0;
    return body;
  }
}
