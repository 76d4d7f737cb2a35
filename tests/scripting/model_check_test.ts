/**
 * The start-up model check with lazy collections: a collection given by a getter (every file
 * of a folder, every process) is checked to be there, never listed at start-up, and the app
 * serves it when asked.
 */

import assert from "node:assert/strict";
import { connectApp, serveScriptableApp } from "../../lib/scripting/mod.ts";
import { at, every, get, named, prop } from "./_orchard.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";

const SDEF = `<?xml version="1.0" encoding="UTF-8"?>
<dictionary title="Shelf">
  <suite name="Shelf Suite" code="Shlf">
    <class name="application" code="capp">
      <element type="box"/>
      <property name="name" code="pnam" type="text" access="r"/>
    </class>
    <class name="box" code="Sbox" plural="boxes">
      <element type="box"/>
      <property name="name" code="pnam" type="text"/>
    </class>
  </suite>
</dictionary>`;

interface Box {
  name: string;
  readonly boxes: Box[];
}

Deno.test("the start-up check lists no getter's collection, and the app serves it when asked", async () => {
  const dir = await tempRuntimeDir();
  let reads = 0;
  // boxes inside boxes, made when asked for (a folder's files, read from disk when listed)
  const box = (name: string, depth: number): Box => ({
    name,
    get boxes() {
      reads++;
      return depth > 8 ? [] : [box(`${name}.1`, depth + 1), box(`${name}.2`, depth + 1)];
    },
  });
  const app = await serveScriptableApp({
    bundleId: "com.example.Shelf",
    name: "Shelf",
    definition: SDEF,
    model: {
      get boxes() {
        reads++;
        return [box("a", 1)];
      },
    },
    runtimeDir: dir,
  });
  try {
    assert.equal(reads, 0);
    const client = await connectApp("Shelf", { runtimeDir: dir });
    try {
      assert.deepEqual(await get(client, prop("pnam", every("Sbox", at("Sbox", 1)))), [
        "a.1",
        "a.2",
      ]);
      assert.equal(
        await get(client, prop("pnam", named("Sbox", "A.2", named("Sbox", "a")))),
        "a.2",
      );
    } finally {
      client.close();
    }
  } finally {
    await app.close();
    await cleanupRuntimeDir(dir);
  }
});
