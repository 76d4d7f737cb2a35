/**
 * Activities (`xpc_activity`) between real processes: a repeating activity is told to defer
 * while its service is busy and runs once it is not, then again each interval; a one-shot
 * activity's due time outlives the broker, and the manager starts the service to run it.
 */

import assert from "node:assert/strict";
import { waitFor } from "../_helpers.ts";
import { lines, type Manager, withManager, yamlList } from "./_manager.ts";

const LIB = new URL("../../lib/", import.meta.url).href;

async function define(m: Manager, name: string, body: string): Promise<void> {
  const argv = await m.deno(
    name,
    `import { checkIn } from "${LIB}mod.ts";
const runs = "${m.work}/runs";
const note = (line: string) => Deno.writeTextFileSync(runs, line + "\\n", { append: true });
const service = await checkIn(() => null);
${body}
await service.broker.closed;
`,
  );
  await m.define(
    `${name}.yaml`,
    `label: com.example.${name}
programArguments: ${yamlList(argv)}
throttleInterval: 0
`,
  );
}

Deno.test("an activity is told to defer while its service is busy, runs once it is not, and repeats", async () => {
  await withManager(async (m) => {
    await define(
      m,
      "sync",
      `// Busy with clients until the test says go.
service.beginTransaction();
(async () => {
  while (true) {
    try { await Deno.lstat("${m.work}/go"); break; } catch { await new Promise((r) => setTimeout(r, 20)); }
  }
  service.endTransaction();
})();
await service.registerActivity("sync", { delay: 0.2, interval: 0.3, gracePeriod: 0.4, repeating: true }, (activity) => {
  if (activity.shouldDefer()) {
    note("deferred");
    activity.defer();
    return;
  }
  note("ran");
});`,
    );
    await m.run(["services", "start", "com.example.sync"]);
    await waitFor(async () => (await lines(`${m.work}/runs`)).includes("deferred"), "a deferral");
    await Deno.writeTextFile(`${m.work}/go`, "");
    await waitFor(
      async () => (await lines(`${m.work}/runs`)).filter((l) => l === "ran").length >= 2,
      "two runs",
    );
    const runs = await lines(`${m.work}/runs`);
    const firstRan = runs.indexOf("ran");
    assert.ok(firstRan > 0 && runs.slice(0, firstRan).every((l) => l === "deferred"));
    assert.ok(runs.slice(firstRan).every((l) => l === "ran"), "no deferral once idle");
    const [activity] = (await m.print("com.example.sync")).activities as {
      id: string;
      repeating: boolean;
      deferrals: number;
      runs: number;
    }[];
    assert.equal(activity.id, "sync");
    assert.equal(activity.repeating, true);
    assert.ok(activity.deferrals >= 1 && activity.runs >= 2);
  });
});

Deno.test("an activity's schedule outlives the broker; the manager starts the service to run it", async () => {
  await withManager(async (m) => {
    await define(
      m,
      "later",
      `note("started");
await service.registerActivity("once", { delay: 3 }, () => note("ran"));`,
    );
    await m.run(["services", "start", "com.example.later"]);
    const registered = async () =>
      ((await m.print("com.example.later")).activities as unknown[]).length === 1;
    await waitFor(registered, "the registration");
    const [before] = (await m.print("com.example.later")).activities as { due: string }[];
    // The broker stops, and the service with it, before the activity is due.
    await m.run(["daemon", "stop"]);
    assert.deepEqual(await lines(`${m.work}/runs`), ["started"]);
    const [after] = (await m.print("com.example.later")).activities as { due: string }[];
    assert.equal(after.due, before.due, "the same due time");
    await waitFor(async () => (await lines(`${m.work}/runs`)).includes("ran"), "the run");
    // Started again for it, then registered it again (same criteria: same schedule), and ran.
    assert.deepEqual(await lines(`${m.work}/runs`), ["started", "started", "ran"]);
    assert.deepEqual((await m.print("com.example.later")).activities, [], "a one-shot is done");
  });
});
