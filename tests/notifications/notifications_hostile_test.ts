/**
 * `post`, `state`, `listen` and `notifyutil` under a hostile user: names past the limits, a
 * broker that is stopped (SIGSTOP) while `listen` subscribes, and what `listen` leaves behind.
 */

import assert from "node:assert/strict";
import { ipckit, spawnIpckit, stoppedBroker } from "../_cli.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";

const LONG = "n".repeat(1025);

Deno.test("names too long or too many and a queue limit past the library's are usage errors, one line", async () => {
  const dir = await tempRuntimeDir();
  try {
    const cases: [string[], RegExp][] = [
      [["post", LONG], /a notification name is at most 1024 characters, not 1025/],
      [["state", LONG], /at most 1024 characters/],
      [["state", LONG, "5"], /at most 1024 characters/],
      [["listen", "ok", LONG, "--timeout", "5"], /at most 1024 characters/],
      [["notifyutil", "-g", LONG], /at most 1024 characters/],
      [["listen", ...Array.from({ length: 1025 }, (_, i) => `n${i}`)], /at most 1024 names/],
      [["listen", "--queue-limit", "100001"], /--queue-limit/],
    ];
    for (const [args, message] of cases) {
      const result = await ipckit(args, { runtimeDir: dir });
      const what = `${args.slice(0, 3).join(" ").slice(0, 40)}…`;
      assert.equal(result.code, 2, `${what}: ${result.stderr}`);
      assert.match(result.stderr, message, what);
      assert.doesNotMatch(result.stderr, /internal error/, what);
      assert.equal(result.stderr.trimEnd().split("\n").length, 1, what);
    }
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("listen --timeout ends with 124 while a stopped broker never answers its subscribe", async () => {
  const dir = await tempRuntimeDir();
  let broker = 0;
  try {
    broker = await stoppedBroker(dir);
    const child = spawnIpckit(["listen", "x", "--count", "1", "--timeout", "0.5"], {
      runtimeDir: dir,
    });
    // A listen that outlives its timeout by far is the defect: end it so the test fails, not
    // hangs.
    const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const out = await child.output();
    clearTimeout(guard);
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 124, stderr);
    assert.match(
      stderr,
      /^ipckit: listen timed out after 0\.5 s before it could subscribe: .*kill -CONT.*\n$/,
    );
  } finally {
    if (broker) Deno.kill(broker, "SIGCONT");
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("listen leaves no inbox socket behind when it ends", async () => {
  const dir = await tempRuntimeDir();
  try {
    for (const args of [["x", "--timeout", "0.2"], ["x", "--count", "1", "--timeout", "0.2"]]) {
      const result = await ipckit(["listen", ...args], { runtimeDir: dir });
      assert.ok(result.code === 0 || result.code === 124, result.stderr);
    }
    const left: string[] = [];
    for await (const entry of Deno.readDir(`${dir}/notify-inbox`)) left.push(entry.name);
    assert.deepEqual(left, []);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});
