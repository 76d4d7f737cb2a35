import assert from "node:assert/strict";
import type { Value } from "../wire/value.ts";
import { MAX_UNWRITTEN_ITEM_BYTES, OP } from "./protocol.ts";
import { type StreamLink, StreamTable } from "./_stream_table.ts";

/** A link that records what would go out and holds writes until told. */
function recorder() {
  const sent = {
    valid: true,
    oneways: [] as [number, Value][],
    writes: [] as (() => void)[],
    stopped: 0,
  };
  const link: StreamLink = {
    isValid: () => sent.valid,
    itemFrame: () => sent.valid ? [new Uint8Array(MAX_UNWRITTEN_ITEM_BYTES), undefined] : undefined,
    write: (_frame, _payload, written) => void sent.writes.push(written),
    oneway: (op, body) => void sent.oneways.push([op, body]),
    readerWaits: () => {},
    readerStopped: () => void sent.stopped++,
  };
  return { sent, table: new StreamTable(link) };
}

Deno.test("StreamTable holds its streams back while a peer leaves MAX_UNWRITTEN_ITEM_BYTES unwritten", async () => {
  const { sent, table } = recorder();
  assert.equal(table.drained(), undefined);
  table.sendItem(1, "big");
  const waiting = table.drained();
  assert.ok(waiting instanceof Promise);
  sent.writes[0]();
  await waiting;
  assert.equal(table.drained(), undefined);
});

Deno.test("StreamTable ends its readers with the connection's error and stops its senders", async () => {
  const { table } = recorder();
  const reader = table.read(7);
  assert.equal(table.reading(7), reader);
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => stop = resolve);
  const id = table.newId();
  table.send(
    id,
    (async function* () {
      try {
        for (;;) yield 1; // held back once its first item waits to be written
      } finally {
        stop();
      }
    })(),
  );
  assert.equal(table.sending, 1);
  const error = new Error("the connection ended");
  table.endAll(error);
  await assert.rejects(reader.next(), (thrown) => thrown === error);
  assert.equal(table.reading(7), undefined);
  assert.equal(table.sent(id), undefined);
  await stopped;
});

Deno.test("StreamTable tells the owner when a reader stops, and lets the connection unref", async () => {
  const { sent, table } = recorder();
  const reader = table.read(3);
  await reader.return();
  assert.deepEqual(sent.oneways, [[OP.cancel, [3]]]);
  assert.equal(sent.stopped, 2); // the stream finished, then the cancel went out
  assert.equal(table.reading(3), undefined);
});
