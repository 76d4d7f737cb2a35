import assert from "node:assert/strict";
import { HOLD_LIMIT, ObserverQueue, type QueueNote, SUSPENSION_BEHAVIORS } from "./_queue.ts";

interface Note extends QueueNote {
  name: string;
}

let clock = 0;
const note = (name: string, object = ""): Note => ({
  name,
  key: `${name}\0${object}`,
  time: ++clock,
  p: 1,
  q: clock,
});

/** A queue whose reader records what it was handed: names, `dropped:N` for records. */
function queue(behavior: (typeof SUSPENSION_BEHAVIORS)[number], limit: number, suspended = false) {
  const got: string[] = [];
  const q = new ObserverQueue<Note>(behavior, limit, suspended, {
    deliver: (n) => got.push(n.name),
    dropped: (count) => got.push(`dropped:${count}`),
    marked: () => got.push("mark"),
  });
  /** The reader takes `n` of what it was handed. */
  const take = (n: number) => {
    for (let i = 0; i < n; i++) q.taken();
  };
  return { q, got, take };
}

Deno.test("a full queue applies its behaviour, and what the reader takes lets the rest through in order", () => {
  const queues = Object.fromEntries(SUSPENSION_BEHAVIORS.map((b) => [b, queue(b, 2)]));
  for (const name of ["a", "b", "a", "c", "a"]) {
    for (const { q } of Object.values(queues)) q.offer(note(name), false);
  }
  assert.deepEqual(queues.drop.got, ["a", "b"]);
  assert.deepEqual(queues.coalesce.got, ["a", "b"]);
  assert.deepEqual(queues.hold.got, ["a", "b"]);
  assert.deepEqual(queues.immediate.got, ["a", "b", "a", "c", "a"]);
  for (const { take } of Object.values(queues)) take(2);
  // drop: one record for three; coalesce: the later "a" replaced the earlier one (counted).
  assert.deepEqual(queues.drop.got, ["a", "b", "dropped:3"]);
  assert.deepEqual(queues.coalesce.got, ["a", "b", "c", "dropped:1"]);
  assert.deepEqual(queues.hold.got, ["a", "b", "a", "c"]);
  for (const { take } of Object.values(queues)) take(2);
  assert.deepEqual(queues.coalesce.got, ["a", "b", "c", "dropped:1", "a"]);
  assert.deepEqual(queues.hold.got, ["a", "b", "a", "c", "a"]);
  assert.equal(queues.hold.q.kept, 0);
});

Deno.test("a suspended queue hands over what its behaviour kept on resume; immediate posts flush first", () => {
  const { q, got } = queue("hold", 100);
  q.setSuspended(true);
  q.offer(note("x"), false);
  q.offer(note("y"), false);
  assert.deepEqual(got, []);
  q.offer(note("urgent"), true);
  assert.deepEqual(got, ["x", "y", "urgent"]);
  q.offer(note("z"), false);
  q.setSuspended(false);
  assert.deepEqual(got, ["x", "y", "urgent", "z"]);
  // coalesce while suspended: the latest per name and object, the others counted.
  const c = queue("coalesce", 100, true);
  for (let i = 0; i < 5; i++) c.q.offer(note(`tick`), false);
  c.q.offer(note("tick", "other"), false);
  c.q.offer(note("tock"), false);
  c.q.setSuspended(false);
  assert.deepEqual(c.got, ["dropped:4", "tick", "tick", "tock"]);
});

Deno.test("hold keeps up to HOLD_LIMIT and counts the rest; the limit caps what is handed over", () => {
  const { q, got, take } = queue("hold", 1024, true);
  for (let i = 0; i < HOLD_LIMIT + 5; i++) q.offer(note("n"), false);
  q.setSuspended(false);
  assert.equal(got.length, 1024, "handed over up to the limit");
  let total = 0, records = 0;
  while (got.length > 0) {
    const batch = got.splice(0);
    for (const g of batch) g === "n" ? total++ : (records += Number(g.slice(8)));
    take(batch.length);
  }
  assert.equal(total, HOLD_LIMIT);
  assert.equal(records, 5);
});

Deno.test("a reader that takes as it is handed (an awaiting iterator) gets everything kept, in order", () => {
  const got: string[] = [];
  // deliver() takes at once, as NotificationObserver does when a reader waits: taken() runs
  // inside the queue's own hand-over loop.
  const q: ObserverQueue<Note> = new ObserverQueue<Note>("hold", 2, true, {
    deliver: (n) => {
      got.push(n.name);
      q.taken();
    },
    dropped: () => got.push("dropped"),
    marked: () => got.push("mark"),
  });
  for (const name of ["a", "b", "c", "d", "e"]) q.offer(note(name), false);
  q.setSuspended(false);
  assert.deepEqual(got, ["a", "b", "c", "d", "e"]);
  assert.equal(q.untaken, 0);
  assert.equal(q.kept, 0);
});

Deno.test("dropped records name each poster's first and last number; lost ones join them; a mark waits its turn", () => {
  const records: unknown[] = [];
  const got: string[] = [];
  const q = new ObserverQueue<Note, string>("drop", 1, false, {
    deliver: (n) => got.push(`${n.name}:${n.p}:${n.q}`),
    dropped: (count, _from, _to, ranges) => {
      got.push(`dropped:${count}`);
      records.push(ranges);
    },
    marked: (mark) => got.push(mark),
  });
  const from = (p: number, qn: number): Note => ({ ...note("t"), p, q: qn });
  q.offer(from(1, 1), false); // handed over: the queue is full until it is taken
  q.offer(from(1, 2), false);
  q.offer(from(2, 7), false);
  q.lost(3, 0, 1, [[1, 3, 5, 3]]);
  q.mark("gap");
  q.offer(from(1, 6), false); // behind the gap record, and "drop": dropped, in a record of its own
  for (let i = 0; i < 4; i++) q.taken();
  q.offer(from(1, 8), false);
  assert.deepEqual(got, ["t:1:1", "dropped:5", "gap", "dropped:1", "t:1:8"]);
  assert.deepEqual(records[0], [
    { poster: 1, first: 2, last: 5, count: 4 },
    { poster: 2, first: 7, last: 7, count: 1 },
  ]);
  assert.deepEqual(records[1], [{ poster: 1, first: 6, last: 6, count: 1 }]);
});
