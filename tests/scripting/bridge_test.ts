/**
 * Bridges end to end: the Orchard test app in a process of its own, driven through the module
 * `ipckit sdp` generates from its definition (tests/golden/sdp/OrchardApp.ts) and through the
 * dynamic bridge built from the terminology the running app sends. Each scenario runs through
 * both; the event counts come from a connection that counts what it sends.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  application as dynamicApplication,
  applicationReference,
  appTerms,
  BridgeSession,
  BridgeTerms,
  connectApp,
  type Connected,
  type DynamicApplication,
  ScriptingError,
  type ScriptingEvent,
  specifierOf,
} from "../../lib/scripting/mod.ts";
import { NotFoundError } from "../../lib/errors.ts";
import { EnumConstant, ObjectSpecifier } from "../../lib/wire/value.ts";
import * as Orchard from "../golden/sdp/OrchardApp.ts";
import { ipckit } from "../_cli.ts";
import { repoTempDir } from "../sdp/_sdp_testdata.ts";
import { ORCHARD, startApp } from "./_orchard.ts";

type App = Connected<Orchard.OrchardApplication>;

/** One bridge over a running Orchard, with the events it sent. */
interface Bridge {
  app: App;
  events: ScriptingEvent[];
}

/** How each kind of bridge is made: the generated module's terms, or the app's own. */
const KINDS: Record<string, (runtimeDir: string) => Promise<Bridge>> = {
  generated: async (runtimeDir) => {
    const connection = await connectApp("Orchard", { runtimeDir });
    const terms = new BridgeTerms(Orchard.terminology, Orchard.enumSlots);
    return counted(connection, terms);
  },
  dynamic: async (runtimeDir) => {
    // The terms application("Orchard") builds, over a connection that counts.
    const connection = await connectApp("Orchard", { runtimeDir });
    return counted(connection, await appTerms(connection));
  },
};

function counted(
  connection: Awaited<ReturnType<typeof connectApp>>,
  terms: BridgeTerms,
): Bridge {
  const events: ScriptingEvent[] = [];
  const send = connection.send.bind(connection);
  connection.send = (event, options) => {
    events.push(event);
    return send(event, options);
  };
  return { app: applicationReference(new BridgeSession(connection, terms)) as App, events };
}

/** Runs `fn` through each kind of bridge, each against a fresh Orchard. */
function bridgeTest(name: string, fn: (b: Bridge) => Promise<void>): void {
  for (const [kind, make] of Object.entries(KINDS)) {
    Deno.test(`${name} (${kind} bridge)`, async () => {
      const proc = await startApp(ORCHARD);
      const bridge = await make(proc.runtimeDir);
      try {
        await fn(bridge);
      } finally {
        bridge.app.close();
        await proc.stop();
      }
    });
  }
}

/** The error a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<ScriptingError> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof ScriptingError, `not a ScriptingError: ${error}`);
    return error;
  }
  throw new assert.AssertionError({ message: "it did not fail" });
}

bridgeTest(
  "every key form names what AppleScript names, one event each",
  async ({ app, events }) => {
    const trees = app.trees;
    assert.equal(await trees.at(0).name.get(), "Bramley");
    assert.equal(await trees.at(-1).name.get(), "Jazz");
    assert.equal(await trees.byName("Cox").age.get(), 16);
    assert.equal(await trees.byId(103).name.get(), "Gala");
    assert.equal(await trees.first().name.get(), "Bramley");
    assert.equal(await trees.last().name.get(), "Jazz");
    assert.equal(await trees.middle().name.get(), "Cox");
    assert.ok(["Bramley", "Cox", "Gala", "Jazz"].includes(await trees.any().name.get()));
    assert.deepEqual(await trees.range(1, 2).name.get(), ["Cox", "Gala"]);
    assert.deepEqual(await trees.range(trees.byName("Gala"), trees.byName("Jazz")).name.get(), [
      "Gala",
      "Jazz",
    ]);
    assert.deepEqual(await trees.every().name.get(), ["Bramley", "Cox", "Gala", "Jazz"]);
    assert.equal(await trees.count(), 4);
    assert.equal(await trees.byName("Cox").fruits.at(0).name.get(), "C1");
    assert.equal(events.length, 13);
    // The index is AppleScript's, from 1; negative from the end.
    const first = events[0].params!["----"] as ObjectSpecifier;
    assert.equal((first.from as ObjectSpecifier).seld, 1n);
    assert.equal(
      ((events[1].params!["----"] as ObjectSpecifier).from as ObjectSpecifier).seld,
      -1n,
    );
  },
);

bridgeTest("a property of every object is one event, however many there are", async (b) => {
  const { app, events } = b;
  assert.deepEqual(await app.trees.every().fruits.every().name.get(), [
    ["B1", "B2", "B3"],
    ["C1"],
    [],
    ["J1", "J2"],
  ]);
  assert.deepEqual(await app.trees.every().age.get(), [25, 16, 6, 5]);
  assert.equal(events.length, 2);
  // A loop over the objects costs one event each: what the one event saves.
  const n = await app.trees.count();
  for (let i = 0; i < n; i++) await app.trees.at(i).name.get();
  assert.equal(events.length, 3 + n);
});

bridgeTest("whose sends one test: compound, negated, lists, enumerations, dates", async (b) => {
  const { app, events } = b;
  const names = (t: Orchard.OrchardTree[]) => Promise.all(t.map((x) => x.name.get()));
  assert.deepEqual(
    await app.trees.whose((t) => t.height.greaterThan(2).and(t.name.startsWith("B"))).name.get(),
    ["Bramley"],
  );
  assert.deepEqual(
    await app.trees.whose((t) => t.age.lessThan(6).or(t.name.equals("Cox"))).name.get(),
    ["Cox", "Jazz"],
  );
  assert.deepEqual(
    await app.trees.whose((t) => t.tags.contains("eating").and(t.name.endsWith("z").not()))
      .name.get(),
    ["Cox"],
  );
  assert.deepEqual(await app.trees.whose((t) => t.name.isIn(["Gala", "Jazz"])).name.get(), [
    "Gala",
    "Jazz",
  ]);
  assert.deepEqual(
    await app.trees.whose((t) => t.planted.greaterThanOrEquals(new Date("2020-01-01"))).name.get(),
    ["Gala", "Jazz"],
  );
  assert.deepEqual(
    await app.trees.whose((t) => t.tags.doesNotContain("eating").and(t.age.notEquals(6)))
      .name.get(),
    ["Bramley"],
  );
  assert.deepEqual(
    await app.trees.at(0).fruits.whose((f) => f.ripeness.equals("over ripe")).name.get(),
    ["B3"],
  );
  assert.equal(events.length, 7);
  // The compound test is one comparison tree; the term went as its code.
  const last = events[6].params!["----"] as ObjectSpecifier;
  const test = (last.from as ObjectSpecifier).seld as { right: unknown };
  assert.deepEqual(test.right, new EnumConstant("Ovrp"));
  // whose results are references, usable again.
  const old = await app.trees.whose((t) => t.age.greaterThan(10)).get();
  assert.deepEqual(await names(old), ["Bramley", "Cox"]);
});

bridgeTest("values: enumerations as terms, dates, records, missing value, files", async (b) => {
  const { app } = b;
  const fruit = app.trees.at(0).fruits.at(1);
  assert.equal(await fruit.ripeness.get(), "unripe");
  await fruit.ripeness.set("ripe");
  assert.equal(await fruit.ripeness.get(), "ripe");
  const planted = await app.trees.at(0).planted.get();
  assert.ok(planted instanceof Date);
  assert.equal(planted.toISOString(), "2001-04-01T00:00:00.000Z");
  assert.equal(await app.trees.at(0).label.get(), null);
  await app.trees.at(0).label.set("old");
  assert.equal(await app.trees.at(0).label.get(), "old");
  await app.trees.at(0).label.set(null);
  assert.equal(await app.trees.at(0).label.get(), null);
  assert.deepEqual(await app.trees.at(0).tags.get(), ["cooking", "old"]);
  // An object-valued property is a path on: name of gardener of tree 2.
  assert.equal(await app.trees.at(1).gardener.name.get(), "Bob");
  assert.equal(await (await app.trees.at(1).gardener.get()).name.get(), "Bob");
  // A reference given as a value is sent as one: set gardener of tree 3 to gardener "Ann".
  await app.trees.at(2).gardener.set(app.gardeners.byName("Ann"));
  assert.equal(await app.trees.at(2).gardener.name.get(), "Ann");
  assert.deepEqual(await app.trees.at(0).harvest({ onlyRipe: true }), { count: 2, weight: 0.75 });
  assert.deepEqual(
    await app.inspect({
      path: "/tmp/apples.txt",
      when: new Date("2026-01-02T03:04:05Z"),
      outcome: { count: 3, weight: 1.5 },
      flag: true,
      sizes: [1, 2.5],
    }),
    {
      path: ["string", "/tmp/apples.txt"],
      when: ["Date", "2026-01-02T03:04:05.000Z"],
      outcome: ["Object", '{"count":3,"weight":1.5}'],
      flag: ["boolean", true],
      sizes: ["array", [1, 2.5]],
    },
  );
});

bridgeTest("make, duplicate, move and delete; references by id outlive changes", async (b) => {
  const { app } = b;
  const cox = (await app.trees.whose((t) => t.name.equals("Cox")).get())[0];
  const made = await app.make({
    new: "tree",
    at: app.trees.beginning(),
    withProperties: { name: "Elstar", age: 1, tags: ["new"] },
  }) as Orchard.OrchardTree;
  assert.equal(await made.name.get(), "Elstar");
  assert.equal(await app.trees.at(0).name.get(), "Elstar");
  // The collection changed; the reference Cox came back as still names Cox.
  assert.equal(await cox.name.get(), "Cox");
  assert.equal(await app.trees.at(1).name.get(), "Bramley");
  await app.trees.byName("Gala").duplicate({ to: app.trees.end() });
  assert.deepEqual(await app.trees.every().name.get(), [
    "Elstar",
    "Bramley",
    "Cox",
    "Gala",
    "Jazz",
    "Gala",
  ]);
  await app.trees.byName("Jazz").move({ to: app.trees.at(0).before() });
  assert.equal(await app.trees.at(0).name.get(), "Jazz");
  await cox.delete();
  assert.equal(await app.trees.count(), 5);
  assert.equal((await failure(cox.name.get())).number, -1728);
  assert.deepEqual(await app.trees.every().name.get(), [
    "Jazz",
    "Elstar",
    "Bramley",
    "Gala",
    "Gala",
  ]);
});

bridgeTest(
  "custom commands: on the app with a direct parameter, on objects, results",
  async (b) => {
    const { app, events } = b;
    assert.equal(await app.water(app.trees.byName("Gala"), { liters: 50 }), 2.5);
    assert.equal(await app.trees.byName("Gala").water({ liters: 100 }), 3);
    assert.equal(await app.trees.at(0).countFruit({ minimumWeight: 0.5 }), 2);
    assert.equal(await app.trees.every().countFruit(), 6);
    const result: Orchard.OrchardHarvestResult = await app.trees.at(-1).harvest({ by: "Ann" });
    assert.deepEqual(result, { count: 2, weight: 0.501 });
    assert.equal(await app.fruitCount.get(), 6);
    assert.equal(events.length, 6);
    assert.equal(events[0].code, "OrchWatr");
  },
);

bridgeTest("errors are ScriptingErrors with the app's numbers, as tell prints them", async (b) => {
  const { app } = b;
  const missing = await failure(app.trees.byName("Fuji").name.get());
  assert.equal(missing.number, -1728);
  assert.equal(missing.message, 'Orchard got an error: Can’t get tree "Fuji".');
  const offending = specifierOf(missing.offendingObject);
  assert.ok(offending instanceof ObjectSpecifier);
  assert.equal(offending.seld, "Fuji");
  const index = await failure(app.trees.at(9).name.get());
  assert.equal(index.number, -1719);
  assert.equal(await failure(app.season.set("spring")).then((e) => e.number), -10006);
  assert.equal(await failure(app.unhandled()).then((e) => e.number), -1708);
  const failed = await failure(app.fail());
  assert.equal(failed.number, -10000);
  assert.match(failed.message, /^Orchard got an error: .*the well is dry/);
  // @ts-expect-error a number is not a date, and the app says so
  const coerce = await failure(app.trees.at(0).planted.set("soon"));
  assert.equal(coerce.number, -1700);
  assert.equal(coerce.expectedType, "date");
});

bridgeTest("close() ends the connection: the next command is -609", async (b) => {
  const { app } = b;
  assert.equal(await app.version.get(), "2.5");
  app.close();
  assert.equal((await failure(app.version.get())).number, -609);
});

Deno.test("a generated module's application() connects by name or bundle id; the dynamic bridge's escape hatches take raw codes", async () => {
  const proc = await startApp(ORCHARD);
  try {
    const runtimeDir = proc.runtimeDir;
    const byName = await Orchard.application({ runtimeDir });
    assert.equal(await byName.trees.at(0).name.get(), "Bramley");
    byName.close();
    const byId = await Orchard.application({ runtimeDir, bundleId: "com.example.Orchard" });
    assert.equal(await byId.name.get(), "Orchard");
    byId.close();
    await assert.rejects(
      Orchard.application({ runtimeDir, bundleId: "com.example.Pear" }),
      NotFoundError,
    );
    const app: DynamicApplication = await dynamicApplication({ bundleId: "com.example.Orchard" }, {
      runtimeDir,
    });
    try {
      assert.equal(await app.property("Afct").get(), 6);
      assert.equal(await app.elements("Tree").count(), 4);
      assert.equal(await app.elements("trees").at(1).property("pnam").get(), "Cox");
      assert.equal(await app.send("coregetd", { "----": app.trees.at(2).name }), "Gala");
      assert.deepEqual(await app.trees.every().name.get(), ["Bramley", "Cox", "Gala", "Jazz"]);
      assert.throws(() => app.property("no such thing"), /no property is called "no such thing"/);
      // A misspelt term is a clear error where it is written, not a crash further on.
      assert.throws(
        () => app.tres,
        /^TypeError: Orchard has no property, element or command called "tres"/,
      );
      assert.throws(
        () => app.trees.name,
        /^TypeError: a collection has at, byName, .*; not "name"/,
      );
    } finally {
      app.close();
    }
  } finally {
    await proc.stop();
  }
});

Deno.test("ipckit sdp --bundle-id writes a module whose application() finds the app by that id, whatever --name says", async () => {
  const proc = await startApp(ORCHARD);
  const dir = repoTempDir("bridge_sdp");
  try {
    const fixture = new URL("./fixtures/Orchard.sdef", import.meta.url).pathname;
    const made = await ipckit([
      "sdp",
      fixture,
      "--basename",
      "Grove",
      "--name",
      "Nowhere",
      "--bundle-id",
      "com.example.Orchard",
      "-o",
      `${dir}/grove.ts`,
    ]);
    assert.equal(made.code, 0, made.stderr);
    // The module's exports, as the golden module of the same definition types them.
    const grove: Pick<typeof Orchard, "appName" | "bundleId" | "application"> = await import(
      `${dir}/grove.ts`
    );
    assert.equal(grove.appName, "Nowhere");
    assert.equal(grove.bundleId, "com.example.Orchard");
    const app = await grove.application({ runtimeDir: proc.runtimeDir });
    try {
      assert.deepEqual(await app.trees.every().name.get(), ["Bramley", "Cox", "Gala", "Jazz"]);
    } finally {
      app.close();
    }
    // By name only, "Nowhere" runs nowhere.
    await assert.rejects(
      grove.application({ runtimeDir: proc.runtimeDir, name: "Nowhere" }),
      NotFoundError,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
    await proc.stop();
  }
});

Deno.test("application({ timeout }) gives each event that long: a handler that never answers is -1712", async () => {
  const proc = await startApp(ORCHARD);
  try {
    const app = await Orchard.application({ runtimeDir: proc.runtimeDir, timeout: 0.5 });
    try {
      const error = await failure(app.stall());
      assert.equal(error.number, -1712);
      // The connection serves on.
      assert.equal(await app.version.get(), "2.5");
    } finally {
      app.close();
    }
  } finally {
    await proc.stop();
  }
});
