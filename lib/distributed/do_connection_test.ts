import assert from "node:assert/strict";
import {
  ConnectionInvalidError,
  NameTakenError,
  NotFoundError,
  PortHandlerError,
  ProtocolError,
} from "../errors.ts";
import { connectPort, createLocalPort, listPorts, type RemotePort } from "../ports/mod.ts";
import { decodeValue, encodeValue } from "../wire/msgpack.ts";
import { isDictionary, type Value } from "../wire/value.ts";
import { toJson } from "../wire/json.ts";
import { withRuntimeDir } from "../../tests/_helpers.ts";
import { type ByRef, byRef, connect, connectionFor, release, vend, type Vendor } from "./mod.ts";
import { MAX_RUNNING, MAX_STREAMS, OP } from "./protocol.ts";

class Counter {
  n = 0;
  increment(): number {
    return ++this.n;
  }
}

class Target {
  add(a: number, b: number): number {
    return a + b;
  }
  counter(): ByRef<Counter> {
    return byRef(new Counter());
  }
  secret(): string {
    return "secret";
  }
}

/** A vendor, and a raw port connection to it that sends what a hostile peer would. */
async function withRawPeer(
  body: (vendor: Vendor, raw: RemotePort, runtimeDir: string) => Promise<void>,
): Promise<void> {
  await withRuntimeDir(async (runtimeDir) => {
    const errors: string[] = [];
    const vendor = await vend("com.example.do.target", new Target(), {
      runtimeDir,
      methods: ["add", "counter"],
      onError: (error) => errors.push(String(error)),
    });
    const raw = await connectPort("com.example.do.target", { runtimeDir });
    try {
      await body(vendor, raw, runtimeDir);
    } finally {
      raw.invalidate();
      await vendor.close();
    }
  });
}

/** Sends a raw request; returns its answer, decoded (a port sender sees its bytes only). */
async function rawCall(raw: RemotePort, op: number, body: Uint8Array): Promise<Value> {
  const reply = await raw.sendRequest(op, body, { receiveTimeout: 10 });
  return decodeValue(reply!);
}

/** The code of a refusal (`{name, message, stack, code}`). */
function codeOf(answer: Value): unknown {
  assert.ok(
    isDictionary(answer) && typeof answer.code === "string",
    `not a refusal: ${toJson(answer)}`,
  );
  return answer.code;
}

/** The code of the refusal that `message`, sent raw as operation `op`, gets. */
async function refusalCode(raw: RemotePort, op: number, message: Value): Promise<unknown> {
  return codeOf(await rawCall(raw, op, encodeValue(message)));
}

Deno.test("vend() takes a port name: listed by listPorts, refused to a second vendor", async () => {
  await withRuntimeDir(async (runtimeDir) => {
    const vendor = await vend("com.example.do.one", new Target(), { runtimeDir });
    assert.deepEqual((await listPorts({ runtimeDir })).map((p) => p.name), ["com.example.do.one"]);
    await assert.rejects(vend("com.example.do.one", {}, { runtimeDir }), NameTakenError);
    await vendor.close();
    assert.deepEqual(await listPorts({ runtimeDir }), []);
    await assert.rejects(connect("com.example.do.one", { runtimeDir }), NotFoundError);
  });
});

Deno.test("connect() to a plain message port says it vends no object", async () => {
  await withRuntimeDir(async (runtimeDir) => {
    const port = await createLocalPort("com.example.do.plain", (_msgid, data) => data, {
      runtimeDir,
    });
    await assert.rejects(
      connect("com.example.do.plain", { runtimeDir }),
      (error) => error instanceof ProtocolError && /vends no object/.test(error.message),
    );
    await port.invalidate();
  });
});

Deno.test("a hostile peer's malformed bodies, unknown methods and wrong ids are error replies", async () => {
  await withRawPeer(async (vendor, raw) => {
    const garbage = new Uint8Array([0xc1, 0xff, 0x00]);
    assert.equal(codeOf(await rawCall(raw, OP.call, garbage)), "bad-request");
    assert.equal(await refusalCode(raw, OP.call, "add"), "bad-request");
    assert.equal(await refusalCode(raw, OP.call, [0, "add"]), "bad-request");
    assert.equal(
      await refusalCode(raw, OP.call, [0, "secret", []]),
      "unknown-method",
    );
    assert.equal(
      await refusalCode(raw, OP.call, [0, "__proto__", []]),
      "unknown-method",
    );
    assert.equal(
      await refusalCode(raw, OP.call, [7, "increment", []]),
      "unknown-reference",
    );
    assert.equal(
      await refusalCode(raw, OP.call, [-1, "add", []]),
      "bad-request",
    );
    // A reference in a place that is not null, and one to an object never handed out.
    assert.equal(
      await refusalCode(raw, OP.call, [0, "add", [1, 2], [[[0], [1, 5]]]]),
      "bad-request",
    );
    assert.equal(
      await refusalCode(raw, OP.call, [0, "add", [null, 2], [[[0], [1, 5]]]]),
      "unknown-reference",
    );
    assert.equal(
      await refusalCode(
        raw,
        OP.call,
        [0, "add", [null, 2], [[[0], [2, 5, 0, [], [], "com.example.do.target"]]]],
      ),
      "unknown-reference",
    );
    assert.equal(
      await refusalCode(raw, OP.call, [0, "add", [{}, 2], [[["__proto__"], [0, 1, 0, [], []]]]]),
      "bad-request",
    );
    assert.equal(
      await refusalCode(
        raw,
        OP.call,
        [0, "add", [null], [[[], [0, 1, 0, [], []]], [[0], [0, 2, 0, [], []]]]],
      ),
      "bad-request",
    );
    // A huge argument list.
    const many = Array.from({ length: 100_000 }, () => null);
    assert.equal(await refusalCode(raw, OP.call, [0, "add", many]), "bad-request");
    assert.equal(await refusalCode(raw, OP.retain, [12345]), "unknown-reference");
    // Not a Distributed Objects request at all: a plain port error, as `ipckit send` shows it.
    await assert.rejects(
      raw.sendRequest(0, "hello", { receiveTimeout: 10 }),
      (error) =>
        error instanceof PortHandlerError && /vends a Distributed Object/.test(error.message),
    );
    // One-way garbage is reported, never thrown; the vendor goes on and holds nothing.
    await raw.sendRequest(OP.release, garbage, { oneway: true });
    await raw.sendRequest(OP.credit, encodeValue([1, 1e9]), { oneway: true });
    await raw.sendRequest(99, encodeValue(null), { oneway: true });
    assert.equal(await rawCall(raw, OP.call, encodeValue([0, "add", [2, 3]])), 5);
    assert.equal(vendor.references, 0);
    assert.equal(vendor.isValid, true);
  });
});

Deno.test("a reference handed to one connection cannot be called from another", async () => {
  await withRawPeer(async (vendor, raw, runtimeDir) => {
    const target = await connect<Target>("com.example.do.target", { runtimeDir });
    const counter = await target.counter();
    assert.equal(await counter.increment(), 1);
    assert.equal(vendor.references, 1);
    // The raw peer guesses the id: refused.
    assert.equal(
      await refusalCode(raw, OP.call, [1, "increment", []]),
      "unknown-reference",
    );
    // Nor can it take the guessed id as a third process takes a reference handed on to it:
    // that takes the secret which comes with the reference.
    for (const retain of [[1], [1, ""], [1, "00000000-0000-4000-8000-000000000000"]]) {
      assert.equal(
        await refusalCode(raw, OP.retain, retain),
        "unknown-reference",
        JSON.stringify(retain),
      );
      assert.equal(
        await refusalCode(raw, OP.call, [1, "increment", []]),
        "unknown-reference",
      );
    }
    assert.equal(await counter.increment(), 2);
    // Released, it is gone, and calls through it fail here.
    release(counter);
    await connectionFor(target).table(); // behind the release
    assert.equal(vendor.references, 0);
    await assert.rejects(counter.increment(), ConnectionInvalidError);
    release(target);
  });
});

Deno.test("closing the vendor rejects pending calls with ConnectionInvalidError", async () => {
  await withRuntimeDir(async (runtimeDir) => {
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => entered = resolve);
    const vendor = await vend("com.example.do.hang", {
      hang: () => {
        entered();
        return new Promise(() => {});
      },
    }, { runtimeDir });
    let invalidated = 0;
    const remote = await connect<{ hang(): void }>("com.example.do.hang", {
      runtimeDir,
      onInvalidate: () => invalidated++,
    });
    const call = assert.rejects(remote.hang(), (error) => {
      assert.ok(error instanceof ConnectionInvalidError);
      assert.match(error.message, /the vendor stopped vending "com\.example\.do\.hang"/);
      return true;
    });
    await inside;
    await vendor.close();
    await call;
    assert.equal(invalidated, 1);
    await assert.rejects(remote.hang(), ConnectionInvalidError);
  });
});

Deno.test("a peer that sends calls faster than they end is read no further past MAX_RUNNING", async () => {
  await withRuntimeDir(async (runtimeDir) => {
    const waiting: (() => void)[] = [];
    let started = 0, finished = 0, most = 0;
    const vendor = await vend("com.example.do.flood", {
      wait(): Promise<void> {
        started++;
        most = Math.max(most, started - finished);
        return new Promise((resolve) =>
          waiting.push(() => {
            finished++;
            resolve();
          })
        );
      },
    }, { runtimeDir });
    const raw = await connectPort("com.example.do.flood", { runtimeDir });
    const total = MAX_RUNNING + 500;
    const body = encodeValue([0, "wait", []]);
    const replies = Array.from({ length: total }, () => raw.sendRequest(OP.call, body));
    const tick = () => new Promise((resolve) => setTimeout(resolve, 1));
    for (let i = 0; waiting.length < MAX_RUNNING; i++) {
      assert.ok(i < 20_000, `only ${waiting.length} calls started`);
      await tick();
    }
    for (let i = 0; finished < total; i++) {
      assert.ok(i < 20_000, `only ${finished} calls finished`);
      for (const finish of waiting.splice(0)) finish();
      await tick();
    }
    await Promise.all(replies);
    assert.equal(most, MAX_RUNNING);
    raw.invalidate();
    await vendor.close();
  });
});

Deno.test("a peer that opens streams and never reads them gets an error past MAX_STREAMS", async () => {
  await withRuntimeDir(async (runtimeDir) => {
    let open = 0;
    let stop = () => {};
    const stopped = new Promise<void>((resolve) => stop = resolve);
    const vendor = await vend("com.example.do.streams", {
      async *idle(): AsyncGenerator<number> {
        open++;
        try {
          await stopped; // no item until the end: the streams stay open
          yield 0;
        } finally {
          open--;
        }
      },
    }, { runtimeDir });
    const raw = await connectPort("com.example.do.streams", { runtimeDir });
    const body = encodeValue([0, "idle", []]);
    const replies = await Promise.all(
      Array.from({ length: MAX_STREAMS + 2 }, () => rawCall(raw, OP.call, body)),
    );
    // Each of the first MAX_STREAMS is a stream ([id]); the others are errors, and their
    // iterables are closed.
    assert.equal(replies.filter((r) => Array.isArray(r)).length, MAX_STREAMS);
    const refused = replies.filter((r) => !Array.isArray(r));
    assert.equal(refused.length, 2);
    for (const answer of refused) {
      assert.ok(isDictionary(answer) && answer.name === "RangeError", toJson(answer));
      assert.match(String(answer.message), /1024 streams of this connection are open/);
    }
    assert.equal(open, MAX_STREAMS);
    stop();
    raw.invalidate();
    await vendor.close();
  });
});

Deno.test("connect() refuses a socket that leads to another vendor (a link planted in ports/)", async () => {
  await withRuntimeDir(async (runtimeDir) => {
    const vendor = await vend("com.example.do.real", new Target(), { runtimeDir });
    const ports = `${runtimeDir}/ports`;
    await Deno.writeTextFile(
      `${ports}/com.example.do.asked.json`,
      JSON.stringify({ name: "com.example.do.asked", pid: Deno.pid, since: Date.now() }),
    );
    // A symbolic link is refused before it is followed.
    await Deno.symlink(`${ports}/com.example.do.real.sock`, `${ports}/com.example.do.asked.sock`);
    await assert.rejects(
      connect<Target>("com.example.do.asked", { runtimeDir }),
      /refusing the port "com.example.do.asked": .* is a symbolic link/,
    );
    // A hard link reaches the other vendor's socket: its hello names it, and that is refused.
    await Deno.remove(`${ports}/com.example.do.asked.sock`);
    await Deno.link(`${ports}/com.example.do.real.sock`, `${ports}/com.example.do.asked.sock`);
    await assert.rejects(
      connect<Target>("com.example.do.asked", { runtimeDir }),
      /the socket of "com.example.do.asked" is answered by the vendor of "com.example.do.real"/,
    );
    await Deno.remove(`${ports}/com.example.do.asked.sock`);
    // The real name still works.
    const target = await connect<Target>("com.example.do.real", { runtimeDir });
    assert.equal(await target.add(1, 2), 3);
    release(target);
    await vendor.close();
  });
});
