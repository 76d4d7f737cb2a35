/**
 * An observer's bounded queue and its suspension behaviours (`drop`, `coalesce`, `hold`,
 * `immediate`), in the observer's own process: both ways a notification comes (straight and
 * relayed) meet one limit and one behaviour here, and what is not handed over comes out as a
 * `dropped` record in its place.
 *
 * @module
 */

/** What an observer does with notifications while it is suspended or its queue is full. */
export type SuspensionBehavior = "drop" | "coalesce" | "hold" | "immediate";

/** The suspension behaviours, in the order `--help` lists them. */
export const SUSPENSION_BEHAVIORS: readonly SuspensionBehavior[] = [
  "drop",
  "coalesce",
  "hold",
  "immediate",
];

/** How many notifications an observer may have untaken by default. */
export const DEFAULT_QUEUE_LIMIT = 1024;

/** The large bound of `hold` and `immediate`: notifications kept or untaken at most. */
export const HOLD_LIMIT = 100_000;

/** What the queue needs of a notification. */
export interface QueueNote {
  /** When it was posted (ms since the epoch). */
  readonly time: number;
  /** Its name and object: what `coalesce` keeps one of. */
  readonly key: string;
  /** Its poster's id. */
  readonly p: number;
  /** Its number among its poster's posts. */
  readonly q: number;
}

/** Per poster: the first and last number of what a record counts, and how many. */
export interface PosterRange {
  /** The poster's id (as a notification's `poster`). */
  readonly poster: number;
  /** The first number (as a notification's `seq`) it counts. */
  readonly first: number;
  /** The last number it counts. */
  readonly last: number;
  /** How many of that poster's it counts. */
  readonly count: number;
}

/** Where a queue hands over what it lets through. */
export interface QueueSink<N extends QueueNote, M> {
  /** A notification for the reader. */
  deliver(note: N): void;
  /** A record of `count` notifications not handed over, posted from `from` to `to`. */
  dropped(count: number, from: number, to: number, ranges: PosterRange[]): void;
  /** A record that took its turn ({@linkcode ObserverQueue.mark}). */
  marked(mark: M): void;
}

/** The numbers a record counts, per poster: `[first, last, count]`. */
type Ranges = Map<number, [number, number, number]>;

interface Kept<N, M> {
  note?: N;
  dead?: boolean;
  // A record instead: how many were dropped, between these times, per poster.
  dropped?: number;
  from?: number;
  to?: number;
  ranges?: Ranges;
  // Or a record of another kind, in its turn.
  mark?: M;
  isMark?: boolean;
}

/** The most posters a dropped record names (past that, it only counts them). */
const MAX_RANGES = 4096;

function addRange(ranges: Ranges, p: number, first: number, last: number, count: number): void {
  const range = ranges.get(p);
  if (range) {
    range[0] = Math.min(range[0], first);
    range[1] = Math.max(range[1], last);
    range[2] += count;
  } else if (ranges.size < MAX_RANGES) ranges.set(p, [first, last, count]);
}

/** One observer's queue; see the module documentation. */
export class ObserverQueue<N extends QueueNote, M = unknown> {
  /** What it does while suspended or full. */
  readonly behavior: SuspensionBehavior;
  /** How many may be handed over and not yet taken (at most {@linkcode HOLD_LIMIT}). */
  readonly limit: number;
  /** Whether the observer is suspended: nothing is handed over until it is not. */
  suspended: boolean;
  /** Handed over and not yet taken. */
  untaken = 0;
  #sink: QueueSink<N, M>;
  #kept: Kept<N, M>[] = [];
  #head = 0;
  #live = 0;
  #byKey = new Map<string, Kept<N, M>>();
  #pumping = false;

  constructor(
    behavior: SuspensionBehavior,
    limit: number,
    suspended: boolean,
    sink: QueueSink<N, M>,
  ) {
    this.behavior = behavior;
    this.limit = Math.min(limit, HOLD_LIMIT);
    this.suspended = suspended;
    this.#sink = sink;
  }

  /** How many notifications are kept, not yet handed over. */
  get kept(): number {
    return this.#live;
  }

  /** Takes one notification: hands it over, keeps it, or drops it, per the behaviour. */
  offer(note: N, immediate: boolean): void {
    if (!this.suspended && this.#head === this.#kept.length && this.untaken < this.limit) {
      this.#deliver(note);
      return;
    }
    if (immediate || this.behavior === "immediate") {
      this.#flush();
      if (this.untaken < HOLD_LIMIT) this.#deliver(note);
      else this.#drop(note);
      return;
    }
    switch (this.behavior) {
      case "drop":
        this.#drop(note);
        return;
      case "coalesce": {
        const earlier = this.#byKey.get(note.key);
        if (earlier) {
          earlier.dead = true;
          this.#live--;
          this.#drop(earlier.note!);
        } else if (this.#live >= HOLD_LIMIT) {
          this.#drop(note);
          return;
        }
        this.#push(note);
        return;
      }
      case "hold":
        if (this.#live >= HOLD_LIMIT) this.#drop(note);
        else this.#push(note);
        return;
    }
  }

  /**
   * Takes a record of notifications lost before they reached the queue (the broker could not
   * relay them): it joins the dropped record at this place.
   *
   * @param ranges per poster: `[poster, first, last, count]`.
   */
  lost(
    count: number,
    from: number,
    to: number,
    ranges: readonly (readonly [number, number, number, number])[],
  ): void {
    const record = this.#dropRecord();
    record.dropped! += count;
    record.from = Math.min(record.from!, from);
    record.to = Math.max(record.to!, to);
    for (const [p, first, last, n] of ranges) addRange(record.ranges!, p, first, last, n);
    this.pump();
  }

  /** Takes a record that must come in its turn, after what is kept now (never dropped). */
  mark(mark: M): void {
    this.#kept.push({ mark, isMark: true });
    this.pump();
  }

  /** The reader took one of what was handed over: hand over more while there is room. */
  taken(): void {
    if (this.untaken > 0) this.untaken--;
    this.pump();
  }

  /** Suspends or resumes; on resume, what was kept is handed over while there is room. */
  setSuspended(suspended: boolean): void {
    this.suspended = suspended;
    this.pump();
  }

  /** Hands over what is kept while the observer has room. */
  pump(): void {
    // A reader waiting takes what is handed over at once, and that calls back in here: the
    // loop below goes on with the room that made.
    if (this.suspended || this.#pumping) return;
    this.#pumping = true;
    try {
      while (this.#head < this.#kept.length && this.untaken < this.limit) this.#next();
    } finally {
      this.#pumping = false;
    }
    this.#compact();
  }

  #flush(): void {
    const pumping = this.#pumping;
    this.#pumping = true;
    try {
      while (this.#head < this.#kept.length) this.#next();
    } finally {
      this.#pumping = pumping;
    }
    this.#compact();
  }

  #next(): void {
    const item = this.#kept[this.#head];
    this.#kept[this.#head++] = undefined as unknown as Kept<N, M>;
    if (item.dead) return;
    if (item.note) {
      this.#live--;
      if (this.#byKey.get(item.note.key) === item) this.#byKey.delete(item.note.key);
      this.#deliver(item.note);
    } else if (item.isMark) {
      this.untaken++;
      this.#sink.marked(item.mark!);
    } else {
      this.untaken++;
      const ranges: PosterRange[] = [];
      for (const [poster, [first, last, count]] of item.ranges!) {
        ranges.push({ poster, first, last, count });
      }
      this.#sink.dropped(item.dropped!, item.from!, item.to!, ranges);
    }
  }

  #compact(): void {
    if (this.#head === this.#kept.length) {
      this.#kept = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#kept.length) {
      this.#kept = this.#kept.slice(this.#head);
      this.#head = 0;
    }
  }

  #push(note: N): void {
    const item: Kept<N, M> = { note };
    this.#kept.push(item);
    this.#live++;
    if (this.behavior === "coalesce") this.#byKey.set(note.key, item);
  }

  /** Counts one drop into the record at the end of the queue, or starts a record there. */
  #drop(note: N): void {
    const record = this.#dropRecord();
    record.dropped!++;
    record.from = Math.min(record.from!, note.time);
    record.to = Math.max(record.to!, note.time);
    addRange(record.ranges!, note.p, note.q, note.q, 1);
  }

  /** The dropped record at the end of the queue, made when there is none. */
  #dropRecord(): Kept<N, M> {
    while (this.#kept.length > this.#head && this.#kept[this.#kept.length - 1].dead) {
      this.#kept.pop();
    }
    const last = this.#kept.length > this.#head ? this.#kept[this.#kept.length - 1] : undefined;
    if (last && last.dropped !== undefined) return last;
    const record: Kept<N, M> = { dropped: 0, from: Infinity, to: -Infinity, ranges: new Map() };
    this.#kept.push(record);
    return record;
  }

  #deliver(note: N): void {
    this.untaken++;
    this.#sink.deliver(note);
  }
}
