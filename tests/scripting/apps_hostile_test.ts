/**
 * Scriptable apps in a hostile runtime directory: a link planted at an app's record in `apps/`
 * is replaced, never written through, and one planted at `apps/` itself is refused; a directory another user owns (who could serve any app's
 * port and read the events sent to it) is refused by `tell` and `sdef`.
 */

import assert from "node:assert/strict";
import { ipckit } from "../_cli.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";
import { ORCHARD, startApp } from "./_orchard.ts";
import { portPaths } from "../../lib/ports/names.ts";
import { appPortName, APPS_DIR } from "../../lib/scripting/protocol.ts";

Deno.test("an app replaces a link planted at its record in apps/, and what the link points at stays", async () => {
  const dir = await tempRuntimeDir();
  const victim = `${dir}.victim`;
  try {
    await Deno.writeTextFile(victim, "precious\n");
    const base = (await portPaths(appPortName("com.example.Orchard"), { runtimeDir: dir })).info
      .split("/").pop()!;
    await Deno.mkdir(`${dir}/${APPS_DIR}`, { mode: 0o700 });
    const record = `${dir}/${APPS_DIR}/${base}`;
    await Deno.symlink(victim, record);
    const app = await startApp(ORCHARD, {}, dir);
    try {
      assert.equal(await Deno.readTextFile(victim), "precious\n");
      assert.ok((await Deno.lstat(record)).isFile, "the record is the app's own file");
      const apps = await ipckit(["apps"], { runtimeDir: dir });
      assert.equal(apps.code, 0, apps.stderr);
      assert.match(apps.stdout, /Orchard/);
    } finally {
      await app.stop();
    }
  } finally {
    await Deno.remove(victim).catch(() => {});
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("an app refuses a link planted at apps/ itself, and writes nothing where it points", async () => {
  const dir = await tempRuntimeDir();
  const elsewhere = await Deno.makeTempDir({ prefix: "ipckit-elsewhere-" });
  try {
    await Deno.symlink(elsewhere, `${dir}/${APPS_DIR}`);
    await assert.rejects(
      () => startApp(ORCHARD, {}, dir),
      /refusing .*\/apps: it is a symbolic link/,
    );
    assert.deepEqual([...Deno.readDirSync(elsewhere)], []);
  } finally {
    await Deno.remove(elsewhere, { recursive: true });
    await cleanupRuntimeDir(dir);
  }
});

Deno.test({
  name: "tell and sdef refuse a runtime directory another user owns, before any app is looked up",
  ignore: Deno.uid() !== 0, // making a directory another user's takes root (as CI runs)
  async fn() {
    const dir = await tempRuntimeDir();
    try {
      await Deno.mkdir(`${dir}/${APPS_DIR}`, { mode: 0o700 });
      await Deno.writeTextFile(
        `${dir}/${APPS_DIR}/planted.json`,
        JSON.stringify({ name: "Orchard", bundleId: "com.example.Orchard", pid: 1 }),
      );
      for (const path of [dir, `${dir}/${APPS_DIR}`, `${dir}/${APPS_DIR}/planted.json`]) {
        await Deno.chown(path, 65534, null);
      }
      for (const args of [["tell", "--app", "Orchard", "get name"], ["sdef", "Orchard"]]) {
        const out = await ipckit(args, { runtimeDir: dir });
        assert.equal(out.code, 1, out.stderr);
        assert.match(
          out.stderr,
          /^ipckit: refusing the runtime directory .*: it belongs to uid 65534/,
        );
      }
    } finally {
      await cleanupRuntimeDir(dir);
    }
  },
});
