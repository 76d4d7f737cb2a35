/**
 * The broker under a hostile user: stopped (SIGSTOP), the one-shot commands that ask it one
 * thing give up after the hello time, exit 124 and say in one line which broker and what to
 * do; a link planted at its socket is refused, not followed.
 */

import assert from "node:assert/strict";
import { ipckit, stoppedBroker } from "../_cli.ts";
import { alive, cleanupRuntimeDir, tempRuntimeDir, waitFor } from "../_helpers.ts";

Deno.test("a stopped broker: post, state and daemon status exit 124 naming it and the way out; daemon stop ends it", async () => {
  const dir = await tempRuntimeDir();
  let broker = 0;
  try {
    broker = await stoppedBroker(dir);
    const results = await Promise.all(
      [["post", "x"], ["state", "x"], ["daemon", "status"]].map((args) =>
        ipckit(args, { runtimeDir: dir })
      ),
    );
    for (const result of results) {
      assert.equal(result.code, 124, result.stderr);
      assert.equal(
        result.stderr,
        `ipckit: the broker (pid ${broker}) in ${dir} did not answer within 5 s: it is stopped or stuck; resume it (kill -CONT ${broker}) or end it (ipckit daemon stop), and the next command starts a new one\n`,
      );
    }
    // daemon stop ends it all the same (SIGTERM, with SIGCONT so that it gets it).
    const stop = await ipckit(["daemon", "stop"], { runtimeDir: dir });
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(stop.stdout, `stopped the broker (pid ${broker})\n`);
    await waitFor(() => !alive(broker), "the stopped broker to exit");
    broker = 0;
    // A new command starts a new broker.
    assert.equal((await ipckit(["state", "x"], { runtimeDir: dir })).stdout, "1\n");
  } finally {
    if (broker) Deno.kill(broker, "SIGCONT");
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("a link planted at broker.sock is refused: copy sends nothing through it to the broker it points at", async () => {
  const real = await tempRuntimeDir();
  const planted = await tempRuntimeDir();
  try {
    assert.equal((await ipckit(["state", "x", "1"], { runtimeDir: real })).code, 0);
    await Deno.symlink(`${real}/broker.sock`, `${planted}/broker.sock`);
    const copy = await ipckit(["copy", "--local", "--text", "secret"], { runtimeDir: planted });
    assert.equal(copy.code, 1);
    assert.equal(
      copy.stderr,
      `ipckit: refusing ${planted}/broker.sock: it is a symbolic link where ipckit's own socket goes (a link could point anywhere); remove it and try again\n`,
    );
    const paste = await ipckit(["paste", "--local"], { runtimeDir: real });
    assert.equal(paste.code, 3, "the broker the link points at got nothing");
  } finally {
    await cleanupRuntimeDir(planted);
    await cleanupRuntimeDir(real);
  }
});
