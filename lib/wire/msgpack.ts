/**
 * The MessagePack codec for Values, on `@msgpack/msgpack` with explicit options, because its
 * defaults lose `-0` and `1.0` (written as integers) and throw on a `bigint`:
 *
 * - every double is written as float 64 (`forceIntegerToFloat`), every int64 as int 64 or
 *   uint 64 (`useBigInt64`); on reading, an integer of any width is an int64 and a float a double;
 * - extension type 1 is a uint64 (8 bytes, big-endian), type 2 a UUID (16 bytes), and dates use
 *   the standard timestamp extension (−1). Narrower integer formats are refused on reading:
 *   they would decode as JavaScript numbers and so as doubles.
 *
 * Decoding checks the limits before it builds anything, so a hostile body cannot make the
 * reader allocate more than the body's own size, and every failure is a typed error.
 *
 * @module
 */

import { Decoder, Encoder, ExtensionCodec } from "../deps.ts";
import { LimitError, ProtocolError } from "../errors.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";
import { assertValue, INT64_MAX, isDictionary, UInt64, Uuid, type Value } from "./value.ts";

/** Extension type of a uint64. */
export const EXT_UINT64 = 1;
/** Extension type of a UUID. */
export const EXT_UUID = 2;

const extensionCodec = new ExtensionCodec();
extensionCodec.register({
  type: EXT_UINT64,
  encode(input: unknown) {
    if (!(input instanceof UInt64)) return null;
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigUint64(0, input.value);
    return out;
  },
  decode(data: Uint8Array) {
    if (data.length !== 8) {
      throw new ProtocolError(`a uint64 extension has 8 bytes, not ${data.length}`);
    }
    return new UInt64(new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0));
  },
});
extensionCodec.register({
  type: EXT_UUID,
  encode(input: unknown) {
    return input instanceof Uuid ? input.bytes : null;
  },
  decode(data: Uint8Array) {
    if (data.length !== 16) {
      throw new ProtocolError(`a UUID extension has 16 bytes, not ${data.length}`);
    }
    return Uuid.fromBytes(data);
  },
});

const encoder = new Encoder({
  extensionCodec,
  useBigInt64: true,
  forceIntegerToFloat: true,
  ignoreUndefined: false,
  maxDepth: 1024,
});

/**
 * Encodes a Value as MessagePack.
 *
 * @param value the value; anything else is a `TypeError`.
 * @param limits the limits it must keep. @default {DEFAULT_LIMITS}
 * @returns a fresh byte array.
 */
export function encodeValue(value: Value, limits: Limits = DEFAULT_LIMITS): Uint8Array {
  return encodeValueWithPrefix(value, 0, limits);
}

/**
 * Encodes a Value as MessagePack after `prefix` bytes left free (for a frame's length), with
 * one copy of the encoded bytes.
 *
 * @returns a fresh byte array of `prefix` + the encoded length.
 */
export function encodeValueWithPrefix(
  value: Value,
  prefix: number,
  limits: Limits = DEFAULT_LIMITS,
): Uint8Array {
  assertValue(value, limits);
  const shared = encoder.encodeSharedRef(value);
  if (shared.length > limits.maxFrameBytes) {
    throw new LimitError(
      `an encoded value of ${shared.length} bytes is over the frame limit of ${limits.maxFrameBytes}; stream it in chunks`,
    );
  }
  const out = new Uint8Array(prefix + shared.length);
  out.set(shared, prefix);
  return out;
}

const decoders = new WeakMap<Limits, Decoder>();

function decoderFor(limits: Limits): Decoder {
  let decoder = decoders.get(limits);
  if (!decoder) {
    decoder = new Decoder({
      extensionCodec,
      useBigInt64: true,
      maxStrLength: limits.maxStringBytes,
    });
    decoders.set(limits, decoder);
  }
  return decoder;
}

/**
 * Decodes a MessagePack body into a Value.
 *
 * @param bytes the body. Byte arrays in the result may share its memory: do not reuse it.
 * @param limits the limits it must keep. @default {DEFAULT_LIMITS}
 * @throws {ProtocolError} when the body is not one whole, valid value.
 * @throws {LimitError} when it breaks a limit.
 */
export function decodeValue(bytes: Uint8Array, limits: Limits = DEFAULT_LIMITS): Value {
  if (bytes.length > limits.maxFrameBytes) {
    throw new LimitError(
      `a body of ${bytes.length} bytes is over the limit of ${limits.maxFrameBytes}`,
    );
  }
  scan(bytes, limits);
  let value: unknown;
  try {
    value = decoderFor(limits).decode(bytes);
  } catch (error) {
    if (error instanceof LimitError || error instanceof ProtocolError) throw error;
    throw new ProtocolError(`not a valid MessagePack value: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return normalize(value);
}

/** Turns what the decoder built into Values: integers become int64, bin becomes plain bytes. */
function normalize(value: unknown): Value {
  switch (typeof value) {
    case "number":
    case "boolean":
    case "string":
      return value;
    case "bigint":
      if (value > INT64_MAX) {
        throw new ProtocolError(
          `integer ${value} is out of the int64 range (a uint64 is an extension)`,
        );
      }
      return value;
    case "object":
      if (value === null || value instanceof UInt64 || value instanceof Uuid) return value;
      if (value instanceof Date) {
        if (Number.isNaN(value.getTime())) throw new ProtocolError("an invalid timestamp");
        return value;
      }
      if (value instanceof Uint8Array) return value;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) value[i] = normalize(value[i]);
        return value;
      }
      if (isDictionary(value)) {
        for (const key in value) value[key] = normalize(value[key]);
        return value as Value;
      }
  }
  const type = (value as { type?: unknown })?.type;
  throw new ProtocolError(
    typeof type === "number"
      ? `a MessagePack extension type ipckit does not know: ${type}`
      : `a MessagePack value ipckit does not know: ${typeof value}`,
  );
}

/**
 * Walks the body's structure without building it: checks it holds exactly one value, that
 * no container nests deeper than the limit, that no string is over the limit, and that no
 * length claims more bytes than are left. Integers must be 64-bit: the decoder would turn a
 * narrower one into a JavaScript number, indistinguishable from a double.
 */
function scan(bytes: Uint8Array, limits: Limits): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length;
  let pos = 0;
  // How many values are still expected at each open level; the bottom one is the body itself.
  const stack: number[] = [1];
  const fail = (what: string): never => {
    throw new ProtocolError(`not a valid MessagePack value: ${what} at byte ${pos}`);
  };
  const need = (n: number) => {
    if (n > end - pos) fail(`${n} bytes needed but only ${end - pos} left`);
  };
  const skip = (n: number, isString = false) => {
    if (isString && n > limits.maxStringBytes) {
      throw new LimitError(`a string of ${n} bytes is over the limit of ${limits.maxStringBytes}`);
    }
    need(n);
    pos += n;
  };
  const header = (n: number): number => {
    need(n);
    pos += n;
    return n === 1
      ? view.getUint8(pos - 1)
      : n === 2
      ? view.getUint16(pos - 2)
      : view.getUint32(pos - 4);
  };
  const open = (count: number, perEntry: number) => {
    if (stack.length > limits.maxDepth) {
      throw new LimitError(`nested deeper than the limit of ${limits.maxDepth}`);
    }
    // Every entry takes at least one byte, so a count larger than what is left is a lie.
    if (count * perEntry > end - pos) fail(`a container of ${count} entries in ${end - pos} bytes`);
    if (count > 0) stack.push(count * perEntry);
  };
  while (stack.length > 0) {
    if (pos >= end) fail("the body ends inside a value");
    stack[stack.length - 1]--;
    const b = bytes[pos++];
    if (b <= 0x7f || b >= 0xe0 || (b >= 0xcc && b <= 0xce) || (b >= 0xd0 && b <= 0xd2)) {
      // Narrow integers would decode as JavaScript numbers, which ipckit reads as doubles.
      pos--;
      fail("an integer narrower than 64 bits (ipckit writes every int64 as int 64 or uint 64)");
    } else if (b <= 0x8f) open(b & 0x0f, 2);
    else if (b <= 0x9f) open(b & 0x0f, 1);
    else if (b <= 0xbf) skip(b & 0x1f, true);
    else if (b === 0xc0 || b === 0xc2 || b === 0xc3) {
      // nil, false, true
    } else if (b === 0xc1) {
      pos--;
      fail("the byte 0xc1 (never used by MessagePack)");
    } else if (b <= 0xc6) skip(header(1 << (b - 0xc4)));
    else if (b <= 0xc9) skip(header(1 << (b - 0xc7)) + 1);
    else if (b <= 0xd3) skip(SCALAR_SIZES[b - 0xca]);
    else if (b <= 0xd8) skip(1 + (1 << (b - 0xd4)));
    else if (b <= 0xdb) skip(header(1 << (b - 0xd9)), true);
    else if (b <= 0xdd) open(header(b === 0xdc ? 2 : 4), 1);
    else open(header(b === 0xde ? 2 : 4), 2);
    while (stack.length > 0 && stack[stack.length - 1] === 0) stack.pop();
  }
  if (pos !== end) fail(`${end - pos} bytes left over after the value`);
}

// Payload sizes of float 32, float 64, uint 8/16/32/64, int 8/16/32/64 (0xca … 0xd3).
const SCALAR_SIZES = [4, 8, 1, 2, 4, 8, 1, 2, 4, 8];
