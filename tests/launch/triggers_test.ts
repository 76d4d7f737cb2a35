/**
 * A service's own triggers, with real service programs: a watched path (one that does not exist
 * yet, in a directory that does not exist yet), an interval, and a calendar time reached through
 * the broker's test clock (`IPCKIT_LAUNCH_CLOCK`).
 */

import assert from "node:assert/strict";
import { ipckit } from "../_cli.ts";
import { waitFor } from "../_helpers.ts";
import { lines, withManager } from "./_manager.ts";

Deno.test("watchPaths: a path that does not exist yet starts the service when it appears, and on each change", async () => {
  await withManager(async (m) => {
    const watched = `${m.work}/inbox/new/job.txt`;
    const script = await m.shell(
      "watch.sh",
      `echo "$(cat "${watched}" 2>/dev/null)" >> "${m.work}/runs"`,
    );
    await m.define(
      "watch.yaml",
      `label: com.example.watch\nprogram: ${script}\nwatchPaths: [${watched}]\nthrottleInterval: 0\n`,
    );
    await m.run(["daemon", "start"]);
    // The service list answers once the definitions (and their watches) are in place.
    assert.equal((await m.list())[0].state, "stopped");
    await Deno.mkdir(`${m.work}/inbox/new`, { recursive: true });
    await Deno.writeTextFile(watched, "one");
    await waitFor(async () => (await lines(`${m.work}/runs`)).includes("one"), "the first run");
    await waitFor(async () => (await m.list())[0].state === "stopped", "its end");
    await Deno.writeTextFile(watched, "two");
    await waitFor(async () => (await lines(`${m.work}/runs`)).includes("two"), "the second run");
  });
});

Deno.test("startInterval starts the service again and again, each interval", async () => {
  await withManager(async (m) => {
    const script = await m.shell("tick.sh", `date +%s%3N >> "${m.work}/ticks"`);
    await m.define(
      "tick.yaml",
      `label: com.example.tick\nprogram: ${script}\nstartInterval: 0.4\nthrottleInterval: 0\n`,
    );
    await m.run(["daemon", "start"]);
    const info = await m.print("com.example.tick");
    assert.match(String(info.nextRun), /^\d{4}-\d\d-\d\dT/);
    await waitFor(async () => (await lines(`${m.work}/ticks`)).length >= 3, "three ticks");
    const times = (await lines(`${m.work}/ticks`)).map(Number);
    for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 300);
  });
});

Deno.test("startCalendar starts the service at its time (on the broker's test clock)", async () => {
  await withManager(async (m) => {
    const script = await m.shell("cal.sh", `echo ran >> "${m.work}/ran"`);
    await m.define(
      "cal.yaml",
      `label: com.example.cal\nprogram: ${script}\nstartCalendar: { hour: 11, minute: 0 }\n`,
    );
    // The broker's clock starts 1.5 s before 11:00 (local time).
    const env = { ...m.env, IPCKIT_LAUNCH_CLOCK: "2026-03-10T10:59:58.500" };
    await ipckit(["daemon", "start"], { env });
    const info = await m.print("com.example.cal");
    assert.equal(info.nextRun, new Date("2026-03-10T11:00:00").toISOString());
    await waitFor(async () => (await lines(`${m.work}/ran`)).length === 1, "the 11:00 run");
    assert.equal(
      (await m.print("com.example.cal")).nextRun,
      new Date("2026-03-11T11:00:00").toISOString(),
    );
  });
});
