/**
 * Async iterables across a connection, with back-pressure. A method that returns an async
 * iterable answers with a stream id; its owner then sends the items as one-way messages while
 * it has credit, and the reader grants more as its consumer takes them. At most
 * {@linkcode STREAM_WINDOW} items are on their way or waiting to be read, so a stream of any
 * length takes bounded memory on both sides, and a slow reader holds the iterable back.
 *
 * @module
 */

import { STREAM_WINDOW } from "./protocol.ts";

/** What a stream sends through (its connection). */
export interface StreamSender {
  /** Sends an item; throws when it cannot be sent (a value the wire cannot carry). */
  sendItem(stream: number, item: unknown): void;
  /** A promise while items sent wait to be written, for a stream to wait on before the next. */
  drained(): Promise<void> | undefined;
  /** Says the stream ended, or failed with `error`. */
  sendEnd(stream: number, error?: unknown): void;
  /** Grants the owner `items` more items. */
  sendCredit(stream: number, items: number): void;
  /** Tells the owner the reader stopped. */
  sendCancel(stream: number): void;
  /** A reader waits for an item: the connection keeps the process alive meanwhile. */
  readerWaits(): void;
}

/** The owner's side of a stream: pulls items from the iterable while it has credit. */
export class OutStream {
  #id: number;
  #iterator: AsyncIterator<unknown>;
  #sender: StreamSender;
  #credit = STREAM_WINDOW;
  #wake: (() => void) | undefined;
  #done = false;

  /**
   * Starts sending the items of `iterable` as stream `id`; `finished` is called once it ended,
   * failed or was cancelled.
   */
  constructor(
    id: number,
    iterable: AsyncIterable<unknown>,
    sender: StreamSender,
    finished: (id: number) => void,
  ) {
    this.#id = id;
    this.#sender = sender;
    this.#iterator = iterable[Symbol.asyncIterator]();
    this.#pump().finally(() => finished(id));
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        while (this.#credit <= 0 && !this.#done) {
          await new Promise<void>((resolve) => this.#wake = resolve);
        }
        if (this.#done) return;
        const drained = this.#sender.drained();
        if (drained) await drained;
        if (this.#done) return;
        const next = await this.#iterator.next();
        if (this.#done) return;
        if (next.done) {
          this.#done = true;
          this.#sender.sendEnd(this.#id);
          return;
        }
        this.#credit--;
        this.#sender.sendItem(this.#id, next.value);
      }
    } catch (error) {
      if (this.#done) return;
      this.#done = true;
      this.#sender.sendEnd(this.#id, error);
      try {
        await this.#iterator.return?.();
      } catch { /* it failed already */ }
    }
  }

  /** The reader took `items` more. */
  credit(items: number): void {
    // Never more than a window, whatever a peer says: what waits to be written stays bounded.
    this.#credit = Math.min(this.#credit + items, STREAM_WINDOW);
    this.#wake?.();
    this.#wake = undefined;
  }

  /** The reader stopped, or the connection ended: the iterable is told to finish. */
  cancel(): void {
    if (this.#done) return;
    this.#done = true;
    this.#wake?.();
    this.#wake = undefined;
    try {
      this.#iterator.return?.()?.catch(() => {});
    } catch { /* its own business */ }
  }
}

/** The reader's side of a stream: an async iterator over the items as they arrive. */
export class InStream implements AsyncIterableIterator<unknown> {
  #id: number;
  #sender: StreamSender;
  #queue: (unknown | Promise<unknown>)[] = [];
  #head = 0;
  #waiter:
    | { resolve: (result: IteratorResult<unknown>) => void; reject: (error: unknown) => void }
    | undefined;
  #ended = false;
  #error: unknown;
  #taken = 0;
  #finished: (id: number) => void;

  /** Reads stream `id`; `finished` is called once it ended or the reader stopped. */
  constructor(id: number, sender: StreamSender, finished: (id: number) => void) {
    this.#id = id;
    this.#sender = sender;
    this.#finished = finished;
  }

  /** Whether its reader waits for an item. */
  get waiting(): boolean {
    return this.#waiter !== undefined;
  }

  /** An item arrived (or a promise of it, while its references are being taken). */
  push(item: unknown): void {
    if (this.#ended) return;
    const waiter = this.#waiter;
    if (waiter && this.#head === this.#queue.length) {
      this.#waiter = undefined;
      this.#took();
      Promise.resolve(item).then(
        (value) => waiter.resolve({ value, done: false }),
        waiter.reject,
      );
      return;
    }
    this.#queue.push(item);
  }

  /** The stream ended, or failed with `error`. */
  end(error?: unknown): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#error = error;
    this.#finished(this.#id);
    const waiter = this.#waiter;
    if (waiter && this.#head === this.#queue.length) {
      this.#waiter = undefined;
      if (error !== undefined) waiter.reject(error);
      else waiter.resolve({ value: undefined, done: true });
    }
  }

  /** The next item, once it is there. */
  next(): Promise<IteratorResult<unknown>> {
    if (this.#head < this.#queue.length) {
      const item = this.#queue[this.#head];
      this.#queue[this.#head++] = undefined;
      if (this.#head >= 1024 && this.#head * 2 >= this.#queue.length) {
        this.#queue = this.#queue.slice(this.#head);
        this.#head = 0;
      }
      this.#took();
      return Promise.resolve(item).then((value) => ({ value, done: false }));
    }
    if (this.#ended) {
      if (this.#error !== undefined) {
        const error = this.#error;
        this.#error = undefined;
        return Promise.reject(error);
      }
      return Promise.resolve({ value: undefined, done: true });
    }
    if (this.#waiter) return Promise.reject(new TypeError("next() called while one is pending"));
    const waiting = new Promise<IteratorResult<unknown>>((resolve, reject) =>
      this.#waiter = { resolve, reject }
    );
    this.#sender.readerWaits();
    return waiting;
  }

  /** Stops reading: the owner is told, what was not read is dropped. */
  return(): Promise<IteratorResult<unknown>> {
    if (!this.#ended) {
      this.#ended = true;
      this.#finished(this.#id);
      this.#sender.sendCancel(this.#id);
    }
    this.#queue = [];
    this.#head = 0;
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<unknown> {
    return this;
  }

  #took(): void {
    if (++this.#taken >= STREAM_WINDOW / 2 && !this.#ended) {
      this.#sender.sendCredit(this.#id, this.#taken);
      this.#taken = 0;
    }
  }
}
