/**
 * `ipckit sdef APP` and `ipckit apps`, run as the real command line against the Orchard app in
 * a process of its own.
 */

import assert from "node:assert/strict";
import { ipckit } from "../_cli.ts";
import { cleanupRuntimeDir, ORCHARD, startApp, tempRuntimeDir } from "./_orchard.ts";

Deno.test("ipckit apps lists a running app; ipckit sdef prints its definition with the standard suite written out", async (t) => {
  const dir = await tempRuntimeDir();
  try {
    await t.step("no app: apps says so, sdef exits 3 with one line", async () => {
      const none = await ipckit(["apps"], { runtimeDir: dir });
      assert.equal(none.code, 0, none.stderr);
      assert.equal(none.stdout, "no scriptable apps are running\n");
      assert.equal((await ipckit(["apps", "--json"], { runtimeDir: dir })).stdout, "[]\n");
      const missing = await ipckit(["sdef", "Orchard"], { runtimeDir: dir });
      assert.equal(missing.code, 3);
      assert.equal(
        missing.stderr,
        'ipckit: no scriptable app "Orchard" is running (ipckit apps lists those that are)\n',
      );
    });
    const app = await startApp(ORCHARD, {}, dir);
    try {
      await t.step("apps: name, bundle id, pid, title", async () => {
        const table = await ipckit(["apps"], { runtimeDir: dir });
        assert.equal(table.code, 0, table.stderr);
        assert.match(table.stdout, /^\s*PID {2}NAME {5}BUNDLE ID {12}TITLE\n/);
        assert.match(
          table.stdout,
          new RegExp(
            `^\\s*${app.child.pid} {2}Orchard {2}com\\.example\\.Orchard {2}Orchard Terminology$`,
            "m",
          ),
        );
        const json = JSON.parse((await ipckit(["apps", "--json"], { runtimeDir: dir })).stdout);
        assert.deepEqual(
          json.map((a: Record<string, unknown>) => [a.name, a.bundleId, a.pid, a.title]),
          [
            ["Orchard", "com.example.Orchard", app.child.pid, "Orchard Terminology"],
          ],
        );
        const yaml = await ipckit(["apps", "--yaml"], { runtimeDir: dir });
        assert.match(yaml.stdout, /^- name: Orchard\n {2}bundleId: com\.example\.Orchard\n/);
      });
      await t.step("sdef by name or id, any case: the XML with the includes resolved", async () => {
        for (const name of ["Orchard", "COM.EXAMPLE.ORCHARD"]) {
          const out = await ipckit(["sdef", name], { runtimeDir: dir });
          assert.equal(out.code, 0, out.stderr);
          assert.match(
            out.stdout,
            /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<!DOCTYPE dictionary/,
          );
          assert.match(out.stdout, /<suite name="Standard Suite" code="\?\?\?\?"/);
          assert.match(out.stdout, /<command name="make" code="corecrel"/);
          assert.match(out.stdout, /<suite name="Orchard Suite" code="Orch"/);
          assert.doesNotMatch(out.stdout, /xi:include|<include/);
        }
      });
      await t.step(
        "sdef --json: the terminology, the standard suite's terms included",
        async () => {
          const out = await ipckit(["sdef", "orchard", "--json"], { runtimeDir: dir });
          assert.equal(out.code, 0, out.stderr);
          const table = JSON.parse(out.stdout);
          assert.ok(table.classes.some((c: string[]) => c[0] === "tree" && c[1] === "Tree"));
          assert.ok(table.commands.some((c: { name: string }) => c.name === "harvest"));
          assert.ok(table.commands.some((c: { name: string }) => c.name === "make"));
          assert.ok(
            table.enumerators.some((e: string[]) => e[0] === "over ripe" && e[1] === "Ovrp"),
          );
          const yaml = await ipckit(["sdef", "orchard", "--yaml"], { runtimeDir: dir });
          assert.match(yaml.stdout, /^classes:\n/);
        },
      );
      await t.step("sdef without an app is a usage error", async () => {
        assert.equal((await ipckit(["sdef"], { runtimeDir: dir })).code, 2);
      });
    } finally {
      await app.stop();
    }
  } finally {
    await cleanupRuntimeDir(dir);
  }
});
