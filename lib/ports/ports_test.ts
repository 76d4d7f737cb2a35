import assert from "node:assert/strict";
import {
  NameTakenError,
  NotFoundError,
  PORT_STATUS,
  PortError,
  PortHandlerError,
  PortTimeoutError,
} from "../errors.ts";
import {
  connectPort,
  createLocalPort,
  createStreamingLocalPort,
  listPorts,
  type LocalPortOptions,
  portNameProblem,
  portPaths,
  sendOnce,
} from "./mod.ts";
import { dataFrame, helloFrame, K_CHUNK, K_REQUEST } from "./protocol.ts";
import { ChunkQueue, chunksOf } from "../transport/chunks.ts";
import { concatBytes } from "../wire/bytes.ts";

const text = new TextEncoder();
const untext = new TextDecoder();

async function withDir(body: (options: LocalPortOptions) => Promise<void>): Promise<void> {
  const runtimeDir = await Deno.makeTempDir({ prefix: "ipckit-ports-" });
  await Deno.chmod(runtimeDir, 0o700);
  try {
    await body({ runtimeDir });
  } finally {
    await Deno.remove(runtimeDir, { recursive: true });
  }
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => resolve = r);
  return { promise, resolve };
}

Deno.test("a local port counts its open connections and tells onConnections as they open and close", async () => {
  await withDir(async (dir) => {
    const counts: number[] = [];
    const closedTwo = deferred();
    const port = await createLocalPort("com.example.count", () => "ok", {
      ...dir,
      onConnections: (count) => {
        counts.push(count);
        if (counts.length === 4) closedTwo.resolve();
      },
    });
    assert.equal(port.connections, 0);
    const a = await connectPort("com.example.count", dir);
    const b = await connectPort("com.example.count", dir);
    await a.sendRequest(1);
    await b.sendRequest(1);
    assert.equal(port.connections, 2);
    a.invalidate();
    b.invalidate();
    await closedTwo.promise;
    assert.deepEqual(counts, [1, 2, 1, 0]);
    assert.equal(port.connections, 0);
    await port.invalidate();
  });
});

Deno.test("sendRequest() gets the callback's reply with the message id; strings and nothing work", async () => {
  await withDir(async (dir) => {
    const port = await createLocalPort("com.example.echo", (msgid, data) => {
      if (msgid === 2) return "text";
      if (msgid === 3) return undefined;
      return new Uint8Array([msgid, ...data]);
    }, dir);
    const remote = await connectPort("com.example.echo", dir);
    assert.deepEqual(
      await remote.sendRequest(7, new Uint8Array([1, 2])),
      new Uint8Array([7, 1, 2]),
    );
    assert.equal(untext.decode((await remote.sendRequest(2, "x"))!), "text");
    assert.deepEqual(await remote.sendRequest(3), new Uint8Array(0));
    assert.equal(remote.serverPid, Deno.pid);
    remote.invalidate();
    await port.invalidate();
  });
});

Deno.test("a callback that throws gives a PortHandlerError with its message; the port keeps serving", async () => {
  await withDir(async (dir) => {
    const port = await createLocalPort("fails", async (msgid) => {
      await Promise.resolve();
      if (msgid === 1) throw new Error("no such record");
      return "ok";
    }, dir);
    const remote = await connectPort("fails", dir);
    await assert.rejects(remote.sendRequest(1, "x"), (error: unknown) => {
      assert.ok(error instanceof PortHandlerError);
      assert.equal(error.status, PORT_STATUS.transportError);
      assert.match(error.message, /handler failed.*no such record/);
      return true;
    });
    assert.equal(untext.decode((await remote.sendRequest(2, "x"))!), "ok");
    remote.invalidate();
    await port.invalidate();
  });
});

Deno.test("requests are handled one at a time unless a concurrency is given", async () => {
  for (const concurrency of [1, 4]) {
    await withDir(async (dir) => {
      let active = 0, most = 0;
      const port = await createLocalPort("busy", async () => {
        most = Math.max(most, ++active);
        await new Promise((resolve) => setTimeout(resolve, 5));
        active--;
      }, { ...dir, concurrency });
      const remote = await connectPort("busy", dir);
      await Promise.all(Array.from({ length: 12 }, (_, i) => remote.sendRequest(i)));
      assert.equal(most, concurrency);
      remote.invalidate();
      await port.invalidate();
    });
  }
});

Deno.test("1,000 concurrent requests on one connection are each answered correctly", async () => {
  await withDir(async (dir) => {
    const port = await createLocalPort(
      "many",
      (msgid, data) => `${msgid}:${untext.decode(data)}`,
      { ...dir, concurrency: 8 },
    );
    const remote = await connectPort("many", dir);
    const replies = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => remote.sendRequest(i, `r${i}`)),
    );
    replies.forEach((reply, i) => assert.equal(untext.decode(reply!), `${i}:r${i}`));
    remote.invalidate();
    await port.invalidate();
  });
});

Deno.test("one-way sends reach the callback and resolve with null once sent", async () => {
  await withDir(async (dir) => {
    const got = deferred<string>();
    const port = await createLocalPort("oneway", (msgid, data, info) => {
      assert.equal(info.oneway, true);
      got.resolve(`${msgid}:${untext.decode(data)}`);
      return "ignored";
    }, dir);
    const remote = await connectPort("oneway", dir);
    assert.equal(await remote.sendRequest(4, "fire", { oneway: true }), null);
    assert.equal(await got.promise, "4:fire");
    remote.invalidate();
    await port.invalidate();
  });
});

Deno.test("a reply slower than the receive timeout fails with status -2; the late reply is dropped", async () => {
  await withDir(async (dir) => {
    const release = deferred();
    const port = await createLocalPort("slow", async (msgid) => {
      if (msgid === 1) await release.promise;
      return String(msgid);
    }, { ...dir, concurrency: 2 });
    const remote = await connectPort("slow", dir);
    await assert.rejects(remote.sendRequest(1, "x", { receiveTimeout: 0.1 }), (error: unknown) => {
      assert.ok(error instanceof PortTimeoutError);
      assert.equal(error.status, PORT_STATUS.receiveTimeout);
      assert.match(error.message, /receive timeout, status -2/);
      return true;
    });
    release.resolve();
    assert.equal(untext.decode((await remote.sendRequest(2, "y"))!), "2");
    remote.invalidate();
    await port.invalidate();
  });
});

Deno.test("a server that stops reading makes a large send fail with status -1; the port recovers", async () => {
  await withDir(async (dir) => {
    const release = deferred();
    const port = await createStreamingLocalPort("stuck", async (msgid, data) => {
      if (msgid === 1) await release.promise; // does not read its request
      let n = 0;
      for await (const chunk of data) n += chunk.length;
      return String(n);
    }, { ...dir, concurrency: 2 });
    const remote = await connectPort("stuck", dir);
    const big = new Uint8Array(64 * 1024 * 1024);
    await assert.rejects(remote.sendRequest(1, big, { sendTimeout: 0.3 }), (error: unknown) => {
      assert.ok(error instanceof PortTimeoutError);
      assert.equal(error.status, PORT_STATUS.sendTimeout);
      assert.match(error.message, /send timeout, status -1/);
      return true;
    });
    release.resolve();
    assert.equal(remote.isValid, true);
    assert.equal(untext.decode((await remote.sendRequest(2, "abc", { receiveTimeout: 30 }))!), "3");
    remote.invalidate();
    await port.invalidate();
  });
});

Deno.test("invalidating the local port fails waiting requests with -5 and tells the remote side", async () => {
  await withDir(async (dir) => {
    const started = deferred();
    const port = await createLocalPort("going", async () => {
      started.resolve();
      await new Promise(() => {});
    }, dir);
    const invalidated = deferred();
    const remote = await connectPort("going", { ...dir, onInvalidate: invalidated.resolve });
    const pending = remote.sendRequest(1, "x");
    pending.catch(() => {});
    await started.promise;
    await port.invalidate();
    await assert.rejects(pending, (error: unknown) => {
      assert.ok(error instanceof PortError);
      assert.equal(error.status, PORT_STATUS.becameInvalid);
      assert.match(error.message, /status -5/);
      return true;
    });
    await invalidated.promise;
    assert.equal(remote.isValid, false);
    await assert.rejects(remote.sendRequest(2), (error: unknown) => {
      assert.ok(error instanceof PortError);
      assert.equal(error.status, PORT_STATUS.isInvalid);
      return true;
    });
    await assert.rejects(connectPort("going", dir), NotFoundError);
  });
});

Deno.test("a remote port invalidated by its owner refuses requests with status -3", async () => {
  await withDir(async (dir) => {
    const port = await createLocalPort("p", () => "x", dir);
    const remote = await connectPort("p", dir);
    let told = 0;
    remote.onInvalidate(() => told++);
    remote.invalidate();
    remote.invalidate();
    assert.equal(told, 1);
    await assert.rejects(remote.sendRequest(1), (error: unknown) => {
      assert.ok(error instanceof PortError);
      assert.equal(error.status, PORT_STATUS.isInvalid);
      assert.match(error.message, /status -3/);
      return true;
    });
    await port.invalidate();
  });
});

Deno.test("a missing port is a NotFoundError that says how to serve it", async () => {
  await withDir(async (dir) => {
    await assert.rejects(connectPort("com.example.none", dir), (error: unknown) => {
      assert.ok(error instanceof NotFoundError);
      assert.match(error.message, /no port "com.example.none".*ipckit serve com.example.none/);
      return true;
    });
  });
});

Deno.test("a second owner of a name is refused, naming the owner; after invalidate it is free", async () => {
  await withDir(async (dir) => {
    const port = await createLocalPort("owned", () => "first", dir);
    await assert.rejects(createLocalPort("owned", () => "second", dir), (error: unknown) => {
      assert.ok(error instanceof NameTakenError);
      assert.match(error.message, new RegExp(`already served by process ${Deno.pid}`));
      return true;
    });
    await port.invalidate();
    const again = await createLocalPort("owned", () => "second", dir);
    const remote = await connectPort("owned", dir);
    assert.equal(untext.decode((await remote.sendRequest(0))!), "second");
    remote.invalidate();
    await again.invalidate();
  });
});

Deno.test("a name served again at once keeps its new socket (Deno unlinks a closed listener's path late)", async () => {
  await withDir(async (dir) => {
    let port = await createLocalPort("again", () => "0", dir);
    for (let i = 1; i <= 100; i++) {
      await port.invalidate();
      port = await createLocalPort("again", () => String(i), dir);
      await new Promise((resolve) => setTimeout(resolve, 0));
      const remote = await connectPort("again", dir);
      assert.equal(untext.decode((await remote.sendRequest(0))!), String(i));
      remote.invalidate();
    }
    await port.invalidate();
  });
});

Deno.test("names up to 255 characters work; odd or long names map to hashed file names", async () => {
  await withDir(async (dir) => {
    const long = "com.example." + "x".repeat(188); // 200 characters
    const odd = "with spaces/and slashes ü";
    const longest = "y".repeat(255);
    for (const name of [long, odd, longest]) {
      const paths = await portPaths(name, dir);
      assert.match(paths.socket, /\/ports\/%[0-9a-f]{32}\.sock$/);
      const port = await createLocalPort(name, () => name, dir);
      const remote = await connectPort(name, dir);
      assert.equal(untext.decode((await remote.sendRequest(0))!), name);
      remote.invalidate();
      assert.deepEqual((await listPorts(dir)).map((p) => p.name), [name]);
      await port.invalidate();
    }
    assert.equal(
      (await portPaths("com.example.short", dir)).socket.endsWith("/com.example.short.sock"),
      true,
    );
    assert.match(portNameProblem("z".repeat(256))!, /at most 255/);
    assert.match(portNameProblem("")!, /empty/);
    assert.match(portNameProblem("a\nb")!, /control/);
    assert.equal(portNameProblem("ok"), undefined);
    await assert.rejects(createLocalPort("", () => null, dir), RangeError);
  });
});

Deno.test("listPorts() lists live ports with their pid, sorted, and not a dead owner's files", async () => {
  await withDir(async (dir) => {
    assert.deepEqual(await listPorts(dir), []);
    const b = await createLocalPort("b.port", () => null, dir);
    const a = await createLocalPort("a.port", () => null, dir);
    const list = await listPorts(dir);
    assert.deepEqual(list.map((p) => [p.name, p.pid]), [["a.port", Deno.pid], [
      "b.port",
      Deno.pid,
    ]]);
    // What a killed owner leaves: the info file and a socket nobody listens on.
    const paths = await portPaths("dead", dir);
    await Deno.writeTextFile(paths.info, JSON.stringify({ name: "dead", pid: 1, since: "" }));
    assert.equal((await listPorts(dir)).length, 2);
    await a.invalidate();
    await b.invalidate();
    assert.deepEqual(await listPorts(dir), []);
  });
});

Deno.test("a 40 MiB request and reply (over the frame limit) round-trip in chunks intact", async () => {
  await withDir(async (dir) => {
    const port = await createLocalPort("big", (_msgid, data) => data, dir);
    const remote = await connectPort("big", dir);
    const big = new Uint8Array(40 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 997) big[i] = i % 251;
    const reply = await remote.sendRequest(1, big);
    assert.equal(reply!.length, big.length);
    assert.ok(reply!.every((v, i) => v === big[i]));
    // A stream of unknown length, collected by a non-streaming callback.
    const streamed = await remote.sendRequest(2, ReadableStream.from(chunksOf(big, 300_000)));
    assert.equal(streamed!.length, big.length);
    assert.ok(streamed!.every((v, i) => v === big[i]));
    remote.invalidate();
    await port.invalidate();
  });
});

Deno.test("a streaming port reads its request as it arrives and can stream its reply", async () => {
  await withDir(async (dir) => {
    const port = await createStreamingLocalPort("stream", async function* (_msgid, data) {
      for await (const chunk of data) yield chunk.map((b) => b ^ 0xff);
    }, dir);
    const remote = await connectPort("stream", dir);
    const big = new Uint8Array(20 * 1024 * 1024).fill(0x0f);
    let total = 0, ok = true;
    const result = await remote.sendRequest(1, big, {
      onReplyChunk(chunk) {
        total += chunk.length;
        ok &&= chunk.every((b) => b === 0xf0);
      },
    });
    assert.equal(result, null);
    assert.equal(total, big.length);
    assert.ok(ok);
    assert.deepEqual(await remote.sendRequest(2, new Uint8Array([1])), new Uint8Array([0xfe]));
    remote.invalidate();
    await port.invalidate();
  });
});

Deno.test("a source that fails mid-stream fails that request only", async () => {
  await withDir(async (dir) => {
    const port = await createStreamingLocalPort("src", async (_msgid, data) => {
      let n = 0;
      for await (const chunk of data) n += chunk.length;
      return String(n);
    }, dir);
    const remote = await connectPort("src", dir);
    async function* failing() {
      yield new Uint8Array(3 * 1024 * 1024);
      throw new Error("disk on fire");
    }
    await assert.rejects(remote.sendRequest(1, failing()), /disk on fire/);
    assert.equal(untext.decode((await remote.sendRequest(2, "four"))!), "4");
    remote.invalidate();
    await port.invalidate();
  });
});

Deno.test("message ids are 32-bit integers", async () => {
  await withDir(async (dir) => {
    const port = await createLocalPort("ids", (msgid) => String(msgid), dir);
    const remote = await connectPort("ids", dir);
    assert.equal(untext.decode((await remote.sendRequest(-2147483648))!), "-2147483648");
    assert.equal(untext.decode((await remote.sendRequest(2147483647))!), "2147483647");
    await assert.rejects(remote.sendRequest(2 ** 31), RangeError);
    await assert.rejects(remote.sendRequest(1.5), RangeError);
    remote.invalidate();
    await port.invalidate();
  });
});

Deno.test("garbage from a peer that is not a port is a transport error (status -4)", async () => {
  await withDir(async (dir) => {
    const paths = await portPaths("fake", dir);
    await Deno.mkdir(paths.dir, { recursive: true });
    const listener = Deno.listen({ transport: "unix", path: paths.socket });
    const serving = (async () => {
      const conn = await listener.accept();
      await conn.write(text.encode("\x00\x00\x00\x05HTTP/"));
      await conn.read(new Uint8Array(1024));
      conn.close();
    })();
    const remote = await connectPort("fake", dir);
    await assert.rejects(remote.sendRequest(1, "x"), (error: unknown) => {
      assert.ok(error instanceof PortError);
      assert.equal(error.status, PORT_STATUS.transportError);
      assert.match(error.message, /transport error, status -4/);
      return true;
    });
    await serving;
    listener.close();
  });
});

Deno.test("chunksOf() cuts bytes and streams into chunks of the given size", async () => {
  const sizes = async (source: Parameters<typeof chunksOf>[0], n: number) => {
    const out: number[] = [];
    for await (const chunk of chunksOf(source, n)) out.push(chunk.length);
    return out;
  };
  assert.deepEqual(await sizes(new Uint8Array(10), 4), [4, 4, 2]);
  assert.deepEqual(await sizes(new Uint8Array(0), 4), []);
  const pieces = [new Uint8Array(3), new Uint8Array(9), new Uint8Array(1)];
  assert.deepEqual(await sizes(ReadableStream.from(pieces), 4), [4, 4, 4, 1]);
  assert.deepEqual(await sizes([new Uint8Array(8)], 4), [4, 4]);
  await assert.rejects(sizes(new Uint8Array(1), 0), RangeError);
});

Deno.test("ChunkQueue holds the producer back until the reader catches up, and drops after cancel", async () => {
  const queue = new ChunkQueue({ highWaterMark: 2 });
  let pushed = 0;
  const producer = (async () => {
    for (let i = 0; i < 6; i++) {
      await queue.push(new Uint8Array([i]));
      pushed++;
    }
    queue.close();
  })();
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(pushed < 6, `the producer ran ahead: ${pushed}`);
  const all = new Uint8Array(await new Response(queue.readable).arrayBuffer());
  await producer;
  assert.deepEqual(all, new Uint8Array([0, 1, 2, 3, 4, 5]));

  const dropped = new ChunkQueue();
  await dropped.readable.cancel();
  assert.equal(dropped.discarding, true);
  await dropped.push(new Uint8Array(10)); // resolves at once
  const failing = new ChunkQueue();
  failing.error(new Error("gone"));
  await assert.rejects(new Response(failing.readable).arrayBuffer(), /gone/);
});

Deno.test("a reply stream that fails midway is a PortHandlerError; the connection keeps working", async () => {
  await withDir(async (dir) => {
    const port = await createLocalPort("halfway", (msgid) => {
      if (msgid !== 1) return "fine";
      return (async function* () {
        yield new Uint8Array(3 * 1024 * 1024);
        throw new Error("the disk went away");
      })();
    }, dir);
    const remote = await connectPort("halfway", dir);
    await assert.rejects(remote.sendRequest(1), (error: unknown) => {
      assert.ok(error instanceof PortHandlerError);
      assert.match(error.message, /handler failed, status -4\): the disk went away$/);
      return true;
    });
    assert.equal(untext.decode((await remote.sendRequest(2))!), "fine");
    remote.invalidate();
    await port.invalidate();
  });
});

Deno.test("by default a port reuses a large request's memory once its reply is sent", async () => {
  await withDir(async (dir) => {
    const buffers: ArrayBufferLike[] = [];
    const kept: Uint8Array[] = [];
    const port = await createLocalPort("recycling", (msgid, data) => {
      buffers.push(data.buffer);
      kept.push(data.slice()); // what a callback that keeps the bytes does
      assert.ok(data.every((b) => b === (msgid & 0xff)), `request ${msgid} arrived intact`);
      return data;
    }, dir);
    const remote = await connectPort("recycling", dir);
    const replies: Uint8Array[] = [];
    for (let i = 1; i <= 4; i++) {
      const size = i % 2 ? 1 << 20 : 900_000;
      const reply = await remote.sendRequest(i, new Uint8Array(size).fill(i));
      assert.equal(reply!.length, size);
      assert.ok(reply!.every((b) => b === i), `reply ${i} is intact`);
      replies.push(reply!);
    }
    assert.equal(buffers[1], buffers[0], "the second request reused the first one's memory");
    assert.equal(buffers[3], buffers[0]);
    // The copies the callback made, and the replies the sender got, are theirs to keep.
    kept.forEach((copy, i) => assert.ok(copy.every((b) => b === i + 1), `copy ${i + 1} kept`));
    replies.forEach((reply, i) =>
      assert.ok(reply.every((b) => b === i + 1), `reply ${i + 1} kept`)
    );
    assert.notEqual(replies[0].buffer, replies[2].buffer);
    remote.invalidate();
    await port.invalidate();
  });
});

Deno.test("recycleRequests: false gives every request fresh memory the callback may keep", async () => {
  await withDir(async (dir) => {
    const kept: Uint8Array[] = [];
    const port = await createLocalPort("fresh", (_msgid, data) => {
      kept.push(data); // kept as it is, without a copy
      return String(data.length);
    }, { ...dir, recycleRequests: false });
    const remote = await connectPort("fresh", dir);
    for (let i = 1; i <= 4; i++) {
      const size = i % 2 ? 1 << 20 : 900_000;
      const reply = await remote.sendRequest(i, new Uint8Array(size).fill(i));
      assert.equal(untext.decode(reply!), String(size));
    }
    assert.equal(untext.decode((await remote.sendRequest(5, "small"))!), "5");
    assert.equal(new Set(kept.map((data) => data.buffer)).size, 5, "arrays of their own");
    assert.equal(kept[4].buffer.byteLength, 5, "a small request's too");
    kept.slice(0, 4).forEach((data, i) =>
      assert.ok(data.every((b) => b === i + 1), `request ${i + 1} kept`)
    );
    assert.equal(untext.decode(kept[4]), "small");
    remote.invalidate();
    await port.invalidate();
  });
});

Deno.test("sendOnce() sends one request on a connection of its own: bytes, text, streams, one-way", async () => {
  await withDir(async (dir) => {
    const oneway = deferred<string>();
    const port = await createLocalPort("once", (msgid, data, info) => {
      if (info.oneway) oneway.resolve(`${msgid}:${untext.decode(data)}`);
      return msgid === 3 ? `${data.length}` : new Uint8Array([msgid, ...data]);
    }, { ...dir, concurrency: 2 });
    assert.deepEqual(
      await sendOnce("once", 7, new Uint8Array([1, 2]), dir),
      new Uint8Array([7, 1, 2]),
    );
    assert.deepEqual(await sendOnce("once", 1, "hi", dir), new Uint8Array([1, 104, 105]));
    assert.deepEqual(await sendOnce("once", 2, undefined, dir), new Uint8Array([2]));
    // A small stream goes out as one frame, a large one (over a chunk) in chunks.
    const small = ReadableStream.from([text.encode("ab"), text.encode("c")]);
    assert.equal(untext.decode((await sendOnce("once", 3, small, dir))!), "3");
    async function* large() {
      for (let i = 0; i < 5; i++) yield new Uint8Array(700 * 1024).fill(i);
    }
    assert.equal(untext.decode((await sendOnce("once", 3, large(), dir))!), `${3500 * 1024}`);
    assert.equal(await sendOnce("once", 9, "fire", { ...dir, oneway: true }), null);
    assert.equal(await oneway.promise, "9:fire");
    await assert.rejects(sendOnce("once", 2 ** 31, "x", dir), RangeError);
    await port.invalidate();
  });
});

Deno.test("sendOnce() streams a large reply to onReplyChunk and collects it without", async () => {
  await withDir(async (dir) => {
    const size = 20 * 1024 * 1024 + 5; // over the frame limit: the reply comes in chunks
    const port = await createLocalPort("big", (msgid) => {
      if (msgid === 1) return new Uint8Array(size).fill(7);
      return ReadableStream.from([new Uint8Array(3).fill(1), new Uint8Array(2).fill(2)]);
    }, dir);
    let got = 0, chunks = 0, wrong = 0;
    const reply = await sendOnce("big", 1, "", {
      ...dir,
      onReplyChunk(chunk) {
        got += chunk.length;
        chunks++;
        if (chunk[0] !== 7 || chunk[chunk.length - 1] !== 7) wrong++;
      },
    });
    assert.equal(reply, null);
    assert.equal(got, size);
    assert.ok(chunks > 1, "the reply came in chunks");
    assert.equal(wrong, 0);
    assert.deepEqual(await sendOnce("big", 2, "", dir), new Uint8Array([1, 1, 1, 2, 2]));
    await port.invalidate();
  });
});

Deno.test("sendOnce() fails as sendRequest() does: missing port, handler, timeouts, source, garbage", async () => {
  await withDir(async (dir) => {
    await assert.rejects(sendOnce("nobody", 1, "x", dir), (error: unknown) => {
      assert.ok(error instanceof NotFoundError);
      assert.match(error.message, /ipckit serve nobody/);
      return true;
    });
    const release = deferred();
    const port = await createStreamingLocalPort("fussy", async (msgid, data) => {
      if (msgid === 1) throw new Error("no such record");
      if (msgid === 2 || msgid === 3) await release.promise; // slow; 3 does not read
      let n = 0;
      for await (const chunk of data) n += chunk.length;
      return String(n);
    }, { ...dir, concurrency: 4 });
    await assert.rejects(sendOnce("fussy", 1, "x", dir), (error: unknown) => {
      assert.ok(error instanceof PortHandlerError);
      assert.match(error.message, /handler failed, status -4\): no such record/);
      return true;
    });
    await assert.rejects(sendOnce("fussy", 2, "x", { ...dir, receiveTimeout: 0.1 }), (error) => {
      assert.ok(error instanceof PortTimeoutError);
      assert.equal(error.status, PORT_STATUS.receiveTimeout);
      return true;
    });
    const big = new Uint8Array(64 * 1024 * 1024);
    await assert.rejects(sendOnce("fussy", 3, big, { ...dir, sendTimeout: 0.3 }), (error) => {
      assert.ok(error instanceof PortTimeoutError);
      assert.equal(error.status, PORT_STATUS.sendTimeout);
      assert.match(error.message, /send timeout, status -1/);
      return true;
    });
    async function* failing() {
      yield new Uint8Array(3 * 1024 * 1024);
      throw new Error("disk on fire");
    }
    await assert.rejects(sendOnce("fussy", 4, failing(), dir), /disk on fire/);
    release.resolve();
    assert.equal(untext.decode((await sendOnce("fussy", 5, "four", dir))!), "4");
    await port.invalidate();

    const paths = await portPaths("fake", dir);
    const listener = Deno.listen({ transport: "unix", path: paths.socket });
    const serving = (async () => {
      const conn = await listener.accept();
      await conn.write(text.encode("\x00\x00\x00\x05HTTP/"));
      await conn.read(new Uint8Array(1024));
      conn.close();
    })();
    await assert.rejects(sendOnce("fake", 1, "x", dir), (error: unknown) => {
      assert.ok(error instanceof PortError);
      assert.equal(error.status, PORT_STATUS.transportError);
      assert.match(error.message, /broke the protocol \(transport error, status -4\)/);
      return true;
    });
    await serving;
    listener.close();
  });
});

Deno.test("sendOnce() fails with 'became invalid' (status -5) when the server goes away mid-request", async () => {
  await withDir(async (dir) => {
    const started = deferred();
    const port = await createLocalPort("leaving", async () => {
      started.resolve();
      await new Promise(() => {}); // never answers
    }, dir);
    const failed = assert.rejects(sendOnce("leaving", 1, "x", dir), (error: unknown) => {
      assert.ok(error instanceof PortError);
      assert.equal(error.status, PORT_STATUS.becameInvalid);
      assert.match(error.message, /became invalid \(status -5\)/);
      return true;
    });
    await started.promise;
    await port.invalidate();
    await failed;
  });
});

Deno.test("streams that announce 1 GiB each cost what arrives, not what they announce", async () => {
  await withDir(async (dir) => {
    const port = await createLocalPort("com.example.claims", (msgid) => `answer ${msgid}`, dir);
    const paths = await portPaths("com.example.claims", dir);
    const conn = await Deno.connect({ transport: "unix", path: paths.socket });
    const before = Deno.memoryUsage().external;
    // 100 streamed requests, each announcing 1 GiB and sending 1 KiB; then one request whose
    // answer comes once all of them were read.
    const frames = [helloFrame("com.example.claims")];
    for (let id = 1; id <= 100; id++) {
      frames.push(dataFrame(K_CHUNK, id, 1, 1024 ** 3, new Uint8Array(1024)).slice());
    }
    frames.push(dataFrame(K_REQUEST, 101, 7, 1, new Uint8Array(1)).slice());
    const out = concatBytes(frames);
    for (let at = 0; at < out.length;) at += await conn.write(out.subarray(at));
    let got = "";
    const buffer = new Uint8Array(65536);
    while (!got.includes("answer 7")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      got += untext.decode(buffer.subarray(0, n));
    }
    assert.match(got, /answer 7/);
    const grown = Deno.memoryUsage().external - before;
    assert.ok(grown < 16 * 1024 * 1024, `the port reserved ${grown} bytes for 100 KiB received`);
    conn.close();
    await port.invalidate();
  });
});
