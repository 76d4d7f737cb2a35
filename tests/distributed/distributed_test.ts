/**
 * Distributed Objects across processes: a vendor and its callers, each its own process.
 *
 * @module
 */

import assert from "node:assert/strict";
import { listPorts } from "../../lib/ports/mod.ts";
import { runCaller, startCaller, STORE, withVendor } from "./_peers.ts";

Deno.test("a vended object is a port, and its methods run in the vendor's process", async () => {
  await withVendor(async (dir, started, vendor) => {
    const ports = await listPorts({ runtimeDir: dir });
    assert.deepEqual(ports.map((p) => [p.name, p.pid]), [[STORE, vendor.child.pid]]);
    const caller = started(
      await startCaller(
        dir,
        "caller",
        `assert.equal(await store.add(2, 3), 5);
assert.equal(typeof store.then, "undefined");
assert.equal(await Promise.resolve(store), store); // never a thenable
say("done");`,
      ),
    );
    await caller.expect("done");
    await caller.end();
  });
});

Deno.test("calls carry every value type both ways, by copy", async () => {
  await withVendor(async (dir, started) => {
    await runCaller(
      dir,
      started,
      `import { sampleValues } from "LIBwire/_test_values.ts";
import { valueEquals } from "LIBwire/value.ts";
const samples = sampleValues();
const back = await store.echo(samples);
for (const key of Object.keys(samples)) assert.ok(valueEquals(samples[key], back[key]), key);
const fromVendor = await store.samples();
for (const key of Object.keys(samples)) {
  // (Each side's sample holds a random UUID of its own, last in the mixed array.)
  const [mine, theirs] = key === "mixed array"
    ? [samples[key].slice(0, -1), fromVendor[key].slice(0, -1)]
    : [samples[key], fromVendor[key]];
  assert.ok(valueEquals(mine, theirs), key);
}
assert.ok(fromVendor["mixed array"].at(-1) instanceof ipckit.Uuid);
// The vendor sends every value to a callback here and compares what comes back.
assert.deepEqual(await store.everyValueThrough((value) => value), []);
// A copy: changing what came back changes nothing there.
const list = await store.echo([1, 2]);
list.push(3);
assert.deepEqual(await store.echo([1, 2]), [1, 2]);
say("done");`,
    );
  });
});

Deno.test("a value the wire cannot carry is a TypeError at the caller naming where it is", async () => {
  await withVendor(async (dir, started) => {
    await runCaller(
      dir,
      started,
      `await assert.rejects(store.echo({ a: [1, new Map()] }), (error) => {
  assert.ok(error instanceof TypeError);
  assert.match(error.message, /echo\\(\\): argument 0\\.a\\[1\\]: a Map is not a wire value/);
  return true;
});
class Point { x = 1; }
await assert.rejects(store.add(1, new Point()), /argument 1: a Point is not a wire value.*byRef/);
await assert.rejects(store.echo(Symbol("s")), /argument 0: a symbol/);
// Marked byRef, the same instance goes by reference, and comes back as itself.
const point = byRef(new Point());
assert.equal(await store.echo(point), point);
const callback = () => 1;
assert.equal(await store.echo([callback]).then((list) => list[0]), callback);
// A function that is not an argument (a result) is refused by the vendor, naming the path.
await assert.rejects(store.nonWire(), (error) => {
  assert.equal(error.name, "RemoteError");
  assert.equal(error.remoteName, "TypeError");
  assert.match(error.message, /result\\.at\\[1\\]: a Map/);
  return true;
});
say("done");`,
    );
  });
});

Deno.test("an exception in the vendor is a RemoteError with its class name, message and stack", async () => {
  await withVendor(async (dir, started) => {
    await runCaller(
      dir,
      started,
      `await assert.rejects(store.fail("boom"), (error) => {
  assert.ok(error instanceof ipckit.RemoteError);
  assert.equal(error.remoteName, "CustomError");
  assert.equal(error.message, "boom");
  assert.equal(error.code, "exception");
  assert.match(error.remoteStack, /boom\\n\\s+at Store\\.fail/);
  return true;
});
await assert.rejects(store.failLater("late"), (error) =>
  error instanceof ipckit.RemoteError && error.remoteName === "TypeError" && error.message === "late");
assert.equal(await store.add(1, 1), 2); // the connection goes on
say("done");`,
    );
  });
});

Deno.test("a method not in methods is refused, and the proxy does not offer it", async () => {
  await withVendor(async (dir, started) => {
    await runCaller(
      dir,
      started,
      `assert.equal(store.secret, undefined);
assert.equal("secret" in store, false);
await assert.rejects(invoke(store, "secret"), (error) =>
  error instanceof ipckit.RemoteError && error.code === "unknown-method" &&
  /"secret" is not a method/.test(error.message));
await assert.rejects(invoke(store, "constructor"), /unknown|not a method/);
await assert.rejects(invoke(store, "toString"), /not a method/);
assert.equal(await invoke(store, "add", 1, 2), 3);
say("done");`,
    );
  });
});

Deno.test("callbacks passed as arguments are called back in the caller's process", async () => {
  await withVendor(async (dir, started) => {
    await runCaller(
      dir,
      started,
      `const seen = [];
const result = await store.callBack(async (i) => { seen.push(i); return i * 10 + Deno.pid * 0; }, 3);
assert.deepEqual(result, [0, 10, 20]);
assert.deepEqual(seen, [0, 1, 2]);
// A function marked byRef goes as a result too, and is called there.
const add2 = await store.adder(2);
assert.equal(await add2(40), 42);
// A callback marked oneway() returns at once there, without its result.
assert.equal(await store.resultOf((x) => x * 2), 10);
assert.equal(await store.resultOf(ipckit.oneway((x) => x * 2)), null);
// A callback that throws: the vendor gets a RemoteError, and its own call fails with it.
await assert.rejects(store.callBack(() => { throw new RangeError("no"); }, 1), (error) =>
  error instanceof ipckit.RemoteError && error.remoteName === "RemoteError" && /no/.test(error.message));
say("done");`,
    );
  });
});

Deno.test("one-way calls return once written; the vendor logs what they throw", async () => {
  await withVendor(async (dir, started, vendor) => {
    const caller = started(
      await startCaller(
        dir,
        "caller",
        `assert.equal(await store.log("a"), undefined);
assert.equal(await store.quick("b"), undefined); // marked with oneway()
// Nothing is thrown at the caller.
assert.equal(await store.failOneway("from a one-way call"), undefined);
assert.deepEqual(await store.logged(), ["a", "quick b"]);
say("done");`,
      ),
    );
    await caller.expect("done");
    await vendor.expect("oneway-error from a one-way call");
    await caller.end();
  });
});

Deno.test("objects by reference are used across three processes and released: the vendor's table returns to empty", async () => {
  await withVendor(async (dir, started) => {
    // A second vendor in the third process: it takes the counter from B and calls it.
    const relay = started(
      await startCaller(
        dir,
        "relay",
        `const vendor = await ipckit.vend("com.example.do.relay", {
  async use(counter, by) { return await counter.increment(by); },
  async through(callback) { return await store.resultOf(callback); },
  hold(counter) { globalThis.held = counter; },
  async bump() { return await globalThis.held.increment(100); },
  async drop() {
    const connection = ipckit.connectionFor(globalThis.held);
    release(globalThis.held);
    globalThis.held = undefined;
    await connection.table(); // a round trip behind the release: the vendor has it
  },
}, { runtimeDir: DIR });
say("relay ready");
await next();
await vendor.close();
release(store);`,
      ),
    );
    await relay.expect("relay ready");
    const caller = started(
      await startCaller(
        dir,
        "caller",
        `const relay = await connect("com.example.do.relay", { runtimeDir: DIR });
const counter = await store.counter();
assert.equal(await counter.increment(1), 1);
assert.equal(await store.references(), 1);
// Handed to the relay, the reference calls the vendor that owns the counter.
assert.equal(await relay.use(counter, 10), 11);
// A callback of this process handed on by the relay: the vendor's calls of it come back here
// through the relay, which has no name for this process.
assert.equal(await relay.through((x) => x * 3), 15);
await relay.hold(counter);
assert.equal(await relay.bump(), 111);
assert.equal(await counter.value(), 111);
assert.equal(await store.connections(), 3); // this caller, the relay's own connection, the relay's for references
// Back to its owner, a reference is the object itself.
await store.keep(counter);
assert.equal(await store.bumpKept(1000), 1111);
await store.keep(null);
release(counter);
await assert.rejects(counter.value(), /released/);
assert.equal(await store.references(), 1); // the relay still holds it
await relay.drop();
assert.equal(await store.references(), 0);
release(relay);
say("done");`,
      ),
    );
    await caller.expect("done");
    await caller.end();
    await relay.say("stop");
    await relay.end();
  });
});

Deno.test("a reference (and a stream) is released when its proxy is garbage-collected, and when its connection ends", async () => {
  await withVendor(async (dir, started) => {
    const collector = started(
      await startCaller(
        dir,
        "collector",
        `let counter = await store.counter();
assert.equal(await counter.increment(1), 1);
assert.equal(await store.references(), 1);
counter = undefined;
let left = 1;
for (let i = 0; i < 200 && left > 0; i++) {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 10)); // finalizers run in a later task
  left = await store.references();
}
assert.equal(left, 0);
// A stream dropped unfinished is cancelled once collected.
let stream = await store.count(1_000_000);
assert.deepEqual(await stream.next(), { value: 0, done: false });
assert.equal(await store.streamsOpen(), 1);
stream = undefined;
let open = 1;
for (let i = 0; i < 200 && open > 0; i++) {
  gc();
  await new Promise((resolve) => setTimeout(resolve, 10));
  open = await store.streamsOpen();
}
assert.equal(open, 0);
// A reference held when the process ends is released with its connection.
globalThis.kept = await store.counter();
assert.equal(await store.references(), 1);
say("holding");
await next();`,
        ["--v8-flags=--expose-gc"],
      ),
    );
    await collector.expect("holding");
    await collector.kill();
    const checker = started(
      await startCaller(
        dir,
        "checker",
        `// The collector's connection has ended once the vendor counts only this one.
for (let i = 0; await store.connections() > 1; i++) {
  assert.ok(i < 1000, "the vendor still counts the killed process's connection");
  await new Promise((resolve) => setTimeout(resolve, 10));
}
say(String(await store.references()));`,
      ),
    );
    await checker.expect("0");
    await checker.end();
  });
});

Deno.test("an async iterable streams a million items with back-pressure in bounded memory", async () => {
  await withVendor(async (dir, started) => {
    const caller = started(
      await startCaller(
        dir,
        "caller",
        `let sum = 0, n = 0, most = 0;
for await (const i of await store.count(1_000_000)) {
  sum += i;
  n++;
  if (n % 100_000 === 0) {
    // The consumer pauses: the vendor's generator must not run ahead of the window.
    await new Promise((resolve) => setTimeout(resolve, 50));
    most = Math.max(most, (await store.produced()) - i);
  }
}
assert.equal(n, 1_000_000);
assert.equal(sum, 499999500000);
assert.ok(most <= 2048, \`the vendor ran \${most} items ahead\`);
// Breaking off stops the generator.
for await (const i of await store.count(1_000_000)) if (i === 10) break;
for (let i = 0; i < 500 && await store.streamsOpen() > 0; i++) {
  await new Promise((resolve) => setTimeout(resolve, 10));
}
assert.equal(await store.streamsOpen(), 0);
// Items may carry references.
for await (const { i, counter } of await store.counters(3)) {
  assert.equal(await counter.increment(i), i);
}
globalThis.unread = await store.count(1_000_000); // left unread, it does not keep this process alive
say("done " + Math.round(Deno.memoryUsage().rss / 1048576));`,
      ),
    );
    const line = await caller.line(120_000);
    assert.match(line, /^done \d+$/);
    const rss = Number(line.split(" ")[1]);
    assert.ok(rss < 400, `the caller's memory grew to ${rss} MiB`);
    await caller.end();
  });
});

Deno.test("a vendor killed with SIGKILL mid-call rejects the pending call with ConnectionInvalidError", async () => {
  await withVendor(async (dir, started, vendor) => {
    const caller = started(
      await startCaller(
        dir,
        "caller",
        `let invalidated = false;
onInvalidate(store, () => invalidated = true);
const pending = store.hang();
const outcome = pending.then(() => "resolved", (error) => error);
say("calling");
const error = await outcome;
assert.ok(error instanceof ipckit.ConnectionInvalidError, String(error));
assert.match(error.message, /invalid/);
assert.ok(invalidated);
assert.equal(isValid(store), false);
await assert.rejects(store.add(1, 2), ipckit.ConnectionInvalidError);
say("done");`,
      ),
    );
    await caller.expect("calling");
    await vendor.expect("hanging");
    await vendor.kill();
    await caller.expect("done");
    await caller.end();
  });
});

Deno.test("1,000 concurrent calls are all answered, each with its own result", async () => {
  await withVendor(async (dir, started) => {
    await runCaller(
      dir,
      started,
      `const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => store.delayed(i)));
results.forEach((result, i) => assert.equal(result, i * 2));
// A per-call timeout: TimeoutError, and the connection goes on.
await assert.rejects(withTimeout(store, 100).hang(), ipckit.TimeoutError);
assert.equal(await store.add(1, 2), 3);
say("done");`,
    );
  });
});
