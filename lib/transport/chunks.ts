/**
 * Chunked streaming with bounded memory, for payloads far over the frame limit (hundreds of MiB):
 * {@linkcode chunksOf} cuts a source (bytes, a file's or standard input's stream, any async
 * iterable) into chunks of at most a given size, and {@linkcode ChunkQueue} turns chunks that
 * arrive from a socket into a `ReadableStream` whose reader's pace holds the socket back
 * (`await queue.push(chunk)` waits while the reader is behind), so neither side ever holds more
 * than a few chunks. Message ports stream with them; any service that moves large payloads over
 * a connection can do the same: send each chunk as its own frame (or request) as it comes out of
 * `chunksOf`, and on the other side push each arriving chunk into a `ChunkQueue` and hand its
 * `readable` to the consumer.
 *
 * @module
 */

/** The chunk size used when none is given: 1 MiB, far under the 16 MiB frame limit. */
export const DEFAULT_CHUNK_BYTES = 1024 * 1024;

/** A source of bytes that can be streamed. */
export type ByteSource =
  | Uint8Array
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | Iterable<Uint8Array>;

/**
 * Cuts `source` into chunks of at most `chunkBytes` (only the last may be shorter; an empty
 * source yields nothing). Bytes are viewed, not copied, when the source is one array; chunks
 * from a stream are fresh arrays the caller may keep.
 *
 * @example Sending a file in chunks
 * ```ts
 * import { chunksOf } from "./chunks.ts";
 * const file = await Deno.open("/etc/hostname");
 * let total = 0;
 * for await (const chunk of chunksOf(file.readable, 4096)) total += chunk.length;
 * console.log(total > 0);
 * ```
 */
export async function* chunksOf(
  source: ByteSource,
  chunkBytes: number = DEFAULT_CHUNK_BYTES,
): AsyncGenerator<Uint8Array> {
  if (!(chunkBytes > 0)) throw new RangeError(`chunkBytes must be positive, not ${chunkBytes}`);
  if (source instanceof Uint8Array) {
    for (let offset = 0; offset < source.length; offset += chunkBytes) {
      yield source.subarray(offset, Math.min(source.length, offset + chunkBytes));
    }
    return;
  }
  let buffer: Uint8Array | undefined;
  let filled = 0;
  for await (const piece of source as AsyncIterable<Uint8Array>) {
    let offset = 0;
    // A big piece with nothing buffered goes out in place, without a copy.
    while (filled === 0 && piece.length - offset >= chunkBytes) {
      yield piece.subarray(offset, offset + chunkBytes);
      offset += chunkBytes;
    }
    while (offset < piece.length) {
      buffer ??= new Uint8Array(chunkBytes);
      const n = Math.min(chunkBytes - filled, piece.length - offset);
      buffer.set(piece.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === chunkBytes) {
        yield buffer;
        buffer = undefined;
        filled = 0;
      }
    }
  }
  if (filled > 0) yield buffer!.subarray(0, filled);
}

/** Options of {@linkcode ChunkQueue}. */
export interface ChunkQueueOptions {
  /** How many chunks may wait for the reader before `push` waits. @default {2} */
  highWaterMark?: number;
  /** Called once when the reader cancels the stream. @default {undefined} */
  onCancel?: (reason: unknown) => void;
}

/**
 * Chunks arriving from one side, read as a `ReadableStream` on the other, with backpressure:
 * `push` resolves once the chunk fits under the high-water mark. After the reader cancels, or
 * after {@linkcode ChunkQueue.discard}, pushed chunks are dropped at once, so the producer
 * (a socket's read loop) never waits on a reader that is gone.
 *
 * @example
 * ```ts
 * import { ChunkQueue } from "./chunks.ts";
 * const queue = new ChunkQueue();
 * const text = new Response(queue.readable).text();
 * await queue.push(new TextEncoder().encode("hello"));
 * queue.close();
 * console.log(await text); // hello
 * ```
 */
export class ChunkQueue {
  #chunks: Uint8Array[] = [];
  #highWaterMark: number;
  #room: (() => void) | undefined;
  #wake: (() => void) | undefined;
  #ended = false;
  #error: unknown = undefined;
  #dropping = false;
  #onCancel: ((reason: unknown) => void) | undefined;
  /** The stream the consumer reads. */
  readonly readable: ReadableStream<Uint8Array>;

  /** Creates an empty queue whose stream is {@linkcode readable}. */
  constructor(options: ChunkQueueOptions = {}) {
    this.#highWaterMark = Math.max(1, options.highWaterMark ?? 2);
    this.#onCancel = options.onCancel;
    this.readable = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        while (this.#chunks.length === 0 && !this.#ended) {
          await new Promise<void>((resolve) => this.#wake = resolve);
        }
        if (this.#chunks.length > 0) {
          controller.enqueue(this.#chunks.shift()!);
          this.#letIn();
          return;
        }
        if (this.#error !== undefined) controller.error(this.#error);
        else controller.close();
      },
      cancel: (reason) => {
        this.discard();
        this.#onCancel?.(reason);
      },
    }, { highWaterMark: 0 });
  }

  /** Whether pushed chunks are being dropped (the reader cancelled, or discard was called). */
  get discarding(): boolean {
    return this.#dropping;
  }

  /** Adds a chunk; resolves when the reader has caught up enough to take more. */
  push(chunk: Uint8Array): Promise<void> {
    if (this.#dropping || this.#ended) return Promise.resolve();
    if (chunk.length > 0) this.#chunks.push(chunk);
    this.#wakeReader();
    if (this.#chunks.length < this.#highWaterMark) return Promise.resolve();
    return new Promise((resolve) => this.#room = resolve);
  }

  /** Ends the stream after the chunks already pushed. */
  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#wakeReader();
    this.#letIn();
  }

  /** Ends the stream with an error (after the chunks already pushed). */
  error(reason: unknown): void {
    if (this.#ended) return;
    this.#error = reason ?? new Error("the stream failed");
    this.close();
  }

  /** Drops what is queued and everything pushed from now on; a reader sees the end. */
  discard(): void {
    this.#dropping = true;
    this.#ended = true;
    this.#chunks = [];
    this.#wakeReader();
    this.#letIn();
  }

  #wakeReader(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #letIn(): void {
    if (this.#chunks.length >= this.#highWaterMark && !this.#dropping && !this.#ended) return;
    const room = this.#room;
    this.#room = undefined;
    room?.();
  }
}
