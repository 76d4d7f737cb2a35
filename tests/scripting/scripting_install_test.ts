/**
 * `ipckit sdef` and `ipckit apps` through the installed bundle (`deno task install`), as users
 * run them.
 */

import assert from "node:assert/strict";
import { install } from "../../scripts/install.ts";
import { ipckit } from "../_cli.ts";
import { cleanupRuntimeDir, ORCHARD, startApp, tempRuntimeDir } from "./_orchard.ts";

Deno.test({
  name: "the installed ipckit runs sdef and apps, --help included",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "ipckit-install-" });
    const runtimeDir = await tempRuntimeDir();
    const app = await startApp(ORCHARD, {}, runtimeDir);
    try {
      const program = await install(root);
      const run = (args: string[]) => ipckit(args, { program, runtimeDir });
      const ok = async (args: string[]) => {
        const result = await run(args);
        assert.equal(result.code, 0, `ipckit ${args.join(" ")}: ${result.stderr}`);
        return result.stdout;
      };
      assert.match(await ok(["apps"]), /Orchard {2}com\.example\.Orchard {2}Orchard Terminology/);
      assert.equal(JSON.parse(await ok(["apps", "--json"]))[0].pid, app.child.pid);
      assert.match(await ok(["sdef", "Orchard"]), /<suite name="Standard Suite"/);
      assert.ok(JSON.parse(await ok(["sdef", "Orchard", "--json"])).classes.length > 3);
      assert.match(await ok(["sdef", "--help"]), /Usage: ipckit sdef/);
      assert.match(await ok(["apps", "--help"]), /Usage: ipckit apps/);
      const missing = await run(["sdef", "Pear"]);
      assert.equal(missing.code, 3);
      assert.match(missing.stderr, /^ipckit: no scriptable app "Pear" is running/);
    } finally {
      await app.stop();
      await cleanupRuntimeDir(runtimeDir);
      await Deno.remove(root, { recursive: true });
    }
  },
});
