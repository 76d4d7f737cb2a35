/**
 * Time triggers: `startInterval` (every N seconds) and `startCalendar` (cron-like minute, hour,
 * day, weekday, month, as launchd's `StartCalendarInterval`), on a clock that can be replaced
 * for tests.
 *
 * Timers run on the monotonic clock, which stands still while the machine sleeps, so a
 * {@linkcode Schedule} never waits longer than {@linkcode MAX_WAIT_MS} at a time and compares
 * the wall clock each time it wakes: a run missed while asleep runs once on wake, however many
 * were missed, as launchd does.
 *
 * @module
 */

import { startTimer } from "../_timer.ts";

/** One `startCalendar` entry: each field absent matches every value. */
export interface CalendarInterval {
  /** 0–59. */
  minute?: number;
  /** 0–23. */
  hour?: number;
  /** Day of the month, 1–31. */
  day?: number;
  /** Day of the week, 0–7 (0 and 7 are Sunday). */
  weekday?: number;
  /** 1–12. */
  month?: number;
}

/** The fields of a {@linkcode CalendarInterval} with their ranges. */
export const CALENDAR_FIELDS: Readonly<Record<keyof CalendarInterval, [number, number]>> = Object
  .freeze({
    minute: [0, 59],
    hour: [0, 23],
    day: [1, 31],
    weekday: [0, 7],
    month: [1, 12],
  });

/** A wall clock and timers; tests give their own. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Calls `fn` after about `ms` milliseconds; returns the canceller. */
  setTimer(ms: number, fn: () => void): () => void;
}

/** The real clock. */
export const SYSTEM_CLOCK: Clock = { now: () => Date.now(), setTimer: startTimer };

/**
 * A clock that starts at `start` and runs at the real pace: what the broker uses when
 * `IPCKIT_LAUNCH_CLOCK` (an ISO 8601 time) is set, so tests can reach a calendar time at once.
 */
export function shiftedClock(start: number): Clock {
  const offset = start - Date.now();
  return { now: () => Date.now() + offset, setTimer: startTimer };
}

/** The longest single wait, so that a wall-clock time passed during sleep is noticed soon. */
export const MAX_WAIT_MS = 10_000;

function matches(entry: CalendarInterval, date: Date): boolean {
  if (entry.month !== undefined && date.getMonth() + 1 !== entry.month) return false;
  if (entry.hour !== undefined && date.getHours() !== entry.hour) return false;
  if (entry.minute !== undefined && date.getMinutes() !== entry.minute) return false;
  return dayMatches(entry, date);
}

/** Day and weekday: either one matching is enough when both are given (as cron). */
function dayMatches(entry: CalendarInterval, date: Date): boolean {
  const day = entry.day === undefined || date.getDate() === entry.day;
  const weekday = entry.weekday === undefined || date.getDay() === entry.weekday % 7;
  if (entry.day !== undefined && entry.weekday !== undefined) {
    return date.getDate() === entry.day || date.getDay() === entry.weekday % 7;
  }
  return day && weekday;
}

/**
 * The first minute strictly after `after` (local time) that one of `entries` matches.
 *
 * @returns its time in milliseconds, or `null` when none comes within eight years (31 February).
 */
export function nextCalendarTime(entries: CalendarInterval[], after: number): number | null {
  const date = new Date(after);
  date.setSeconds(0, 0);
  date.setMinutes(date.getMinutes() + 1);
  const limit = after + 8 * 366 * 86_400_000;
  while (date.getTime() <= limit) {
    if (!entries.some((e) => e.month === undefined || e.month === date.getMonth() + 1)) {
      date.setMonth(date.getMonth() + 1, 1);
      date.setHours(0, 0);
      continue;
    }
    if (!entries.some((e) => monthOk(e, date) && dayMatches(e, date))) {
      date.setDate(date.getDate() + 1);
      date.setHours(0, 0);
      continue;
    }
    if (!entries.some((e) => monthOk(e, date) && dayMatches(e, date) && hourOk(e, date))) {
      date.setHours(date.getHours() + 1, 0);
      continue;
    }
    if (entries.some((e) => matches(e, date))) return date.getTime();
    date.setMinutes(date.getMinutes() + 1);
  }
  return null;
}

function monthOk(entry: CalendarInterval, date: Date): boolean {
  return entry.month === undefined || entry.month === date.getMonth() + 1;
}

function hourOk(entry: CalendarInterval, date: Date): boolean {
  return entry.hour === undefined || entry.hour === date.getHours();
}

/** How a {@linkcode Schedule} computes its next time after a given one. */
export type NextTime = (after: number) => number | null;

/** Every `seconds` seconds after `after`. */
export function everyInterval(seconds: number): NextTime {
  return (after) => after + seconds * 1000;
}

/** The next `startCalendar` time after `after`. */
export function onCalendar(entries: CalendarInterval[]): NextTime {
  return (after) => nextCalendarTime(entries, after);
}

/**
 * Fires `fire` at each time `next` gives, on `clock`; a time missed (the machine slept, the
 * process was stopped) fires once when noticed, and the next time is counted from then.
 */
export class Schedule {
  #clock: Clock;
  #next: NextTime;
  #fire: (due: number) => void;
  #due: number | null;
  #cancel = () => {};
  #stopped = false;

  /**
   * Starts the schedule.
   *
   * @param next computes the next time after a given one.
   * @param fire called at each due time, with that time.
   * @param options `clock` to use; `due`, the first time (kept from an earlier broker).
   */
  constructor(
    next: NextTime,
    fire: (due: number) => void,
    options: { clock?: Clock; due?: number | null } = {},
  ) {
    this.#clock = options.clock ?? SYSTEM_CLOCK;
    this.#next = next;
    this.#fire = fire;
    this.#due = options.due ?? next(this.#clock.now());
    this.#arm();
  }

  /** The next due time (milliseconds since the epoch), or `null` when there is none. */
  get due(): number | null {
    return this.#due;
  }

  /** Stops firing. */
  stop(): void {
    this.#stopped = true;
    this.#cancel();
  }

  #arm(): void {
    this.#cancel();
    if (this.#stopped || this.#due === null) return;
    const wait = Math.min(Math.max(0, this.#due - this.#clock.now()), MAX_WAIT_MS);
    this.#cancel = this.#clock.setTimer(wait, () => this.#check());
  }

  #check(): void {
    if (this.#stopped || this.#due === null) return;
    const now = this.#clock.now();
    if (now >= this.#due) {
      const due = this.#due;
      // However many were missed, one run; the next is counted from now.
      this.#due = this.#next(Math.max(now, due));
      this.#fire(due);
    }
    this.#arm();
  }
}
