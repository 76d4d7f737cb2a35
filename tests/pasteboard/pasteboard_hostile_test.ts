/**
 * `copy` and `paste` command lines a hostile user writes: contradictory options are usage
 * errors that change nothing.
 */

import assert from "node:assert/strict";
import { ipckit } from "../_cli.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";

Deno.test("copy --clear --append is a usage error, and the pasteboard keeps what it held", async () => {
  const dir = await tempRuntimeDir();
  try {
    const copy = await ipckit(["copy", "--local", "--text", "kept"], { runtimeDir: dir });
    assert.equal(copy.code, 0, copy.stderr);
    const both = await ipckit(["copy", "--local", "--clear", "--append"], { runtimeDir: dir });
    assert.equal(both.code, 2);
    assert.equal(
      both.stderr,
      "ipckit: --clear empties the pasteboard and --append adds to it: give one (see: ipckit copy --help)\n",
    );
    const paste = await ipckit(["paste", "--local"], { runtimeDir: dir });
    assert.equal(paste.stdout, "kept");
  } finally {
    await cleanupRuntimeDir(dir);
  }
});
