import assert from "node:assert/strict";
import {
  type CallOptions,
  isRemote,
  makeRemoteFunction,
  makeRemoteObject,
  type RemoteHandle,
  withOptions,
} from "./remote_object.ts";

/** A handle that records the calls instead of sending them. */
function recorder(): RemoteHandle & { calls: [string, unknown[], boolean, CallOptions][] } {
  const calls: [string, unknown[], boolean, CallOptions][] = [];
  return {
    calls,
    label: '"test"',
    isValid: true,
    call(method, args, oneway, options) {
      calls.push([method, args, oneway, options]);
      return Promise.resolve(method);
    },
    release() {},
  };
}

Deno.test("a proxy is never a thenable, and answers symbols and inspection locally", async () => {
  const handle = recorder();
  const proxy = makeRemoteObject(handle, { methods: ["add", "then"], oneway: [] }) as Record<
    string,
    unknown
  >;
  assert.equal(proxy.then, undefined);
  assert.equal(await Promise.resolve(proxy), proxy);
  assert.equal(Object.prototype.toString.call(proxy), "[object RemoteObject]");
  assert.match(Deno.inspect(proxy), /remote "test"/);
  assert.match(String(proxy), /remote "test"/);
  assert.equal(proxy.missing, undefined);
  assert.deepEqual(handle.calls, []); // nothing above was sent
  assert.ok(isRemote(proxy));
  assert.ok(!isRemote({}));
});

Deno.test("a proxy's methods send calls, one-way ones as such; its properties cannot be set", async () => {
  const handle = recorder();
  const proxy = makeRemoteObject(handle, { methods: ["add", "log"], oneway: ["log"] }) as Record<
    string,
    (...args: unknown[]) => Promise<unknown>
  >;
  assert.equal(proxy.add, proxy.add); // the same function each time
  assert.equal(await proxy.add(1, 2), "add");
  await proxy.log("x");
  assert.deepEqual(handle.calls.map(([m, a, o]) => [m, a, o]), [["add", [1, 2], false], [
    "log",
    ["x"],
    true,
  ]]);
  assert.ok("add" in proxy);
  assert.ok(!("other" in proxy));
  assert.throws(() => {
    (proxy as Record<string, unknown>).add = 1;
  }, TypeError);
});

Deno.test("withOptions() makes the same remote with other call options", async () => {
  const handle = recorder();
  const proxy = makeRemoteObject(handle, { methods: ["f"], oneway: [] }) as {
    f(): Promise<unknown>;
  };
  await withOptions(proxy, { timeout: 5 }).f();
  const fn = makeRemoteFunction(handle, true);
  await withOptions(fn, { timeout: 7 })();
  assert.deepEqual(handle.calls.map(([m, , o, options]) => [m, o, options.timeout]), [
    ["f", false, 5],
    ["", true, 7],
  ]);
});
