/**
 * A definition written by someone else loads and serves: a Reminders app over Apple's own
 * Reminders.sdef answers get, make and whose, and `ipckit sdef` prints the definition back with
 * the standard suite included.
 */

import assert from "node:assert/strict";
import { connectApp } from "../../lib/scripting/mod.ts";
import type { ObjectSpecifier } from "../../lib/wire/value.ts";
import { ipckit } from "../_cli.ts";
import {
  at,
  cmp,
  every,
  get,
  insertion,
  its,
  named,
  prop,
  startApp,
  type,
  whose,
} from "./_orchard.ts";

const REMINDERS = new URL("./_reminders_app.ts", import.meta.url).pathname;

Deno.test("a Reminders app over Apple's Reminders.sdef answers get, make and whose; sdef prints it back", async (t) => {
  const proc = await startApp(REMINDERS);
  const app = await connectApp("reminders", { runtimeDir: proc.runtimeDir });
  try {
    await t.step("get through Cocoa keys, the app's own and a list's elements", async () => {
      assert.deepEqual(await get(app, prop("pnam", every("remi"))), [
        "Buy milk",
        "Call Ann",
        "Send report",
      ]);
      assert.deepEqual(await get(app, prop("pnam", every("remi", named("list", "work")))), [
        "Send report",
      ]);
      assert.equal(await get(app, prop("body", at("remi", 1, at("list", 1)))), "two litres");
      assert.equal(await get(app, prop("pnam", prop("dlis", "application"))), "Reminders");
      assert.equal(await get(app, prop("pnam", prop("cntr", at("remi", 3)))), "Work");
      assert.equal(await get(app, prop("pnam", prop("cntr", at("list", 2)))), "iCloud");
      const ref = await get(app, at("remi", 1)) as ObjectSpecifier; // by its text id
      assert.equal(ref.form, "id");
      assert.equal(ref.seld, await get(app, prop("ID  ", at("remi", 1))));
    });
    await t.step("whose", async () => {
      assert.deepEqual(await get(app, prop("pnam", whose("remi", cmp("=", its("comb"), false)))), [
        "Buy milk",
        "Send report",
      ]);
      assert.deepEqual(
        await get(app, prop("pnam", whose("list", cmp("contains", its("pnam"), "ork")))),
        ["Work"],
      );
    });
    await t.step("make at the end of a list, and without at (the default list)", async () => {
      const made = await app.send({
        code: "corecrel",
        params: {
          kocl: type("remi"),
          insh: insertion("end", named("list", "Work")),
          prdt: { pnam: "Plan sprint", body: "Monday", prio: 5n },
        },
      });
      assert.equal(await get(app, prop("pnam", made)), "Plan sprint");
      assert.equal(await get(app, prop("prio", made)), 5n);
      assert.deepEqual(await get(app, prop("pnam", every("remi", named("list", "Work")))), [
        "Send report",
        "Plan sprint",
      ]);
      await app.send({
        code: "corecrel",
        params: { kocl: type("remi"), prdt: { pnam: "Water plants" } },
      });
      assert.deepEqual(await get(app, prop("pnam", every("remi", at("list", 1)))), [
        "Buy milk",
        "Call Ann",
        "Water plants",
      ]);
    });
    await t.step(
      "ipckit sdef Reminders prints the definition with the standard suite",
      async () => {
        const out = await ipckit(["sdef", "Reminders"], { runtimeDir: proc.runtimeDir });
        assert.equal(out.code, 0, out.stderr);
        assert.match(out.stdout, /<suite name="Standard Suite"/);
        assert.match(out.stdout, /<suite name="Reminders Suite" code="remi"/);
        assert.match(out.stdout, /<cocoa key="scriptingReminders"\/>/);
        assert.doesNotMatch(out.stdout, /xi:include/);
      },
    );
  } finally {
    app.close();
    await proc.stop();
  }
});
