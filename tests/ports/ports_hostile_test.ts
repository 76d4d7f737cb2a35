/**
 * A hostile runtime directory under a sender: a link planted where a port's socket goes is
 * refused instead of followed to whatever socket it points at (here the broker's), and a
 * directory another user owns (who could squat any port name) is refused as every command does;
 * a directory where a socket goes is named with the way out; a serve that fails to start leaves
 * no socket behind.
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

Deno.test({
  name: "send refuses a runtime directory another user owns, where they could squat any port name",
  ignore: Deno.uid() !== 0, // making a directory another user's takes root (as CI runs)
  async fn() {
    const dir = await tempRuntimeDir();
    const squatter = Deno.listen({ transport: "unix", path: `${dir}/squat.sock` });
    try {
      await Deno.mkdir(`${dir}/ports`, { mode: 0o700 });
      await Deno.rename(`${dir}/squat.sock`, `${dir}/ports/p.sock`);
      for (const path of [dir, `${dir}/ports`, `${dir}/ports/p.sock`]) {
        await Deno.chown(path, 65534, null);
      }
      const sent = await ipckit(["send", "p", "secret", "--receive-timeout", "5"], {
        runtimeDir: dir,
      });
      assert.equal(sent.code, 1, sent.stderr);
      assert.match(
        sent.stderr,
        /^ipckit: refusing the runtime directory .*: it belongs to uid 65534, not to you \(uid 0\); .*\n$/,
      );
    } finally {
      squatter.close();
      await cleanupRuntimeDir(dir);
    }
  },
});

Deno.test("serve with a directory where its socket goes says to remove it, in one line, exit 1", async () => {
  const dir = await tempRuntimeDir();
  try {
    await Deno.mkdir(`${dir}/ports/p.sock`, { recursive: true, mode: 0o700 });
    const served = await ipckit(["serve", "p", "--once"], { runtimeDir: dir });
    assert.equal(served.code, 1);
    assert.equal(
      served.stderr,
      `ipckit: ${dir}/ports/p.sock is a directory where a socket goes; remove it (rmdir ${dir}/ports/p.sock) and try again\n`,
    );
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("serve whose --ready-file cannot be written exits 1 and leaves no socket behind", async () => {
  const dir = await tempRuntimeDir();
  try {
    const served = await ipckit(["serve", "p", "--ready-file", `${dir}/none/ready`], {
      runtimeDir: dir,
    });
    assert.equal(served.code, 1);
    assert.match(
      served.stderr,
      /^ipckit: cannot write --ready-file .*: no such file or directory\n$/,
    );
    const left: string[] = [];
    for await (const entry of Deno.readDir(`${dir}/ports`)) left.push(entry.name);
    assert.deepEqual(left.filter((name) => !name.endsWith(".lock")), []);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});
