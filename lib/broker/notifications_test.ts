import assert from "node:assert/strict";
import type { Connection } from "../transport/connection.ts";
import { decodeValue, encodeValue } from "../wire/msgpack.ts";
import { type Dictionary, UInt64, type Value } from "../wire/value.ts";
import {
  globToRegExp,
  HOLD_LIMIT,
  NotificationService,
  STATE_DIR,
  stateFileName,
} from "./notifications.ts";
import type { Logger } from "./log.ts";

const quiet: Logger = { info() {}, error() {}, close() {} };

/** A stand-in connection that records what the service sends. */
function fakeConnection(): Connection & { sent: [string, Dictionary][] } {
  const sent: [string, Dictionary][] = [];
  return {
    sent,
    notify(method: string, body: Value) {
      sent.push([method, body as Dictionary]);
      return Promise.resolve();
    },
    sendEncoded(frame: Uint8Array) {
      const message = decodeValue(frame.subarray(4)) as Dictionary;
      sent.push([message.m as string, message.b as Dictionary]);
      return Promise.resolve();
    },
    isClosed: false,
  } as unknown as Connection & { sent: [string, Dictionary][] };
}

async function service(): Promise<{ service: NotificationService; dir: string }> {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-notify-" });
  return { service: new NotificationService({ runtimeDir: dir, log: quiet }), dir };
}

function post(s: NotificationService, name: string, extra: Dictionary = {}): Value {
  return s.handle("notify.post", { n: name, o: null, u: null, ...extra }, fakeConnection());
}

/** What one observer got: names of notifications, `dropped:N` for records. */
function received(connection: { sent: [string, Dictionary][] }, id = 1): string[] {
  return connection.sent.filter(([, b]) => b.i === id).map(([m, b]) =>
    m === "notify.d" ? String(b.n) : `dropped:${b.c}`
  );
}

Deno.test("globToRegExp() matches *, ? and classes, and nothing else specially", () => {
  assert.ok(globToRegExp("com.example.*").test("com.example.a.b"));
  assert.ok(!globToRegExp("com.example.*").test("comXexample.a"));
  assert.ok(globToRegExp("a?c").test("abc"));
  assert.ok(globToRegExp("[ab]x").test("bx"));
  assert.ok(!globToRegExp("[!ab]x").test("bx"));
  assert.ok(globToRegExp("a+(b)").test("a+(b)"));
});

Deno.test("the notify service matches by exact name, several names, glob, all and object", async () => {
  const { service: s, dir } = await service();
  const observers: Record<string, [Dictionary, ReturnType<typeof fakeConnection>]> = {
    exact: [{ n: ["a.one"] }, fakeConnection()],
    several: [{ n: ["a.one", "b.two"] }, fakeConnection()],
    glob: [{ n: ["a.*"] }, fakeConnection()],
    all: [{ n: [] }, fakeConnection()],
    object: [{ n: ["a.one"], o: "x" }, fakeConnection()],
  };
  for (const [spec, connection] of Object.values(observers)) {
    s.handle("notify.observe", { i: 1, ...spec }, connection);
  }
  post(s, "a.one");
  post(s, "a.one", { o: "x" });
  post(s, "b.two");
  post(s, "c.three", { o: "x" });
  const got = Object.fromEntries(
    Object.entries(observers).map(([k, [, c]]) => [k, c.sent.map(([, b]) => `${b.n}/${b.o}`)]),
  );
  assert.deepEqual(got, {
    exact: ["a.one/null", "a.one/x"],
    several: ["a.one/null", "a.one/x", "b.two/null"],
    glob: ["a.one/null", "a.one/x"],
    all: ["a.one/null", "a.one/x", "b.two/null", "c.three/x"],
    object: ["a.one/x"],
  });
  for (const [, connection] of Object.values(observers)) s.disconnected(connection);
  assert.equal(s.observerCount, 0);
  assert.equal(post(s, "a.one"), 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a full observer's queue applies its behaviour, and acks let the rest through in order", async () => {
  const { service: s, dir } = await service();
  const connections = Object.fromEntries(
    (["drop", "coalesce", "hold", "immediate"] as const).map((b) => {
      const c = fakeConnection();
      s.handle("notify.observe", { i: 1, n: [], b, q: 2 }, c);
      return [b, c];
    }),
  );
  for (const name of ["a", "b", "a", "c", "a"]) post(s, name);
  assert.deepEqual(received(connections.drop), ["a", "b"]);
  assert.deepEqual(received(connections.coalesce), ["a", "b"]);
  assert.deepEqual(received(connections.hold), ["a", "b"]);
  assert.deepEqual(received(connections.immediate), ["a", "b", "a", "c", "a"]);
  for (const c of Object.values(connections)) s.handle("notify.ack", { i: 1, c: 2 }, c);
  // drop: one record for three; coalesce: the later "a" replaced the earlier one (counted).
  assert.deepEqual(received(connections.drop), ["a", "b", "dropped:3"]);
  assert.deepEqual(received(connections.coalesce), ["a", "b", "c", "dropped:1"]);
  assert.deepEqual(received(connections.hold), ["a", "b", "a", "c"]);
  for (const c of Object.values(connections)) s.handle("notify.ack", { i: 1, c: 2 }, c);
  assert.deepEqual(received(connections.coalesce), ["a", "b", "c", "dropped:1", "a"]);
  assert.deepEqual(received(connections.hold), ["a", "b", "a", "c", "a"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a suspended observer gets what its behaviour kept on resume; immediate posts flush first", async () => {
  const { service: s, dir } = await service();
  const c = fakeConnection();
  s.handle("notify.observe", { i: 1, n: [], b: "hold", q: 100 }, c);
  s.handle("notify.suspend", { i: 1 }, c);
  post(s, "x");
  post(s, "y");
  assert.deepEqual(received(c), []);
  post(s, "urgent", { i: true });
  assert.deepEqual(received(c), ["x", "y", "urgent"]);
  post(s, "z");
  s.handle("notify.resume", { i: 1 }, c);
  assert.deepEqual(received(c), ["x", "y", "urgent", "z"]);
  // coalesce while suspended: the latest per name and object, the others counted.
  const d = fakeConnection();
  s.handle("notify.observe", { i: 2, n: [], b: "coalesce", s: true }, d);
  for (let i = 0; i < 5; i++) post(s, "tick", { u: encodeValue({ i: BigInt(i) }) });
  post(s, "tick", { o: "other" });
  s.handle("notify.resume", { i: 2 }, d);
  assert.deepEqual(received(d, 2), ["dropped:4", "tick", "tick"]);
  const last = d.sent.find(([m, b]) => m === "notify.d" && b.o === null)![1];
  assert.deepEqual(decodeValue(last.u as Uint8Array), { i: 4n });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("hold keeps up to HOLD_LIMIT and counts the rest", async () => {
  const { service: s, dir } = await service();
  const c = fakeConnection();
  s.handle("notify.observe", { i: 1, n: ["n"], b: "hold", s: true }, c);
  for (let i = 0; i < HOLD_LIMIT + 5; i++) post(s, "n");
  s.handle("notify.resume", { i: 1 }, c);
  assert.equal(c.sent.length, 1024, "sent up to the queue limit");
  let total = 0, records = 0;
  while (c.sent.length > 0) {
    for (const [m, b] of c.sent.splice(0)) m === "notify.d" ? total++ : (records += b.c as number);
    s.handle("notify.ack", { i: 1, c: 1024 }, c);
  }
  assert.equal(total, HOLD_LIMIT);
  assert.equal(records, 5);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("bad requests are refused with a reason", async () => {
  const { service: s, dir } = await service();
  const c = fakeConnection();
  assert.throws(() => s.handle("notify.post", { n: "" }, c), /non-empty/);
  assert.throws(
    () => s.handle("notify.post", { n: "x", u: new Uint8Array([0xc1]) }, c),
    /userInfo/,
  );
  assert.throws(() => s.handle("notify.post", { n: "x", u: encodeValue([1]) }, c), /dictionary/);
  assert.throws(() => s.handle("notify.observe", { i: 1, b: "sometimes" }, c), /behaviour/);
  assert.throws(() => s.handle("notify.suspend", { i: 9 }, c), /no observer/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("one-way posts deliver like requests, and a bad one is reported on its connection", async () => {
  const { service: s, dir } = await service();
  const observer = fakeConnection();
  s.handle("notify.observe", { i: 3, n: ["a.*"] }, observer);
  const poster = fakeConnection();
  s.event("notify.post", { n: "a.one", o: null, u: encodeValue({ k: 1n }) }, poster);
  s.event("notify.post", { n: "", o: null, u: null }, poster);
  s.event("notify.post", { n: "a.two", o: null, u: encodeValue([1]) }, poster);
  s.event("notify.bogus", {}, poster);
  assert.deepEqual(received(observer, 3), ["a.one"]);
  assert.deepEqual(decodeValue(observer.sent[0][1].u as Uint8Array), { k: 1n });
  assert.deepEqual(
    poster.sent.map(([m, b]) => `${m} ${b.m} ${b.n} ${b.code}`),
    [
      "notify.error notify.post  bad-request",
      "notify.error notify.post a.two bad-request",
      "notify.error notify.bogus null unknown-method",
    ],
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("state is 0 until set, is saved in a file, and a new service reads it back", async () => {
  const { service: s, dir } = await service();
  const c = fakeConnection();
  const long = "x/".repeat(300);
  assert.deepEqual(s.handle("notify.state.get", { n: "a.b" }, c), new UInt64(0n));
  s.handle("notify.state.set", { n: "a.b", v: new UInt64(2n ** 64n - 1n) }, c);
  s.handle("notify.state.set", { n: long, v: new UInt64(7n) }, c);
  post(s, "posted", { s: new UInt64(3n) });
  const again = new NotificationService({ runtimeDir: dir, log: quiet });
  assert.deepEqual(again.handle("notify.state.get", { n: "a.b" }, c), new UInt64(2n ** 64n - 1n));
  assert.deepEqual(again.handle("notify.state.get", { n: long }, c), new UInt64(7n));
  assert.deepEqual(again.handle("notify.state.get", { n: "posted" }, c), new UInt64(3n));
  const files = [...Deno.readDirSync(`${dir}/${STATE_DIR}`)].map((e) => e.name).sort();
  assert.deepEqual(files, ["a.b", "posted", stateFileName(long)].sort());
  assert.ok(stateFileName(long).length < 40);
  assert.ok(!files.some((f) => f.endsWith(".tmp")));
  await Deno.remove(dir, { recursive: true });
});
