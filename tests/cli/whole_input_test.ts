/**
 * What a command reads whole to parse (a definition, a script, a typed value) has a ceiling: an
 * endless device or pipe (`/dev/zero`, `yes |`) is one line and exit 1, not a memory filled
 * until the kernel kills the command. A sparse file past the ceiling stands in for one.
 */

import assert from "node:assert/strict";
import { ipckit, ipckitCommand } from "../_cli.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";

const CEILING = 64 * 1024 * 1024;

Deno.test("a file or standard input past 64 MiB is refused in one line where a command reads it whole", async () => {
  const dir = await tempRuntimeDir();
  const big = `${dir}/big`;
  try {
    using file = await Deno.open(big, { write: true, create: true });
    await file.truncate(CEILING + 1); // sparse: no disk used
    const cases: [string[], string][] = [
      [["sdp", big], `cannot read the definition ${big}`],
      [["post", "x", "--user-info-yaml", big], `cannot read --user-info-yaml ${big}`],
      [["tell", big], `cannot read the script ${big}`],
    ];
    for (const [args, what] of cases) {
      const out = await ipckit(args, { runtimeDir: dir });
      assert.equal(out.code, 1, args[0]);
      assert.equal(
        out.stderr,
        `ipckit: ${what}: it holds over 64 MiB, more than ipckit reads whole (an endless device?)\n`,
      );
    }
    const [cmd, args] = ipckitCommand(["sdp", "-"]);
    const piped = await new Deno.Command("sh", {
      args: ["-c", `"$0" "$@" < ${big}`, cmd, ...args],
      env: { IPCKIT_RUNTIME_DIR: dir },
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(piped.code, 1);
    assert.equal(
      new TextDecoder().decode(piped.stderr),
      "ipckit: cannot read standard input: it holds over 64 MiB, more than ipckit reads whole; give a smaller one\n",
    );
  } finally {
    await cleanupRuntimeDir(dir);
  }
});
