import assert from "node:assert/strict";
import { Gates, Inbox, Links, type LocalNote, localNote } from "./_direct.ts";
import { connectTo } from "../transport/connect.ts";
import { sleep } from "../_timer.ts";

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

Deno.test("straight ones held for a marker wait for it after their poster's link closed, however late; the broker's word that the poster is gone lets go of one that never comes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-test-" });
  await Deno.chmod(dir, 0o700);
  const got: string[] = [];
  const g: Gates[] = [];
  const inbox = await Inbox.open(dir, new Links(), (p, body) => {
    const straight = localNote(body, p) as LocalNote;
    g[0].straight(p, straight.q, Array.isArray(body.f), { note: straight, immediate: false });
  });
  assert.ok(inbox);
  g[0] = new Gates((item) => got.push(item.note.name), () => inbox);
  // The inbox and its links do not keep the program alive (they are unref'd): this does.
  const alive = setInterval(() => {}, 1000);
  try {
    const unlinked = new Promise<void>((resolve) => inbox.onUnlinked = resolve);
    const poster = await connectTo(inbox.path, { hello: { p: 7, x: null } });
    const frame = (q: number, flagged: boolean) => ({
      q,
      n: `s${q}`,
      o: null,
      u: null,
      t: 0,
      i: [1],
      ...flagged ? { f: [1] } : {},
    });
    await poster.notify("notify.x", frame(2, true)); // its marker follows relayed r1
    await poster.notify("notify.x", frame(3, false));
    await poster.notify("notify.x", frame(5, true)); // its post never reached the broker
    await poster.close();
    await unlinked;
    // A loaded broker relays long after the link closed: longer than the center once waited
    // (1 s) before it handed them over, ahead of r1, which then counted as a repeat.
    await sleep(1500);
    assert.deepEqual(got, []);
    const r1 = localNote({ n: "r1", o: null, u: null, t: 0, p: 7, q: 1 }) as LocalNote;
    g[0].relayed({ kind: "note", item: { note: r1, immediate: false } });
    g[0].relayed({ kind: "marker", p: 7, q: 2 });
    assert.deepEqual(got, ["r1", "s2", "s3"]);
    g[0].relayed({ kind: "gone", p: 7 });
    assert.deepEqual(got, ["r1", "s2", "s3", "s5"]);
  } finally {
    clearInterval(alive);
    await inbox.close();
    await Deno.remove(dir, { recursive: true });
  }
});
