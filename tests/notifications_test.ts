/**
 * Distributed notifications across processes, through the library: ordering, each suspension
 * behaviour with a deliberately slow observer, and many observers on one name. The poster,
 * the observers and the broker are separate processes.
 */

import assert from "node:assert/strict";
import { RemoteError } from "../lib/errors.ts";
import { NotificationCenter } from "../lib/notifications.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "./_helpers.ts";
import { range, Script } from "./_script.ts";

/**
 * An observer process that takes nothing until told to, then reports what it got. Before it
 * reads, it waits for a "sync" notification on an observer of its own: the poster's notifications
 * reach its process in the order posted, so by then every tick before it has met the queue.
 */
function slowObserver(dir: string, behavior: string): Promise<Script> {
  return Script.start(
    `observer ${behavior}`,
    `
    import { observeNotifications } from "LIB/notifications.ts";
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
        import { NotificationCenter } from "LIB/notifications.ts";
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
    const last = { "seq.1": -1n, "seq.2": -1n } as Record<string, bigint>;
    let count = 0;
    for await (const event of observer) {
      assert.equal(event.type, "notification");
      if (event.type !== "notification") break;
      const i = event.userInfo!.i as bigint;
      assert.equal(i, last[event.name] + 1n, `${event.name} out of order`);
      last[event.name] = i;
      if (++count === 2000) break;
    }
    for (const p of posters) {
      assert.equal(await p.line(), "posted");
      await p.end();
    }
  } finally {
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
      import { NotificationCenter } from "LIB/notifications.ts";
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
    for await (const event of observer) {
      if (event.type === "notification") names.push(event.name);
      if (names.length === 3) break;
    }
    assert.deepEqual(names, ["mix.1", "mix.2", "mix.4"]);
  } finally {
    await center.close();
    await cleanupRuntimeDir(dir);
  }
});
