/**
 * Option values a careless or hostile user gives, through the real `ipckit`: values that look
 * like other flags, durations past what a timer takes in one step, a runtime directory that
 * cannot be one.
 */

import assert from "node:assert/strict";
import { ipckit, spawnIpckit } from "../_cli.ts";
import { cleanupRuntimeDir, exists, tempRuntimeDir, waitFor } from "../_helpers.ts";

/** Starts `ipckit listen ARGS --ready-file …`, waits until it listens; returns its output. */
async function listenThenPost(
  args: string[],
  posts: string[][],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const dir = await tempRuntimeDir();
  try {
    const ready = `${dir}/listen.ready`;
    const child = spawnIpckit(["listen", ...args, "--ready-file", ready], { runtimeDir: dir });
    const output = child.output();
    await Promise.race([
      waitFor(() => exists(ready), "listen to subscribe"),
      output.then((out) => {
        throw new Error(`listen ended first: ${new TextDecoder().decode(out.stderr)}`);
      }),
    ]);
    for (const post of posts) {
      const posted = await ipckit(["post", ...post], { runtimeDir: dir });
      assert.equal(posted.code, 0, posted.stderr);
    }
    const out = await output;
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr: new TextDecoder().decode(out.stderr),
    };
  } finally {
    await cleanupRuntimeDir(dir);
  }
}

Deno.test("listen -1 leaves the value of another option alone: --object -5 is the object -5", async () => {
  // The --timeout only ends a broken run; the notification for object -5 ends a good one.
  const out = await listenThenPost(
    ["-1", "com.example.neg", "--object", "-5", "--json", "--timeout", "30"],
    [["com.example.neg", "--object", "other"], ["com.example.neg", "--object", "-5"]],
  );
  assert.equal(out.code, 0, out.stderr);
  assert.equal(JSON.parse(out.stdout).object, "-5");
  const bad = await ipckit(["listen", "-1", "x", "--timeout", "-1"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /invalid --timeout '-1'/);
});

Deno.test("listen --timeout longer than 24.8 days waits instead of ending at once", async () => {
  const out = await listenThenPost(
    ["com.example.long", "--count", "1", "--timeout", "600h"],
    [["com.example.long"]],
  );
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /com\.example\.long/);
});

Deno.test("ports with a runtime directory that cannot be one is one clear line, exit 1", async () => {
  for (const dir of ["/proc/nope", "/etc"]) {
    const out = await ipckit(["--runtime-dir", dir, "ports"]);
    assert.equal(out.code, 1, out.stderr);
    assert.equal(out.stderr.split("\n").length, 2, out.stderr);
    assert.doesNotMatch(out.stderr, /internal error|--allow-all/);
    assert.match(out.stderr, new RegExp(`runtime directory ${dir}`));
  }
  // A missing one serves no ports.
  const missing = await ipckit([
    "--runtime-dir",
    `/tmp/ipckit-missing-${crypto.randomUUID()}`,
    "ports",
  ]);
  assert.equal(missing.code, 0, missing.stderr);
});

Deno.test("daemon run --idle-timeout longer than 24.8 days does not stop the broker at once", async () => {
  const dir = await tempRuntimeDir();
  const ready = `${dir}/broker.ready`;
  const broker = spawnIpckit(["daemon", "run", "--idle-timeout", "600h", "--ready-file", ready], {
    runtimeDir: dir,
    stdout: "null",
  });
  try {
    await waitFor(() => exists(ready), "the broker to listen");
    // A client comes and goes: the broker is idle, with 600 h to wait. (An overflowing timer
    // stopped it a millisecond later, before the next command.)
    for (let i = 0; i < 2; i++) {
      const status = await ipckit(["daemon", "status"], { runtimeDir: dir });
      assert.equal(status.code, 0, status.stderr);
    }
  } finally {
    broker.kill("SIGTERM");
    const log = new TextDecoder().decode((await broker.output()).stderr);
    assert.doesNotMatch(log, /stopping: idle/);
    await cleanupRuntimeDir(dir);
  }
});
