/**
 * A full disk is a clear error and loses nothing: the runtime directory sits on a 2 MiB tmpfs
 * (mounting needs root; elsewhere the test is skipped, except in CI, where it fails).
 *
 * @module
 */

import assert from "node:assert/strict";
import { ipckit } from "../_cli.ts";
import { cleanupRuntimeDir, IN_CI, succeeds } from "../_helpers.ts";

function mountSmallTmpfs(dir: string): Promise<boolean> {
  return succeeds("mount", ["-t", "tmpfs", "-o", "size=2m,mode=0700", "tmpfs", dir]);
}

Deno.test("a full disk fails the copy with a clear error and keeps what the pasteboard held", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-full-" });
  if (!(await mountSmallTmpfs(dir))) {
    await Deno.remove(dir);
    if (IN_CI) {
      throw new Error("cannot mount a small tmpfs (needs root and mount): CI must run this test");
    }
    await t.step({
      name: "skipped: cannot mount a small tmpfs (needs root)",
      ignore: true,
      fn() {},
    });
    return;
  }
  const env = { DISPLAY: "", WAYLAND_DISPLAY: "" };
  try {
    const small = await ipckit(["copy"], { runtimeDir: dir, env, stdin: "kept" });
    assert.equal(small.code, 0, small.stderr);
    // From a file: the copy stops reading as soon as the broker says the disk is full.
    const big = await Deno.makeTempFile({ prefix: "ipckit-big-" });
    await Deno.writeFile(big, new Uint8Array(4 * 1024 * 1024).fill(7));
    const full = await ipckit(["copy", "--type", "public.data", big], { runtimeDir: dir, env });
    await Deno.remove(big);
    assert.equal(full.code, 1);
    assert.match(full.stderr, /cannot store the general pasteboard: the disk holding .* is full/);
    assert.equal(full.stderr.trim().split("\n").length, 1);
    const after = await ipckit(["paste"], { runtimeDir: dir, env });
    assert.equal(after.stdout, "kept");
    assert.equal(
      (await ipckit(["paste", "--change-count"], { runtimeDir: dir, env })).stdout,
      "1\n",
    );
    // Space is back once the failed upload is gone: a small copy works again.
    const again = await ipckit(["copy"], { runtimeDir: dir, env, stdin: "again" });
    assert.equal(again.code, 0, again.stderr);
  } finally {
    const { stopBroker } = await import("../../lib/broker/client.ts");
    await stopBroker({ runtimeDir: dir }).catch(() => {});
    await new Deno.Command("umount", { args: [dir], stdout: "null", stderr: "null" }).output();
    await cleanupRuntimeDir(dir);
  }
});
