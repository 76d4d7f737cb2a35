import assert from "node:assert/strict";
import { TimeoutError } from "../errors.ts";
import { type Pending, PendingCalls } from "./_calls.ts";

/** A call whose settling is recorded. */
function call(what = "echo()") {
  const settled: { value?: unknown; error?: unknown } = {};
  let done!: () => void;
  const over = new Promise<void>((resolve) => done = resolve);
  const pending: Pending = {
    resolve: (value) => (settled.value = value, done()),
    reject: (error) => (settled.error = error, done()),
    what,
    keep: undefined,
  };
  return { pending, settled, over };
}

Deno.test("PendingCalls hands a call over once: take() after its answer, then nothing", () => {
  const calls = new PendingCalls();
  const id = calls.newId();
  assert.equal(calls.newId(), id + 1);
  const { pending } = call();
  calls.add(id, pending, 0, '"com.example"', () => assert.fail("no timeout was set"));
  assert.equal(calls.size, 1);
  assert.equal(calls.take(id), pending);
  assert.equal(calls.take(id), undefined);
  assert.equal(calls.size, 0);
});

Deno.test("PendingCalls rejects a call not answered in time with a TimeoutError naming it", async () => {
  const calls = new PendingCalls();
  const { pending, settled, over } = call("slow()");
  let expired = 0;
  calls.add(calls.newId(), pending, 1, '"com.example.calc"', () => expired++);
  // The timeout keeps nothing alive (a connection refs its channel meanwhile): this does.
  const alive = setInterval(() => {}, 60_000);
  try {
    await over;
  } finally {
    clearInterval(alive);
  }
  assert.ok(settled.error instanceof TimeoutError);
  assert.equal(
    (settled.error as Error).message,
    'slow() of "com.example.calc" did not answer within 1 ms',
  );
  assert.equal(expired, 1);
  assert.equal(calls.size, 0);
});

Deno.test("PendingCalls drops only the call it was given, and rejects all the others at the end", async () => {
  const calls = new PendingCalls();
  const first = call();
  const second = call();
  calls.add(1, first.pending, 0, "the vendor", () => {});
  calls.add(2, second.pending, 0, "the vendor", () => {});
  assert.equal(calls.drop(1, second.pending), false);
  assert.equal(calls.drop(1, first.pending), true);
  assert.equal(calls.drop(1, first.pending), false);
  const error = new Error("the connection ended");
  calls.rejectAll(error);
  await second.over;
  assert.equal(second.settled.error, error);
  assert.equal(first.settled.error, undefined);
  assert.equal(calls.size, 0);
});
