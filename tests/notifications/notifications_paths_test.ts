/**
 * Distributed notifications between processes, black-box: every poster and every observer is a
 * long-lived library process with its own {@linkcode NotificationCenter}, and the broker is
 * another. The tests assert only what lib/notifications/ documents (order per poster, the
 * suspension behaviours, dropped and gap records, filters), never how a notification travels,
 * so they hold whichever path it takes from a poster to an observer. Posters keep posting, in
 * bursts, after the observers registered, so a poster that learns of an observer late changes
 * course mid-stream.
 */

import assert from "node:assert/strict";
import { brokerStatus } from "../../lib/broker/client.ts";
import {
  compact,
  ended,
  type Event,
  range,
  type Script,
  sleep,
  withProcesses,
} from "../_script.ts";
import { observerProcess, posterDone, posterProcess } from "./_notification_processes.ts";

/** What a poster posted and how many were rejected, once its command is through. */
async function done(poster: Script): Promise<{ posted: number; errors: number }> {
  const { posted, errors } = await posterDone(poster);
  return { posted, errors };
}

/** The i of each notification from poster `p`. */
function from(events: Event[], p: string): number[] {
  return events.flatMap((e) => e.type === "notification" && e.p === p ? [e.i] : []);
}

const notifications = (events: Event[]) => events.filter((e) => e.type === "notification").length;

/** Observer options: every "tick", nothing dropped. */
const HOLD_TICKS = { names: "tick", suspensionBehavior: "hold", queueLimit: 100_000 };

Deno.test("order: two observer processes each get 3,000 notifications of a poster process in order", async () => {
  await withProcesses(async (dir, started) => {
    const poster = started(await posterProcess(dir, "A", { warmName: "tick" }));
    await poster.expect("ready");
    const observers = await Promise.all(
      ["one", "two"].map((name) => observerProcess(dir, `observer ${name}`, HOLD_TICKS)),
    );
    for (const o of observers) started(o);
    for (const o of observers) await o.expect("ready");
    await poster.say(JSON.stringify({
      op: "range",
      name: "tick",
      count: 3000,
      burst: 1000,
      pauseMs: 50,
      end: true,
    }));
    assert.deepEqual(await done(poster), { posted: 3001, errors: 0 });
    for (const o of observers) {
      const events = await o.eventsUntil(ended("A"), "the end marker");
      assert.deepEqual(compact(events), [...range(0, 3000), -1], o.name);
    }
    for (const o of observers) await o.end();
    await poster.end();
  });
});

Deno.test("a late observer: registered while a poster streams, it gets an unbroken run up to the end", async () => {
  await withProcesses(async (dir, started) => {
    const poster = started(await posterProcess(dir, "A", { warmName: "tick" }));
    await poster.expect("ready");
    await poster.say(JSON.stringify({ op: "stream", name: "tick", every: 200, pauseMs: 5 }));
    // Let the stream run a while with nobody listening.
    await sleep(300);
    const observer = started(await observerProcess(dir, "observer", HOLD_TICKS));
    await observer.expect("ready"); // observe() has resolved
    // Everything posted from now on must reach it.
    await poster.say("mark");
    const mark = /^mark (\d+)$/.exec(await poster.line());
    assert.ok(mark);
    await observer.eventsUntil((e) => e.length >= 2000, "2,000 notifications");
    await poster.say("stop");
    const { posted, errors } = await done(poster);
    assert.equal(errors, 0);
    const events = await observer.eventsUntil(ended("A"), "the end marker");
    const got = compact(events);
    const first = got[0] as number;
    assert.ok(first <= Number(mark[1]), `the first is ${first}, posted after ${mark[1]}`);
    assert.deepEqual(got, [...range(first, posted), -1]);
    await observer.end();
    await poster.end();
  });
});

for (const behavior of ["hold", "coalesce", "drop", "immediate"]) {
  Deno.test(`suspension across processes, "${behavior}": held, coalesced or dropped; deliverImmediately flushes`, async () => {
    await withProcesses(async (dir, started) => {
      const poster = started(await posterProcess(dir, "A", { warmName: "tick" }));
      await poster.expect("ready");
      const observer = started(
        await observerProcess(dir, `observer ${behavior}`, {
          names: "tick",
          object: "o",
          suspensionBehavior: behavior,
        }),
      );
      await observer.expect("ready");
      const expected: (number | string)[] = [];
      // While suspended: what each behaviour makes of 50 posts (same name and object).
      const outcome = (from: number) =>
        behavior === "hold" || behavior === "immediate"
          ? range(from, from + 50)
          : behavior === "coalesce"
          ? ["dropped:49", from + 49]
          : ["dropped:50"];
      const fifty = (from: number) => ({
        op: "list",
        posts: range(from, from + 50).map((i) => ["tick", "o", i]),
        burst: 10,
        pauseMs: 5,
      });

      // 1. Suspended, then 50 posts: nothing arrives until resume (but with "immediate").
      await observer.say("suspend");
      await observer.expect("suspended");
      await poster.say(JSON.stringify(fifty(0)));
      assert.deepEqual(await done(poster), { posted: 50, errors: 0 });
      expected.push(...outcome(0));
      if (behavior === "immediate") {
        await observer.eventsUntil((e) => e.length >= expected.length, "the 50 while suspended");
      } else {
        await sleep(200);
        assert.deepEqual(compact(observer.events), [], "something arrived while suspended");
      }
      await observer.say("resume");
      await observer.expect("resumed");
      await observer.eventsUntil((e) => e.length >= expected.length, "what was held");
      assert.deepEqual(compact(observer.events), expected);

      // 2. Suspended again, 50 posts, then one with deliverImmediately: it arrives while still
      // suspended, after what the behaviour made of the 50.
      await observer.say("suspend");
      await observer.expect("suspended");
      await poster.say(JSON.stringify({
        ...fifty(50),
        posts: [...fifty(50).posts, ["tick", "o", 1000, true]],
      }));
      assert.deepEqual(await done(poster), { posted: 51, errors: 0 });
      expected.push(...outcome(50), 1000);
      await observer.eventsUntil((e) => e.length >= expected.length, "the immediate post");
      assert.deepEqual(compact(observer.events), expected);

      // 3. Resumed: the end marker comes next, and nothing else.
      await observer.say("resume");
      await observer.expect("resumed");
      await poster.say(JSON.stringify({ op: "list", posts: [["tick", "o", -1]] }));
      assert.deepEqual(await done(poster), { posted: 1, errors: 0 });
      expected.push(-1);
      const events = await observer.eventsUntil(ended("A"), "the end marker");
      assert.deepEqual(compact(events), expected);
      await observer.end();
      await poster.end();
    });
  });
}

Deno.test("a slow observer process (queueLimit 10, drop) gets 0…9 and a dropped record of 490", async () => {
  await withProcesses(async (dir, started) => {
    const poster = started(await posterProcess(dir, "A", { warmName: "tick" }));
    await poster.expect("ready");
    const observer = started(
      await observerProcess(
        dir,
        "slow observer",
        { names: "tick", suspensionBehavior: "drop", queueLimit: 10 },
        // It reads nothing until told, and then only once the poster's "sync", posted last,
        // has reached it.
        { readAtStart: false, syncName: "sync" },
      ),
    );
    await observer.expect("ready");
    await poster.say(JSON.stringify({
      op: "range",
      name: "tick",
      count: 500,
      burst: 100,
      pauseMs: 20,
      end: true,
      endImmediately: true,
    }));
    // Every post completes while the observer reads nothing: posting never waits for it.
    assert.deepEqual(await done(poster), { posted: 501, errors: 0 });
    await poster.say(JSON.stringify({ op: "list", posts: [["sync", null, 0]] }));
    assert.deepEqual(await done(poster), { posted: 1, errors: 0 });
    await observer.say("read");
    const events = await observer.eventsUntil(ended("A"), "the end marker");
    assert.deepEqual(compact(events), [...range(0, 10), "dropped:490", -1]);
    await observer.end();
    await poster.end();
  });
});

Deno.test("a poster process killed with SIGKILL mid-stream: the observer got a prefix, and hears the next poster", async () => {
  await withProcesses(async (dir, started) => {
    const observer = started(await observerProcess(dir, "observer", HOLD_TICKS));
    await observer.expect("ready");
    const first = started(await posterProcess(dir, "A", { warmName: "tick" }));
    await first.expect("ready");
    await first.say(JSON.stringify({ op: "stream", name: "tick", every: 200, pauseMs: 5 }));
    await observer.eventsUntil((e) => e.length >= 500, "500 notifications");
    await first.kill();
    await sleep(300); // what the killed poster had sent may still come
    const second = started(await posterProcess(dir, "B", { warmName: "tick" }));
    await second.expect("ready");
    await second.say(JSON.stringify({
      op: "range",
      name: "tick",
      count: 200,
      burst: 50,
      pauseMs: 10,
      end: true,
    }));
    assert.deepEqual(await done(second), { posted: 201, errors: 0 });
    const events = await observer.eventsUntil(ended("B"), "the second poster's end marker");
    assert.ok(events.every((e) => e.type === "notification"), JSON.stringify(events.slice(-3)));
    const a = from(events, "A");
    assert.ok(a.length >= 500);
    assert.deepEqual(a, range(0, a.length), "the killed poster's are not a prefix 0…k");
    assert.deepEqual(from(events, "B"), [...range(0, 200), -1]);
    await observer.end();
    await second.end();
  });
});

Deno.test("an observer process killed with SIGKILL: every post still resolves and another observer gets them all", async () => {
  await withProcesses(async (dir, started) => {
    const doomed = started(await observerProcess(dir, "doomed observer", HOLD_TICKS));
    const survivor = started(await observerProcess(dir, "surviving observer", HOLD_TICKS));
    await doomed.expect("ready");
    await survivor.expect("ready");
    const poster = started(await posterProcess(dir, "A", { warmName: "tick" }));
    await poster.expect("ready");
    await poster.say(JSON.stringify({ op: "stream", name: "tick", every: 200, pauseMs: 5 }));
    await doomed.eventsUntil((e) => e.length >= 300, "300 notifications");
    await doomed.kill();
    const atKill = survivor.events.length;
    await survivor.eventsUntil((e) => e.length >= atKill + 1500, "1,500 more notifications");
    await poster.say("stop");
    const { posted, errors } = await done(poster);
    assert.equal(errors, 0, "a post was rejected");
    const events = await survivor.eventsUntil(ended("A"), "the end marker");
    assert.deepEqual(compact(events), [...range(0, posted), -1]);
    await survivor.end();
    await poster.end();
  });
});

Deno.test("two poster processes streaming at once to one observer process: each poster's order holds", async () => {
  await withProcesses(async (dir, started) => {
    const observer = started(await observerProcess(dir, "observer", HOLD_TICKS));
    await observer.expect("ready");
    const posters = await Promise.all(
      ["A", "B"].map((id) => posterProcess(dir, id, { warmName: "tick" })),
    );
    for (const p of posters) started(p);
    for (const p of posters) await p.expect("ready");
    const command = JSON.stringify({
      op: "range",
      name: "tick",
      count: 2000,
      burst: 250,
      pauseMs: 10,
      end: true,
    });
    await Promise.all(posters.map((p) => p.say(command)));
    for (const p of posters) assert.deepEqual(await done(p), { posted: 2001, errors: 0 });
    const events = await observer.eventsUntil(
      (e) => ended("A")(e) && ended("B")(e),
      "both end markers",
    );
    assert.equal(events.length, 4002);
    assert.deepEqual(from(events, "A"), [...range(0, 2000), -1]);
    assert.deepEqual(from(events, "B"), [...range(0, 2000), -1]);
    await observer.end();
    for (const p of posters) await p.end();
  });
});

Deno.test("the broker killed with SIGKILL while a poster streams: the observer gets a gap record, then later posts, in order", async () => {
  await withProcesses(async (dir, started) => {
    const observer = started(await observerProcess(dir, "observer", HOLD_TICKS));
    await observer.expect("ready");
    // Around the kill a post may be rejected (its connection is gone): the poster counts it and
    // goes on.
    const poster = started(await posterProcess(dir, "A", { warmName: "tick", tolerate: true }));
    await poster.expect("ready");
    await poster.say(JSON.stringify({ op: "stream", name: "tick", every: 200, pauseMs: 5 }));
    await observer.eventsUntil((e) => e.length >= 500, "500 notifications");
    const status = await brokerStatus({ runtimeDir: dir });
    assert.ok(status);
    Deno.kill(status.pid, "SIGKILL");
    const afterGap = (e: Event[]) => {
      const gap = e.findIndex((x) => x.type === "gap");
      return gap < 0 ? 0 : notifications(e.slice(gap + 1));
    };
    await observer.eventsUntil((e) => afterGap(e) >= 500, "a gap, then 500 notifications");
    await poster.say("stop");
    const { posted } = await done(poster);
    const events = await observer.eventsUntil(ended("A"), "the end marker");
    const gaps = events.flatMap((e, k) => e.type === "gap" ? [k] : []);
    assert.equal(gaps.length, 1, "one gap record");
    assert.ok(!events.some((e) => e.type === "dropped"), "nothing dropped");
    const before = compact(events.slice(0, gaps[0])) as number[];
    const after = compact(events.slice(gaps[0] + 1, -1)) as number[];
    assert.equal(compact(events.slice(-1))[0], -1);
    // In order, nothing twice; and nothing is lost silently: the hole the kill makes in the
    // poster's sequence is before the gap record (what came while the broker was away may have
    // holes; the record then says so), and what comes after it is whole.
    const all = [...before, ...after];
    for (let k = 1; k < all.length; k++) {
      assert.ok(all[k] > all[k - 1], `out of order or repeated: ${all[k - 1]}, ${all[k]}`);
    }
    assert.deepEqual(
      after,
      range(after[0], after[0] + after.length),
      "a hole after the gap record",
    );
    assert.ok(after.length >= 499);
    assert.ok(after[after.length - 1] < posted);
    await observer.end();
    await poster.end();
  });
});

Deno.test("filters with a remote poster: by object and glob in one process, by names in another", async () => {
  await withProcesses(async (dir, started) => {
    const poster = started(await posterProcess(dir, "A", { warmName: "com.example.a" }));
    await poster.expect("ready");
    const byObject = started(
      await observerProcess(dir, "observer a/com.example.*", {
        names: "com.example.*",
        object: "a",
        suspensionBehavior: "hold",
        queueLimit: 100_000,
      }),
    );
    const byNames = started(
      await observerProcess(dir, "observer x,y", {
        names: ["x", "y"],
        suspensionBehavior: "hold",
        queueLimit: 100_000,
      }),
    );
    await byObject.expect("ready");
    await byNames.expect("ready");
    const names = ["com.example.a", "com.example.b", "x", "y", "z", "com.other", "com.examplex"];
    const objects = ["a", "b", null];
    const posts: [string, string | null, number][] = range(0, 1050).map((
      k,
    ) => [names[k % names.length], objects[Math.floor(k / names.length) % 3], k]);
    posts.push(["com.example.end", "a", -1], ["y", null, -1]);
    await poster.say(JSON.stringify({ op: "list", posts, burst: 150, pauseMs: 20 }));
    assert.deepEqual(await done(poster), { posted: 1052, errors: 0 });
    const show = (list: [string, string | null, number][]) =>
      list.map(([name, object, i]) => `${name}/${object}/${i}`);
    const got = (events: Event[]) =>
      events.map((e) => e.type === "notification" ? `${e.name}/${e.object}/${e.i}` : e.type);
    const wantA = posts.filter(([n, o]) => n.startsWith("com.example.") && o === "a");
    const wantB = posts.filter(([n]) => n === "x" || n === "y");
    assert.equal(wantA.length, 101);
    assert.equal(wantB.length, 301);
    assert.deepEqual(
      got(await byObject.eventsUntil(ended("A"), "the end marker")),
      show(wantA),
    );
    assert.deepEqual(got(await byNames.eventsUntil(ended("A"), "the end marker")), show(wantB));
    await byObject.end();
    await byNames.end();
    await poster.end();
  });
});
