/**
 * The three apps through the command line: `ipckit apps` lists them, `ipckit sdef APP` prints
 * each one's definition with the standard suite written out, and each program's `--help` and a
 * usage error behave as ipckit's commands do, and a link planted at `--ready-file` is replaced.
 *
 * @module
 */

import assert from "node:assert/strict";
import { PERMISSIONS } from "../../lib/permissions.ts";
import { ipckit } from "../_cli.ts";
import { cleanupRuntimeDir, tempRuntimeDir, waitFor } from "../_helpers.ts";
import { APPS, type RunningApp, startApp } from "./_apps.ts";

Deno.test("the apps: ipckit apps lists all three; ipckit sdef prints each definition, standard suite included", async () => {
  const runtimeDir = await tempRuntimeDir();
  const data = await Deno.makeTempDir({ prefix: "ipckit-apps-data-" });
  const running: RunningApp[] = [];
  try {
    for (const program of [APPS.notes, APPS.textedit, APPS.systemEvents]) {
      running.push(await startApp(program, { runtimeDir, env: { XDG_DATA_HOME: data } }));
    }
    const listed = await ipckit(["apps", "--json"], { runtimeDir });
    assert.equal(listed.code, 0, listed.stderr);
    const apps = listed.stdout.trim().split("\n").map((l) => JSON.parse(l));
    const flat = apps.flat();
    assert.deepEqual(flat.map((a: { name: string }) => a.name).sort(), [
      "Notes",
      "System Events",
      "TextEdit",
    ]);
    for (
      const [app, suite] of [
        ["Notes", "Notes Suite"],
        ["textedit", "TextEdit suite"],
        ['id "com.apple.systemevents"', "ipckit Suite"],
      ]
    ) {
      const out = await ipckit(["sdef", app], { runtimeDir });
      assert.equal(out.code, 0, out.stderr);
      assert.match(out.stdout, new RegExp(`<suite name="${suite}"`));
      assert.match(out.stdout, /<suite name="Standard Suite"/);
      assert.doesNotMatch(out.stdout, /xi:include/);
    }
  } finally {
    for (const app of running) assert.equal(await app.stop(), 0);
    await cleanupRuntimeDir(runtimeDir);
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("the apps: --help is exit 0 with usage; an unknown option is one line, exit 2", async () => {
  for (const program of [APPS.notes, APPS.textedit, APPS.systemEvents]) {
    const run = (arg: string) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "--quiet", ...PERMISSIONS, program, arg],
        stdin: "null",
      }).output();
    const help = await run("--help");
    assert.equal(help.code, 0);
    const text = new TextDecoder().decode(help.stdout);
    assert.match(text, /^Usage: .*--runtime-dir DIR/);
    assert.match(text, /--ready-file PATH/);
    const bad = await run("--frobnicate");
    assert.equal(bad.code, 2);
    const err = new TextDecoder().decode(bad.stderr);
    assert.match(err, /^\w+\.ts: unknown option --frobnicate \(see --help\)\n$/);
  }
});

Deno.test("the apps: a link planted at --ready-file is replaced, never written through", async () => {
  const runtimeDir = await tempRuntimeDir();
  const dir = await Deno.makeTempDir({ prefix: "ipckit-apps-ready-" });
  try {
    const victim = `${dir}/victim`;
    const ready = `${dir}/ready`;
    await Deno.writeTextFile(victim, "precious\n");
    await Deno.symlink(victim, ready);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        ...PERMISSIONS,
        APPS.textedit,
        "--runtime-dir",
        runtimeDir,
        "--ready-file",
        ready,
      ],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      // Whichever comes first: the ready file of its own, or the pid written through the link.
      await waitFor(
        async () =>
          (await Deno.lstat(ready)).isFile ||
          await Deno.readTextFile(victim) !== "precious\n",
        "the ready file",
        30_000,
      );
      assert.equal(await Deno.readTextFile(victim), "precious\n");
      assert.equal(await Deno.readTextFile(ready), `${child.pid}\n`);
    } finally {
      child.kill("SIGTERM");
      assert.equal((await child.status).code, 0);
    }
  } finally {
    await cleanupRuntimeDir(runtimeDir);
    await Deno.remove(dir, { recursive: true });
  }
});
