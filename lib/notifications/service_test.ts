import assert from "node:assert/strict";
import type { Connection } from "../transport/connection.ts";
import { decodeValue, encodeValue } from "../wire/msgpack.ts";
import { type Dictionary, UInt64, type Value } from "../wire/value.ts";
import { LEASE_MS, NotificationService, STATE_DIR, stateFileName } from "./service.ts";
import type { Logger } from "../broker/log.ts";

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
  return s.handle(
    "notify.post",
    { n: name, o: null, u: null, ...extra },
    fakeConnection(),
  ) as Value;
}

/** What one observer got: names of relayed notifications, `marker:P:Q` and `gate:P:Q`. */
function received(connection: { sent: [string, Dictionary][] }, id = 1): string[] {
  return connection.sent.filter(([, b]) => b.i === id).map(([m, b]) =>
    m === "notify.d" ? String(b.n) : `${m === "notify.m" ? "marker" : "gate"}:${b.p}:${b.q}`
  );
}

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

Deno.test("bad requests are refused with a reason", async () => {
  const { service: s, dir } = await service();
  const c = fakeConnection();
  assert.throws(() => s.handle("notify.post", { n: "" }, c), /non-empty/);
  assert.throws(
    () => s.handle("notify.post", { n: "x", u: new Uint8Array([0xc1]) }, c),
    /userInfo/,
  );
  assert.throws(() => s.handle("notify.post", { n: "x", u: encodeValue([1]) }, c), /dictionary/);
  assert.throws(() => s.handle("notify.observe", { n: ["x"] }, c), /an id/);
  assert.throws(() => s.handle("notify.observe", { i: 1, x: 5 }, c), /inbox/);
  assert.throws(() => s.handle("notify.routes", { p: -1 }, c), /poster id/);
  assert.throws(() => s.handle("notify.suspend", { i: 1 }, c), /no method/);
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

Deno.test("a poster that asks for the routes gets every observer, then each change; an observe waits for it", async () => {
  const { service: s, dir } = await service();
  const a = fakeConnection(), b = fakeConnection(), poster = fakeConnection();
  s.handle("notify.observe", { i: 1, n: ["a.one"], o: "x", x: "/inbox/a" }, a);
  s.handle("notify.observe", { i: 2, n: ["b.*", "c"] }, a);
  s.handle("notify.observe", { i: 1, n: [] }, b); // no inbox: the poster must relay for it
  const reply = s.handle("notify.routes", { p: 77 }, poster) as Dictionary;
  const [ca, cb] = [(reply.r as Dictionary[])[0].c, (reply.r as Dictionary[])[2].c];
  assert.ok(reply.c !== ca && reply.c !== cb, "the poster's own number differs");
  assert.ok(Math.abs((reply.e as number) - Date.now() - LEASE_MS) < 1000, "a lease");
  assert.deepEqual(reply.r, [
    { c: ca, x: "/inbox/a", i: 1, a: false, gl: [], n: ["a.one"], o: "x" },
    { c: ca, x: "/inbox/a", i: 2, a: false, gl: ["b.*"], n: ["c"], o: null },
    { c: cb, x: null, i: 1, a: true, gl: [], n: [], o: null },
  ]);
  // An observe is answered once every poster holding the routes has applied it.
  let answered = false;
  const observed = (s.handle("notify.observe", { i: 3, n: [], x: "/inbox/a" }, a) as Promise<Value>)
    .then(() => answered = true);
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(answered, false);
  const [method, change] = poster.sent[0];
  assert.equal(method, "notify.r");
  assert.deepEqual(change, { c: ca, x: "/inbox/a", i: 3, a: true, gl: [], n: [], o: null, k: 1 });
  s.event("notify.rok", { k: 1 }, poster);
  await observed;
  // A poster that goes away answers for itself.
  const gone = s.handle("notify.observe", { i: 4, n: ["d"], x: "/inbox/a" }, a) as Promise<Value>;
  s.disconnected(poster);
  await gone;
  const watcher = fakeConnection();
  s.handle("notify.routes", { p: 78 }, watcher);
  const kept = s.handle("notify.observe", { i: 5, n: ["e"], x: "/inbox/a" }, a) as Promise<Value>;
  s.event("notify.rok", { k: watcher.sent[0][1].k }, watcher);
  await kept;
  s.handle("notify.cancel", { i: 1 }, a);
  s.disconnected(a);
  assert.deepEqual(watcher.sent.slice(1), [
    ["notify.r", { c: ca, i: 1, del: true }],
    ["notify.r", { c: ca, gone: true }],
  ]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a post skips whom its poster reached straight; markers and gates keep each poster's order", async () => {
  const { service: s, dir } = await service();
  const a = fakeConnection(), poster = fakeConnection(), other = fakeConnection();
  s.handle("notify.observe", { i: 1, n: ["t"], x: "/inbox/a" }, a);
  s.handle("notify.observe", { i: 2, n: ["t"], x: "/inbox/a" }, a);
  const reply = s.handle("notify.routes", { p: 5 }, poster) as Dictionary;
  const c = (reply.r as Dictionary[])[0].c as number;
  const from = (connection: Connection, extra: Dictionary) =>
    s.handle("notify.post", { n: "t", o: null, u: null, ...extra }, connection);
  from(poster, { q: 1 }); // relayed to both
  from(poster, { q: 2, d: [[c, 1]], f: [[c, 1]] }); // straight to 1, the first time: a marker
  from(poster, { q: 3, d: [[c, 1]] }); // straight to 1 again: only relayed to 2
  from(poster, { q: 4, d: [[c, 2]], f: [[c, 2]], g: [[c, 1, 3]] }); // 1 relayed after 3: a gate
  from(other, { q: 9, d: [[c, 1, 2]], f: [[c, 1]] }); // a poster without the routes: all relayed
  assert.deepEqual(received(a, 1), ["t", "marker:5:2", "gate:5:3", "t", "t"]);
  assert.deepEqual(received(a, 2), ["t", "t", "t", "marker:5:4", "t"]);
  await Deno.remove(dir, { recursive: true });
});
