/**
 * The MessagePack codec for Values: standard MessagePack (any conforming decoder reads it), with
 * three extension types:
 *
 * | type | meaning                                   | body                             |
 * |------|-------------------------------------------|----------------------------------|
 * | −1   | date (the standard timestamp extension)    | 4, 8 or 12 bytes                 |
 * | 1    | uint64                                    | 8 bytes, big-endian              |
 * | 2    | UUID                                      | 16 bytes                         |
 * | 3    | object specifier                          | array `[want, from, form, seld]` |
 * | 4    | insertion location                        | array `[position, object]`       |
 * | 5    | type code                                 | its four characters, UTF-8       |
 * | 6    | enumerator constant                       | its four characters, UTF-8       |
 * | 7    | comparison descriptor                     | array `[op, left, right]`        |
 * | 8    | logical descriptor                        | array `[op, operands]`           |
 *
 * The descriptors (3, 4, 7, 8) hold a MessagePack array of their parts
 * (`descriptorParts` in value.ts); their nesting counts against the depth limit like arrays'.
 *
 * Every double is written as float 64, so `1.0` and `-0` stay doubles; every int64 is written in
 * the smallest integer format, and on reading an integer of any format is an int64 (`bigint`),
 * a float a double (`number`).
 *
 * A codec of its own, reading in one pass that checks the limits before it allocates: why, in
 * docs/design.md ("Start-up engineering").
 *
 * @module
 */

import { LimitError, ProtocolError } from "../errors.ts";
import { DEFAULT_LIMITS, type Limits } from "./limits.ts";
import {
  assertValue,
  Comparison,
  type Descriptor,
  descriptorFromParts,
  descriptorParts,
  type Dictionary,
  EnumConstant,
  InsertionLocation,
  INT64_MAX,
  INT64_MIN,
  isDescriptor,
  isDictionary,
  ObjectSpecifier,
  TypeCode,
  UInt64,
  Uuid,
  type Value,
} from "./value.ts";

/** Extension type of a date (MessagePack's timestamp). */
export const EXT_TIMESTAMP: number = -1;
/** Extension type of a uint64. */
export const EXT_UINT64: number = 1;
/** Extension type of a UUID. */
export const EXT_UUID: number = 2;
/** Extension type of an object specifier. */
export const EXT_SPECIFIER: number = 3;
/** Extension type of an insertion location. */
export const EXT_INSERTION: number = 4;
/** Extension type of a type code. */
export const EXT_TYPE: number = 5;
/** Extension type of an enumerator constant. */
export const EXT_CONSTANT: number = 6;
/** Extension type of a comparison descriptor. */
export const EXT_COMPARISON: number = 7;
/** Extension type of a logical descriptor. */
export const EXT_LOGICAL: number = 8;

const DESCRIPTOR_KINDS: Record<number, "specifier" | "insertion" | "comparison" | "logical"> = {
  [EXT_SPECIFIER]: "specifier",
  [EXT_INSERTION]: "insertion",
  [EXT_COMPARISON]: "comparison",
  [EXT_LOGICAL]: "logical",
};

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true });

// ---------------------------------------------------------------------------------------------
// Encoding

let buffer = new Uint8Array(4096);
let view = new DataView(buffer.buffer);
let pos = 0;

function ensure(extra: number): void {
  if (pos + extra <= buffer.length) return;
  let size = buffer.length * 2;
  while (size < pos + extra) size *= 2;
  const grown = new Uint8Array(size);
  grown.set(buffer.subarray(0, pos));
  buffer = grown;
  view = new DataView(buffer.buffer);
}

/**
 * Encodes a Value as MessagePack.
 *
 * @param value the value; anything else is a `TypeError` naming where it is.
 * @param limits the limits it must keep. @default {DEFAULT_LIMITS}
 * @returns a fresh byte array.
 */
export function encodeValue(value: Value, limits: Limits = DEFAULT_LIMITS): Uint8Array {
  return encodeValueWithPrefix(value, 0, limits);
}

/**
 * Encodes a Value as MessagePack after `prefix` bytes left free (for a frame's length).
 *
 * @returns a fresh byte array of `prefix` + the encoded length.
 * @throws {TypeError} when `value` is not a Value (the message names the path).
 * @throws {LimitError} when it breaks a limit.
 */
export function encodeValueWithPrefix(
  value: Value,
  prefix: number,
  limits: Limits = DEFAULT_LIMITS,
): Uint8Array {
  encodeInPlace(value, prefix, limits);
  const out = buffer.slice(0, pos);
  if (buffer.length > 1 << 20) { // do not keep a huge buffer around after a large value
    buffer = new Uint8Array(4096);
    view = new DataView(buffer.buffer);
  }
  return out;
}

/**
 * Encodes a Value as MessagePack and hands `use` the encoded bytes in the encoder's own
 * memory, valid only until `use` returns: for a caller that copies them at once (into a
 * frame), which spares the array of their own that {@linkcode encodeValue} returns (an
 * `ArrayBuffer` costs more to allocate than a small value costs to encode). `use` must not
 * encode.
 *
 * @throws {TypeError} when `value` is not a Value (the message names the path).
 * @throws {LimitError} when it breaks a limit.
 */
export function encodeValueWith<T>(
  value: Value,
  limits: Limits,
  use: (bytes: Uint8Array) => T,
): T {
  encodeInPlace(value, 0, limits);
  const result = use(buffer.subarray(0, pos));
  if (buffer.length > 1 << 20) {
    buffer = new Uint8Array(4096);
    view = new DataView(buffer.buffer);
  }
  return result;
}

/** Encodes `value` into `buffer` after `prefix` free bytes; `pos` is then its end. */
function encodeInPlace(value: Value, prefix: number, limits: Limits): void {
  pos = 0;
  ensure(prefix);
  pos = prefix;
  containersLeft = limits.maxContainers ?? DEFAULT_LIMITS.maxContainers;
  valuesLeft = limits.maxValues ?? DEFAULT_LIMITS.maxValues;
  try {
    write(value, 1, limits);
  } catch (error) {
    if (error instanceof LimitError) throw error;
    // Walk again for a message that names the offending part (this is the slow path only).
    assertValue(value, limits);
    throw error;
  }
  if (pos - prefix > limits.maxFrameBytes) {
    throw new LimitError(
      `an encoded value of ${
        pos - prefix
      } bytes is over the frame limit of ${limits.maxFrameBytes}; stream it in chunks`,
    );
  }
}

// What the value being encoded may still hold, so that the other side will decode it: a value
// over the limits fails the one call that sends it, not the connection it would go on.
let containersLeft = 0;
let valuesLeft = 0;

function write(value: unknown, depth: number, limits: Limits): void {
  if (--valuesLeft < 0) overLimit("values", limits.maxValues ?? DEFAULT_LIMITS.maxValues);
  switch (typeof value) {
    case "number":
      ensure(9);
      buffer[pos] = 0xcb;
      view.setFloat64(pos + 1, value);
      pos += 9;
      return;
    case "bigint":
      return writeInt(value);
    case "string":
      return writeString(value, limits);
    case "boolean":
      ensure(1);
      buffer[pos++] = value ? 0xc3 : 0xc2;
      return;
    case "object":
      if (value === null) {
        ensure(1);
        buffer[pos++] = 0xc0;
        return;
      }
      if (value instanceof Uint8Array) return writeBytes(value);
      if (Array.isArray(value)) {
        checkDepth(depth, limits);
        writeHeader(value.length, 0x90, 0xdc);
        for (let i = 0; i < value.length; i++) write(value[i], depth + 1, limits);
        return;
      }
      if (value instanceof Date) return writeDate(value);
      if (value instanceof UInt64) {
        ensure(10);
        buffer[pos] = 0xd7;
        buffer[pos + 1] = EXT_UINT64;
        view.setBigUint64(pos + 2, value.value);
        pos += 10;
        return;
      }
      if (value instanceof Uuid) {
        ensure(18);
        buffer[pos] = 0xd8;
        buffer[pos + 1] = EXT_UUID;
        buffer.set(value.bytes, pos + 2);
        pos += 18;
        return;
      }
      if (value instanceof TypeCode || value instanceof EnumConstant) {
        const code = textEncoder.encode(value.code);
        ensure(3 + code.length);
        buffer[pos] = 0xc7;
        buffer[pos + 1] = code.length;
        buffer[pos + 2] = value instanceof TypeCode ? EXT_TYPE : EXT_CONSTANT;
        buffer.set(code, pos + 3);
        pos += 3 + code.length;
        return;
      }
      if (isDescriptor(value)) return writeDescriptor(value, depth, limits);
      if (isDictionary(value)) {
        checkDepth(depth, limits);
        const keys = Object.keys(value);
        writeHeader(keys.length, 0x80, 0xde);
        valuesLeft -= keys.length;
        for (const key of keys) {
          if (key === "__proto__") throw new TypeError(`the key "__proto__" is not allowed`);
          writeString(key, limits);
          write((value as Dictionary)[key], depth + 1, limits);
        }
        return;
      }
  }
  throw new TypeError(`not a Value: ${String(value)}`);
}

/** A descriptor: ext 32 whose body is the array of its parts, the length patched in after. */
function writeDescriptor(value: Descriptor, depth: number, limits: Limits): void {
  checkDepth(depth, limits);
  const type = value instanceof ObjectSpecifier
    ? EXT_SPECIFIER
    : value instanceof InsertionLocation
    ? EXT_INSERTION
    : value instanceof Comparison
    ? EXT_COMPARISON
    : EXT_LOGICAL;
  ensure(6);
  const start = pos;
  buffer[pos] = 0xc9;
  buffer[pos + 5] = type;
  pos += 6;
  const parts = descriptorParts(value);
  writeHeader(parts.length, 0x90, 0xdc);
  for (let i = 0; i < parts.length; i++) write(parts[i], depth + 1, limits);
  view.setUint32(start + 1, pos - start - 6);
}

function checkDepth(depth: number, limits: Limits): void {
  if (depth > limits.maxDepth) {
    throw new LimitError(`nested deeper than the limit of ${limits.maxDepth}`);
  }
  if (--containersLeft < 0) {
    overLimit("arrays and dictionaries", limits.maxContainers ?? DEFAULT_LIMITS.maxContainers);
  }
}

function overLimit(what: string, limit: number): never {
  throw new LimitError(
    `a value of more ${what} than the limit of ${limit} in one message; send large data as bytes`,
  );
}

/** Writes an array (fix 0x90, 16-bit 0xdc) or map (fix 0x80, 16-bit 0xde) header. */
function writeHeader(count: number, fix: number, wide: number): void {
  ensure(5);
  if (count < 16) buffer[pos++] = fix | count;
  else if (count < 0x10000) {
    buffer[pos] = wide;
    view.setUint16(pos + 1, count);
    pos += 3;
  } else {
    buffer[pos] = wide + 1;
    view.setUint32(pos + 1, count);
    pos += 5;
  }
}

function writeInt(value: bigint): void {
  if (value < INT64_MIN || value > INT64_MAX) {
    throw new RangeError(`${value} is out of the int64 range; use UInt64 or a double`);
  }
  ensure(9);
  if (value >= -0x80000000n && value <= 0xffffffffn) {
    const n = Number(value);
    if (n >= 0 && n < 0x80) buffer[pos++] = n;
    else if (n < 0 && n >= -32) buffer[pos++] = n & 0xff;
    else if (n >= 0 && n <= 0xffffffff) {
      buffer[pos] = 0xce;
      view.setUint32(pos + 1, n);
      pos += 5;
    } else {
      buffer[pos] = 0xd2;
      view.setInt32(pos + 1, n);
      pos += 5;
    }
    return;
  }
  buffer[pos] = 0xd3;
  view.setBigInt64(pos + 1, value);
  pos += 9;
}

function writeString(text: string, limits: Limits): void {
  const most = text.length * 3;
  const header = most < 32 ? 1 : most < 0x100 ? 2 : most < 0x10000 ? 3 : 5;
  ensure(header + most);
  let length: number;
  if (text.length < 64 && isAscii(text)) {
    length = text.length;
    for (let i = 0; i < length; i++) buffer[pos + header + i] = text.charCodeAt(i);
  } else {
    length = textEncoder.encodeInto(text, buffer.subarray(pos + header)).written;
  }
  if (length > limits.maxStringBytes) {
    throw new LimitError(
      `a string of ${length} bytes is over the limit of ${limits.maxStringBytes}; send it as data`,
    );
  }
  if (header === 1) buffer[pos] = 0xa0 | length;
  else if (header === 2) {
    buffer[pos] = 0xd9;
    buffer[pos + 1] = length;
  } else if (header === 3) {
    buffer[pos] = 0xda;
    view.setUint16(pos + 1, length);
  } else {
    buffer[pos] = 0xdb;
    view.setUint32(pos + 1, length);
  }
  pos += header + length;
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

function writeBytes(bytes: Uint8Array): void {
  const n = bytes.length;
  ensure(5 + n);
  if (n < 0x100) {
    buffer[pos] = 0xc4;
    buffer[pos + 1] = n;
    pos += 2;
  } else if (n < 0x10000) {
    buffer[pos] = 0xc5;
    view.setUint16(pos + 1, n);
    pos += 3;
  } else {
    buffer[pos] = 0xc6;
    view.setUint32(pos + 1, n);
    pos += 5;
  }
  buffer.set(bytes, pos);
  pos += n;
}

function writeDate(date: Date): void {
  const ms = date.getTime();
  if (Number.isNaN(ms)) throw new TypeError("an invalid Date is not a Value");
  const seconds = Math.floor(ms / 1000);
  const nanoseconds = (ms - seconds * 1000) * 1_000_000;
  ensure(15);
  if (nanoseconds === 0 && seconds >= 0 && seconds <= 0xffffffff) {
    buffer[pos] = 0xd6; // timestamp 32
    buffer[pos + 1] = 0xff;
    view.setUint32(pos + 2, seconds);
    pos += 6;
  } else {
    buffer[pos] = 0xc7; // timestamp 96
    buffer[pos + 1] = 12;
    buffer[pos + 2] = 0xff;
    view.setUint32(pos + 3, nanoseconds);
    view.setBigInt64(pos + 7, BigInt(seconds));
    pos += 15;
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

/** The state of one decode: the body and where we are in it. */
interface Reader {
  bytes: Uint8Array;
  pos: number;
  limits: Limits;
  /** How many more arrays and dictionaries the body may decode to. */
  containers: number;
  /** How many more values (keys included) the body may decode to. */
  values: number;
}

/**
 * Decodes a MessagePack body into a Value.
 *
 * @param bytes the body. Byte arrays in the result share its memory: do not reuse it.
 * @param limits the limits it must keep. @default {DEFAULT_LIMITS}
 * @throws {ProtocolError} when the body is not exactly one valid value of ipckit's types.
 * @throws {LimitError} when it breaks a limit: its size, nesting, string length, or what it
 * would decode to (the number of containers and values), checked before anything is built.
 */
export function decodeValue(bytes: Uint8Array, limits: Limits = DEFAULT_LIMITS): Value {
  if (bytes.length > limits.maxFrameBytes) {
    throw new LimitError(
      `a body of ${bytes.length} bytes is over the limit of ${limits.maxFrameBytes}`,
    );
  }
  const reader: Reader = {
    bytes,
    pos: 0,
    limits,
    containers: limits.maxContainers ?? DEFAULT_LIMITS.maxContainers,
    values: limits.maxValues ?? DEFAULT_LIMITS.maxValues,
  };
  const value = read(reader, 1);
  if (reader.pos !== bytes.length) {
    fail(reader, `${bytes.length - reader.pos} bytes left over after the value`);
  }
  return value;
}

// Multi-byte numbers are read from a copy in this scratch space: no DataView per decode.
const scratch = new DataView(new ArrayBuffer(8));
const scratchBytes = new Uint8Array(scratch.buffer);

/** The scratch view, holding the `n` body bytes at `at` (which `need` checked). */
function scratchOf(r: Reader, at: number, n: number): DataView {
  const bytes = r.bytes;
  for (let i = 0; i < n; i++) scratchBytes[i] = bytes[at + i];
  return scratch;
}

function fail(r: Reader, what: string): never {
  throw new ProtocolError(`not a valid MessagePack value: ${what} at byte ${r.pos}`);
}

function need(r: Reader, n: number): void {
  if (n > r.bytes.length - r.pos) {
    fail(
      r,
      r.pos >= r.bytes.length
        ? "the body ends inside a value"
        : `${n} bytes needed but only ${r.bytes.length - r.pos} left`,
    );
  }
}

function u8(r: Reader): number {
  need(r, 1);
  return r.bytes[r.pos++];
}

function u16(r: Reader): number {
  need(r, 2);
  r.pos += 2;
  const b = r.bytes, p = r.pos - 2;
  return (b[p] << 8) | b[p + 1];
}

function u32(r: Reader): number {
  need(r, 4);
  r.pos += 4;
  const b = r.bytes, p = r.pos - 4;
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

function read(r: Reader, depth: number): Value {
  if (--r.values < 0) tooMany(r, "values", r.limits.maxValues ?? DEFAULT_LIMITS.maxValues);
  const b = u8(r);
  if (b < 0x80) return BigInt(b);
  if (b >= 0xe0) return BigInt(b - 0x100);
  if (b < 0x90) return readMap(r, b & 0x0f, depth);
  if (b < 0xa0) return readArray(r, b & 0x0f, depth);
  if (b < 0xc0) return readString(r, b & 0x1f);
  switch (b) {
    case 0xc0:
      return null;
    case 0xc2:
      return false;
    case 0xc3:
      return true;
    case 0xc4:
      return readBytes(r, u8(r));
    case 0xc5:
      return readBytes(r, u16(r));
    case 0xc6:
      return readBytes(r, u32(r));
    case 0xc7:
      return readExt(r, u8(r), depth);
    case 0xc8:
      return readExt(r, u16(r), depth);
    case 0xc9:
      return readExt(r, u32(r), depth);
    case 0xca:
      need(r, 4);
      r.pos += 4;
      return scratchOf(r, r.pos - 4, 4).getFloat32(0);
    case 0xcb:
      need(r, 8);
      r.pos += 8;
      return scratchOf(r, r.pos - 8, 8).getFloat64(0);
    case 0xcc:
      return BigInt(u8(r));
    case 0xcd:
      return BigInt(u16(r));
    case 0xce:
      return BigInt(u32(r));
    case 0xcf: {
      need(r, 8);
      const n = scratchOf(r, r.pos, 8).getBigUint64(0);
      if (n > INT64_MAX) {
        fail(r, `the integer ${n} is out of the int64 range (a uint64 is an extension)`);
      }
      r.pos += 8;
      return n;
    }
    case 0xd0:
      need(r, 1);
      return BigInt(scratchOf(r, r.pos++, 1).getInt8(0));
    case 0xd1:
      need(r, 2);
      r.pos += 2;
      return BigInt(scratchOf(r, r.pos - 2, 2).getInt16(0));
    case 0xd2:
      need(r, 4);
      r.pos += 4;
      return BigInt(scratchOf(r, r.pos - 4, 4).getInt32(0));
    case 0xd3:
      need(r, 8);
      r.pos += 8;
      return scratchOf(r, r.pos - 8, 8).getBigInt64(0);
    case 0xd4:
    case 0xd5:
    case 0xd6:
    case 0xd7:
    case 0xd8:
      return readExt(r, 1 << (b - 0xd4), depth);
    case 0xd9:
      return readString(r, u8(r));
    case 0xda:
      return readString(r, u16(r));
    case 0xdb:
      return readString(r, u32(r));
    case 0xdc:
      return readArray(r, u16(r), depth);
    case 0xdd:
      return readArray(r, u32(r), depth);
    case 0xde:
      return readMap(r, u16(r), depth);
    case 0xdf:
      return readMap(r, u32(r), depth);
  }
  r.pos--;
  return fail(r, "the byte 0xc1 (never used by MessagePack)");
}

/** Checks the limits a container of `entries` values must keep before it is built. */
function startContainer(r: Reader, depth: number, entries: number): void {
  if (depth > r.limits.maxDepth) {
    throw new LimitError(`nested deeper than the limit of ${r.limits.maxDepth}`);
  }
  if (--r.containers < 0) {
    tooMany(r, "arrays and dictionaries", r.limits.maxContainers ?? DEFAULT_LIMITS.maxContainers);
  }
  if (entries > r.values) tooMany(r, "values", r.limits.maxValues ?? DEFAULT_LIMITS.maxValues);
}

function tooMany(r: Reader, what: string, limit: number): never {
  throw new LimitError(
    `a frame that decodes to more ${what} than the limit of ${limit} (at byte ${r.pos}); send large data as bytes`,
  );
}

function readArray(r: Reader, count: number, depth: number): Value[] {
  // Every entry takes at least one byte, so a count larger than what is left is a lie.
  if (count > r.bytes.length - r.pos) {
    fail(r, `an array of ${count} entries in ${r.bytes.length - r.pos} bytes`);
  }
  startContainer(r, depth, count);
  const out = new Array<Value>(count);
  for (let i = 0; i < count; i++) out[i] = read(r, depth + 1);
  return out;
}

function readMap(r: Reader, count: number, depth: number): Dictionary {
  if (count * 2 > r.bytes.length - r.pos) {
    fail(r, `a map of ${count} entries in ${r.bytes.length - r.pos} bytes`);
  }
  startContainer(r, depth, count * 2);
  const out: Dictionary = {};
  for (let i = 0; i < count; i++) {
    need(r, 1);
    const b = r.bytes[r.pos];
    let key: Value;
    if (b >= 0xa0 && b < 0xc0) {
      r.values--; // the count was checked against the whole map's in startContainer
      key = readString(r, u8(r) & 0x1f);
    } else if (b === 0xd9 || b === 0xda || b === 0xdb) key = read(r, depth + 1);
    else fail(r, "a dictionary key that is not a string");
    if (key === "__proto__") fail(r, `the key "__proto__" (not allowed in a dictionary)`);
    out[key as string] = read(r, depth + 1);
  }
  return out;
}

const RECENT_TEXTS = 512; // a power of two
const recentTexts: string[] = new Array(RECENT_TEXTS).fill("");

function readString(r: Reader, length: number): string {
  if (length > r.limits.maxStringBytes) {
    throw new LimitError(
      `a string of ${length} bytes is over the limit of ${r.limits.maxStringBytes}`,
    );
  }
  need(r, length);
  const start = r.pos;
  r.pos += length;
  const bytes = r.bytes;
  if (length < 32) {
    // Short ASCII strings (keys, methods, names) recur: the last one of each hash slot is
    // reused when the bytes match, else built by hand (several times faster than spreading a
    // subarray into String.fromCharCode, or a TextDecoder call).
    const end = start + length;
    let hash = length;
    let i = start;
    for (; i < end; i++) {
      const c = bytes[i];
      if (c > 0x7f) break;
      hash = (hash * 31 + c) | 0;
    }
    if (i === end) {
      const slot = hash & (RECENT_TEXTS - 1);
      const recent = recentTexts[slot];
      if (recent.length === length) {
        let k = 0;
        while (k < length && recent.charCodeAt(k) === bytes[start + k]) k++;
        if (k === length) return recent;
      }
      let text = "";
      for (let j = start; j < end; j++) text += String.fromCharCode(bytes[j]);
      recentTexts[slot] = text;
      return text;
    }
  }
  try {
    return textDecoder.decode(bytes.subarray(start, start + length));
  } catch {
    r.pos = start;
    return fail(r, "a string that is not valid UTF-8");
  }
}

function readBytes(r: Reader, length: number): Uint8Array {
  need(r, length);
  r.pos += length;
  return r.bytes.subarray(r.pos - length, r.pos);
}

function readExt(r: Reader, length: number, depth: number): Value {
  need(r, 1 + length);
  const type = scratchOf(r, r.pos, 1).getInt8(0);
  const at = r.pos + 1;
  r.pos += 1 + length;
  switch (type) {
    case EXT_TYPE:
    case EXT_CONSTANT: {
      let code: string;
      try {
        code = textDecoder.decode(r.bytes.subarray(at, at + length));
      } catch {
        return fail(r, "a type code or constant that is not valid UTF-8");
      }
      if (code.length !== 4) fail(r, `a type code or constant of ${code.length} characters`);
      return type === EXT_TYPE ? new TypeCode(code) : new EnumConstant(code);
    }
    case EXT_SPECIFIER:
    case EXT_INSERTION:
    case EXT_COMPARISON:
    case EXT_LOGICAL: {
      if (depth > r.limits.maxDepth) {
        throw new LimitError(`nested deeper than the limit of ${r.limits.maxDepth}`);
      }
      const end = r.pos;
      // The descriptor's body spends the frame's container and value budgets like any other.
      const inner: Reader = {
        bytes: r.bytes.subarray(0, end),
        pos: at,
        limits: r.limits,
        containers: r.containers,
        values: r.values,
      };
      const parts = read(inner, depth + 1);
      r.containers = inner.containers;
      r.values = inner.values;
      if (inner.pos !== end) fail(r, `a descriptor with ${end - inner.pos} bytes left over`);
      if (!Array.isArray(parts)) fail(r, "a descriptor whose body is not an array");
      try {
        return descriptorFromParts(DESCRIPTOR_KINDS[type], parts);
      } catch (error) {
        return fail(r, `a malformed ${DESCRIPTOR_KINDS[type]}: ${(error as Error).message}`);
      }
    }
    case EXT_TIMESTAMP: {
      let seconds: number, nanoseconds = 0;
      if (length === 4) seconds = scratchOf(r, at, 4).getUint32(0);
      else if (length === 8) {
        const high = scratchOf(r, at, 4).getUint32(0), low = scratchOf(r, at + 4, 4).getUint32(0);
        nanoseconds = high >>> 2;
        seconds = (high & 0x3) * 0x100000000 + low;
      } else if (length === 12) {
        nanoseconds = scratchOf(r, at, 4).getUint32(0);
        seconds = Number(scratchOf(r, at + 4, 8).getBigInt64(0));
      } else return fail(r, `a timestamp of ${length} bytes`);
      if (nanoseconds >= 1e9) fail(r, "a timestamp with more than a second of nanoseconds");
      const date = new Date(seconds * 1000 + Math.floor(nanoseconds / 1e6));
      if (Number.isNaN(date.getTime())) fail(r, "a timestamp out of the range of dates");
      return date;
    }
    case EXT_UINT64:
      if (length !== 8) fail(r, `a uint64 extension of ${length} bytes, not 8`);
      return new UInt64(scratchOf(r, at, 8).getBigUint64(0));
    case EXT_UUID:
      if (length !== 16) fail(r, `a UUID extension of ${length} bytes, not 16`);
      return Uuid.fromBytes(r.bytes.subarray(at, at + 16));
  }
  return fail(r, `a MessagePack extension type ipckit does not know: ${type}`);
}
