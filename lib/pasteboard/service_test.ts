import assert from "node:assert/strict";
import { RemoteError } from "../errors.ts";
import type { Logger } from "../broker/log.ts";
import type { Connection } from "../transport/connection.ts";
import type { Value } from "../wire/value.ts";
import * as protocol from "./protocol.ts";
import { pasteboardService } from "./service.ts";

const quiet: Logger = { info() {}, error() {}, close() {} };

/** A stand-in connection: the service only keeps it as a key here. */
const connection = {
  notify: () => Promise.resolve(),
  isClosed: false,
} as unknown as Connection;

/** What a request answers, or the code of the RemoteError it throws. */
async function outcome(
  handle: () => Value | Promise<Value>,
): Promise<{ reply: Value } | { code: string }> {
  try {
    return { reply: await handle() };
  } catch (error) {
    assert.ok(error instanceof RemoteError, `not a RemoteError: ${error}`);
    return { code: error.code };
  }
}

Deno.test("the pasteboard service answers every request protocol.ts declares, by its name", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-pasteboard-" });
  const service = pasteboardService({ runtimeDir: dir, log: quiet });
  try {
    assert.equal(service.name, protocol.SERVICE);
    const requests = [
      protocol.WRITE,
      protocol.UPLOAD,
      protocol.PREPARE,
      protocol.CLEAR,
      protocol.INFO,
      protocol.LIST,
      protocol.OPEN,
      protocol.CHUNK,
      protocol.CLOSE,
      protocol.WATCH,
      protocol.UNWATCH,
      protocol.FULFILL,
    ];
    for (const method of requests) {
      assert.ok(method.startsWith(`${protocol.SERVICE}.`), method);
      // An empty body is a bad request for most, never an unknown method.
      const got = await outcome(() => service.handle(method, {}, connection));
      assert.notDeepEqual(got, { code: "unknown-method" }, method);
    }
    // The check above can fail: a name the service does not know is refused as unknown.
    assert.deepEqual(
      await outcome(() => service.handle(`${protocol.SERVICE}.nothing`, {}, connection)),
      { code: "unknown-method" },
    );
    // And each answers by the body protocol.ts documents for it.
    const text = new TextEncoder().encode("hi");
    const written = await service.handle(protocol.WRITE, {
      name: "t",
      items: [[{ type: "public.utf8-plain-text", data: text }]],
      append: false,
    }, connection);
    assert.deepEqual(written, { changeCount: 1, desktop: null });
    assert.deepEqual(await service.handle(protocol.PREPARE, null, connection), {
      dir: `${dir}/pasteboards/tmp`,
    });
    assert.deepEqual(await service.handle(protocol.LIST, null, connection), [
      { name: "t", changeCount: 1, types: ["public.utf8-plain-text"] },
    ]);
    assert.deepEqual(await service.handle(protocol.WATCH, { name: "t" }, connection), {
      changeCount: 1,
    });
    assert.deepEqual(await service.handle(protocol.CLEAR, { name: "t" }, connection), {
      changeCount: 2,
    });
  } finally {
    service.disconnected?.(connection);
    await service.close?.();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an append keeps the data of the items the pasteboard held", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-pasteboard-" });
  const service = pasteboardService({ runtimeDir: dir, log: quiet });
  try {
    // Over the size kept in the state file: a data file of its own, which a drop removes.
    const big = new Uint8Array(100 * 1024).fill(7);
    const write = (data: Uint8Array, append: boolean) =>
      service.handle(protocol.WRITE, {
        name: "t",
        items: [[{ type: "public.data", data }]],
        append,
      }, connection);
    await write(big, false);
    await write(new Uint8Array([1]), true);
    const first = await service.handle(protocol.OPEN, {
      name: "t",
      types: ["public.data"],
      item: 0,
    }, connection) as { data: Uint8Array; changeCount: number };
    assert.equal(first.changeCount, 2);
    assert.deepEqual(first.data, big);
    const second = await service.handle(protocol.OPEN, {
      name: "t",
      types: ["public.data"],
      item: 1,
    }, connection) as { data: Uint8Array };
    assert.deepEqual(second.data, new Uint8Array([1]));
  } finally {
    service.disconnected?.(connection);
    await service.close?.();
    await Deno.remove(dir, { recursive: true });
  }
});
