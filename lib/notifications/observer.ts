/**
 * An observer of distributed notifications ({@linkcode NotificationObserver}): an async
 * iterable of notifications and of records of what it missed, fed by its center from both ways
 * a notification comes (straight and relayed), in order per poster.
 *
 * @module
 */

import { NameMatcher } from "../_glob.ts";
import { decodeValue } from "../wire/msgpack.ts";
import { type Dictionary, isDictionary, type Value } from "../wire/value.ts";
import { ObserverQueue, type PosterRange, type SuspensionBehavior } from "./_queue.ts";
import {
  Gates,
  type Inbox,
  type Item,
  type LocalNote,
  type LostRecord,
  rejectFrame,
} from "./_direct.ts";

/** A notification as an observer receives it. */
export interface Notification {
  /** Tells it from the records. */
  readonly type: "notification";
  /** Its name. */
  readonly name: string;
  /** Its object, or `null`. */
  readonly object: string | null;
  /** Its typed values, or `null` when it had none. */
  readonly userInfo: Dictionary | null;
  /** When it was posted (by the poster's clock when it came straight, else the broker's). */
  readonly time: Date;
  /**
   * Its poster: a number for each center that posts (and each one-shot `ipckit post`). With
   * {@linkcode seq}, it names the notification, and the records name what is missing by them.
   */
  readonly poster: number;
  /** Its number among its poster's posts: it grows by one with each post of that poster. */
  readonly seq: number;
}

export type { PosterRange };

/**
 * Notifications the observer did not get (suspended, too slow, or the broker could not write
 * to its process): how many, when, and per poster which numbers.
 */
export interface DroppedRecord {
  /** Tells it from a notification. */
  readonly type: "dropped";
  /** How many notifications were dropped (or coalesced away). */
  readonly count: number;
  /** When the first of them was posted. */
  readonly from: Date;
  /** When the last of them was posted. */
  readonly to: Date;
  /**
   * Per poster, the first and last {@linkcode Notification.seq} of what it counts: every
   * notification of that poster missing between the ones around this record is in its range.
   */
  readonly posters: readonly PosterRange[];
}

/** Per poster, the last notification an observer got before a {@linkcode GapRecord}. */
export interface PosterMark {
  /** The poster (as {@linkcode Notification.poster}). */
  readonly poster: number;
  /** The {@linkcode Notification.seq} of the last one that came before the gap. */
  readonly after: number;
}

/**
 * A time the observer could not hear because the broker was gone; it has re-registered. It
 * comes once the observer is registered again, in its place (after what came before, before
 * what comes after): for every poster, what is missing between its last notification before
 * the record (`posters` lists its seq) and its first after may have been lost in the gap; what
 * comes after is whole.
 */
export interface GapRecord {
  /** Tells it from a notification. */
  readonly type: "gap";
  /** When the first notification it may have lost was posted, as far as the observer knows. */
  readonly from: Date;
  /** When the observer was registered again. */
  readonly to: Date;
  /** Per poster it had heard from (the latest 1,024), the last seq before the gap. */
  readonly posters: readonly PosterMark[];
}

/** What an observer's stream yields. */
export type NotificationEvent = Notification | DroppedRecord | GapRecord;

interface Buffered {
  event: NotificationEvent;
  /** Whether it came through the queue (everything but a failure). */
  queued: boolean;
}

/** How many posters an observer remembers the last number of (for repeats and gap records). */
const POSTERS_KEPT = 1024;

/** @internal an observer's options, checked (by its center). */
export interface ObserverSpec {
  /** What the broker matches: names and object. */
  match: Dictionary;
  behavior: SuspensionBehavior;
  limit: number;
  suspended: boolean;
}

/**
 * An observer: an async iterable of {@linkcode NotificationEvent}s until {@linkcode close}.
 * It keeps the program alive while open.
 */
export class NotificationObserver implements AsyncIterable<NotificationEvent> {
  #unregister: (observer: NotificationObserver) => Promise<void>;
  #buffer: Buffered[] = [];
  #head = 0;
  #waiter: ((result: IteratorResult<NotificationEvent>) => void) | undefined;
  #failWaiter: ((error: Error) => void) | undefined;
  #error: Error | undefined;
  #closed = false;
  #queue: ObserverQueue<LocalNote, GapRecord>;
  #started = false;
  /** Per poster, the number of the last notification offered to the queue (latest last). */
  #seen = new Map<number, number>();
  /** When the latest notification offered was posted. */
  #lastTime: number | undefined;
  /** What came after the broker was lost, until the gap record is out. */
  #afterGap: (Item | LostRecord)[] = [];
  /** What came from the new broker before the observer was registered again. */
  #early: (Item | LostRecord)[] = [];
  /** Per poster, the last post the broker had handled when it registered the observer again. */
  #before = new Map<number, number>();
  /** @internal what it matches by name, to check what comes straight. */
  readonly names: NameMatcher;
  /** @internal the observer's id on its connection. */
  readonly id: number;
  /** @internal what the broker registers: names and object. */
  readonly match: Dictionary;
  /** @internal keeps each poster's notifications in order between the two ways. */
  readonly gates: Gates;

  /**
   * @internal made by `NotificationCenter.observe`, which passes how to let go of it
   * (`unregister`, for {@linkcode close}).
   */
  constructor(
    unregister: (observer: NotificationObserver) => Promise<void>,
    id: number,
    spec: ObserverSpec,
    inbox: () => Inbox | undefined,
  ) {
    this.#unregister = unregister;
    this.id = id;
    this.match = spec.match;
    this.names = new NameMatcher(spec.match.n as string[]);
    this.#queue = new ObserverQueue<LocalNote, GapRecord>(
      spec.behavior,
      spec.limit,
      spec.suspended,
      {
        deliver: (note) => {
          const event = notification(note);
          if (typeof event === "string") {
            rejectFrame(note.p, event);
            this.#queue.taken();
          } else this.#push({ event, queued: true });
        },
        dropped: (count, from, to, posters) =>
          this.#push({
            event: { type: "dropped", count, from: new Date(from), to: new Date(to), posters },
            queued: true,
          }),
        marked: (gap) => this.#push({ event: gap, queued: true }),
      },
    );
    this.gates = new Gates(
      (item) => {
        if (!this.#started) return;
        // After a lost broker: see Phase.
        if (item.phase === "new" && !this.#takeNew(item)) return;
        // A gap record first when something of its poster is missing before it.
        if (
          this.gapFrom && item.phase === "during" &&
          item.note.q !== (this.#seen.get(item.note.p) ?? 0) + 1
        ) this.lossRecord(new Date());
        this.#offer(item.note, item.immediate);
      },
      inbox,
      (record, phase) => {
        if (!this.#started) return;
        if (phase === "new" && this.gapFrom) {
          if (this.registered) this.#afterGap.push(record);
          else this.#early.push(record);
          return;
        }
        this.#queue.lost(record.count, record.from, record.to, record.ranges);
      },
    );
  }

  /**
   * Whether a notification from the new broker (or a link opened since the loss) is to be
   * offered now: before the observer is registered again it waits; then what its poster posted
   * up to the broker's answer is left out (inside the gap: not every way it could come reached
   * the observer), and the rest follows the gap record.
   */
  #takeNew(item: Item): boolean {
    if (this.gapFrom && !this.registered) {
      this.#early.push(item);
      return false;
    }
    if (item.note.q <= (this.#before.get(item.note.p) ?? 0)) return false;
    if (this.gapFrom) {
      this.#afterGap.push(item);
      return false;
    }
    return true;
  }

  /**
   * @internal registered again after a lost broker; `answer` is the broker's, with per poster
   * the number of its last post handled then (what it posted up to there is left out).
   */
  register(answer: Value): void {
    this.#before.clear();
    const s = isDictionary(answer) && Array.isArray(answer.s) ? answer.s : [];
    for (const entry of s) {
      if (Array.isArray(entry) && typeof entry[0] === "number" && typeof entry[1] === "number") {
        this.#before.set(entry[0], entry[1]);
      }
    }
    this.registered = true;
    const early = this.#early;
    this.#early = [];
    for (const item of early) {
      if (!("note" in item)) this.#afterGap.push(item);
      else if (this.#takeNew(item)) this.#offer(item.note, item.immediate);
    }
  }

  #offer(note: LocalNote, immediate: boolean): void {
    const last = this.#seen.get(note.p);
    // A repeat: a post its center sent again after its connection broke.
    if (last !== undefined && note.q <= last) return;
    this.#seen.delete(note.p);
    this.#seen.set(note.p, note.q);
    if (this.#seen.size > POSTERS_KEPT) this.#seen.delete(this.#seen.keys().next().value!);
    this.#lastTime = note.time;
    this.#lossRecorded = false;
    this.#queue.offer(note, immediate);
  }

  /** @internal whether a notification for `name` and `object` is one this observer asked for. */
  wants(name: string, object: string | null): boolean {
    const want = this.match.o;
    return (want === null || want === undefined || want === object) && this.names.matches(name);
  }

  /**
   * @internal registered: from now on it takes what comes. What came before (relayed before
   * every poster knew of it) would start its stream with holes, so it is left out.
   */
  start(): void {
    this.#started = true;
  }

  /** @internal notifications that came before it was registered, handed over first. */
  prepend(notes: Notification[]): void {
    if (notes.length === 0 || this.#closed) return;
    const items = notes.map((event) => ({ event, queued: false }));
    this.#buffer.splice(this.#head, 0, ...items);
  }

  /** Whether {@linkcode close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Suspends the observer: from now on, what arrives goes through its suspension behaviour
   * until {@linkcode resume}. What it was already handed can still be read.
   */
  suspend(): Promise<void> {
    this.#queue.setSuspended(true);
    return Promise.resolve();
  }

  /** Resumes the observer: what its behaviour kept is handed over, in order. */
  resume(): Promise<void> {
    this.#queue.setSuspended(false);
    return Promise.resolve();
  }

  /**
   * Stops observing; the iteration ends at once. Resolves once the broker has let go of the
   * observer (never rejects: a broker that went away has let go of it too).
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    const unregistered = this.#unregister(this);
    this.#waiter?.({ value: undefined, done: true });
    this.#waiter = this.#failWaiter = undefined;
    return unregistered;
  }

  /** Stops observing at the end of an `await using` scope ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** The next event, or `done` once closed. */
  next(): Promise<IteratorResult<NotificationEvent>> {
    if (this.#head < this.#buffer.length) {
      const item = this.#buffer[this.#head];
      this.#buffer[this.#head++] = undefined as unknown as Buffered;
      if (this.#head === this.#buffer.length) {
        this.#buffer = [];
        this.#head = 0;
      }
      if (item.queued) this.#queue.taken();
      return Promise.resolve({ value: item.event, done: false });
    }
    if (this.#error) return Promise.reject(this.#error);
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiter = resolve;
      this.#failWaiter = reject;
    });
  }

  /** Iterates over the notifications and records as they arrive, until the observer closes. */
  [Symbol.asyncIterator](): AsyncIterator<NotificationEvent> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  /** @internal since when the broker could not be heard, until the gap record is out. */
  gapFrom: Date | undefined;
  /** @internal registered again since the broker was lost ({@linkcode gapFrom}). */
  registered = false;

  /**
   * @internal the broker connection was lost at `now`: what may be lost was posted after the
   * latest notification it got.
   */
  lost(now: Date): void {
    this.registered = false;
    this.#early = []; // from a connection that is gone: inside the gap
    if (this.gapFrom) return;
    const last = this.#lastTime;
    this.gapFrom = last !== undefined && last < now.getTime() ? new Date(last) : now;
  }

  /** A gap record went out at the loss already ({@linkcode lossRecord}). */
  #lossRecorded = false;

  /**
   * @internal a gap record now, in the queue's order, for what the lost broker held: what
   * comes next (a straight notification its marker was to let through) follows it. One for
   * each run of such notifications; the gap record of the re-registration still comes.
   */
  lossRecord(now: Date): void {
    const from = this.gapFrom;
    if (!from || this.#lossRecorded) return;
    this.#lossRecorded = true;
    const posters: PosterMark[] = [];
    for (const [poster, after] of this.#seen) posters.push({ poster, after });
    this.#queue.mark({ type: "gap", from, to: now, posters });
  }

  /** @internal the broker could not be heard from {@linkcode gapFrom} until `to`. */
  gap(to: Date): void {
    const from = this.gapFrom;
    if (!from) return;
    this.gapFrom = undefined;
    this.#lossRecorded = false;
    const posters: PosterMark[] = [];
    for (const [poster, after] of this.#seen) posters.push({ poster, after });
    this.#queue.mark({ type: "gap", from, to, posters });
    const after = this.#afterGap;
    this.#afterGap = [];
    for (const item of after) {
      if ("note" in item) this.#offer(item.note, item.immediate);
      else this.#queue.lost(item.count, item.from, item.to, item.ranges);
    }
  }

  /** @internal the observer cannot go on. */
  fail(error: Error): void {
    if (this.#closed) return;
    this.#error = error;
    this.#failWaiter?.(error);
    this.#waiter = this.#failWaiter = undefined;
    this.#closed = true;
  }

  #push(item: Buffered): void {
    if (this.#closed) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = this.#failWaiter = undefined;
      if (item.queued) this.#queue.taken();
      waiter({ value: item.event, done: false });
    } else this.#buffer.push(item);
  }
}

/** A notification for the reader, its userInfo decoded; or what is wrong with it. */
function notification(note: LocalNote): Notification | string {
  let userInfo: Dictionary | null = null;
  if (note.userInfo) {
    try {
      const decoded = decodeValue(note.userInfo);
      if (!isDictionary(decoded)) return "a userInfo that is not a dictionary";
      userInfo = decoded;
    } catch (error) {
      return `a userInfo that does not decode (${(error as Error).message})`;
    }
  }
  return {
    type: "notification",
    name: note.name,
    object: note.object,
    userInfo,
    time: new Date(note.time),
    poster: note.p,
    seq: note.q,
  };
}
