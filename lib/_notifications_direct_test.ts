import assert from "node:assert/strict";
import { Gates, type Inbox, type LocalNote, localNote } from "./_notifications_direct.ts";

let seq = 0;
const note = (name: string): LocalNote =>
  localNote({ n: name, o: null, u: null, t: 0, p: 1, q: ++seq }) as LocalNote;
const item = (name: string) => ({ note: note(name), immediate: false });

/** Gates over a stand-in inbox that has read poster 7's straight ones up to `read.seq`. */
function gates() {
  const got: string[] = [];
  const read = { seq: 0, waiting: false };
  const inbox = {
    hasRead: (p: number, q: number) => p === 7 && read.seq >= q,
    wait: () => read.waiting = true,
  } as unknown as Inbox;
  const g = new Gates((item) => got.push(item.note.name), () => inbox);
  return { g, got, read };
}

Deno.test("straight notifications after relayed ones wait for the broker's marker", () => {
  const { g, got } = gates();
  g.relayed({ kind: "note", item: item("r1") });
  g.straight(7, 2, true, item("s2")); // flagged: the broker relayed r1 (and maybe more) before
  g.straight(7, 3, false, item("s3"));
  assert.deepEqual(got, ["r1"]);
  g.relayed({ kind: "note", item: item("r2") }); // still relayed before the marker
  g.relayed({ kind: "marker", p: 7, q: 2 });
  assert.deepEqual(got, ["r1", "r2", "s2", "s3"]);
  g.straight(7, 4, false, item("s4"));
  assert.deepEqual(got, ["r1", "r2", "s2", "s3", "s4"]);
});

Deno.test("a marker read before its straight notification lets it through at once", () => {
  const { g, got } = gates();
  g.relayed({ kind: "marker", p: 7, q: 5 });
  g.straight(7, 5, true, item("s5"));
  g.straight(9, 1, false, item("other poster"));
  assert.deepEqual(got, ["s5", "other poster"]);
});

Deno.test("relayed notifications behind a gate wait until the poster's straight ones are read", () => {
  const { g, got, read } = gates();
  g.relayed({ kind: "gate", p: 7, q: 3 });
  g.relayed({ kind: "note", item: item("r4") });
  assert.deepEqual(got, []);
  assert.ok(read.waiting);
  g.straight(7, 3, false, item("s3"));
  read.seq = 3;
  g.posterRead();
  assert.deepEqual(got, ["s3", "r4"]);
  g.relayed({ kind: "note", item: item("r5") });
  assert.deepEqual(got, ["s3", "r4", "r5"]);
});

Deno.test("when the broker is lost, straight ones held for a marker are handed over; a gate stays", () => {
  const { g, got, read } = gates();
  g.straight(7, 2, true, item("s2"));
  g.relayed({ kind: "gate", p: 7, q: 9 });
  g.relayed({ kind: "note", item: item("r") });
  assert.deepEqual(got, []);
  g.brokerLost();
  // No marker will come; but what the gate waits for comes straight, broker or not.
  assert.deepEqual(got, ["s2"]);
  read.seq = 9;
  g.posterRead();
  assert.deepEqual(got, ["s2", "r"]);
  const second = gates();
  second.g.straight(7, 2, true, item("s2"));
  second.g.releasePoster(7);
  assert.deepEqual(second.got, ["s2"]);
});
