import assert from "node:assert/strict";
import {
  ConnectionClosedError,
  LimitError,
  NotFoundError,
  ProtocolError,
  RemoteError,
  TimeoutError,
} from "../errors.ts";
import { encodeFrame, encodeMessage, FrameDecoder } from "../wire/frame.ts";
import { decodeValue } from "../wire/msgpack.ts";
import { UInt64 } from "../wire/value.ts";
import { callOnce, closedBeforeHello } from "./call.ts";
import { withServer } from "./_test_server.ts";
import { PROTOCOL_VERSION } from "./protocol.ts";

/** A raw socket server: `serve` gets each accepted connection. */
async function withRawServer(
  serve: (conn: Deno.Conn) => Promise<void>,
  body: (path: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/raw.sock`;
  const listener = Deno.listen({ transport: "unix", path });
  const served: Promise<void>[] = [];
  const accepting = (async () => {
    for await (const conn of listener) {
      served.push(
        serve(conn).catch(() => {}).finally(() => {
          try {
            conn.close();
          } catch { /* closed */ }
        }),
      );
    }
  })();
  try {
    await body(path);
  } finally {
    listener.close();
    await accepting.catch(() => {});
    await Promise.all(served);
    await Deno.remove(dir, { recursive: true });
  }
}

/** Reads frames from a raw socket until `count` arrived; returns them decoded. */
async function readFrames(conn: Deno.Conn, count: number): Promise<unknown[]> {
  const decoder = new FrameDecoder();
  const out: unknown[] = [];
  while (out.length < count) {
    const n = await conn.read(decoder.space());
    if (n === null) break;
    decoder.commit(n);
    for (let body = decoder.next(); body !== undefined; body = decoder.next()) {
      out.push(decodeValue(body));
    }
  }
  return out;
}

const rawHello = (v = PROTOCOL_VERSION) =>
  encodeMessage({ t: "hello", v, name: "raw test", pid: 1 });

Deno.test("callOnce() sends one request and returns its typed answer", async () => {
  const seen: unknown[] = [];
  await withServer({
    onRequest: (method, body) => {
      seen.push([method, body]);
      return { echo: body, big: 2n ** 62n, u: new UInt64(2n ** 64n - 1n) };
    },
  }, async (path) => {
    const reply = await callOnce(path, "test.echo", { n: "x", data: new Uint8Array([1, 2]) });
    assert.deepEqual(reply, {
      echo: { n: "x", data: new Uint8Array([1, 2]) },
      big: 2n ** 62n,
      u: new UInt64(2n ** 64n - 1n),
    });
    assert.deepEqual(seen, [["test.echo", { n: "x", data: new Uint8Array([1, 2]) }]]);
  });
});

Deno.test("callOnce() carries a 1 MiB body and a 1 MiB answer", async () => {
  const big = new Uint8Array(1 << 20).map((_, i) => i * 7);
  await withServer({ onRequest: (_m, body) => body }, async (path) => {
    assert.deepEqual(await callOnce(path, "test.echo", big), big);
  });
});

Deno.test("callOnce() turns the peer's error answer into a RemoteError with its code", async () => {
  await withServer({
    onRequest: () => {
      throw new RemoteError("no-such-thing", "there is no such thing");
    },
  }, async (path) => {
    const error = await callOnce(path, "test.fail").catch((e) => e);
    assert.ok(error instanceof RemoteError);
    assert.equal(error.code, "no-such-thing");
    assert.equal(error.message, "there is no such thing");
  });
});

Deno.test("callOnce() to a socket nobody listens on is a NotFoundError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(callOnce(`${dir}/none.sock`, "x"), NotFoundError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("callOnce() refuses a server of another protocol version, naming both", async () => {
  await withServer({ protocolVersion: PROTOCOL_VERSION + 1 }, async (path) => {
    const error = await callOnce(path, "x").catch((e) => e);
    assert.ok(error instanceof ProtocolError, String(error));
    assert.match(error.message, /protocol mismatch/);
  });
  // A raw server that answers the hello with another version, then waits.
  await withRawServer(async (conn) => {
    await readFrames(conn, 2);
    await conn.write(rawHello(PROTOCOL_VERSION + 7));
    await readFrames(conn, 1);
  }, async (path) => {
    const error = await callOnce(path, "x").catch((e) => e);
    assert.ok(error instanceof ProtocolError, String(error));
    assert.match(error.message, new RegExp(`protocol ${PROTOCOL_VERSION + 7} .*pid 1`));
  });
});

Deno.test("callOnce() sends its hello and request in one go, and answers a request from the peer", async () => {
  let frames: unknown[] = [];
  let answer: unknown[] = [];
  await withRawServer(async (conn) => {
    frames = await readFrames(conn, 2);
    await conn.write(rawHello());
    await conn.write(encodeMessage({ t: "req", id: 9, m: "peer.asks", b: null }));
    answer = await readFrames(conn, 1);
    await conn.write(encodeMessage({ t: "evt", m: "ignored", b: null }));
    await conn.write(encodeMessage({ t: "res", id: 1, b: "done" }));
  }, async (path) => {
    assert.equal(await callOnce(path, "m.x", 5n), "done");
  });
  assert.equal((frames[0] as { t: string }).t, "hello");
  assert.deepEqual(frames[1], { t: "req", id: 1, m: "m.x", b: 5n });
  assert.deepEqual(answer, [{
    t: "err",
    id: 9,
    code: "unknown-method",
    msg: "unknown method peer.asks",
  }]);
});

Deno.test("callOnce() says when the peer closed before its hello, and only then", async () => {
  await withRawServer(async (conn) => {
    await readFrames(conn, 1);
  }, async (path) => {
    const error = await callOnce(path, "x").catch((e) => e);
    assert.ok(error instanceof ConnectionClosedError, String(error));
    assert.ok(closedBeforeHello(error));
  });
  await withRawServer(async (conn) => {
    await readFrames(conn, 2);
    await conn.write(rawHello());
    await conn.write(encodeFrame(new Uint8Array([0x81]))); // half a message, then close
  }, async (path) => {
    const error = await callOnce(path, "x").catch((e) => e);
    assert.ok(!closedBeforeHello(error), String(error));
  });
  await withRawServer(async (conn) => {
    await readFrames(conn, 2);
    await conn.write(rawHello());
  }, async (path) => {
    const error = await callOnce(path, "x").catch((e) => e);
    assert.ok(error instanceof ConnectionClosedError, String(error));
    assert.ok(!closedBeforeHello(error), "the request may have been handled");
  });
});

Deno.test("callOnce(): a peer that resets the connection before its hello left the request unheard", async () => {
  await withRawServer(async (conn) => {
    await readFrames(conn, 1);
    // Closed with the request unread: the client's read is a reset, not an end.
  }, async (path) => {
    const error = await callOnce(path, "x", "y".repeat(200_000)).catch((e) => e);
    assert.ok(error instanceof ConnectionClosedError, String(error));
    assert.match(error.message, /the connection broke/);
    assert.ok(closedBeforeHello(error));
  });
});

Deno.test("callOnce() passes on the peer's bye, as a Connection does", async () => {
  await withRawServer(async (conn) => {
    await readFrames(conn, 2);
    await conn.write(encodeMessage({ t: "bye", code: "shutdown", msg: "going away" }));
  }, async (path) => {
    await assert.rejects(callOnce(path, "x"), (error) => {
      assert.ok(error instanceof ConnectionClosedError);
      assert.match(error.message, /going away/);
      return true;
    });
  });
});

Deno.test("callOnce() rejects garbage, a message without a type, and an oversized frame", async () => {
  for (
    const [reply, kind] of [
      [encodeFrame(new Uint8Array([0xc1])), ProtocolError],
      [encodeMessage({ no: "type" }), ProtocolError],
      [encodeMessage({ t: "res", id: 1, b: null }), ProtocolError], // an answer before the hello
      [new Uint8Array([0x7f, 0xff, 0xff, 0xff]), LimitError],
    ] as const
  ) {
    await withRawServer(async (conn) => {
      await readFrames(conn, 2);
      await conn.write(reply);
      await readFrames(conn, 1);
    }, async (path) => {
      await assert.rejects(callOnce(path, "x"), kind);
    });
  }
});

Deno.test("callOnce() times out on a silent peer and on a late answer, keeping nothing open", async () => {
  await withRawServer(async (conn) => {
    await readFrames(conn, 3); // never answers; ends when the caller closes
  }, async (path) => {
    const start = performance.now();
    const error = await callOnce(path, "x", null, { helloTimeoutMs: 150 }).catch((e) => e);
    assert.ok(error instanceof TimeoutError, String(error));
    assert.match(error.message, /hello/);
    assert.ok(performance.now() - start < 2000);
  });
  await withServer({
    onRequest: () => new Promise(() => {}),
  }, async (path) => {
    const error = await callOnce(path, "never.answers", null, { timeoutMs: 150 }).catch((e) => e);
    assert.ok(error instanceof TimeoutError, String(error));
    assert.match(error.message, /never\.answers/);
  });
});

Deno.test("callOnce() refuses a request it cannot encode before connecting", async () => {
  await withRawServer(() => {
    throw new Error("nobody should connect");
  }, async (path) => {
    await assert.rejects(callOnce(path, "x", { bad: undefined } as never), TypeError);
  });
});
