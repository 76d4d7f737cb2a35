import assert from "node:assert/strict";
import { STREAM_WINDOW } from "./protocol.ts";
import { InStream, OutStream, type StreamSender } from "./streams.ts";

/** A sender that records what would go out. */
function recorder() {
  const sent = {
    items: [] as unknown[],
    ends: [] as unknown[],
    credits: [] as number[],
    cancels: 0,
    /** What `drained()` answers: a promise while the connection's items wait to be written. */
    backlog: undefined as Promise<void> | undefined,
  };
  const sender: StreamSender = {
    sendItem: (_stream, item) => void sent.items.push(item),
    drained: () => sent.backlog,
    sendEnd: (_stream, error) => void sent.ends.push(error ?? "end"),
    sendCredit: (_stream, items) => void sent.credits.push(items),
    sendCancel: () => void sent.cancels++,
    readerWaits: () => {},
  };
  return { sent, sender };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await Promise.resolve();
}

Deno.test("an OutStream takes no item from its iterable while its connection's items wait to be written", async () => {
  const { sent, sender } = recorder();
  let pulled = 0;
  let release = () => {};
  async function* endless() {
    for (;;) {
      pulled++;
      // The peer stops reading after 10 items: what was sent waits to be written.
      if (pulled === 10) sent.backlog = new Promise<void>((resolve) => release = resolve);
      yield pulled;
    }
  }
  const stream = new OutStream(1, endless(), sender, () => {});
  while (sent.items.length < 10) await settle();
  await settle();
  assert.equal(pulled, 10);
  assert.equal(sent.items.length, 10);
  // Written: it goes on.
  sent.backlog = undefined;
  release();
  while (sent.items.length < 20) await settle();
  stream.cancel();
});

Deno.test("an OutStream sends no more than its window until it gets credit", async () => {
  const { sent, sender } = recorder();
  let pulled = 0;
  async function* endless() {
    for (;;) {
      pulled++;
      yield pulled;
    }
  }
  let finished = false;
  const stream = new OutStream(1, endless(), sender, () => finished = true);
  while (sent.items.length < STREAM_WINDOW) await settle();
  await settle();
  assert.equal(sent.items.length, STREAM_WINDOW);
  stream.credit(10);
  while (sent.items.length < STREAM_WINDOW + 10) await settle();
  await settle();
  assert.equal(sent.items.length, STREAM_WINDOW + 10);
  stream.credit(1e9); // never more than a window at once
  while (sent.items.length < 2 * STREAM_WINDOW + 10) await settle();
  await settle();
  assert.equal(sent.items.length, 2 * STREAM_WINDOW + 10);
  stream.cancel();
  await settle();
  assert.ok(finished);
  assert.deepEqual(sent.ends, []);
});

Deno.test("an OutStream ends with its iterable's end or failure", async () => {
  const ended = recorder(), failed = recorder();
  async function* two() {
    yield* [1, 2];
  }
  async function* failing() {
    yield 1;
    throw new RangeError("broken");
  }
  let done = 0;
  new OutStream(1, two(), ended.sender, () => done++);
  new OutStream(2, failing(), failed.sender, () => done++);
  while (done < 2) await settle();
  assert.deepEqual(ended.sent.items, [1, 2]);
  assert.deepEqual(ended.sent.ends, ["end"]);
  assert.deepEqual(failed.sent.items, [1]);
  assert.equal(failed.sent.ends.length, 1);
  assert.ok(failed.sent.ends[0] instanceof RangeError);
});

Deno.test("an InStream hands items over in order and grants credit as they are taken", async () => {
  const { sent, sender } = recorder();
  let finished = false;
  const stream = new InStream(1, sender, () => finished = true);
  const first = stream.next(); // waits
  assert.equal(stream.waiting, true);
  for (let i = 0; i < STREAM_WINDOW; i++) stream.push(i);
  assert.deepEqual(await first, { value: 0, done: false });
  for (let i = 1; i < STREAM_WINDOW; i++) assert.equal((await stream.next()).value, i);
  assert.deepEqual(sent.credits, [STREAM_WINDOW / 2, STREAM_WINDOW / 2]);
  stream.end(new Error("gone"));
  await assert.rejects(stream.next(), /gone/);
  assert.ok(finished);
  assert.deepEqual(await stream.next(), { value: undefined, done: true });
});

Deno.test("an InStream's return() tells the owner and drops what was not read", async () => {
  const { sent, sender } = recorder();
  const stream = new InStream(1, sender, () => {});
  stream.push(1);
  stream.push(2);
  assert.deepEqual(await stream.return(), { value: undefined, done: true });
  assert.equal(sent.cancels, 1);
  stream.push(3);
  assert.deepEqual(await stream.next(), { value: undefined, done: true });
});
