/**
 * Distributed notifications across processes, through the library: ordering, each suspension
 * behaviour with a deliberately slow observer, and many observers on one name. The poster,
 * the observers and the broker are separate processes.
 */

import assert from "node:assert/strict";
import { RemoteError } from "../../lib/errors.ts";
import {
  type Notification,
  NotificationCenter,
  type NotificationObserver,
} from "../../lib/notifications/mod.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";
import { range, Script } from "../_script.ts";

/** How long a test here waits for what it expects before it fails saying what is missing. */
const DEADLINE_MS = 60_000;

/**
 * Reads `count` notifications from `observer` (leaving out warm-up posts, userInfo `i` = -2),
 * each a notification (a record fails), within {@linkcode DEADLINE_MS}: a loss fails with
 * what is missing per name instead of hanging.
 *
 * @param expected per name, how many it should get (i = 0…n-1), for the failure's message.
 */
async function collect(
  observer: NotificationObserver,
  expected: Record<string, number>,
): Promise<Notification[]> {
  const count = Object.values(expected).reduce((a, b) => a + b, 0);
  const got: Notification[] = [];
  const missing = () => {
    const out: string[] = [];
    for (const [name, n] of Object.entries(expected)) {
      const seen = new Set(got.filter((e) => e.name === name).map((e) => e.userInfo!.i));
      const lost = range(0, n).filter((i) => !seen.has(BigInt(i)));
      if (lost.length > 0) out.push(`${name} i ${spans(lost)}`);
    }
    return out.join("; ");
  };
  while (got.length < count) {
    const { value, done } = await within(observer.next(), missing);
    if (done) throw new Error(`the observer ended; missing ${missing()}`);
    assert.equal(value.type, "notification", `a ${value.type} record came; missing ${missing()}`);
    if (value.type === "notification" && value.userInfo?.i !== -2n) got.push(value);
  }
  return got;
}

/** `promise`, or a failure naming what did not come after {@linkcode DEADLINE_MS}. */
async function within<T>(promise: Promise<T>, what: () => string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`after ${DEADLINE_MS} ms, still waiting for ${what()}`)),
      DEADLINE_MS,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Numbers as spans: `0-3, 7`. */
function spans(numbers: number[]): string {
  const out: string[] = [];
  for (let k = 0; k < numbers.length;) {
    let j = k;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j++;
    out.push(j === k ? `${numbers[k]}` : `${numbers[k]}-${numbers[j]}`);
    k = j + 1;
  }
  return out.join(", ");
}

/** Asserts that each name's notifications came as i = 0, 1, … in order. */
function assertInOrder(got: Notification[]): void {
  const last = new Map<string, bigint>();
  for (const event of got) {
    const i = event.userInfo!.i as bigint;
    assert.equal(i, (last.get(event.name) ?? -1n) + 1n, `${event.name} out of order`);
    last.set(event.name, i);
  }
}

/**
 * An observer process that takes nothing until told to, then reports what it got. Before it
 * reads, it waits for a "sync" notification on an observer of its own: the poster's notifications
 * reach its process in the order posted, so by then every tick before it has met the queue.
 */
function slowObserver(dir: string, behavior: string): Promise<Script> {
  return Script.start(
    `observer ${behavior}`,
    `
    import { observeNotifications } from "LIB/notifications/mod.ts";
    const options = { runtimeDir: ${JSON.stringify(dir)} };
    const observer = await observeNotifications({
      ...options,
      names: "tick",
      suspensionBehavior: "${behavior}",
      queueLimit: 10,
    });
    const sync = await observeNotifications({ ...options, names: "sync" });
    console.log("ready");
    await Deno.stdin.read(new Uint8Array(1)); // deliberately slow: it reads only when told
    await sync.next();
    sync.close();
    const got = [];
    for await (const event of observer) {
      if (event.type === "dropped") got.push("dropped:" + event.count);
      else if (event.type === "notification") {
        if (event.userInfo.i === -1n) break;
        got.push(Number(event.userInfo.i));
      } else got.push(event.type);
    }
    console.log(JSON.stringify(got));
    observer.close();
  `,
  );
}

Deno.test("each suspension behaviour with a slow observer: the poster never waits, drops are counted", async () => {
  const dir = await tempRuntimeDir();
  const center = await NotificationCenter.connect({ runtimeDir: dir });
  try {
    const behaviors = ["drop", "coalesce", "hold", "immediate"];
    const observers = await Promise.all(behaviors.map((b) => slowObserver(dir, b)));
    for (const o of observers) assert.equal(await o.line(), "ready");
    // Every post completes while no observer reads: posting never waits for them.
    for (let i = 0; i < 300; i++) await center.post("tick", { userInfo: { i: BigInt(i) } });
    await center.post("tick", { userInfo: { i: -1n }, deliverImmediately: true });
    // Every post completed with no observer reading; each observer reads once "sync", posted
    // last, has reached it (so every tick has met its queue).
    await center.post("sync");
    const got: Record<string, unknown[]> = {};
    for (const [k, o] of observers.entries()) {
      await o.say("go");
      got[behaviors[k]] = JSON.parse(await o.line());
      await o.end();
    }
    assert.deepEqual(got.drop, [...range(0, 10), "dropped:290"]);
    assert.deepEqual(got.coalesce, [...range(0, 10), "dropped:289", 299]);
    assert.deepEqual(got.hold, range(0, 300));
    assert.deepEqual(got.immediate, range(0, 300));
  } finally {
    await center.close();
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("notifications from each poster arrive in the order posted", async () => {
  const dir = await tempRuntimeDir();
  const center = await NotificationCenter.connect({ runtimeDir: dir });
  try {
    const observer = await center.observe({ names: "seq.*", suspensionBehavior: "hold" });
    const poster = (p: number) =>
      Script.start(
        `poster ${p}`,
        `
        import { NotificationCenter } from "LIB/notifications/mod.ts";
        const center = await NotificationCenter.connect({ runtimeDir: ${JSON.stringify(dir)} });
        const posts = [];
        for (let i = 0; i < 1000; i++) {
          posts.push(center.post("seq.${p}", { userInfo: { i: BigInt(i) } }));
        }
        await Promise.all(posts);
        await center.close();
        console.log("posted");
      `,
      );
    const posters = await Promise.all([poster(1), poster(2)]);
    assertInOrder(await collect(observer, { "seq.1": 1000, "seq.2": 1000 }));
    for (const p of posters) {
      assert.equal(await p.line(), "posted");
      await p.end();
    }
  } finally {
    await center.close();
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("a poster that posts and closes while the broker is stopped: the broker still reads its posts, and the observer gets every one in order", async () => {
  const dir = await tempRuntimeDir();
  const center = await NotificationCenter.connect({ runtimeDir: dir });
  const { pid: broker } = await center.request("daemon.status", null) as { pid: number };
  let stopped = false;
  try {
    const observer = await center.observe({ names: "late", suspensionBehavior: "hold" });
    const poster = await Script.start(
      "poster",
      `
      import { NotificationCenter } from "LIB/notifications/mod.ts";
      const center = await NotificationCenter.connect({ runtimeDir: ${JSON.stringify(dir)} });
      // Relayed (its routes are not loaded yet); the round trip loads them.
      await center.post("late", { userInfo: { i: -2n } });
      await center.getState("late");
      console.log("ready");
      await Deno.stdin.read(new Uint8Array(1));
      // The first goes through the (stopped) broker while the link to the observer's inbox is
      // made; once it is, the rest go straight, the first of them flagged for a marker.
      await center.post("late", { userInfo: { i: 0n } });
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (let i = 1; i < 100; i++) await center.post("late", { userInfo: { i: BigInt(i) } });
      await center.close();
      console.log("posted");
    `,
    );
    assert.equal(await poster.line(), "ready");
    // What a loaded machine does now and then, made certain: the broker runs again only after
    // the poster closed. Its overdue lease renewal then writes to the closed poster first (the
    // write fails), and it relays the first posts and the marker long after the link closed.
    Deno.kill(broker, "SIGSTOP");
    stopped = true;
    await poster.say("go");
    assert.equal(await poster.line(), "posted");
    await poster.end();
    // Longer than the observer's center once waited for a marker after the link closed.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    Deno.kill(broker, "SIGCONT");
    stopped = false;
    assertInOrder(await collect(observer, { late: 100 }));
  } finally {
    if (stopped) Deno.kill(broker, "SIGCONT");
    await center.close();
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("200 observers on one name, each on its own connection, all get every notification", async () => {
  const dir = await tempRuntimeDir();
  try {
    const observers = await Script.start(
      "200 observers",
      `
      import { NotificationCenter } from "LIB/notifications/mod.ts";
      const centers = await Promise.all(Array.from({ length: 200 }, () =>
        NotificationCenter.connect({ runtimeDir: ${JSON.stringify(dir)} })));
      const observers = await Promise.all(centers.map((c) => c.observe({ names: "many" })));
      console.log("ready");
      const counts = await Promise.all(observers.map(async (o) => {
        const seen = [];
        for await (const e of o) {
          seen.push(e.userInfo.i);
          if (seen.length === 3) break;
        }
        return seen.join(",");
      }));
      console.log(new Set(counts).size === 1 ? counts[0] + " x" + counts.length : "mismatch");
      await Promise.all(centers.map((c) => c.close()));
    `,
    );
    assert.equal(await observers.line(), "ready");
    const center = await NotificationCenter.connect({ runtimeDir: dir });
    assert.deepEqual(await center.request("notify.status", null), { observers: 200 });
    for (let i = 0; i < 3; i++) await center.post("many", { userInfo: { i: BigInt(i) } });
    assert.equal(await observers.line(), "0,1,2 x200");
    await observers.end();
    await center.close();
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("posts go one way: a refused one is reported by the next post; state posts are confirmed and keep their place", async () => {
  const dir = await tempRuntimeDir();
  const center = await NotificationCenter.connect({ runtimeDir: dir });
  try {
    const observer = await center.observe({ names: "mix.*", suspensionBehavior: "hold" });
    await center.post("mix.1");
    // Over the name limit: the center says so itself, and nothing is sent.
    await assert.rejects(center.post(`mix.${"x".repeat(2000)}`), TypeError);
    await center.post("mix.x", { object: 7 as unknown as string }); // the broker refuses it
    // A post with a state waits for the broker's answer: the state is set when it resolves.
    await center.post("mix.2", { state: 5 });
    assert.equal(await center.getState("mix.2"), 5n);
    await assert.rejects(
      center.post("mix.3"),
      (error) =>
        error instanceof RemoteError && error.code === "bad-request" &&
        /refused a post of mix\.x: the object must be a string/.test(error.message),
    );
    await center.post("mix.4", { deliverImmediately: true });
    const names: string[] = [];
    while (names.length < 3) {
      const { value, done } = await within(observer.next(), () => `mix.4 (got ${names})`);
      if (done) break;
      if (value.type === "notification") names.push(value.name);
    }
    assert.deepEqual(names, ["mix.1", "mix.2", "mix.4"]);
  } finally {
    await center.close();
    await cleanupRuntimeDir(dir);
  }
});
