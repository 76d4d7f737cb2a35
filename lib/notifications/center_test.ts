import assert from "node:assert/strict";
import { Broker } from "../broker/core.ts";
import { notificationService } from "./service.ts";
import { defaultCenter, getState, NotificationCenter } from "./center.ts";
import type { NotificationEvent, NotificationObserver } from "./observer.ts";
import { UInt64, Uuid } from "../wire/value.ts";

/** An in-process broker with the notify service, and a center connected to it. */
async function setup(): Promise<{ broker: Broker; center: NotificationCenter; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-notif-" });
  await Deno.chmod(dir, 0o700);
  const broker = await Broker.start({
    runtimeDir: dir,
    idleTimeoutSeconds: 0,
    services: [notificationService],
  });
  const center = await NotificationCenter.connect({ runtimeDir: dir });
  return { broker, center, dir };
}

async function teardown(t: { broker: Broker; center: NotificationCenter; dir: string }) {
  await t.center.close();
  await t.broker.stop("test over");
  await Deno.remove(t.dir, { recursive: true });
}

async function take(observer: NotificationObserver, n: number): Promise<NotificationEvent[]> {
  const out: NotificationEvent[] = [];
  for await (const event of observer) {
    out.push(event);
    if (out.length === n) break;
  }
  return out;
}

Deno.test("NotificationCenter: userInfo keeps every type exactly; object filters", async () => {
  const t = await setup();
  try {
    const any = await t.center.observe({ names: "com.example.*" });
    const one = await t.center.observe({ names: ["com.example.a"], object: "o1" });
    const userInfo = {
      int: -(2n ** 63n),
      big: new UInt64(2n ** 64n - 1n),
      double: 1,
      negZero: -0,
      data: new Uint8Array([0, 255]),
      date: new Date("2026-01-02T03:04:05.678Z"),
      uuid: new Uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
      nested: { list: [null, true, "x"] },
    };
    await t.center.post("com.example.a", { object: "o2" });
    await t.center.post("com.example.a", { object: "o1", userInfo });
    const [first, second] = await take(any, 2);
    assert.equal(first.type === "notification" && first.object, "o2");
    assert.ok(second.type === "notification");
    assert.deepEqual(second.userInfo, userInfo);
    assert.ok(Object.is(second.userInfo!.negZero, -0));
    const [only] = await take(one, 1);
    assert.ok(only.type === "notification" && only.object === "o1");
  } finally {
    await teardown(t);
  }
});

Deno.test("NotificationObserver: suspend holds, resume delivers in order, close ends the iteration", async () => {
  const t = await setup();
  try {
    const observer = await t.center.observe({ names: "n", suspensionBehavior: "hold" });
    await observer.suspend();
    for (let i = 0; i < 5; i++) await t.center.post("n", { userInfo: { i: BigInt(i) } });
    await observer.resume();
    const events = await take(observer, 5);
    assert.deepEqual(
      events.map((e) => e.type === "notification" ? e.userInfo!.i : e.type),
      [0n, 1n, 2n, 3n, 4n],
    );
    const ended = (async () => {
      for await (const _ of observer) { /* nothing more comes */ }
      return "ended";
    })();
    observer.close();
    assert.equal(await ended, "ended");
  } finally {
    await teardown(t);
  }
});

Deno.test("NotificationCenter: a slow reader gets a dropped record for what it missed", async () => {
  const t = await setup();
  try {
    const observer = await t.center.observe({
      names: "n",
      suspensionBehavior: "drop",
      queueLimit: 4,
    });
    for (let i = 0; i < 50; i++) await t.center.post("n", { userInfo: { i: BigInt(i) } });
    await t.center.post("n", { userInfo: { i: 50n }, deliverImmediately: true });
    // Posts are one way: this request is answered once the broker has handled them all.
    await t.center.request("notify.status", null);
    const events = await take(observer, 6);
    assert.deepEqual(
      events.map((e) => e.type === "notification" ? e.userInfo!.i : `${e.type}`),
      [0n, 1n, 2n, 3n, "dropped", 50n],
    );
    assert.equal(events[4].type === "dropped" && events[4].count, 46);
  } finally {
    await teardown(t);
  }
});

Deno.test("NotificationCenter: state is a uint64 per name, 0 until set; bad values are refused", async () => {
  const t = await setup();
  try {
    assert.equal(await t.center.getState("s"), 0n);
    await t.center.setState("s", 2n ** 64n - 1n);
    assert.equal(await t.center.getState("s"), 2n ** 64n - 1n);
    await t.center.post("s", { state: 5 });
    assert.equal(await t.center.getState("s"), 5n);
    await assert.rejects(() => t.center.setState("s", -1n), RangeError);
    await assert.rejects(() => t.center.setState("s", 2n ** 64n), RangeError);
    await assert.rejects(() => t.center.setState("s", 1.5), RangeError);
    await assert.rejects(() => t.center.post(""), TypeError);
    await assert.rejects(
      () => t.center.post("x", { userInfo: [1n] as never }),
      TypeError,
    );
    await assert.rejects(
      () => t.center.observe({ suspensionBehavior: "later" as never }),
      TypeError,
    );
    await assert.rejects(() => t.center.observe({ queueLimit: 0 }), RangeError);
  } finally {
    await teardown(t);
  }
});

Deno.test("defaultCenter() is shared per runtime directory, and connects anew after close()", async () => {
  const t = await setup();
  try {
    const first = await defaultCenter({ runtimeDir: t.dir });
    assert.equal(await defaultCenter({ runtimeDir: t.dir }), first);
    await first.close();
    assert.equal(await getState("s", { runtimeDir: t.dir }), 0n);
    const second = await defaultCenter({ runtimeDir: t.dir });
    assert.notEqual(second, first);
    await second.close();
  } finally {
    await teardown(t);
  }
});
