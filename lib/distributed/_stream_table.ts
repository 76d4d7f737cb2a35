/**
 * The streams of one connection, both ways: their ids, the bound on items written to a peer
 * that does not read, and the cancelling of streams whose reader dropped them unfinished.
 *
 * @module
 */

import { MAX_UNWRITTEN_ITEM_BYTES, OP, thrownOf } from "./protocol.ts";
import { InStream, OutStream, type StreamSender } from "./streams.ts";
import type { Value } from "../wire/value.ts";

/** What a connection's streams need of it. */
export interface StreamLink {
  /** Whether the connection still works. */
  isValid(): boolean;
  /**
   * The frame of item `item` of stream `stream`, its payload apart when large; undefined when
   * the connection ended. Throws when the item cannot go.
   */
  itemFrame(stream: number, item: unknown): [Uint8Array, Uint8Array | undefined] | undefined;
  /** Writes a frame; `written` is called once it is written (or cannot be). */
  write(frame: Uint8Array, payload: Uint8Array | undefined, written: () => void): void;
  /** Sends a one-way message. */
  oneway(op: number, body: Value): void;
  /** A reader waits for an item: the connection keeps the process alive meanwhile. */
  readerWaits(): void;
  /** A reader stopped: whether the connection keeps the process alive may change. */
  readerStopped(): void;
}

/** The streams of one connection; it is what their ends send through. */
export class StreamTable implements StreamSender {
  /** Streams whose reader dropped them unfinished: their owner is told to stop. */
  static #dropped = new FinalizationRegistry<{ table: StreamTable; stream: number }>(
    ({ table, stream }) => {
      if (!table.#in.delete(stream)) return;
      table.sendCancel(stream);
    },
  );

  #link: StreamLink;
  #out = new Map<number, OutStream>();
  #nextOut = 1;
  /** Bytes of stream items given to the channel and not written yet. */
  #itemBytes = 0;
  /** Streams waiting for {@linkcode #itemBytes} to go down. */
  #drainWaiters: (() => void)[] = [];
  /** The streams being read here: weakly, so that one its reader dropped is cancelled. */
  #in = new Map<number, WeakRef<InStream>>();

  /** The streams of the connection `link` stands for. */
  constructor(link: StreamLink) {
    this.#link = link;
  }

  /** How many streams this side sends. */
  get sending(): number {
    return this.#out.size;
  }

  /** Whether a reader here waits for an item. */
  get readerWaiting(): boolean {
    let reading = false;
    for (const ref of this.#in.values()) if (ref.deref()?.waiting) reading = true;
    return reading;
  }

  /** The id of the next stream this side sends. */
  newId(): number {
    return this.#nextOut++;
  }

  /** Starts sending the items of `iterable` as stream `id` (its id already answered). */
  send(id: number, iterable: AsyncIterable<unknown>): void {
    this.#out.set(id, new OutStream(id, iterable, this, (done) => this.#out.delete(done)));
  }

  /** The stream `id` this side sends, while it does. */
  sent(id: number): OutStream | undefined {
    return this.#out.get(id);
  }

  /** Starts reading stream `id`, which the peer sends. */
  read(id: number): InStream {
    const stream = new InStream(id, this, (done) => {
      this.#in.delete(done);
      StreamTable.#dropped.unregister(stream);
      this.#link.readerStopped();
    });
    this.#in.set(id, new WeakRef(stream));
    StreamTable.#dropped.register(stream, { table: this, stream: id }, stream);
    return stream;
  }

  /** The stream `id` being read here, while it is. */
  reading(id: number): InStream | undefined {
    return this.#in.get(id)?.deref();
  }

  /** The connection ended: readers hear `error`, senders stop. */
  endAll(error: unknown): void {
    for (const ref of this.#in.values()) ref.deref()?.end(error);
    this.#in.clear();
    for (const stream of this.#out.values()) stream.cancel();
    this.#out.clear();
    this.#drained();
  }

  /** @internal A stream's item goes out. */
  sendItem(stream: number, item: unknown): void {
    const framed = this.#link.itemFrame(stream, item);
    if (!framed) return;
    const [frame, payload] = framed;
    const size = frame.length + (payload?.length ?? 0);
    this.#itemBytes += size;
    this.#link.write(frame, payload, () => {
      this.#itemBytes -= size;
      if (this.#itemBytes < MAX_UNWRITTEN_ITEM_BYTES) this.#drained();
    });
  }

  /**
   * @internal Waits while a peer that does not read leaves {@linkcode MAX_UNWRITTEN_ITEM_BYTES}
   * of items unwritten: each stream's window bounds its items, this bounds them all.
   */
  drained(): Promise<void> | undefined {
    if (this.#itemBytes < MAX_UNWRITTEN_ITEM_BYTES || !this.#link.isValid()) return undefined;
    return new Promise((resolve) => this.#drainWaiters.push(resolve));
  }

  #drained(): void {
    for (const resolve of this.#drainWaiters.splice(0)) resolve();
  }

  /** @internal A stream ended. */
  sendEnd(stream: number, error?: unknown): void {
    this.#link.oneway(OP.end, error === undefined ? [stream] : [stream, thrownOf(error)]);
  }

  /** @internal The reader takes more. */
  sendCredit(stream: number, items: number): void {
    this.#link.oneway(OP.credit, [stream, items]);
  }

  /** @internal A reader waits for an item. */
  readerWaits(): void {
    this.#link.readerWaits();
  }

  /** @internal The reader stopped. */
  sendCancel(stream: number): void {
    this.#link.oneway(OP.cancel, [stream]);
    this.#link.readerStopped();
  }
}
