/**
 * A link planted where a port's socket goes: a sender refuses it instead of following it to
 * whatever socket it points at (here the broker's) and handing that the request.
 */

import assert from "node:assert/strict";
import { ipckit } from "../_cli.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";

Deno.test("send refuses a link planted at a port's socket and names it, instead of following it", async () => {
  const dir = await tempRuntimeDir();
  try {
    // A broker runs, so the link points at a live socket that answers.
    assert.equal((await ipckit(["state", "x", "1"], { runtimeDir: dir })).code, 0);
    await Deno.mkdir(`${dir}/ports`, { mode: 0o700 });
    await Deno.symlink("../broker.sock", `${dir}/ports/p.sock`);
    const sent = await ipckit(["send", "p", "hello"], { runtimeDir: dir });
    assert.equal(sent.code, 1);
    assert.equal(
      sent.stderr,
      `ipckit: refusing the port "p": ${dir}/ports/p.sock is a symbolic link where only a port's own socket goes (a link could point anywhere); remove it and try again\n`,
    );
  } finally {
    await cleanupRuntimeDir(dir);
  }
});
