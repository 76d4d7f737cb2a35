/**
 * How the pasteboard client moves large data: byte streams over data that came whole, an open
 * file or a broker read handle, and blocking slices of the page cache, paced so the event loop
 * still turns.
 *
 * @module
 */

import { RemoteError } from "../errors.ts";
import type { Connection } from "../transport/connection.ts";
import type { Value } from "../wire/value.ts";
import { CHUNK, CHUNK_BYTES, CLOSE, WINDOW } from "./protocol.ts";

/**
 * Large data goes to and from the page cache {@linkcode CHUNK_BYTES} at a time with blocking
 * calls: a slice takes a fraction of a millisecond, less than the trip through the runtime's
 * thread pool that an async call costs (twice per slice, and far more on a busy machine).
 * Whoever moves many slices in a row calls {@linkcode Pacer.pace} between them, so the event
 * loop still turns every {@linkcode PACE_MS} or so.
 */
export function writeSlice(file: Deno.FsFile, chunk: Uint8Array): void {
  let written = 0;
  while (written < chunk.length) written += file.writeSync(chunk.subarray(written));
}

/** Reads into `into` with one blocking call (see {@linkcode writeSlice}); null at the end. */
function readSlice(file: Deno.FsFile, into: Uint8Array): number | null {
  return file.readSync(into);
}

/** How long blocking file calls may run back to back before the event loop gets a turn. */
const PACE_MS = 50;

/** Gives the event loop a turn after {@linkcode PACE_MS} of blocking calls. */
export class Pacer {
  #since = performance.now();

  /** Resolves at once, or after a turn of the event loop when the time is up. */
  async pace(): Promise<void> {
    if (performance.now() - this.#since < PACE_MS) return;
    await turn();
    this.#since = performance.now();
  }
}

/**
 * A turn of the event loop (timers and I/O that are due run first): a message to ourselves,
 * which takes microseconds where `setTimeout(0)` takes a millisecond or more.
 */
function turn(): Promise<void> {
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
    port2.close();
  });
}

/** A reading of data that came whole; its stream is made only if someone asks for it. */
export function oneShot<T extends object>(
  base: T,
  data: Uint8Array,
): T & { bytes: Uint8Array; stream: ReadableStream<Uint8Array> } {
  let stream: ReadableStream<Uint8Array> | undefined;
  return {
    ...base,
    bytes: data,
    get stream() {
      return stream ??= bytesStream(data);
    },
  };
}

/**
 * A byte stream (see `PasteboardReading.stream`) over a source of chunks: a BYOB
 * reader gets them copied into its own buffer, a default reader gets fresh copies of at most
 * {@linkcode CHUNK_BYTES}; what does not fit waits for the next read. The chunks themselves are
 * never handed out (they may be views of the caller's array or of a received frame).
 */
function copyingStream(
  next: () => Uint8Array | null | Promise<Uint8Array | null>,
  cancel?: () => void | Promise<void>,
): ReadableStream<Uint8Array> {
  let pending: Uint8Array = new Uint8Array();
  return new ReadableStream({
    type: "bytes",
    async pull(controller) {
      while (pending.length === 0) {
        const chunk = await next();
        if (chunk === null) {
          controller.close();
          controller.byobRequest?.respond(0);
          return;
        }
        pending = chunk;
      }
      const request = controller.byobRequest;
      if (request?.view) {
        const view = request.view;
        const n = Math.min(pending.length, view.byteLength);
        new Uint8Array(view.buffer, view.byteOffset, n).set(pending.subarray(0, n));
        pending = pending.subarray(n);
        request.respond(n);
      } else {
        const n = Math.min(pending.length, CHUNK_BYTES);
        controller.enqueue(pending.slice(0, n));
        pending = pending.subarray(n);
      }
    },
    cancel,
  }, { highWaterMark: 0 });
}

/** A byte stream of one buffer. */
function bytesStream(data: Uint8Array): ReadableStream<Uint8Array> {
  let done = false;
  return copyingStream(() => {
    if (done) return null;
    done = true;
    return data;
  });
}

/** The whole of an open file of `size` bytes, read straight into the array returned; closes it. */
export async function readWhole(file: Deno.FsFile, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let got = 0;
  try {
    const pacer = new Pacer();
    while (got < size) {
      const n = readSlice(file, out.subarray(got, Math.min(size, got + CHUNK_BYTES)));
      if (n === null) break;
      got += n;
      await pacer.pace();
    }
  } finally {
    file.close();
  }
  return got === size ? out : out.subarray(0, got);
}

/**
 * A byte stream of an open file, closed at the end: a BYOB reader has the file read straight
 * into its own buffer, a default reader gets fresh chunks of {@linkcode CHUNK_BYTES}.
 */
export function fileStream(file: Deno.FsFile): ReadableStream<Uint8Array> {
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    file.close();
  };
  const pacer = new Pacer();
  return new ReadableStream({
    type: "bytes",
    async pull(controller) {
      await pacer.pace();
      const request = controller.byobRequest;
      const view = request?.view;
      const into = view
        ? new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
        : new Uint8Array(CHUNK_BYTES);
      let n: number | null;
      try {
        n = readSlice(file, into);
      } catch (error) {
        close();
        throw error;
      }
      if (n === null) {
        close();
        controller.close();
        request?.respond(0);
      } else if (request) request.respond(n);
      else controller.enqueue(into.subarray(0, n));
    },
    cancel() {
      close();
    },
  }, { highWaterMark: 0 });
}

/** A byte stream of a broker read handle: chunk requests, a few in flight, closed at the end. */
export function chunkStream(
  connection: Connection,
  handle: number,
  size: number,
): ReadableStream<Uint8Array> {
  let next = 0;
  const inFlight: Promise<Value>[] = [];
  const fill = () => {
    while (inFlight.length < WINDOW && next < size) {
      const length = Math.min(CHUNK_BYTES, size - next);
      inFlight.push(connection.request(CHUNK, { handle, offset: next, length }));
      next += length;
    }
  };
  const finish = () => connection.request(CLOSE, { handle }).catch(() => {});
  return copyingStream(async () => {
    fill();
    const request = inFlight.shift();
    if (!request) {
      await finish();
      return null;
    }
    const data = await request;
    if (!(data instanceof Uint8Array)) throw new RemoteError("bad-reply", "a chunk without data");
    fill();
    return data;
  }, async () => {
    await Promise.allSettled(inFlight);
    await finish();
  });
}
