/**
 * Adversarial tests of distributed notifications between real processes: stalled observers
 * (SIGSTOP), a poster blocked past its routes' lease, observers churning and suspending while
 * a poster streams, centers in the same process, two centers that post to and observe each
 * other, an observer process closing mid-stream, and the broker killed while straight links
 * are up. They assert only what lib/notifications/ documents: order per poster, everything
 * posted after observe() resolved arrives, a poster never blocks on a slow observer, and
 * nothing is lost silently (dropped and gap records account for what is missing).
 */

import assert from "node:assert/strict";
import { brokerStatus } from "../../lib/broker/client.ts";
import {
  compact,
  ended,
  type Event,
  PRINT_EVENT,
  range,
  Script,
  sleep,
  STDIN_LINES,
  withProcesses,
} from "../_script.ts";
import { observerProcess, posterDone, posterProcess } from "./_notification_processes.ts";

/** What each script gets pasted in: `stdinLines()`, `printEvent()`, `sleep()`, `compactEvent()`. */
const SCRIPT_HELPERS = STDIN_LINES + PRINT_EVENT + `
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
function compactEvent(event) {
  if (event.type === "notification") return Number(event.userInfo?.i);
  if (event.type === "dropped") return "dropped:" + event.count;
  return "gap";
}
`;

/** Asks a streaming poster where it is (its next i); undefined when it did not answer in time. */
async function mark(poster: Script, timeoutMs: number): Promise<number | undefined> {
  await poster.say("mark");
  try {
    const line = await poster.line(timeoutMs);
    const match = /^mark (\d+)$/.exec(line);
    assert.ok(match, `${poster.name} said ${line}`);
    return Number(match[1]);
  } catch (error) {
    if (String(error).includes("timed out")) return undefined;
    throw error;
  }
}

/** The events that concern poster `p` (its notifications, and every record). */
function of(events: Event[], p: string): Event[] {
  return events.filter((e) => e.type !== "notification" || e.p === p);
}

/**
 * Checks one poster's stream as an observer got it (compact, end marker -1 last): no
 * duplicates, in order, and every hole accounted for: by a dropped record of exactly its size
 * right before the notification after it, or by a gap record that follows it (a gap record
 * comes once the observer is registered again, after what arrived while the broker was away).
 * Returns a description of the first violation, or undefined.
 *
 * @param firstFrom where the stream must start (undefined: anywhere, as for a late observer).
 */
function accountFor(
  got: (number | string)[],
  firstFrom?: number,
  rejected: ReadonlySet<number> = new Set(),
): string | undefined {
  let last = firstFrom === undefined ? undefined : firstFrom - 1;
  let dropped = 0;
  /** The first hole not yet accounted for: a later gap record accounts for it. */
  let unexplained: string | undefined;
  let gap = false; // a gap record since the last notification
  const seen = new Set<number>();
  for (let k = 0; k < got.length; k++) {
    const e = got[k];
    const where = () => `at ${k}: …${JSON.stringify(got.slice(Math.max(0, k - 5), k + 5))}…`;
    if (typeof e === "string") {
      if (e === "gap") {
        unexplained = undefined;
        gap = true;
      } else dropped += Number(e.slice("dropped:".length));
      continue;
    }
    if (e === -1) {
      if (k !== got.length - 1) return `the end marker is not last ${where()}`;
      continue;
    }
    if (seen.has(e)) return `duplicate ${e} ${where()}`;
    seen.add(e);
    if (last !== undefined) {
      if (e <= last) return `out of order: ${e} after ${last} ${where()}`;
      let hole = 0; // what is missing, but for posts the poster was told were rejected
      for (let m = last + 1; m < e; m++) if (!rejected.has(m)) hole++;
      if (!gap && hole !== dropped) {
        unexplained ??= `a hole of ${hole} (${last + 1}…${
          e - 1
        }) with ${dropped} dropped ${where()}`;
      }
    }
    last = e;
    dropped = 0;
    gap = false;
  }
  return unexplained;
}

/** A stream as runs: `0…99, gap, 120…140`. */
function runs(got: (number | string)[]): string {
  const out: string[] = [];
  let start: number | undefined, last: number | undefined;
  const flush = () => {
    if (start !== undefined) out.push(start === last ? `${start}` : `${start}…${last}`);
    start = last = undefined;
  };
  for (const e of got) {
    if (typeof e === "number" && last !== undefined && e === last + 1) last = e;
    else {
      flush();
      if (typeof e === "number") start = last = e;
      else out.push(e);
    }
  }
  flush();
  return out.join(", ");
}

const HOLD = { names: "tick", suspensionBehavior: "hold", queueLimit: 100_000 };

// --- 1. a stalled observer process --------------------------------------------------------------

// On b516ee1 this fails every run: a post that went only straight resolves with the link's
// write (Connection.sendEncoded resolves when the whole outbox is flushed), so a poster that
// awaits its posts stops as soon as the stopped observer's socket buffer is full (a few hundred
// small frames), long before the link counts as congested (256 KiB queued).
Deno.test("1a. an observer process stopped (SIGSTOP): a poster awaiting each post goes on posting", async () => {
  await withProcesses(async (dir, started) => {
    const observer = started(await observerProcess(dir, "observer", HOLD));
    await observer.expect("ready");
    const poster = started(await posterProcess(dir, "A"));
    await poster.expect("ready");
    await poster.say(
      JSON.stringify({ op: "stream", name: "tick", every: 100, pauseMs: 1, wait: true }),
    );
    await observer.eventsUntil((e) => e.length >= 1000, "1,000 notifications");
    observer.child.kill("SIGSTOP");
    let atStop: number | undefined, atCont: number | undefined;
    try {
      atStop = await mark(poster, 2000);
      await sleep(1000);
      atCont = await mark(poster, 1000);
    } finally {
      observer.child.kill("SIGCONT");
    }
    // A poster that blocked answers its mark once the observer reads again.
    const late = atCont === undefined ? await poster.line(10_000) : undefined;
    await poster.say("stop");
    const { posted, errors } = await posterDone(poster);
    assert.equal(errors, 0);
    const events = await observer.eventsUntil(ended("A"), "the end marker");
    const problem = accountFor(compact(events), 0);
    assert.equal(problem, undefined, problem);
    assert.equal(compact(events).at(-2), posted - 1);
    // Thousands of posts a second while the observer reads: in the second it was stopped, the
    // poster must have gone on (relaying through the broker once the link is congested).
    assert.ok(
      atStop !== undefined && atCont !== undefined && atCont - atStop >= 1000,
      `the poster blocked on the stopped observer: at the stop it was at ${atStop}, a second ` +
        `later at ${atCont ?? `(no answer; it answered ${late} only after SIGCONT)`}`,
    );
    await observer.end();
    await poster.end();
  });
});

Deno.test("1b. an observer process stopped (SIGSTOP) for 1 s under a poster that does not await: everything in order, or accounted for", async () => {
  await withProcesses(async (dir, started) => {
    const observer = started(await observerProcess(dir, "observer", HOLD));
    await observer.expect("ready");
    const poster = started(await posterProcess(dir, "A"));
    await poster.expect("ready");
    await poster.say(
      JSON.stringify({ op: "stream", name: "tick", every: 100, pauseMs: 2, wait: false }),
    );
    await observer.eventsUntil((e) => e.length >= 1000, "1,000 notifications");
    observer.child.kill("SIGSTOP");
    const atStop = await mark(poster, 3000);
    await sleep(1000);
    const atCont = await mark(poster, 3000);
    observer.child.kill("SIGCONT");
    assert.ok(
      atStop !== undefined && atCont !== undefined && atCont > atStop + 5000,
      `the poster did not go on while the observer was stopped: ${atStop} → ${atCont}`,
    );
    await observer.eventsUntil((e) => e.length >= atCont, "what was posted while stopped");
    await poster.say("stop");
    const { posted, errors } = await posterDone(poster);
    assert.equal(errors, 0);
    const events = await observer.eventsUntil(ended("A"), "the end marker");
    const got = compact(events);
    const problem = accountFor(got, 0);
    assert.equal(problem, undefined, problem);
    assert.equal(got.at(-2), posted - 1);
    await observer.end();
    await poster.end();
  });
});

// --- 2. a blocked poster ------------------------------------------------------------------------

Deno.test("2. a poster blocked 4 s (past its 3 s lease) while an observer registers: the observer gets every later post", async () => {
  await withProcesses(async (dir, started) => {
    const observer = started(
      await observerProcess(dir, "observer", { ...HOLD, names: "blk" }, { waitGo: true }),
    );
    const poster = started(
      await Script.start(
        "blocking poster",
        `
        import { NotificationCenter } from "LIB/notifications/mod.ts";
        ${SCRIPT_HELPERS}
        const center = await NotificationCenter.connect({ runtimeDir: ${JSON.stringify(dir)} });
        const post = (i) => center.post("blk", { userInfo: { i: BigInt(i), p: "A" } });
        for (let i = 0; i < 5; i++) await post(i);
        await center.getState("roundtrip");
        console.log("blocking");
        const t = Date.now() + 4000;
        while (Date.now() < t) { /* blocked */ }
        // Right after unblocking, before anything else runs: 100 posts, not awaited.
        let i = 5;
        const posts = [];
        for (; i < 105; i++) posts.push(post(i));
        console.log("unblocked " + i);
        await Promise.all(posts);
        for await (const line of stdinLines()) {
          const n = Number(line);
          for (let k = 0; k < n; k++, i++) await post(i);
          await post(-1);
          await center.getState("roundtrip");
          console.log("done " + i + " 0");
        }
        await center.close();
      `,
      ),
    );
    await poster.expect("blocking");
    await observer.say("go");
    // observe() must not wait for the blocked poster beyond its lease.
    const order: string[] = [];
    const ready = observer.line(15_000).then((line) => order.push(`observer ${line}`));
    const unblocked = poster.line(15_000).then((line) => order.push(`poster ${line}`));
    await Promise.all([ready, unblocked]);
    assert.equal(order[0], "observer ready", `order: ${order}`);
    assert.equal(order[1], "poster unblocked 105");
    await poster.say("500");
    assert.deepEqual(await posterDone(poster), { posted: 605, errors: 0, rejected: [] });
    const events = await observer.eventsUntil(ended("A"), "the end marker");
    // Everything posted after "ready": the 100 right after the block, then the 500.
    assert.deepEqual(compact(events), [...range(5, 605), -1]);
    await observer.end();
    await poster.end();
  });
});

// --- 3. lane switches under churn ---------------------------------------------------------------

/**
 * An observer process with several observers that suspend and resume at random until `stop`;
 * then each reads up to the end marker and prints `o JSON` ({name, got}).
 */
function suspendingObservers(dir: string): Promise<Script> {
  return Script.start(
    "suspending observers",
    `
    import { NotificationCenter } from "LIB/notifications/mod.ts";
    ${SCRIPT_HELPERS}
    const center = await NotificationCenter.connect({ runtimeDir: ${JSON.stringify(dir)} });
    const specs = {
      hold: { names: "tick", suspensionBehavior: "hold", queueLimit: 100000 },
      drop: { names: "tick", suspensionBehavior: "drop", queueLimit: 50 },
      coalesce: { names: "tick", suspensionBehavior: "coalesce", queueLimit: 50 },
      immediate: { names: "tick", suspensionBehavior: "immediate", queueLimit: 50 },
    };
    const observers = [];
    for (const [name, spec] of Object.entries(specs)) {
      const observer = await center.observe(spec);
      const got = [];
      const reading = (async () => {
        for await (const event of observer) {
          const c = compactEvent(event);
          got.push(c);
          if (c === -1) break;
        }
      })();
      observers.push({ name, observer, got, reading });
    }
    console.log("ready");
    let stopping = false;
    const churn = (async () => {
      while (!stopping) {
        const o = observers[Math.floor(Math.random() * observers.length)];
        await o.observer.suspend();
        await sleep(5 + Math.random() * 40);
        await o.observer.resume();
        await sleep(Math.random() * 20);
      }
      for (const o of observers) await o.observer.resume();
    })();
    for await (const line of stdinLines()) {
      if (line === "stop") {
        stopping = true;
        await churn;
        console.log("stopped");
      }
    }
    await Promise.all(observers.map((o) => o.reading));
    for (const o of observers) console.log("o " + JSON.stringify({ name: o.name, got: o.got }));
    await center.close();
  `,
  );
}

/**
 * An observer process that makes observers and closes them in a loop until `stop`: each reads
 * a random number of notifications (or for a random time), then closes. Prints `o JSON`
 * ({name, got}) for each.
 */
function churningObservers(dir: string): Promise<Script> {
  return Script.start(
    "churning observers",
    `
    import { NotificationCenter } from "LIB/notifications/mod.ts";
    ${SCRIPT_HELPERS}
    const center = await NotificationCenter.connect({ runtimeDir: ${JSON.stringify(dir)} });
    let stopping = false;
    let n = 0;
    const loop = (async () => {
      while (!stopping) {
        const name = "churn" + n++;
        const observer = await center.observe({ names: "tick", suspensionBehavior: "hold", queueLimit: 100000 });
        const got = [];
        const want = 20 + Math.floor(Math.random() * 300);
        const until = Date.now() + 20 + Math.random() * 200;
        const reading = (async () => {
          for await (const event of observer) {
            got.push(compactEvent(event));
            if (got.length >= want) break;
          }
        })();
        while (got.length < want && Date.now() < until && !stopping) await sleep(5);
        observer.close();
        await reading;
        console.log("o " + JSON.stringify({ name, got }));
      }
    })();
    console.log("ready");
    for await (const line of stdinLines()) {
      if (line === "stop") {
        stopping = true;
        await loop;
        console.log("stopped " + n);
      }
    }
    await center.close();
  `,
  );
}

/** Reads `o JSON` lines until `until` says so. */
async function observerLines(script: Script, last: RegExp) {
  const all: { name: string; got: (number | string)[] }[] = [];
  for (;;) {
    const line = await script.line(20_000);
    if (last.test(line)) return { all, line };
    if (line.startsWith("o ")) all.push(JSON.parse(line.slice(2)));
  }
}

Deno.test("3. lane switches under churn: suspending and churning observers in two processes, one poster streaming", async () => {
  await withProcesses(async (dir, started) => {
    const suspending = started(await suspendingObservers(dir));
    await suspending.expect("ready");
    const poster = started(await posterProcess(dir, "A"));
    await poster.expect("ready");
    const churning = started(await churningObservers(dir));
    await churning.expect("ready");
    await poster.say(JSON.stringify({
      op: "stream",
      name: "tick",
      every: 50,
      pauseMs: 2,
      wait: true,
      endImmediately: true,
    }));
    await sleep(3000);
    await churning.say("stop");
    const churned = await observerLines(churning, /^stopped/);
    await suspending.say("stop");
    await suspending.expect("stopped");
    await poster.say("stop");
    const { posted, errors } = await posterDone(poster);
    assert.equal(errors, 0);
    await suspending.end();
    const problems: string[] = [];
    // The steady observers were there before the first post: all of it, or dropped records.
    const rest = await drainLines(suspending);
    for (const o of rest) {
      const problem = accountFor(o.got, 0);
      if (problem) problems.push(`${o.name}: ${problem}`);
      const numbers = o.got.filter((x) => typeof x === "number") as number[];
      const dropped = o.got.reduce<number>(
        (n, x) => typeof x === "string" && x.startsWith("dropped:") ? n + Number(x.slice(8)) : n,
        0,
      );
      if (numbers.length - 1 + dropped !== posted) {
        problems.push(`${o.name}: ${numbers.length - 1} + ${dropped} dropped ≠ ${posted} posted`);
      }
      if (o.name === "hold" && dropped !== 0) problems.push(`hold dropped ${dropped}`);
    }
    assert.equal(rest.length, 4, "four steady observers reported");
    // The churned ones: in order, no duplicates, no unaccounted hole from their first on. (This
    // is stricter than "everything posted after observe() resolved": a churned observer does
    // not know which of the poster's posts came after that. A hole right at its start can be a
    // post relayed by the broker before the poster applied the new route, then straight-only
    // posts that skip it until the poster does.)
    let starts = 0;
    for (const o of churned.all) {
      const problem = accountFor(o.got);
      if (!problem) continue;
      // Tell a hole right at the start (before observe() resolved?) from a later one.
      const first = o.got.findIndex((x, k) =>
        k > 0 && typeof x === "number" && typeof o.got[k - 1] === "number" &&
        x !== (o.got[k - 1] as number) + 1
      );
      if (first >= 0 && first <= 3) starts++;
      problems.push(`${o.name} (${o.got.length} events): ${problem}`);
    }
    assert.ok(churned.all.length >= 5, `only ${churned.all.length} churned observers`);
    assert.deepEqual(
      problems,
      [],
      `${problems.length} problems (${starts} at a churned observer's start), ${churned.all.length} churned observers`,
    );
    await churning.end();
    await poster.end();
  });
});

/** The `o JSON` lines a script printed before it ended. */
async function drainLines(script: Script) {
  const all: { name: string; got: (number | string)[] }[] = [];
  for (;;) {
    let line: string;
    try {
      line = await script.line(100);
    } catch {
      return all;
    }
    if (line.startsWith("o ")) all.push(JSON.parse(line.slice(2)));
  }
}

// --- 4. centers in the same process -------------------------------------------------------------

Deno.test("4. poster and observers in the same process: two centers, and the shared default center", async () => {
  await withProcesses(async (dir, started) => {
    const script = started(
      await Script.start(
        "one process",
        `
        import { NotificationCenter, observeNotifications, postNotification } from "LIB/notifications/mod.ts";
        const dir = ${JSON.stringify(dir)};
        const N = 4000;
        const hold = (names) => ({ names, suspensionBehavior: "hold", queueLimit: 100000 });
        const a = await NotificationCenter.connect({ runtimeDir: dir });
        const b = await NotificationCenter.connect({ runtimeDir: dir });
        const observers = {
          "b sees a": await b.observe(hold("s4")),
          "a sees a": await a.observe(hold("s4")),
          "b sees default": await b.observe(hold("d4")),
          "default sees default": await observeNotifications({ ...hold("d4"), runtimeDir: dir }),
          "default sees a": await observeNotifications({ ...hold("s4"), runtimeDir: dir }),
        };
        const got = {};
        const reading = Object.entries(observers).map(async ([name, observer]) => {
          got[name] = [];
          for await (const event of observer) {
            const c = event.type === "notification" ? Number(event.userInfo.i) : event.type;
            got[name].push(c);
            if (c === -1) break;
          }
        });
        const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
        const postA = (async () => {
          for (let i = 0; i < N; i++) {
            await a.post("s4", { userInfo: { i: BigInt(i) } });
            if (i % 200 === 0) await sleep(1);
          }
          await a.post("s4", { userInfo: { i: -1n } });
        })();
        const postDefault = (async () => {
          for (let i = 0; i < N; i++) {
            await postNotification("d4", { userInfo: { i: BigInt(i) }, runtimeDir: dir });
            if (i % 300 === 0) await sleep(1);
          }
          await postNotification("d4", { userInfo: { i: -1n }, runtimeDir: dir });
        })();
        await Promise.all([postA, postDefault]);
        const timeout = setTimeout(() => {
          console.log("r " + JSON.stringify(Object.fromEntries(Object.entries(got).map(([k, v]) => [k, v.length]))));
          Deno.exit(2);
        }, 8000);
        await Promise.all(reading);
        clearTimeout(timeout);
        console.log("r " + JSON.stringify(got));
        await a.close();
        await b.close();
        for (const o of Object.values(observers)) o.close();
      `,
      ),
    );
    const line = await script.line(14_000);
    assert.ok(line.startsWith("r "), line);
    const got = JSON.parse(line.slice(2));
    const want = [...range(0, 4000), -1];
    for (const [name, list] of Object.entries(got)) {
      assert.ok(Array.isArray(list), `${name} did not finish: ${line}`);
      const problem = accountFor(list as (number | string)[], 0);
      assert.equal(problem, undefined, `${name}: ${problem}`);
      assert.deepEqual(list, want, name);
    }
    await script.end();
  });
});

// --- 5. two centers that post to and observe each other -----------------------------------------

/** One side of a ping-pong (or of a mutual stream), in its own process. */
function pingPong(dir: string, role: "A" | "B", mode: "pingpong" | "mutual", n: number) {
  const mine = role === "A" ? "ping" : "pong";
  const theirs = role === "A" ? "pong" : "ping";
  return Script.start(
    `side ${role}`,
    `
    import { NotificationCenter } from "LIB/notifications/mod.ts";
    ${SCRIPT_HELPERS}
    const center = await NotificationCenter.connect({ runtimeDir: ${JSON.stringify(dir)} });
    const observer = await center.observe({ names: "${theirs}", suspensionBehavior: "hold", queueLimit: 100000 });
    const post = (i) => center.post("${mine}", { userInfo: { i: BigInt(i), p: "${role}" } });
    const N = ${n};
    let expected = 0;
    async function receive() {
      let timer;
      const timeout = new Promise((_, reject) => timer = setTimeout(() => reject(new Error("stuck")), 5000));
      try {
        const { value } = await Promise.race([observer.next(), timeout]);
        const c = compactEvent(value);
        if (c !== expected) {
          console.log("bad: expected " + expected + ", got " + c);
          Deno.exit(1);
        }
        expected++;
      } catch (error) {
        console.log("stuck: waiting for " + expected);
        Deno.exit(1);
      } finally {
        clearTimeout(timer);
      }
    }
    console.log("ready");
    const lines = stdinLines();
    await lines.next(); // go
    if (${JSON.stringify(mode)} === "pingpong") {
      for (let i = 0; i < N; i++) {
        if ("${role}" === "A") {
          await post(i);
          await receive();
        } else {
          await receive();
          await post(i);
        }
      }
    } else {
      const sending = (async () => {
        for (let i = 0; i < N; i++) {
          await post(i);
          if (i % 100 === 0) await sleep(1);
        }
      })();
      for (let i = 0; i < N; i++) await receive();
      await sending;
    }
    console.log("done");
    await lines.next();
    await center.close();
  `,
  );
}

// On b516ee1 these fail now and then (more often under load): two centers that both observe
// and post connect to each other's inbox at the same moment; each adopts the other's connection
// (Links.adopt, while its own is connecting) and then closes its own new one ("adopted one
// meanwhile"), which the other had adopted and written straight notifications to: they are
// lost, the poster had listed them as reached (d), and the gate after opens at once.
for (const mode of ["pingpong", "mutual"] as const) {
  const n = mode === "pingpong" ? 2000 : 5000;
  Deno.test(`5${mode === "pingpong" ? "a" : "b"}. two processes that post to and observe each other (${mode === "pingpong" ? "2,000 round trips" : "both streaming 5,000 at once"}), a third observes everything`, async () => {
    await withProcesses(async (dir, started) => {
      const third = started(
        await observerProcess(dir, "third", { ...HOLD, names: ["ping", "pong"] }),
      );
      await third.expect("ready");
      const a = started(await pingPong(dir, "A", mode, n));
      const b = started(await pingPong(dir, "B", mode, n));
      await a.expect("ready");
      await b.expect("ready");
      await Promise.all([a.say("go"), b.say("go")]);
      const [la, lb] = await Promise.all([a.line(14_000), b.line(14_000)]);
      assert.deepEqual([la, lb], ["done", "done"]);
      const events = await third.eventsUntil(
        (e) => e.filter((x) => x.type === "notification").length >= 2 * n,
        "all of both",
        5000,
      );
      assert.deepEqual(compact(of(events, "A")), range(0, n), "A's pings");
      assert.deepEqual(compact(of(events, "B")), range(0, n), "B's pongs");
      await a.end();
      await b.end();
      await third.end();
    });
  });
}

// --- 6. an observer's process closes its center mid-stream --------------------------------------

Deno.test("6. an observer process closes its center mid-stream: the poster never fails, the other observer gets everything", async () => {
  await withProcesses(async (dir, started) => {
    const leaving = started(await observerProcess(dir, "leaving observer", HOLD));
    const survivor = started(await observerProcess(dir, "surviving observer", HOLD));
    await leaving.expect("ready");
    await survivor.expect("ready");
    const poster = started(await posterProcess(dir, "A"));
    await poster.expect("ready");
    await poster.say(
      JSON.stringify({ op: "stream", name: "tick", every: 100, pauseMs: 2, wait: true }),
    );
    await leaving.eventsUntil((e) => e.length >= 500, "500 notifications");
    await leaving.say("close");
    await leaving.expect("closed");
    await leaving.end();
    const atClose = survivor.events.length;
    await survivor.eventsUntil((e) => e.length >= atClose + 2000, "2,000 more notifications");
    await poster.say("stop");
    const { posted, errors } = await posterDone(poster);
    assert.equal(errors, 0, "a post was rejected");
    const events = await survivor.eventsUntil(ended("A"), "the end marker");
    assert.deepEqual(compact(events), [...range(0, posted), -1]);
    const left = compact(leaving.events);
    assert.equal(accountFor([...left, -1], 0), undefined, "what the leaving one got");
    await survivor.end();
    await poster.end();
  });
});

// --- 7. the broker killed while straight links are up ---------------------------------------------

// On b516ee1 this fails now and then: after the restart the observer re-registers; a post the
// poster made before its routes were loaded is relayed to it, and the gap record is pushed on
// that first relayed notification, before the re-registration is answered; the poster then
// loads routes without the observer (it registered after the routes request) and posts
// straight-only to the other observer until it applies the notify.r: a silent hole right after
// the gap record.
Deno.test("7a. the broker killed (SIGKILL) while two posters stream straight to two observer processes", async () => {
  await withProcesses(async (dir, started) => {
    const observers = [
      started(await observerProcess(dir, "observer one", HOLD)),
      started(await observerProcess(dir, "observer two", HOLD)),
    ];
    for (const o of observers) await o.expect("ready");
    const posters = [
      started(await posterProcess(dir, "A", { tolerate: true })),
      started(await posterProcess(dir, "B", { tolerate: true })),
    ];
    for (const p of posters) await p.expect("ready");
    for (const p of posters) {
      await p.say(
        JSON.stringify({ op: "stream", name: "tick", every: 100, pauseMs: 2, wait: true }),
      );
    }
    for (const o of observers) await o.eventsUntil((e) => e.length >= 1000, "1,000 notifications");
    const status = await brokerStatus({ runtimeDir: dir });
    assert.ok(status);
    Deno.kill(status.pid, "SIGKILL");
    for (const o of observers) {
      await o.eventsUntil(
        (e) => {
          const gap = e.findIndex((x) => x.type === "gap");
          return gap >= 0 && e.length - gap > 1000;
        },
        "a gap, then 1,000 more",
        12_000,
      );
    }
    for (const p of posters) await p.say("stop");
    const rejected: Record<string, Set<number>> = {};
    for (const [k, p] of posters.entries()) {
      rejected[["A", "B"][k]] = new Set((await posterDone(p)).rejected);
    }
    for (const o of observers) {
      const events = await o.eventsUntil((e) => ended("A")(e) && ended("B")(e), "both end markers");
      for (const p of ["A", "B"]) {
        const got = compact(of(events, p));
        const problem = accountFor(got, 0, rejected[p]);
        assert.equal(problem, undefined, `${o.name}, poster ${p}: ${problem}; runs: ${runs(got)}`);
      }
      assert.ok(events.some((e) => e.type === "gap"), "a gap record");
    }
    for (const o of observers) await o.end();
    for (const p of posters) await p.end();
  });
});

// On b516ee1 this fails every run: the dead broker's socket still holds a gate and the relayed
// notifications behind it; when the observer reads the connection's end, Gates.releaseAll()
// drops the gate and hands those over at once, ahead of the poster's straight ones up to the
// gate that are still in the inbox link (and the poster's outbox): out of order.
Deno.test("7b. the broker killed (SIGKILL) while an observer process is stopped and its poster relays past a congested link", async () => {
  await withProcesses(async (dir, started) => {
    const observer = started(await observerProcess(dir, "observer", HOLD));
    await observer.expect("ready");
    const poster = started(await posterProcess(dir, "A", { tolerate: true }));
    await poster.expect("ready");
    await poster.say(
      JSON.stringify({ op: "stream", name: "tick", every: 100, pauseMs: 2, wait: false }),
    );
    await observer.eventsUntil((e) => e.length >= 1000, "1,000 notifications");
    observer.child.kill("SIGSTOP");
    const atStop = await mark(poster, 3000);
    await sleep(500);
    const status = await brokerStatus({ runtimeDir: dir });
    assert.ok(status);
    Deno.kill(status.pid, "SIGKILL");
    await sleep(500);
    const atCont = await mark(poster, 3000);
    observer.child.kill("SIGCONT");
    assert.ok(atStop !== undefined && atCont !== undefined, "the poster answers");
    await observer.eventsUntil(
      (e) => {
        const gap = e.findIndex((x) => x.type === "gap");
        return gap >= 0 && e.length - gap > 1000;
      },
      "a gap, then 1,000 more",
      12_000,
    );
    await poster.say("stop");
    const { rejected } = await posterDone(poster);
    const events = await observer.eventsUntil(ended("A"), "the end marker");
    const got = compact(events);
    const problem = accountFor(got, 0, new Set(rejected));
    assert.equal(
      problem,
      undefined,
      `${problem}; stopped at ${atStop}, broker killed, continued at ${atCont}; runs: ${runs(got)}`,
    );
    await observer.end();
    await poster.end();
  });
});
