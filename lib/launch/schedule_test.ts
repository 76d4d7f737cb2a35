import assert from "node:assert/strict";
import { type Clock, everyInterval, nextCalendarTime, onCalendar, Schedule } from "./schedule.ts";

/** A clock the test moves by hand; timers fire when it passes them. */
class FakeClock implements Clock {
  time: number;
  #timers: { at: number; fn: () => void }[] = [];
  constructor(start: number) {
    this.time = start;
  }
  now(): number {
    return this.time;
  }
  setTimer(ms: number, fn: () => void): () => void {
    const timer = { at: this.time + ms, fn };
    this.#timers.push(timer);
    return () => this.#timers = this.#timers.filter((t) => t !== timer);
  }
  /** Moves the clock, firing the timers that come due (as a running machine does). */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const next = this.#timers.sort((a, b) => a.at - b.at)[0];
      if (!next || next.at > end) break;
      this.#timers.shift();
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }
  /** Moves the wall clock without firing timers (the machine slept; monotonic time stood). */
  sleep(ms: number): void {
    this.time += ms;
    for (const timer of this.#timers) timer.at += ms;
  }
}

const local = (text: string) => new Date(text).getTime();

Deno.test("nextCalendarTime() finds the next matching minute, strictly after", () => {
  const at = local("2026-03-10T10:15:30");
  assert.equal(nextCalendarTime([{ minute: 30 }], at), local("2026-03-10T10:30:00"));
  assert.equal(nextCalendarTime([{ minute: 15 }], at), local("2026-03-10T11:15:00"));
  assert.equal(nextCalendarTime([{ hour: 9, minute: 0 }], at), local("2026-03-11T09:00:00"));
  assert.equal(nextCalendarTime([{}], at), local("2026-03-10T10:16:00"));
  // 2026-03-10 is a Tuesday; Sunday is 0 or 7.
  assert.equal(nextCalendarTime([{ weekday: 7, hour: 8 }], at), local("2026-03-15T08:00:00"));
  assert.equal(nextCalendarTime([{ weekday: 0, hour: 8 }], at), local("2026-03-15T08:00:00"));
  assert.equal(
    nextCalendarTime([{ month: 1, day: 1, hour: 0, minute: 0 }], at),
    local("2027-01-01T00:00:00"),
  );
  // Day and weekday: either (as cron).
  assert.equal(
    nextCalendarTime([{ day: 20, weekday: 4, hour: 0, minute: 0 }], at),
    local("2026-03-12T00:00:00"),
  );
  // Several entries: the earliest.
  assert.equal(
    nextCalendarTime([{ hour: 23, minute: 0 }, { hour: 12, minute: 5 }], at),
    local("2026-03-10T12:05:00"),
  );
  assert.equal(nextCalendarTime([{ month: 2, day: 31 }], at), null);
});

Deno.test("a Schedule fires at each interval on its clock", () => {
  const clock = new FakeClock(local("2026-03-10T10:00:00"));
  const fired: number[] = [];
  const schedule = new Schedule(everyInterval(60), (due) => fired.push(due), { clock });
  clock.advance(59_000);
  assert.deepEqual(fired, []);
  clock.advance(1_000);
  assert.deepEqual(fired, [local("2026-03-10T10:01:00")]);
  clock.advance(120_000);
  assert.equal(fired.length, 3);
  schedule.stop();
  clock.advance(600_000);
  assert.equal(fired.length, 3);
});

Deno.test("a calendar run missed while the machine slept runs once on wake", () => {
  const clock = new FakeClock(local("2026-03-10T10:00:30"));
  const fired: number[] = [];
  const schedule = new Schedule(onCalendar([{ minute: 5 }]), (due) => fired.push(due), { clock });
  assert.equal(schedule.due, local("2026-03-10T10:05:00"));
  // Asleep for three hours: three runs missed, monotonic timers stood still.
  clock.sleep(3 * 3600_000);
  assert.deepEqual(fired, []);
  // Awake: the schedule notices within its longest wait, and runs once.
  clock.advance(10_000);
  assert.deepEqual(fired, [local("2026-03-10T10:05:00")]);
  assert.equal(schedule.due, local("2026-03-10T13:05:00"));
  clock.advance(3600_000);
  assert.equal(fired.length, 2);
  schedule.stop();
});

Deno.test("a Schedule keeps a due time handed over (from an earlier broker)", () => {
  const clock = new FakeClock(local("2026-03-10T10:00:00"));
  const fired: number[] = [];
  new Schedule(everyInterval(3600), (due) => fired.push(due), {
    clock,
    due: local("2026-03-10T10:00:20"),
  });
  clock.advance(20_000);
  assert.deepEqual(fired, [local("2026-03-10T10:00:20")]);
});
