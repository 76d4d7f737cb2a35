/**
 * The frames of a port connection, both sides': every frame
 * is a 4-byte big-endian length and a MessagePack body; hello and bye frames are small flat
 * dictionaries, data frames have the fixed layout `{t, id, m, n, b}`, read and written at
 * fixed offsets. Shared by the serving side, the remote port and the one-request client.
 *
 * @module
 */

import { IpcError, PORT_STATUS, PortError, PortHandlerError, ProtocolError } from "../errors.ts";
import { IPCKIT_VERSION, PROTOCOL_VERSION } from "../transport/protocol.ts";
import { readInt64, readUint32, writeInt64, writeUint32 } from "../wire/bytes.ts";

/** The length prefix of every frame, in bytes. */
export const PREFIX = 4;
/** The fixed part of a data frame's body, before the payload. */
export const HEADER = 46;
/** The largest frame body: the transport's frame limit. */
export const MAX_FRAME = 16 * 1024 * 1024;
/** The largest payload sent as one frame; larger ones are streamed. */
export const MAX_WHOLE = MAX_FRAME - HEADER;
/** The chunk size of streamed messages. */
export const CHUNK = 1024 * 1024;
/** The largest hello or bye frame. */
export const MAX_CONTROL = 64 * 1024;
/** Frames up to this size are copied together into one write. */
export const COALESCE = 64 * 1024;
/** The size of a connection's read buffer. */
export const READ_BUFFER = 64 * 1024;
/** Buffers at least this large are worth reusing (fresh memory costs page faults). */
export const RECYCLE_MIN = 64 * 1024;
/** No bytes. */
export const EMPTY: Uint8Array = new Uint8Array(0);

/** A request (its last or only frame). */
export const K_REQUEST = 0x71; // q
/** A one-way request (its last or only frame). */
export const K_ONEWAY = 0x6f; // o
/** A chunk of a request, more follow. */
export const K_CHUNK = 0x73; // s
/** A chunk of a one-way request, more follow. */
export const K_ONEWAY_CHUNK = 0x63; // c
/** A reply (its last or only frame). */
export const K_REPLY = 0x72; // r
/** A chunk of a reply, more follow. */
export const K_REPLY_CHUNK = 0x53; // S
/** The callback failed; the payload is its message. */
export const K_ERROR = 0x65; // e
/** The sender gave up on a streamed message. */
export const K_ABORT = 0x78; // x

/**
 * The constant bytes of a data frame's header: fixmap(5), "t": fixstr(1) kind, "id": int64,
 * "m": int64, "n": int64, "b": bin32 length. Offsets of the variable parts are below.
 */
// deno-fmt-ignore
export const TEMPLATE: Uint8Array = new Uint8Array([
  0x85,
  0xa1, 0x74, 0xa1, 0x00,
  0xa2, 0x69, 0x64, 0xd3, 0, 0, 0, 0, 0, 0, 0, 0,
  0xa1, 0x6d, 0xd3, 0, 0, 0, 0, 0, 0, 0, 0,
  0xa1, 0x6e, 0xd3, 0, 0, 0, 0, 0, 0, 0, 0,
  0xa1, 0x62, 0xc6, 0, 0, 0, 0,
]);
/** Where a data frame's kind is, in its body. */
export const AT_KIND = 4;
/** Where a data frame's request id is, in its body. */
export const AT_ID = 9;
/** Where a data frame's message id is, in its body. */
export const AT_MSGID = 20;
/** Where a data frame's whole message length is, in its body. */
export const AT_TOTAL = 31;
/** Where a data frame's payload length is, in its body. */
export const AT_LENGTH = 42;
// Which template bytes are constant (checked on reading).
const CONSTANT = [0, 1, 2, 3, 5, 6, 7, 8, 17, 18, 19, 28, 29, 30, 39, 40, 41];

/** The memory small frames are cut from. */
let slab = EMPTY;
let slabUsed = 0;
const SLAB = 64 * 1024;

/**
 * Zeroed memory for a frame of `size` bytes. A small one is cut from a larger array, never
 * handed out twice, that goes away once all that was cut from it is dropped: an array of its
 * own (an `ArrayBuffer` of its own) for every frame would cost each message an allocation, and
 * the garbage collector's time to free it.
 */
function frameMemory(size: number): Uint8Array {
  if (size > SLAB / 8) return new Uint8Array(size);
  if (slabUsed + size > slab.length) {
    slab = new Uint8Array(SLAB);
    slabUsed = 0;
  }
  const frame = slab.subarray(slabUsed, slabUsed + size);
  slabUsed += size;
  return frame;
}

/** The memory small copies are cut from (apart from frames': a copy's may be transferred). */
let copySlab = EMPTY;
let copySlabUsed = 0;

/**
 * A copy of `source` from `start` to `end`, for bytes lent rather than given (a small request's
 * data, the callback's until it is answered): a small one is cut from a larger array, never
 * handed out twice, whose `ArrayBuffer` it shares; a larger one is an array of its own. Should
 * the shared array be transferred (detached), the next copy starts another.
 */
export function copyOf(source: Uint8Array, start: number, end: number): Uint8Array {
  const size = end - start;
  if (size > SLAB / 8) return source.slice(start, end);
  if (copySlabUsed + size > copySlab.length) {
    copySlab = new Uint8Array(SLAB);
    copySlabUsed = 0;
  }
  const copy = copySlab.subarray(copySlabUsed, copySlabUsed + size);
  copySlabUsed += size;
  copy.set(source.subarray(start, end));
  return copy;
}

/**
 * A data frame: the prefix and header, and the payload after them when it is small enough to
 * copy; otherwise the caller writes the payload itself right after. `before` (a hello) goes
 * first in the same array, so that both go out in one write.
 */
export function dataFrame(
  kind: number,
  id: number,
  msgid: number,
  total: number,
  payload: Uint8Array,
  before: Uint8Array = EMPTY,
): Uint8Array {
  const inline = payload.length <= COALESCE;
  const at = before.length;
  const frame = frameMemory(at + PREFIX + HEADER + (inline ? payload.length : 0));
  // Written in place: no view to allocate for each frame.
  if (at > 0) frame.set(before);
  writeUint32(frame, at, HEADER + payload.length);
  const b = at + PREFIX;
  frame.set(TEMPLATE, b);
  frame[b + AT_KIND] = kind;
  writeInt64(frame, b + AT_ID, id);
  writeInt64(frame, b + AT_MSGID, msgid);
  writeInt64(frame, b + AT_TOTAL, total);
  writeUint32(frame, b + AT_LENGTH, payload.length);
  if (inline && payload.length > 0) frame.set(payload, b + HEADER);
  return frame;
}

/**
 * Checks the data frame header at `at` (its body, after the prefix) of a frame whose body is
 * `length` bytes.
 *
 * @throws {ProtocolError} when it is not the port layout or its lengths disagree.
 */
export function checkHeader(buffer: Uint8Array, at: number, length: number): void {
  for (const i of CONSTANT) {
    if (buffer[at + i] !== TEMPLATE[i]) {
      throw new ProtocolError("a data frame that does not have the port layout");
    }
  }
  if (readUint32(buffer, at + AT_LENGTH) !== length - HEADER) {
    throw new ProtocolError("a data frame whose payload length does not match its frame");
  }
}

/**
 * Whether the frame body at `at` starts like a data frame (its type is one character; a
 * hello's or bye's is longer). Needs 4 bytes.
 */
export function isDataFrame(buffer: Uint8Array, at: number): boolean {
  return buffer[at] === TEMPLATE[0] && buffer[at + 1] === TEMPLATE[1] &&
    buffer[at + 2] === TEMPLATE[2] && buffer[at + 3] === TEMPLATE[3];
}

/** A hello or bye: a flat MessagePack dictionary of strings and int64s, framed. */
export function controlFrame(fields: Record<string, string | number>): Uint8Array {
  const encoder = new TextEncoder();
  const keys = Object.keys(fields);
  const parts: number[] = [0, 0, 0, 0, 0x80 | keys.length]; // the length prefix goes first
  for (const key of keys) {
    for (const item of [key, fields[key]]) {
      if (typeof item === "number") {
        const high = Math.floor(item / 4294967296);
        parts.push(0xd3, high >>> 24, high >>> 16, high >>> 8, high);
        parts.push(item >>> 24, item >>> 16, item >>> 8, item); // stored modulo 256
        continue;
      }
      const bytes = encoder.encode(item);
      if (bytes.length < 32) parts.push(0xa0 | bytes.length);
      else if (bytes.length < 0x10000) parts.push(0xda, bytes.length >> 8, bytes.length);
      else throw new RangeError("a control string over 64 KiB");
      for (const b of bytes) parts.push(b);
    }
  }
  const frame = new Uint8Array(parts);
  writeUint32(frame, 0, parts.length - PREFIX);
  return frame;
}

/** The fields of a hello or bye. */
export type ControlFields = Record<string, string | number | boolean | null>;

/**
 * Reads a flat dictionary of strings and integers (what {@linkcode controlFrame} writes).
 *
 * @throws {ProtocolError} when it is not one.
 */
export function readControl(body: Uint8Array): ControlFields {
  let pos = 0;
  const fail = (): never => {
    throw new ProtocolError(`not an ipckit port message (byte ${pos} of a control frame)`);
  };
  const byte = () => pos < body.length ? body[pos++] : fail();
  const take = (n: number) => {
    if (pos + n > body.length) fail();
    pos += n;
    return body.subarray(pos - n, pos);
  };
  const value = (): string | number | boolean | null => {
    const b = byte();
    if ((b & 0xe0) === 0xa0) return text(take(b & 0x1f));
    if (b === 0xd9) return text(take(byte()));
    if (b === 0xda) return text(take((byte() << 8) | byte()));
    if (b === 0xd3) return readInt64(take(8), 0);
    if (b <= 0x7f) return b;
    if (b === 0xc0) return null;
    if (b === 0xc2 || b === 0xc3) return b === 0xc3;
    return fail();
  };
  const head = byte();
  let count = 0;
  if ((head & 0xf0) === 0x80) count = head & 0x0f;
  else if (head === 0xde) count = (byte() << 8) | byte();
  else fail();
  const out: ControlFields = {};
  for (let i = 0; i < count; i++) {
    const key = value();
    if (typeof key !== "string") fail();
    out[key as string] = value();
  }
  if (pos !== body.length) fail();
  return out;
}

/** UTF-8 text; short ASCII without `TextDecoder`, whose first use costs a command's start-up. */
function text(bytes: Uint8Array): string {
  let ascii = bytes.length <= 64;
  for (let i = 0; ascii && i < bytes.length; i++) ascii = bytes[i] < 0x80;
  return ascii ? String.fromCharCode(...bytes) : new TextDecoder().decode(bytes);
}

/** The hello frame either side sends first, naming the port. */
export function helloFrame(port: string): Uint8Array {
  return controlFrame({
    t: "hello",
    v: PROTOCOL_VERSION,
    name: `ipckit ${IPCKIT_VERSION}`,
    pid: Deno.pid,
    port,
  });
}

/**
 * Whether a control frame's body is a hello of this protocol version, as ipckit writes one
 * (`{t: "hello", v, …}`): told by its first bytes, without decoding it, on the path of a
 * command that sends one request. Anything else takes {@linkcode readControl}.
 */
export function isHello(body: Uint8Array): boolean {
  const head = HELLO_HEAD;
  if (body.length < head.length + 1 || body[head.length] !== PROTOCOL_VERSION) return false;
  for (let i = 0; i < head.length; i++) if (body[i] !== head[i]) return false;
  return true;
}

// fixmap(5), "t": "hello", "v": int64 whose last byte (the version, under 128) follows.
// deno-fmt-ignore
const HELLO_HEAD = [
  0x85, 0xa1, 0x74, 0xa5, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0xa1, 0x76, 0xd3, 0, 0, 0, 0, 0, 0, 0,
];

/** A failure of the data source (not of the socket) while a message was being streamed. */
export class SourceError extends IpcError {}

/** The {@linkcode SourceError} for a source that failed with `error`. */
export function sourceFailed(error: unknown): SourceError {
  return new SourceError(
    `reading the data to send failed: ${(error as Error)?.message ?? error}`,
    { cause: error },
  );
}

/**
 * The sender's error for a port whose hello says it speaks protocol `fields.v`, not this one:
 * the same for {@linkcode ./once.ts sendOnce} and a `RemotePort`.
 */
export function portVersionMismatch(
  name: string,
  fields: Readonly<Record<string, unknown>>,
): ProtocolError {
  return new ProtocolError(
    `protocol mismatch: the port "${name}" speaks ipckit protocol ${String(fields.v)} (${
      String(fields.name)
    }), this ipckit speaks ${PROTOCOL_VERSION}`,
  );
}

/** The sender's error for a port that broke the protocol (status -4). */
export function portBrokeProtocol(name: string, error: ProtocolError): PortError {
  return new PortError(
    PORT_STATUS.transportError,
    `the port "${name}" broke the protocol (transport error, status -4): ${error.message}`,
    { cause: error },
  );
}

/** The sender's error for a port whose callback failed with `message` (a `K_ERROR` reply). */
export function portHandlerFailed(name: string, message: Uint8Array): PortHandlerError {
  return new PortHandlerError(
    PORT_STATUS.transportError,
    `the port "${name}" failed to handle the request (handler failed, status -4): ${
      new TextDecoder().decode(message)
    }`,
  );
}

/** The frame kinds of a message: its last frame, its other chunks, and its abort. */
export interface MessageKinds {
  /** The kind of the last (or only) frame. */
  last: number;
  /** The kind of the frames before it. */
  chunk: number;
  /** The kind of the frame that ends it when its source fails. */
  abort: number;
}

/** The frame kinds of a reply. */
export const REPLY_KINDS: MessageKinds = { last: K_REPLY, chunk: K_REPLY_CHUNK, abort: K_ERROR };
/** The frame kinds of a request. */
export const REQUEST_KINDS: MessageKinds = { last: K_REQUEST, chunk: K_CHUNK, abort: K_ABORT };
/** The frame kinds of a one-way request. */
export const ONEWAY_KINDS: MessageKinds = { last: K_ONEWAY, chunk: K_ONEWAY_CHUNK, abort: K_ABORT };

/**
 * Writes a message of any size as chunks back to back, each its own frame, the last one
 * marked so; `total`, the whole length when known (else -1), goes in each frame. The chunks
 * come from `chunksOf` (`../transport/chunks.ts`), which the caller passes in so that this
 * module does not load it: a command that sends one small message never needs it. When the
 * source fails, an abort frame says why and the {@linkcode SourceError} is thrown.
 */
export async function writeChunked(
  write: (bytes: Uint8Array) => Promise<void>,
  kinds: MessageKinds,
  id: number,
  msgid: number,
  total: number,
  chunks: AsyncGenerator<Uint8Array>,
): Promise<void> {
  let held: Uint8Array | undefined;
  const emit = async (kind: number, chunk: Uint8Array) => {
    const frame = dataFrame(kind, id, msgid, total, chunk);
    await write(frame);
    if (frame.length === PREFIX + HEADER && chunk.length > 0) await write(chunk);
  };
  try {
    for await (const chunk of readSource(chunks)) {
      if (held) await emit(kinds.chunk, held);
      held = chunk;
    }
  } catch (error) {
    if (!(error instanceof SourceError)) throw error;
    // A reply ends with the callback's failure ("e"); a request with the sender's ("x").
    const text = kinds.abort === K_ERROR
      ? (error.cause as Error)?.message ?? error.message
      : error.message;
    await write(dataFrame(kinds.abort, id, msgid, -1, new TextEncoder().encode(text)));
    throw error;
  }
  await emit(kinds.last, held ?? EMPTY);
}

/** Marks failures of the source itself, so that they are not mistaken for the socket's. */
async function* readSource(chunks: AsyncGenerator<Uint8Array>): AsyncGenerator<Uint8Array> {
  for (;;) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await chunks.next();
    } catch (error) {
      throw sourceFailed(error);
    }
    if (next.done) return;
    yield next.value;
  }
}
