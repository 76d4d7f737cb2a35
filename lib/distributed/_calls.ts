/**
 * The calls a connection waits on: their ids, their timeouts, and their end with the
 * connection's.
 *
 * @module
 */

import { TimeoutError } from "../errors.ts";
import { startWatchdog } from "../_timer.ts";

/** A call waiting for its answer. */
export interface Pending {
  /** Settles the call with its result. */
  resolve: (value: unknown) => void;
  /** Settles the call with its error. */
  reject: (error: unknown) => void;
  /** What was asked, for messages: `echo()`, `the function`, `the method table`. */
  what: string;
  /** The call's arguments, kept until the answer: references in them stay held meanwhile. */
  keep: unknown;
  /** Stops its timeout, if it has one. */
  cancelTimer?: () => void;
}

/** The calls one connection waits on, by request id. */
export class PendingCalls {
  #calls = new Map<number, Pending>();
  #nextId = 1;

  /** How many calls wait. */
  get size(): number {
    return this.#calls.size;
  }

  /** The id of the next request. */
  newId(): number {
    return this.#nextId++;
  }

  /**
   * Waits on `pending` as request `id`. After `timeout` milliseconds (0: never) it stops
   * waiting, rejects it with a `TimeoutError` naming `label` (the other end), then calls
   * `expired`.
   */
  add(id: number, pending: Pending, timeout: number, label: string, expired: () => void): void {
    this.#calls.set(id, pending);
    if (timeout <= 0) return;
    pending.cancelTimer = startWatchdog(timeout, () => {
      if (this.#calls.get(id) !== pending) return;
      this.#calls.delete(id);
      pending.reject(
        new TimeoutError(`${pending.what} of ${label} did not answer within ${timeout} ms`),
      );
      expired();
    });
  }

  /** The call `id`, waited on no more (its answer came); undefined when it timed out. */
  take(id: number): Pending | undefined {
    const pending = this.#calls.get(id);
    if (!pending) return undefined;
    this.#calls.delete(id);
    pending.cancelTimer?.();
    return pending;
  }

  /** Stops waiting on `pending` (its request could not be written); false when it was over. */
  drop(id: number, pending: Pending): boolean {
    if (this.#calls.get(id) !== pending) return false;
    this.#calls.delete(id);
    pending.cancelTimer?.();
    return true;
  }

  /** Rejects every call with `error` (the connection ended). */
  rejectAll(error: unknown): void {
    for (const pending of this.#calls.values()) {
      pending.cancelTimer?.();
      pending.reject(error);
    }
    this.#calls.clear();
  }
}
