import assert from "node:assert/strict";
import type { Connection } from "../transport/connection.ts";
import { RemoteError } from "../errors.ts";
import { UInt64, type Value } from "../wire/value.ts";
import type { Logger } from "../broker/log.ts";
import {
  NOTIFY_METHODS,
  postBody,
  readStateList,
  stateGetBody,
  stateOf,
  stateSetBody,
} from "./protocol.ts";
import { NotificationService } from "./service.ts";

const quiet: Logger = { info() {}, error() {}, close() {} };

/** A stand-in connection for requests that send nothing back but their answer. */
const connection = {
  notify: () => Promise.resolve(),
  sendEncoded: () => Promise.resolve(),
  isClosed: false,
} as unknown as Connection;

Deno.test("the notify service takes what protocol.ts's builders write, and answers what its readers read", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-notify-protocol-" });
  try {
    const service = new NotificationService({ runtimeDir: dir, log: quiet });
    const call = (method: string, body: Value) => service.handle(method, body, connection);
    assert.equal(call(NOTIFY_METHODS.stateSet, stateSetBody("a.b", 2n ** 64n - 1n)), null);
    assert.equal(stateOf(await call(NOTIFY_METHODS.stateGet, stateGetBody("a.b"))), 2n ** 64n - 1n);
    assert.equal(call(NOTIFY_METHODS.post, postBody("c.d", { state: 5 })), 0);
    assert.deepEqual(readStateList(await call(NOTIFY_METHODS.stateList, null)), [
      { name: "a.b", state: 2n ** 64n - 1n },
      { name: "c.d", state: 5n },
    ]);
    // Every request the protocol names is one the service answers (none is an unknown method).
    for (const method of Object.values(NOTIFY_METHODS)) {
      if (method === NOTIFY_METHODS.routesApplied) continue; // an event, not a request
      try {
        await call(method, { i: 1, n: "e.f", o: null, u: null, p: 1, v: new UInt64(0n) });
      } catch (error) {
        assert.ok(error instanceof RemoteError);
        assert.notEqual(error.code, "unknown-method", method);
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("stateSetBody() and stateGetBody() refuse a bad name or value before anything is sent", () => {
  assert.throws(() => stateSetBody("a.b", -1), RangeError);
  assert.throws(() => stateSetBody("a.b", 2n ** 64n), RangeError);
  assert.throws(() => stateSetBody("", 1), TypeError);
  assert.throws(() => stateGetBody("x".repeat(1025)), TypeError);
  assert.deepEqual(stateSetBody("a.b", 7), { n: "a.b", v: new UInt64(7n) });
});
