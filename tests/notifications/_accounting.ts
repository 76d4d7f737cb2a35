/**
 * The per-poster check of an observer's stream (issue 14): for every poster, every number
 * (`seq`) missing between the first one expected and the last one received must be inside a
 * dropped record's range for that poster, or in a gap record's place (between the last one
 * received before it and the first after, past its `after` for that poster). A dropped record
 * counts where it comes in `strict` mode only when it comes before the next notification of
 * that poster; otherwise anywhere in the stream (a coalesced notification's record comes where
 * the newer one was kept). Duplicates and numbers that go backwards are problems of their own.
 *
 * It reads events one at a time and keeps per poster only its ranges and holes, so an observer
 * process can run it over millions of notifications (scripts/attack/notifications.ts).
 *
 * @module
 */

/** The parts of an observer's event the check reads. */
export type AccountEvent =
  | { type: "notification"; poster: number; seq: number }
  | {
    type: "dropped";
    count: number;
    posters: readonly { poster: number; first: number; last: number; count: number }[];
  }
  | { type: "gap"; posters: readonly { poster: number; after: number }[] };

/** What the check found. */
export interface AccountResult {
  /** Notifications received. */
  received: number;
  /** Numbers missing between the first expected and the last received, over every poster. */
  missing: number;
  /** Of those, the ones a record accounts for. */
  accounted: number;
  /** The first problems (unaccounted holes, duplicates, numbers going backwards). */
  problems: string[];
}

interface PosterState {
  last: number;
  /** Set by a gap record since the last one received: it covers numbers past this. */
  gapAfter: number | undefined;
  /** Dropped ranges, as [first, last]. */
  dropped: [number, number][];
  /** Holes, checked at the end against every record (not strict). */
  holes: [number, number][];
}

/** The check; see the module documentation. */
export class Accounting {
  #posters = new Map<number, PosterState>();
  #first: (poster: number) => number;
  #strict: boolean;
  /** Whether a gap record came: a poster first heard of after it may have lost its start. */
  #gapSeen = false;
  #result: AccountResult = { received: 0, missing: 0, accounted: 0, problems: [] };

  /**
   * @param first the first number expected of each poster (a poster's first post is 1).
   * @param strict dropped records must come before the next notification of their poster.
   */
  constructor(first: (poster: number) => number = () => 1, strict = true) {
    this.#first = first;
    this.#strict = strict;
  }

  #state(poster: number): PosterState {
    let state = this.#posters.get(poster);
    if (!state) {
      const last = this.#first(poster) - 1;
      state = { last, gapAfter: this.#gapSeen ? -Infinity : undefined, dropped: [], holes: [] };
      this.#posters.set(poster, state);
    }
    return state;
  }

  /** Reads the next event of the stream. */
  add(event: AccountEvent): void {
    if (event.type === "dropped") {
      for (const r of event.posters) this.#state(r.poster).dropped.push([r.first, r.last]);
      return;
    }
    if (event.type === "gap") {
      this.#gapSeen = true;
      const listed = new Map(event.posters.map((p) => [p.poster, p.after]));
      for (const [poster, state] of this.#posters) {
        const after = listed.get(poster) ?? -Infinity;
        state.gapAfter = Math.min(state.gapAfter ?? Infinity, after);
      }
      return;
    }
    const state = this.#state(event.poster);
    const result = this.#result;
    result.received++;
    if (event.seq <= state.last) {
      this.#problem(
        `poster ${event.poster}: ${event.seq} after ${state.last} (a repeat, or out of order)`,
      );
      return;
    }
    const lo = state.last + 1, hi = event.seq - 1;
    if (lo <= hi) {
      result.missing += hi - lo + 1;
      let end = hi;
      if (state.gapAfter !== undefined) {
        // The gap record covers what is past its `after`.
        const from = Math.max(lo, state.gapAfter + 1);
        if (from <= hi) {
          result.accounted += hi - from + 1;
          end = from - 1;
        }
      }
      if (lo <= end) {
        if (!this.#strict) state.holes.push([lo, end]);
        else {
          const left = uncovered(lo, end, state.dropped);
          result.accounted += (end - lo + 1) - sum(left);
          for (const [a, b] of left) {
            this.#problem(
              `poster ${event.poster}: ${a}…${b} missing, in no record before ${event.seq}`,
            );
          }
        }
      }
    }
    state.last = event.seq;
    state.gapAfter = undefined;
    // Strict: a record past this one can only account for later holes.
    if (this.#strict && state.dropped.length > 0) {
      state.dropped = state.dropped.filter(([, b]) => b > event.seq);
    }
  }

  #problem(text: string): void {
    if (this.#result.problems.length < 10) this.#result.problems.push(text);
  }

  /** The result, once every event was read (holes checked against every record). */
  finish(): AccountResult {
    const result = { ...this.#result, problems: [...this.#result.problems] };
    for (const [poster, state] of this.#posters) {
      if (state.holes.length === 0) continue;
      const ranges = merged(state.dropped);
      let k = 0;
      for (const [lo, hi] of state.holes) {
        while (k < ranges.length && ranges[k][1] < lo) k++;
        const left = uncovered(lo, hi, ranges.slice(k, k + 64));
        result.accounted += (hi - lo + 1) - sum(left);
        for (const [a, b] of left) {
          if (result.problems.length < 10) {
            result.problems.push(`poster ${poster}: ${a}…${b} missing, in no record`);
          }
        }
      }
    }
    return result;
  }
}

/** Ranges sorted and merged where they touch. */
function merged(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

/** The parts of lo…hi no range covers. */
function uncovered(lo: number, hi: number, ranges: [number, number][]): [number, number][] {
  let parts: [number, number][] = [[lo, hi]];
  for (const [a, b] of ranges) {
    if (b < lo || a > hi) continue;
    const next: [number, number][] = [];
    for (const [x, y] of parts) {
      if (b < x || a > y) next.push([x, y]);
      else {
        if (x < a) next.push([x, a - 1]);
        if (b < y) next.push([b + 1, y]);
      }
    }
    parts = next;
    if (parts.length === 0) break;
  }
  return parts;
}

function sum(parts: [number, number][]): number {
  let n = 0;
  for (const [a, b] of parts) n += b - a + 1;
  return n;
}
