/**
 * What one client's request can make the broker hold, beyond the frame limits of the wire
 * (`lib/wire/limits.ts`, tested in `lib/transport/connection_test.ts`).
 *
 * @module
 */

import assert from "node:assert/strict";
import { connectBroker } from "../../lib/broker/client.ts";
import type { Dictionary } from "../../lib/wire/value.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";

Deno.test("a pasteboard chunk request for a whole large file gets 4 MiB of it", async () => {
  const dir = await tempRuntimeDir();
  try {
    const client = await connectBroker({ runtimeDir: dir });
    const data = new Uint8Array(6 * 1024 * 1024).fill(7);
    await client.request("pasteboard.write", {
      name: "big",
      items: [[{ type: "public.data", data }]],
    });
    const open = await client.request("pasteboard.open", {
      name: "big",
      types: ["public.data"],
    }) as Dictionary;
    assert.equal(typeof open.handle, "number", JSON.stringify(Object.keys(open)));
    const all = await client.request("pasteboard.chunk", {
      handle: open.handle,
      offset: 0,
      length: data.length,
    }) as Uint8Array;
    assert.equal(all.length, 4 * 1024 * 1024);
    const rest = await client.request("pasteboard.chunk", {
      handle: open.handle,
      offset: all.length,
      length: data.length,
    }) as Uint8Array;
    assert.equal(rest.length, 2 * 1024 * 1024);
    await assert.rejects(
      () => client.request("pasteboard.chunk", { handle: open.handle, offset: -1, length: 1 }),
      /a chunk needs a whole offset and length/,
    );
    await client.close();
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("one connection may hold 64 pasteboard reads open; closing one makes room", async () => {
  const dir = await tempRuntimeDir();
  try {
    const client = await connectBroker({ runtimeDir: dir });
    const data = new Uint8Array(512 * 1024).fill(1); // over what a reply carries inline
    await client.request("pasteboard.write", {
      name: "big",
      items: [[{ type: "public.data", data }]],
    });
    const open = () =>
      client.request("pasteboard.open", { name: "big", types: ["public.data"] }) as Promise<
        Dictionary
      >;
    const handles: Dictionary[] = [];
    for (let i = 0; i < 64; i++) handles.push(await open());
    await assert.rejects(open, /this connection has 64 reads open; close some/);
    await client.request("pasteboard.close", { handle: handles[0].handle });
    assert.equal(typeof (await open()).handle, "number");
    // Another connection is not held back by this one.
    const other = await connectBroker({ runtimeDir: dir });
    assert.equal(
      typeof (await other.request("pasteboard.open", {
        name: "big",
        types: ["public.data"],
      }) as Dictionary).handle,
      "number",
    );
    await other.close();
    await client.close();
  } finally {
    await cleanupRuntimeDir(dir);
  }
});
