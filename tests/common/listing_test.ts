/**
 * The library's listings of what the broker holds: every pasteboard written to, with its
 * change count and types (listPasteboards), and every notification name with a state
 * (listStates), each through a real broker; with no broker running, both are empty lists
 * and none is started.
 */

import assert from "node:assert/strict";
import { brokerStatus } from "../../lib/broker/client.ts";
import { listStates, setState } from "../../lib/notifications/mod.ts";
import { listPasteboards, Pasteboard } from "../../lib/pasteboard/mod.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";

Deno.test("listPasteboards() and listStates() are empty and start no broker when none runs", async () => {
  const dir = await tempRuntimeDir();
  try {
    assert.deepEqual(await listPasteboards({ runtimeDir: dir }), []);
    assert.deepEqual(await listStates({ runtimeDir: dir }), []);
    assert.equal(await brokerStatus({ runtimeDir: dir }), null);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("listPasteboards() names each pasteboard written to, with its change count and types", async () => {
  const dir = await tempRuntimeDir();
  const general = Pasteboard.general({ runtimeDir: dir, desktop: false });
  const notes = Pasteboard.named("com.example.notes", { runtimeDir: dir, desktop: false });
  const idle = Pasteboard.named("com.example.idle", { runtimeDir: dir, desktop: false });
  try {
    await general.writeItems([{ "public.html": "<b>hi</b>", "public.utf8-plain-text": "hi" }]);
    await notes.writeItems([{ "public.utf8-plain-text": "a" }, {
      "public.png": new Uint8Array(3),
    }]);
    await notes.writeItems([{ "public.utf8-plain-text": "b" }]);
    await idle.changeCount(); // asked about, never written: not listed
    assert.deepEqual(await listPasteboards({ runtimeDir: dir }), [
      {
        name: "com.example.notes",
        changeCount: await notes.changeCount(),
        types: ["public.utf8-plain-text"],
      },
      {
        name: "general",
        changeCount: await general.changeCount(),
        types: ["public.html", "public.utf8-plain-text"],
      },
    ]);
  } finally {
    await general.close();
    await notes.close();
    await idle.close();
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("listStates() names every notification name with a state, sorted, with its state", async () => {
  const dir = await tempRuntimeDir();
  try {
    await setState("com.example.b", 2n ** 64n - 1n, { runtimeDir: dir });
    await setState("com.example.a", 7, { runtimeDir: dir });
    assert.deepEqual(await listStates({ runtimeDir: dir }), [
      { name: "com.example.a", state: 7n },
      { name: "com.example.b", state: 2n ** 64n - 1n },
    ]);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});
