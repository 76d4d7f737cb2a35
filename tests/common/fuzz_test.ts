/**
 * The fuzzing attack (`scripts/attack/fuzz.ts`, `deno task attack:fuzz` sends a million
 * frames) at CI size: a few thousand fuzzed frames at a broker, a message port and a
 * notification inbox, each in a process of its own.
 *
 * @module
 */

import assert from "node:assert/strict";
import { runFuzz } from "../../scripts/attack/fuzz.ts";

Deno.test("6,000 fuzzed frames: no peer crashes or hangs, all still answer, memory stays bounded", async () => {
  const report = await runFuzz({ frames: 6000, seed: 7 });
  assert.deepEqual(report.failures, []);
  const limit = 400 * 1024 * 1024; // a 16 MiB frame of empty maps once cost 1.2 GB
  for (const name of ["broker", "port", "inbox"]) {
    const figures = report.targets[name];
    assert.ok(figures.frames > 1000, `${name} took only ${figures.frames} frames`);
    assert.ok(figures.refused > 0, `${name} never hung up on a hostile frame`);
    assert.ok(figures.rss.start > 0, `no memory sample of ${name}`);
    assert.ok(figures.rss.peak < limit, `${name} grew to ${figures.rss.peak} bytes`);
  }
});
