/**
 * A scriptable app's record in the runtime directory's `apps/` folder, with a link planted where
 * it goes: the app replaces the link with its own file and never writes through it.
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
