import assert from "node:assert/strict";
import {
  ConnectionClosedError,
  LimitError,
  ProtocolError,
  RemoteError,
  TimeoutError,
} from "../errors.ts";
import { concatBytes } from "../wire/bytes.ts";
import { encodeFrame, encodeMessage } from "../wire/frame.ts";
import { connectTo } from "./connect.ts";
import type { Connection } from "./connection.ts";
import { listen } from "./listener.ts";
import { withServer } from "./_test_server.ts";
import { PROTOCOL_VERSION } from "./protocol.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Reads from a raw socket until it closes, or until what it got contains `until`; returns
 * everything it got.
 */
async function readAll(conn: Deno.Conn, until?: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const buffer = new Uint8Array(65536);
  let text = "";
  for (;;) {
    let n: number | null;
    try {
      n = await conn.read(buffer);
    } catch {
      break;
    }
    if (n === null) break;
    chunks.push(buffer.slice(0, n));
    if (until !== undefined) {
      text = (text + new TextDecoder().decode(buffer.subarray(0, n))).slice(-4096);
      if (text.includes(until)) break;
    }
  }
  return concatBytes(chunks);
}

/** Writes all of `bytes` (a socket may take them in parts). */
async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.length;) at += await conn.write(bytes.subarray(at));
}

const rawHello = () => encodeMessage({ t: "hello", v: PROTOCOL_VERSION, name: "raw test", pid: 1 });

Deno.test("request() correlates 500 concurrent replies that come back out of order", async () => {
  await withServer({
    onRequest: async (_m, body) => {
      await sleep(Math.random() * 20);
      return body;
    },
  }, async (path) => {
    const client = await connectTo(path);
    const replies = await Promise.all(
      Array.from({ length: 500 }, (_, i) => client.request("echo", { i: BigInt(i) })),
    );
    replies.forEach((reply, i) => assert.deepEqual(reply, { i: BigInt(i) }));
    await client.close();
  });
});

Deno.test("request() times out alone: the late reply is dropped and the connection still works", async () => {
  await withServer({
    onRequest: async (method) => {
      if (method === "slow") await sleep(300);
      return method;
    },
  }, async (path) => {
    const client = await connectTo(path);
    await assert.rejects(() => client.request("slow", null, { timeoutMs: 50 }), TimeoutError);
    assert.equal(await client.request("fast"), "fast");
    await sleep(350); // the slow reply arrives now and must be ignored
    assert.equal(await client.request("fast"), "fast");
    await client.close();
  });
});

Deno.test("a handler's failure reaches the caller as a RemoteError with its code", async () => {
  await withServer({
    onRequest: (method) => {
      if (method === "coded") throw new RemoteError("no-such-thing", "nothing by that name");
      throw new Error("boom");
    },
  }, async (path) => {
    const client = await connectTo(path);
    await assert.rejects(() => client.request("coded"), (e: RemoteError) => {
      return e instanceof RemoteError && e.code === "no-such-thing" && /nothing by/.test(e.message);
    });
    await assert.rejects(() => client.request("other"), (e: RemoteError) => e.code === "failed");
    await client.close();
  });
});

Deno.test("close() fails pending requests with ConnectionClosedError and resolves closed", async () => {
  await withServer({ onRequest: () => new Promise(() => {}) }, async (path) => {
    const client = await connectTo(path);
    const pending = client.request("never");
    await sleep(20);
    await client.close();
    await assert.rejects(() => pending, ConnectionClosedError);
    await client.closed;
    await assert.rejects(() => client.request("again"), ConnectionClosedError);
  });
});

Deno.test("a server that goes away fails the pending requests promptly, not by timeout", async () => {
  const dir = await Deno.makeTempDir();
  const listener = await listen(`${dir}/t.sock`, { onRequest: () => new Promise(() => {}) });
  const client = await connectTo(listener.path);
  const pending = client.request("hang", null, { timeoutMs: 10_000 });
  const outcome = pending.then(() => null, (error: Error) => error);
  const started = Date.now();
  await sleep(20);
  await listener.close();
  assert.ok((await outcome) instanceof ConnectionClosedError);
  assert.ok(Date.now() - started < 2000);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("events flow both ways; servers can send requests to clients", async () => {
  const seen: string[] = [];
  let server: Connection | undefined;
  await withServer({
    onConnect: (c) => server = c,
    onEvent: (m) => seen.push(`server got ${m}`),
  }, async (path) => {
    const client = await connectTo(path, {
      onRequest: (m, b) => `client answers ${m} ${String(b)}`,
      onEvent: (m) => seen.push(`client got ${m}`),
    });
    await client.notify("ping");
    while (!server) await sleep(5);
    await server.notify("pong");
    assert.equal(await server.request("who", "asks"), "client answers who asks");
    while (seen.length < 2) await sleep(5);
    assert.deepEqual(seen.sort(), ["client got pong", "server got ping"]);
    await client.close();
  });
});

Deno.test("garbage from one peer closes only that peer, with a protocol error frame", async () => {
  await withServer({ onRequest: (_m, b) => b }, async (path) => {
    const good = await connectTo(path);
    const bad = await Deno.connect({ transport: "unix", path });
    await bad.write(rawHello());
    await bad.write(encodeFrame(new Uint8Array([0xc1, 0xc1, 0xc1])));
    const answer = new TextDecoder().decode(await readAll(bad));
    assert.match(answer, /protocol/);
    assert.match(answer, /0xc1/);
    bad.close();
    assert.equal(await good.request("echo", "still here"), "still here");
    await good.close();
  });
});

Deno.test("a huge length prefix closes that connection with a limit error, before any buffering", async () => {
  await withServer({ onRequest: (_m, b) => b }, async (path) => {
    const good = await connectTo(path);
    const bad = await Deno.connect({ transport: "unix", path });
    await bad.write(rawHello());
    await bad.write(new Uint8Array([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]));
    const answer = new TextDecoder().decode(await readAll(bad));
    assert.match(answer, /over the limit/);
    bad.close();
    assert.equal(await good.request("echo", 1n), 1n);
    await good.close();
  });
});

Deno.test("half a frame and then silence is cut off after the stall timeout", async () => {
  await withServer({ onRequest: (_m, b) => b, stallTimeoutMs: 200 }, async (path) => {
    const good = await connectTo(path);
    const bad = await Deno.connect({ transport: "unix", path });
    await bad.write(rawHello());
    const frame = encodeMessage({ t: "req", id: 1, m: "x", b: "y".repeat(100) });
    await bad.write(frame.subarray(0, 40));
    const started = Date.now();
    const answer = new TextDecoder().decode(await readAll(bad));
    assert.match(answer, /half a frame/);
    assert.ok(Date.now() - started >= 150);
    assert.equal(await good.request("echo", "ok"), "ok");
    bad.close();
    await good.close();
  });
});

Deno.test("a peer that floods requests without reading the replies is cut off", async () => {
  const reply = new Uint8Array(64 * 1024);
  const onRequest = (method: string) => method === "marker" ? "MARKER-REPLY" : reply;
  await withServer({ onRequest, maxQueuedBytes: 1 << 20 }, async (path, count) => {
    const bad = await Deno.connect({ transport: "unix", path });
    // 64 small requests in one write, each answered with 64 KiB: 4 MiB of replies that this
    // peer does not read while they pile up in the server's queue. The last request's answer
    // would come after all of them: a server that never cut this peer off sends it.
    const frames = [rawHello()];
    for (let id = 1; id <= 64; id++) {
      frames.push(encodeMessage({ t: "req", id, m: "get", b: null }));
    }
    frames.push(encodeMessage({ t: "req", id: 65, m: "marker", b: null }));
    await writeAll(bad, concatBytes(frames));
    // Then read to the end: the server must have said why it hung up, and hung up itself.
    const answer = new TextDecoder().decode(await readAll(bad, "MARKER-REPLY"));
    assert.doesNotMatch(answer, /MARKER-REPLY/, "the server answered everything: no cut-off");
    assert.match(answer, /not-reading/);
    assert.match(answer, /the other side is not reading: over 1048576 bytes wait to be written/);
    assert.equal(count(), 0, "the server still holds the connection");
    bad.close();
    const good = await connectTo(path);
    assert.equal((await good.request("get") as Uint8Array).length, reply.length);
    await good.close();
  });
});

Deno.test("before the hello only a hello-sized frame is read: a 16 MiB frame is refused unread", async () => {
  await withServer({ onRequest: (_m, b) => b }, async (path, count) => {
    const bad = await Deno.connect({ transport: "unix", path });
    // The length of a 16 MiB frame of empty maps, and its first bytes: nothing more is needed.
    const head = new Uint8Array([0, 0xff, 0xff, 0xfb, 0xdd, 0x00, 0xff, 0xff, 0xf6, 0x80]);
    await bad.write(head);
    const answer = new TextDecoder().decode(await readAll(bad));
    assert.match(answer, /a frame of 16777211 bytes is over the limit of 65536 bytes/);
    assert.equal(count(), 0);
    bad.close();
  });
});

Deno.test("a frame that would decode to too many containers closes only that peer", async () => {
  await withServer({ onRequest: (_m, b) => b }, async (path) => {
    const good = await connectTo(path);
    const bad = await Deno.connect({ transport: "unix", path });
    await bad.write(rawHello());
    // A request whose body is 300,000 empty maps: 300 KB that would cost about 30 MB decoded.
    const head = encodeMessage({ t: "req", id: 1, m: "echo", b: [] });
    const maps = 300_000;
    const body = new Uint8Array(head.length - 4 - 1 + 5 + maps).fill(0x80);
    body.set(head.subarray(4, head.length - 1));
    body[head.length - 5] = 0xdd;
    new DataView(body.buffer).setUint32(head.length - 4, maps);
    // And a request whose answer would come after it, were the frame accepted.
    const marker = encodeMessage({ t: "req", id: 2, m: "echo", b: "AFTER-MARKER" });
    await writeAll(bad, concatBytes([encodeFrame(body), marker]));
    const answer = new TextDecoder().decode(await readAll(bad, "AFTER-MARKER"));
    assert.doesNotMatch(answer, /AFTER-MARKER/);
    assert.match(answer, /more arrays and dictionaries than the limit of 262144/);
    bad.close();
    assert.equal(await good.request("echo", "still here"), "still here");
    await good.close();
  });
});

Deno.test("a client of another protocol version is told exactly, both ways round", async () => {
  await withServer({}, async (path) => {
    await assert.rejects(
      () => connectTo(path, { protocolVersion: PROTOCOL_VERSION + 1 }),
      (e: Error) =>
        e instanceof ProtocolError &&
        e.message.includes(`this side speaks ${PROTOCOL_VERSION} `) &&
        /daemon stop/.test(e.message),
    );
  });
  await withServer({ protocolVersion: 99 }, async (path) => {
    await assert.rejects(
      () => connectTo(path),
      (e: Error) => e instanceof ProtocolError && /protocol mismatch/.test(e.message),
    );
  });
});

Deno.test("a peer that never says hello is dropped after the hello timeout", async () => {
  await withServer({ helloTimeoutMs: 100 }, async (path, count) => {
    const silent = await Deno.connect({ transport: "unix", path });
    const answer = new TextDecoder().decode(await readAll(silent));
    assert.match(answer, /no hello/);
    silent.close();
    assert.equal(count(), 0);
  });
});

Deno.test("a value that breaks a limit fails that request only", async () => {
  await withServer({ onRequest: (_m, b) => b }, async (path) => {
    const client = await connectTo(path, {
      limits: { maxFrameBytes: 1024, maxDepth: 8, maxStringBytes: 512 },
    });
    await assert.rejects(() => client.request("echo", new Uint8Array(4096)), LimitError);
    await assert.rejects(() => client.request("echo", { a: undefined } as never), TypeError);
    // What the other side would refuse to decode fails here, before it costs the connection.
    await assert.rejects(
      () => client.request("echo", Array.from({ length: 300_000 }, () => ({}))),
      (e: Error) => e instanceof LimitError && /limit of 262144/.test(e.message),
    );
    assert.equal(await client.request("echo", "small"), "small");
    await client.close();
  });
});
