/**
 * The service manager's files under `launch/` with links planted where they go: its records
 * (the loaded files, each job's state, the declared-port markers) are never written or read
 * through a link, so whatever the link points at stays as it was.
 */

import assert from "node:assert/strict";
import { withManager } from "./_manager.ts";

const PRECIOUS = "precious: not ipckit's\n";

Deno.test("the service manager writes its records past links planted at their temporary files, never through them", async () => {
  await withManager(async (m) => {
    const launch = `${m.runtimeDir}/launch`;
    const job = `${launch}/jobs/com.example.linked`;
    await Deno.mkdir(job, { recursive: true, mode: 0o700 });
    const victims = [
      `${m.work}/loaded-victim`,
      `${m.work}/state-victim`,
      `${m.work}/marker-victim`,
    ];
    for (const victim of victims) await Deno.writeTextFile(victim, PRECIOUS);
    await Deno.mkdir(`${launch}/ports`, { mode: 0o700 });
    await Deno.symlink(victims[0], `${launch}/loaded.json.tmp`);
    await Deno.symlink(victims[1], `${job}/state.json.tmp`);
    const file = await m.define(
      "linked.yaml",
      "label: com.example.linked\nprogram: /bin/sleep\nprogramArguments: [sleep, '30']\nports: [com.example.linked]\n",
      m.work,
    );
    // A broker that runs already: the markers are not cleared by a start in between.
    assert.equal((await m.run(["services", "list"])).code, 0);
    await Deno.symlink(victims[2], `${launch}/ports/com.example.linked`);
    const load = await m.run(["services", "load", file]);
    assert.equal(load.code, 0, load.stderr);
    const start = await m.run(["services", "start", "com.example.linked"]);
    assert.equal(start.code, 0, start.stderr);
    for (const victim of victims) assert.equal(await Deno.readTextFile(victim), PRECIOUS, victim);
    for (const path of [`${launch}/loaded.json`, `${job}/state.json`]) {
      assert.ok((await Deno.lstat(path)).isFile, `${path} is a file of ipckit's own`);
    }
    assert.ok((await Deno.lstat(`${launch}/ports/com.example.linked`)).isFile, "the marker");
  });
});

Deno.test("a link planted at launch/loaded.json is not read: the files it names are not loaded", async () => {
  await withManager(async (m) => {
    const planted = await m.define(
      "planted.yaml",
      "label: com.example.planted\nprogram: /bin/true\n",
      m.work,
    );
    await Deno.writeTextFile(
      `${m.work}/record`,
      JSON.stringify({ files: [planted], unloaded: [] }),
    );
    await Deno.mkdir(`${m.runtimeDir}/launch`, { mode: 0o700 });
    await Deno.symlink(`${m.work}/record`, `${m.runtimeDir}/launch/loaded.json`);
    const labels = (await m.list()).map((job) => job.label);
    assert.deepEqual(labels, []);
  });
});
