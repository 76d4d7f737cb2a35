/**
 * The one-shot send ({@linkcode sendOnce}): one request on a connection of its own — connect,
 * send the hello and the request in one write, read the port's hello and the reply, close.
 * What `ipckit send` uses: no `RemotePort` and none of the serving side's code, which is what
 * a command's start-up pays for. It keeps `RemotePort.sendRequest`'s contract (status codes,
 * timeouts, one-way sends, streamed messages of any size both ways, the same errors).
 *
 * @module
 */

import { PORT_STATUS, PortError, PortTimeoutError, ProtocolError } from "../errors.ts";
import { startWatchdog } from "../_timer.ts";
import { concatBytes } from "../wire/bytes.ts";
import type { ByteSource } from "../transport/chunks.ts";
import { PROTOCOL_VERSION } from "../transport/protocol.ts";
import type { RuntimeDirOptions } from "../transport/runtime_dir.ts";
import {
  AT_ID,
  AT_KIND,
  checkHeader,
  CHUNK,
  controlFrame,
  dataFrame,
  EMPTY,
  HEADER,
  helloFrame,
  isHello,
  K_ABORT,
  K_CHUNK,
  K_ERROR,
  K_ONEWAY,
  K_ONEWAY_CHUNK,
  K_REPLY,
  K_REPLY_CHUNK,
  K_REQUEST,
  MAX_CONTROL,
  MAX_FRAME,
  MAX_WHOLE,
  portBrokeProtocol,
  portHandlerFailed,
  portVersionMismatch,
  PREFIX,
  READ_BUFFER,
  readControl,
  RECYCLE_MIN,
  SourceError,
  sourceFailed,
  TEMPLATE,
  writeChunked,
} from "./protocol.ts";
import { openPortSocket } from "./lookup.ts";

/** Options of `RemotePort.sendRequest` and {@linkcode sendOnce}. */
export interface SendRequestOptions {
  /** Seconds the request may take to be sent and the port to greet; 0 waits forever. @default {0} */
  sendTimeout?: number;
  /** Seconds to wait for the whole reply after sending; 0 waits forever. @default {0} */
  receiveTimeout?: number;
  /** Send without waiting for a reply (resolves with `null` once sent). @default {false} */
  oneway?: boolean;
  /**
   * Receives the reply chunk by chunk as it arrives (its promise holds the reading back)
   * instead of collecting it; `sendRequest` then resolves with `null`. For replies of any size.
   * A chunk is valid until the callback returns or its promise settles (its memory is reused
   * for the next one): copy it to keep it. @default {undefined}
   */
  onReplyChunk?: (chunk: Uint8Array) => void | Promise<void>;
}

/** Options of {@linkcode sendOnce}. */
export interface SendOnceOptions extends SendRequestOptions, RuntimeDirOptions {}

/**
 * Sends one request to port `name` on a connection of its own and resolves with the reply's
 * bytes, or `null` for a one-way send or when `onReplyChunk` took the reply
 * (`CFMessagePortCreateRemote`, `CFMessagePortSendRequest` and `CFMessagePortInvalidate` in
 * one). Quicker than `connectPort` for a program that sends one request and exits; for
 * several requests, keep a `RemotePort`.
 *
 * The deadlines do not keep the process alive by themselves: what they wait for does (the
 * socket, or a stream's source such as a file or standard input).
 *
 * @param msgid the message id, a 32-bit integer the callback gets.
 * @param data the request: bytes, text, or a stream (sent in chunks as it is read).
 * @throws {NotFoundError} when no live process serves the name.
 * @throws {PortTimeoutError} status -1 when sending took over `sendTimeout`, -2 when no
 *   reply came within `receiveTimeout`.
 * @throws {PortHandlerError} when the callback failed; the message is its.
 * @throws {PortError} -4 on a transport error, -5 when the port became invalid during the
 *   request (its server went away).
 *
 * @example
 * ```ts
 * import { createLocalPort, sendOnce } from "./mod.ts";
 * const port = await createLocalPort("com.example.size", (_msgid, data) => String(data.length));
 * const reply = await sendOnce("com.example.size", 1, "abc", { receiveTimeout: 5 });
 * console.log(new TextDecoder().decode(reply!)); // 3
 * await port.close();
 * ```
 */
export async function sendOnce(
  name: string,
  msgid: number,
  data: ByteSource | string = EMPTY,
  options: SendOnceOptions = {},
): Promise<Uint8Array | null> {
  if (!Number.isInteger(msgid) || msgid < -0x80000000 || msgid > 0x7fffffff) {
    throw new RangeError(`a message id is a 32-bit integer, not ${msgid}`);
  }
  const body = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const { conn } = await openPortSocket(name, {
    runtimeDir: options.runtimeDir,
    demandTimeoutMs: (options.sendTimeout ?? 0) * 1000,
  });
  return await new Promise((resolve, reject) => {
    const oneway = options.oneway ?? false;
    const receiveTimeout = options.receiveTimeout ?? 0;
    let over = false;
    let cancel = ignore;
    const end = (error: unknown, reply: Uint8Array | null = null) => {
      if (over) return;
      over = true;
      cancel();
      conn.close();
      if (error === undefined) resolve(reply);
      else reject(error);
    };
    const sendTimeout = options.sendTimeout ?? 0;
    if (sendTimeout > 0) {
      cancel = startWatchdog(sendTimeout * 1000, () =>
        end(
          new PortTimeoutError(
            PORT_STATUS.sendTimeout,
            `could not send to the port "${name}" within ${sendTimeout} s (send timeout, status -1): its server is not reading`,
          ),
        ));
    }
    // Sent: the request written and, unless one-way, the port's hello heard (a server that
    // never greets, stopped or stuck, has not taken the request: the send timeout covers it).
    let written = false;
    let heard = oneway;
    const sent = () => {
      if (over || !written || !heard) return;
      cancel();
      cancel = ignore;
      if (oneway) return end(undefined);
      if (receiveTimeout > 0) {
        cancel = startWatchdog(receiveTimeout * 1000, () =>
          end(
            new PortTimeoutError(
              PORT_STATUS.receiveTimeout,
              `no reply from the port "${name}" within ${receiveTimeout} s (receive timeout, status -2)`,
            ),
          ));
      }
    };
    if (!oneway) {
      readReply(conn, name, options.onReplyChunk, () => {
        heard = true;
        sent();
      }).then((reply) => end(undefined, reply), end);
    }
    writeRequest(conn, name, msgid, body, oneway).then(() => {
      written = true;
      sent();
    }, end);
  });
}

function ignore(): void {}

/** Writes the hello and the request: a request that fits in one frame, in one write. */
async function writeRequest(
  conn: Deno.UnixConn,
  name: string,
  msgid: number,
  body: ByteSource,
  oneway: boolean,
): Promise<void> {
  try {
    let bytes = body as Uint8Array;
    let rest: AsyncIterator<Uint8Array> | Iterator<Uint8Array> | undefined;
    if (!(body instanceof Uint8Array)) ({ bytes, rest } = await readStart(body));
    if (!rest && bytes.length <= MAX_WHOLE) {
      const hello = helloFrame(name);
      const kind = oneway ? K_ONEWAY : K_REQUEST;
      const frames = dataFrame(kind, 1, msgid, bytes.length, bytes, hello);
      await writeAll(conn, frames);
      if (frames.length === hello.length + PREFIX + HEADER && bytes.length > 0) {
        await writeAll(conn, bytes);
      }
      return;
    }
    await writeAll(conn, helloFrame(name));
    // Only a large message needs the chunking machinery: loaded here, not with the command.
    const { chunksOf } = await import("../transport/chunks.ts");
    await writeChunked(
      (chunk) => writeAll(conn, chunk),
      oneway
        ? { last: K_ONEWAY, chunk: K_ONEWAY_CHUNK, abort: K_ABORT }
        : { last: K_REQUEST, chunk: K_CHUNK, abort: K_ABORT },
      1,
      msgid,
      rest ? -1 : bytes.length,
      chunksOf(rest ? resume(bytes, rest) : bytes, CHUNK),
    );
  } catch (error) {
    throw error instanceof SourceError ? error : sendFailed(name, error);
  }
}

/**
 * Reads the start of a stream: the whole of it when it ends within a chunk (one frame then
 * carries it), else its first chunk's worth and the rest to come.
 */
async function readStart(
  source: Exclude<ByteSource, Uint8Array>,
): Promise<{ bytes: Uint8Array; rest?: AsyncIterator<Uint8Array> | Iterator<Uint8Array> }> {
  const it = Symbol.asyncIterator in source
    ? source[Symbol.asyncIterator]()
    : source[Symbol.iterator]();
  const parts: Uint8Array[] = [];
  let size = 0;
  while (size < CHUNK) {
    let next: IteratorResult<Uint8Array>;
    try {
      next = await it.next();
    } catch (error) {
      throw sourceFailed(error);
    }
    if (next.done) return { bytes: concatBytes(parts) };
    parts.push(next.value.slice()); // a source may reuse its buffer
    size += next.value.length;
  }
  return { bytes: concatBytes(parts), rest: it };
}

/** The start of a stream, then the rest of it. */
async function* resume(
  first: Uint8Array,
  rest: AsyncIterator<Uint8Array> | Iterator<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  yield first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

function sendFailed(name: string, error: unknown): PortError {
  return new PortError(
    PORT_STATUS.transportError,
    `sending to the port "${name}" failed (transport error, status -4): the connection broke while sending: ${
      (error as Error)?.message ?? error
    }`,
    { cause: error },
  );
}

async function writeAll(conn: Deno.UnixConn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) {
    written += await conn.write(bytes.subarray(written));
  }
}

/** Carries an error that {@linkcode readReply} passes on as it is. */
class Final {
  constructor(readonly error: unknown) {}
}

/**
 * Reads the port's hello (telling `onHello`) and the reply to request 1: collected, or handed
 * to `sink` chunk by chunk (then `null`).
 */
async function readReply(
  conn: Deno.UnixConn,
  name: string,
  sink: ((chunk: Uint8Array) => void | Promise<void>) | undefined,
  onHello: () => void,
): Promise<Uint8Array | null> {
  let buffer = new Uint8Array(READ_BUFFER);
  let start = 0, end = 0;
  /** Reads until `need` bytes from `start` are in the buffer. */
  const fill = async (need: number) => {
    while (end - start < need) {
      if (buffer.length - start < need) {
        buffer = compact(buffer, start, end, need);
        end -= start;
        start = 0;
      }
      const n = await conn.read(buffer.subarray(end));
      if (n === null) throw new Final(wentAway(name, end > 0 ? "half a frame" : undefined));
      end += n;
    }
  };
  let greeted = false;
  const parts: Uint8Array[] = [];
  let scratch: Uint8Array | undefined;
  try {
    for (;;) {
      if (start === end) start = end = 0;
      await fill(PREFIX);
      const length = ((buffer[start] << 24) | (buffer[start + 1] << 16) |
        (buffer[start + 2] << 8) | buffer[start + 3]) >>> 0;
      if (length > MAX_FRAME || length < 4) throw badLength(length);
      await fill(PREFIX + 4);
      const at = start + PREFIX;
      // A data frame's type is one character; a hello's or bye's is longer.
      if (
        buffer[at] !== TEMPLATE[0] || buffer[at + 1] !== TEMPLATE[1] ||
        buffer[at + 2] !== TEMPLATE[2] || buffer[at + 3] !== TEMPLATE[3]
      ) {
        if (length > MAX_CONTROL) throw new ProtocolError("a control frame over 64 KiB");
        await fill(PREFIX + length);
        const body = buffer.subarray(at, at + length);
        const first: boolean = !greeted;
        greeted = (first && isHello(body)) || control(name, body, greeted);
        if (first && greeted) onHello();
        start = at + length;
        continue;
      }
      if (!greeted) throw new ProtocolError("a message before the hello");
      if (length < HEADER) throw new ProtocolError("a data frame shorter than its header");
      await fill(PREFIX + HEADER);
      checkHeader(buffer, at, length);
      const kind = buffer[at + AT_KIND];
      let ours = buffer[at + AT_ID + 7] === 1; // our request's id is 1
      for (let i = 0; ours && i < 7; i++) ours = buffer[at + AT_ID + i] === 0;
      if (ours && kind !== K_REPLY && kind !== K_REPLY_CHUNK && kind !== K_ERROR) {
        throw new ProtocolError(`a port sender got a frame of type ${String.fromCharCode(kind)}`);
      }
      const size = length - HEADER;
      start = at + HEADER;
      let target: Uint8Array | null = null; // an answer to nothing we asked is dropped
      if (ours && sink && size >= RECYCLE_MIN) {
        // Handed to the sink and awaited before the next read: one buffer serves all.
        if (!scratch || scratch.length < size) scratch = new Uint8Array(size);
        target = scratch.subarray(0, size);
      } else if (ours) target = new Uint8Array(size);
      let got = Math.min(end - start, size);
      target?.set(buffer.subarray(start, start + got));
      start += got;
      while (got < size) {
        const n = await conn.read(
          target ? target.subarray(got) : buffer.subarray(0, Math.min(buffer.length, size - got)),
        );
        if (n === null) throw new Final(wentAway(name, "half a frame"));
        got += n;
      }
      if (!target) continue;
      if (kind === K_ERROR) throw new Final(portHandlerFailed(name, target));
      if (!sink) parts.push(target);
      else if (size > 0) {
        try {
          await sink(target);
        } catch (error) {
          throw new Final(error); // the sink's own failure (standard output closed…), as it is
        }
      }
      if (kind === K_REPLY) return sink ? null : concatBytes(parts);
    }
  } catch (caught) {
    throw readFailure(conn, name, caught);
  }
}

/** The buffer with its bytes from `start` to `end` moved to the front, and room for `need`. */
function compact(
  buffer: Uint8Array<ArrayBuffer>,
  start: number,
  end: number,
  need: number,
): Uint8Array<ArrayBuffer> {
  if (need <= buffer.length) return buffer.copyWithin(0, start, end);
  const grown = new Uint8Array(need);
  grown.set(buffer.subarray(start, end));
  return grown;
}

function badLength(length: number): ProtocolError {
  return new ProtocolError(
    length < 4
      ? "a frame too short to be a message"
      : `a frame of ${length} bytes is over the limit of ${MAX_FRAME}`,
  );
}

/** What reading the reply failed with, as the caller gets it. */
function readFailure(conn: Deno.UnixConn, name: string, caught: unknown): unknown {
  if (caught instanceof Final) return caught.error;
  if (caught instanceof ProtocolError) {
    try {
      conn.write(controlFrame({ t: "bye", code: "protocol", msg: caught.message })).catch(ignore);
    } catch { /* closing anyway */ }
    return portBrokeProtocol(name, caught);
  }
  return wentAway(name, `the connection broke: ${(caught as Error)?.message ?? caught}`, caught);
}

/**
 * Handles a hello or a bye.
 *
 * @returns whether the hello came.
 */
function control(name: string, body: Uint8Array, greeted: boolean): boolean {
  const fields = readControl(body);
  if (fields.t === "hello") {
    if (greeted) throw new ProtocolError("a second hello");
    if (fields.v !== PROTOCOL_VERSION) {
      throw new Final(portVersionMismatch(name, fields));
    }
    return true;
  }
  if (fields.t === "bye") {
    if (fields.code === "version") {
      throw new Final(portBrokeProtocol(name, new ProtocolError(String(fields.msg))));
    }
    throw new Final(
      new PortError(
        PORT_STATUS.becameInvalid,
        `the port "${name}" became invalid (status -5): its server closed the connection (${
          String(fields.msg ?? "closed")
        })`,
      ),
    );
  }
  throw new ProtocolError(`an unknown message type "${String(fields.t)}"`);
}

function wentAway(name: string, why?: string, cause?: unknown): PortError {
  return new PortError(
    PORT_STATUS.becameInvalid,
    `the port "${name}" became invalid (status -5): its server went away${why ? ` (${why})` : ""}`,
    { cause },
  );
}
