/**
 * The app's own commands end to end, both ways (object-first through responds-to, verb-first),
 * their errors, timeouts, an app that exits mid-event, malformed events, the model check at
 * start-up, a second app with the same bundle id, finding apps by name or id, and `<event>`s
 * posted as notifications.
 */

import assert from "node:assert/strict";
import { AppleEventError, NameTakenError, NotFoundError } from "../../lib/errors.ts";
import { observeNotifications } from "../../lib/notifications/mod.ts";
import { connectPort } from "../../lib/ports/mod.ts";
import { connectApp, findApp, listApps } from "../../lib/scripting/mod.ts";
import { deepSpecifierBytes } from "../../lib/wire/_test_values.ts";
import { toJson } from "../../lib/wire/json.ts";
import { decodeValue, encodeValue } from "../../lib/wire/msgpack.ts";
import type { ObjectSpecifier, Value } from "../../lib/wire/value.ts";
import {
  at,
  cleanupRuntimeDir,
  cmp,
  constant,
  every,
  get,
  insertion,
  its,
  named,
  ORCHARD,
  prop,
  rejectsWith,
  spec,
  startApp,
  tempRuntimeDir,
  type,
  whose,
  withOrchard,
} from "./_orchard.ts";

Deno.test("custom commands: object-first once per receiver, verb-first once with every receiver", async (t) => {
  await withOrchard(async (app) => {
    await t.step(
      "harvest (responds-to) on one tree: its record, typed by the record type",
      async () => {
        const result = await app.send({
          code: "OrchHarv",
          params: { "----": named("Tree", "Bramley"), Onlr: true },
        });
        assert.deepEqual(result, { Hcnt: 1n, Hwgt: 0.25 });
        assert.deepEqual(await get(app, prop("Fpck", every("Frui", named("Tree", "Bramley")))), [
          true,
          false,
          false,
        ]);
      },
    );
    await t.step(
      "harvest on every tree whose …: one call per tree, a list of results",
      async () => {
        const result = await app.send({
          code: "OrchHarv",
          params: { "----": whose("Tree", cmp("contains", its("Ttag"), "eating")), "Hby ": "Ann" },
        });
        assert.deepEqual(result, [{ Hcnt: 1n, Hwgt: 0.126 }, { Hcnt: 2n, Hwgt: 0.501 }]);
      },
    );
    await t.step(
      "count fruit (verb-first): once, receivers all the trees named; args coerced",
      async () => {
        assert.equal(await app.send({ code: "OrchCntF", params: {} }), 6n);
        assert.equal(await app.send({ code: "OrchCntF", params: { "----": every("Tree") } }), 6n);
        assert.equal(
          await app.send({ code: "OrchCntF", params: { "----": every("Tree"), Mwgt: "0.3" } }),
          3n,
        );
      },
    );
    await t.step("water (verb-first, one tree): a real; several trees is -10014", async () => {
      assert.ok(
        Object.is(
          await app.send({ code: "OrchWatr", params: { "----": at("Tree", 3), Wlit: 50n } }),
          2.5,
        ),
      );
      await assert.rejects(
        () => app.send({ code: "OrchWatr", params: { "----": every("Tree"), Wlit: 1n } }),
        rejectsWith(-10014, /single objects/, every("Tree")),
      );
    });
    await t.step("-1701 for a missing required parameter, -1715 for an unknown one", async () => {
      await assert.rejects(
        () => app.send({ code: "OrchWatr", params: { "----": at("Tree", 1) } }),
        rejectsWith(-1701, /“liters” is missing/),
      );
      await assert.rejects(
        () => app.send({ code: "OrchWatr", params: { "----": at("Tree", 1), Wlit: 1n, Zzzz: 1n } }),
        rejectsWith(-1715, /«Zzzz»/, 1n),
      );
      await assert.rejects(
        () =>
          app.send({ code: "OrchWatr", params: { "----": at("Tree", 1), Wlit: at("Tree", 2) } }),
        rejectsWith(-1700, /^Can’t make tree 2 into type real\.$/, at("Tree", 2)),
      );
      await assert.rejects(
        () => app.send({ code: "OrchWatr", params: { "----": at("Tree", 1), Wlit: "lots" } }),
        rejectsWith(-1700, /Can’t make "lots" into type real/, "lots"),
      );
    });
    await t.step("a command on a class that does not respond to it is -1708", async () => {
      await assert.rejects(
        () => app.send({ code: "OrchHarv", params: { "----": at("Gard", 1) } }),
        rejectsWith(-1708, /doesn’t understand the “harvest” message/),
      );
    });
    await t.step("a command without a handler, and an unknown code, are -1708", async () => {
      await assert.rejects(() => app.send({ code: "OrchUnhd" }), rejectsWith(-1708, /“unhandled”/));
      await assert.rejects(
        () => app.send({ code: "zzzzzzzz" }),
        rejectsWith(-1708, /«event zzzzzzzz»/),
      );
      await assert.rejects(() => app.send({ code: "aevtquit" }), rejectsWith(-1708, /“quit”/));
    });
    await t.step("a handler that throws is -10000 with its message and no stack", async () => {
      await assert.rejects(() => app.send({ code: "OrchFail" }), (e) => {
        rejectsWith(-10000, /^the well is dry$/)(e);
        return true;
      });
    });
    await t.step(
      "a handler that never answers: the client's timeout, -1712; the app serves on",
      async () => {
        await assert.rejects(
          () => app.send({ code: "OrchStal", timeout: 0.3 }),
          rejectsWith(-1712, /timed out/),
        );
        assert.equal(await get(app, prop("pnam", at("Tree", 1))), "Bramley");
      },
    );
    await t.step(
      "handlers that never answer give their request slots back at the timeout",
      async () => {
        // more stalls than the app handles at once (16): each is answered -1712 by the app itself
        const stalls = Array.from(
          { length: 20 },
          () =>
            app.send({ code: "OrchStal", timeout: 0.2 }, { timeout: 5 }).then(
              () => assert.fail("a stall answered"),
              (e) => rejectsWith(-1712, /stall did not answer within 0.2 s/)(e),
            ),
        );
        await Promise.all(stalls);
        assert.equal(await get(app, prop("pnam", at("Tree", 1))), "Bramley");
      },
    );
    await t.step(
      "without a direct parameter, an object-first command goes to the tell target",
      async () => {
        const result = await app.send({
          code: "OrchHarv",
          params: {},
          subject: named("Tree", "Cox"),
        });
        assert.deepEqual(result, { Hcnt: 1n, Hwgt: 0.125 });
      },
    );
  });
});

Deno.test("coercion of parameters to the definition's types, as the handler gets them", async () => {
  await withOrchard(async (app) => {
    const seen = await app.send({
      code: "OrchInsp",
      params: {
        Iflg: "yes",
        Ipth: "file:///tmp/a%20b.txt",
        Iout: { Hcnt: 2n, Hwgt: 1n },
        Ieit: "12",
        Iany: { pnam: "x", n: 3n },
        Itgt: prop("pnam", at("Tree", 1)),
        Iknd: type("Tree"),
        Iwhn: "2026-01-02T00:00:00Z",
        Isiz: 3n,
      },
    }) as Record<string, Value[]>;
    assert.deepEqual(seen.flag, ["boolean", true]); // boolean from text
    assert.deepEqual(seen.path, ["string", "/tmp/a b.txt"]); // file → path
    assert.deepEqual(seen.outcome, ["Object", '{"count":2,"weight":1}']); // record by record type
    assert.deepEqual(seen.either, ["string", "12"]); // integer | text: text stays text
    assert.deepEqual(seen.anything, ["Object", '{"name":"x","n":3}']); // any: a record by term
    assert.equal(seen.target[0], "ObjectSpecifier"); // specifier: kept, not resolved
    assert.deepEqual(seen.kind, ["string", "tree"]); // type → the class's name
    assert.deepEqual(seen.when, ["Date", "2026-01-02T00:00:00.000Z"]); // date from text
    assert.deepEqual(seen.sizes, ["array", [3n]]); // list of real from one integer
    const more = await app.send({
      code: "OrchInsp",
      params: { Ieit: 12n, Iflg: constant("no  "), Isiz: [1.5, "2"] },
    }) as Record<string, Value[]>;
    assert.deepEqual(more.either, ["number", 12n]);
    assert.deepEqual(more.flag, ["boolean", false]);
    assert.deepEqual(more.sizes, ["array", [1.5, 2n]]);
    await assert.rejects(
      () => app.send({ code: "OrchInsp", params: { Iwhn: "someday" } }),
      rejectsWith(-1700, /Can’t make "someday" into type date/, "someday"),
    );
  });
});

Deno.test("errors as they really arise, with their offending objects", async () => {
  await withOrchard(async (app) => {
    await assert.rejects(
      () => get(app, named("Tree", "Fuji")),
      rejectsWith(-1728, /^Can’t get tree "Fuji"\.$/, named("Tree", "Fuji")),
    );
    await assert.rejects(
      () => get(app, prop("pnam", at("Frui", 9, named("Tree", "Cox")))),
      rejectsWith(
        -1719,
        /^Can’t get fruit 9 of tree "Cox"\. Invalid index\.$/,
        at("Frui", 9, named("Tree", "Cox")),
      ),
    );
    await assert.rejects(
      () => get(app, at("Tree", 0)),
      rejectsWith(-1719, /Invalid index/, at("Tree", 0)),
    );
    await assert.rejects(() => get(app, at("Frui", 1, named("Tree", "Gala"))), rejectsWith(-1719));
    await assert.rejects(() => get(app, every("Zzzz")), rejectsWith(-1728, /«class Zzzz»/));
    const season = prop("Asea", "application");
    await assert.rejects(
      () => app.send({ code: "coresetd", params: { "----": season, data: "winter" } }),
      rejectsWith(-10006, /^Can’t set season to "winter"\.$/, season), // a getter, no setter
    );
    await assert.rejects(
      () => get(app, prop("Zzzz", at("Tree", 1))),
      rejectsWith(-1728, /«property Zzzz» of tree 1/),
    );
    await assert.rejects(
      () => get(app, at("Frui", 1, prop("pnam", at("Tree", 1)))),
      rejectsWith(-10008, /is a property, not an element/),
    );
  });
});

Deno.test("malformed events and specifiers of the wrong shape get a clear error and harm nothing", async () => {
  await withOrchard(async (app, proc) => {
    const port = await connectPort("com.example.Orchard", { runtimeDir: proc.runtimeDir });
    try {
      const ask = async (body: Uint8Array) =>
        decodeValue((await port.sendRequest(1, body, { receiveTimeout: 10 }))!) as Record<
          string,
          Value
        >;
      const notMsgpack = await ask(new Uint8Array([0xc1, 0xff]));
      assert.equal(notMsgpack.n, -50n);
      assert.match(notMsgpack.m as string, /malformed event.*MessagePack/);
      const noCode = await ask(encodeValue({ p: {} }));
      assert.match(noCode.m as string, /malformed event: an event's code \(e\) is 8 characters/);
      for (const t of [-1, NaN, 1e300]) { // found by fuzzing: a timer refused the timeout
        const badTimeout = await ask(encodeValue({ e: "OrchStal", p: {}, t }));
        assert.equal(badTimeout.n, -50n);
        assert.match(badTimeout.m as string, /timeout \(t\) is a number of seconds above 0/);
      }
      const badKey = await ask(encodeValue({ e: "coregetd", p: { toolong: 1n } }));
      assert.match(badKey.m as string, /four characters/);
      const deep = new Uint8Array(20_000).fill(0x91); // 20,000 nested arrays
      assert.match((await ask(deep)).m as string, /malformed event: .*deeper than the limit/);
      // get (cobj 1 of cobj 1 of … 10,000 deep)
      const spec = deepSpecifierBytes(10_000);
      const head = encodeValue({ e: "coregetd", p: { "----": null } });
      const event = new Uint8Array(head.length - 1 + spec.length);
      event.set(head.subarray(0, head.length - 1)); // the event without its null…
      event.set(spec, head.length - 1); // …and the specifier in its place
      const deepSpec = await ask(event);
      assert.equal(deepSpec.n, -50n);
      assert.match(deepSpec.m as string, /malformed event: nested deeper than the limit of 64/);
      const unknownRequest = decodeValue(
        (await port.sendRequest(99, new Uint8Array(0), { receiveTimeout: 10 }))!,
      );
      assert.equal((unknownRequest as Record<string, Value>).n, -50n);
      const notASpecifier = await ask(
        encodeValue({ e: "coregetd", p: { "----": { want: "Tree" } } }),
      );
      assert.deepEqual(notASpecifier, { v: { want: "Tree" } }); // a record is a literal: get returns it
    } finally {
      port.invalidate();
    }
    assert.equal(await get(app, prop("pnam", at("Tree", 1))), "Bramley");
  });
});

Deno.test("an app that exits mid-event: the client gets -609 connection invalid", async () => {
  await withOrchard(async (app) => {
    await assert.rejects(
      () => app.send({ code: "OrchQuit" }),
      rejectsWith(-609, /Connection is invalid/),
    );
  });
});

Deno.test("the model check at start-up names every missing key and the app does not serve", async () => {
  const dir = await tempRuntimeDir();
  try {
    await assert.rejects(() => startApp(ORCHARD, { ORCHARD_BROKEN: "1" }, dir), (e) => {
      const text = (e as Error).message;
      assert.match(text, /the model of Orchard does not match its definition/);
      assert.match(
        text,
        /application\.trees\[1\] \(a tree\) has no "height" for the property "height"/,
      );
      assert.match(
        text,
        /application \(an application\) has no array "gardeners" for its gardeners/,
      );
      return true;
    });
    assert.deepEqual(await listApps({ runtimeDir: dir }), []);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("apps are found by name or bundle id, case-insensitively; a second app with the same bundle id is refused", async () => {
  const dir = await tempRuntimeDir();
  const first = await startApp(ORCHARD, {}, dir);
  try {
    for (const name of ["Orchard", "orchard", "com.example.orchard", 'id "COM.EXAMPLE.Orchard"']) {
      assert.equal((await findApp(name, { runtimeDir: dir })).bundleId, "com.example.Orchard");
    }
    await assert.rejects(() => findApp('id "Orchard"', { runtimeDir: dir }), NotFoundError);
    await assert.rejects(
      () => connectApp("Pear", { runtimeDir: dir }),
      /no scriptable app "Pear" is running/,
    );
    const apps = await listApps({ runtimeDir: dir });
    assert.deepEqual(apps.map((a) => [a.name, a.bundleId, a.pid, a.title]), [
      ["Orchard", "com.example.Orchard", first.child.pid, "Orchard Terminology"],
    ]);
    await assert.rejects(() => startApp(ORCHARD, {}, dir), (e) => {
      assert.match((e as Error).message, new RegExp(NameTakenError.name));
      assert.match(
        (e as Error).message,
        /cannot serve Orchard: an app with the bundle id com\.example\.Orchard already runs/,
      );
      return true;
    });
    assert.equal((await listApps({ runtimeDir: dir })).length, 1);
  } finally {
    await first.stop();
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("a definition's <event> is posted as a distributed notification with its parameters", async () => {
  const dir = await tempRuntimeDir();
  const observer = await observeNotifications({ names: "com.example.Orchard.*", runtimeDir: dir });
  try {
    const proc = await startApp(ORCHARD, { ORCHARD_FELL: "1" }, dir);
    try {
      for await (const n of observer) {
        if (n.type !== "notification") continue;
        assert.equal(n.name, "com.example.Orchard.treeFell");
        assert.deepEqual(n.userInfo, { treeName: "Gala" });
        break;
      }
    } finally {
      await proc.stop();
    }
  } finally {
    observer.close();
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("hundreds of mutated events each get a reply, and the app serves on", async () => {
  await withOrchard(async (app, proc) => {
    const port = await connectPort("com.example.Orchard", { runtimeDir: proc.runtimeDir });
    try {
      const seeds = [
        { e: "coregetd", p: { "----": prop("pnam", every("Frui", every("Tree"))) }, t: 5 },
        { e: "coresetd", p: { "----": prop("Tage", at("Tree", 2)), data: "7" }, t: 5 },
        {
          e: "coregetd",
          p: { "----": whose("Tree", cmp("contains", its("Ttag"), "eating")) },
          t: 5,
        },
        { e: "OrchHarv", p: { "----": named("Tree", "Cox"), Onlr: true }, t: 5 },
      ].map((event) => encodeValue(event as never));
      let state = 20261206;
      const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
      let values = 0, errors = 0;
      for (let i = 0; i < 300; i++) {
        const bytes = seeds[i % seeds.length].slice();
        for (let m = 0; m < 1 + Math.floor(random() * 3); m++) {
          bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
        }
        const reply = decodeValue((await port.sendRequest(1, bytes, { receiveTimeout: 10 }))!);
        assert.ok(reply !== null && typeof reply === "object", `case ${i}: not a reply`);
        if ("v" in (reply as Record<string, Value>)) values++;
        else {
          const r = reply as Record<string, Value>;
          assert.equal(typeof r.n, "bigint", `case ${i}: ${toJson(reply)}`);
          assert.equal(typeof r.m, "string");
          assert.doesNotMatch(r.m as string, /\n\s+at /, `case ${i}: a stack trace`);
          // -10000 is a handler's failure: here it would be the runtime's own, a defect
          assert.notEqual(r.n, -10000n, `case ${i}: ${r.m}`);
          errors++;
        }
      }
      assert.ok(errors > 50 && values > 10, `${errors} errors, ${values} values`);
    } finally {
      port.invalidate();
    }
    assert.ok(Array.isArray(await get(app, every("Tree"))));
  });
});

Deno.test("random well-formed events of every command over random specifiers never crash the runtime", async () => {
  await withOrchard(async (app) => {
    let state = Number(Deno.env.get("SEED") ?? "7");
    const random = () => (state = (state * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const classes = [
      "Tree",
      "Frui",
      "Gard",
      "cpar",
      "cwor",
      "cha ",
      "capp",
      "cobj",
      "Zzzz",
      "docu",
    ];
    const props = ["pnam", "Tage", "Tgar", "Fnot", "pALL", "pcls", "ID  ", "Gbos", "Ttag", "Zzzz"];
    const literals: Value[] = [1n, -1n, 0n, 2.5, "Cox", "", true, null, [1n, "x"], { pnam: "x" }];
    const specifier = (depth: number): ObjectSpecifier => {
      const from = depth === 0 || random() < 0.3
        ? pick(["application", "application", "container", "examined"] as const)
        : specifier(depth - 1);
      switch (Math.floor(random() * 7)) {
        case 0:
          return spec("prop", from, "property", pick(props));
        case 1:
          return spec(
            pick(classes),
            from,
            "index",
            pick([1n, 2n, -1n, 0n, 99n, "first", "every", "some", "middle", "last"]),
          );
        case 2:
          return spec(pick(classes), from, "name", pick(["Cox", "B1", "Ann", "zz"]));
        case 3:
          return spec(pick(classes), from, "id", pick(literals));
        case 4:
          return spec(pick(classes), from, "range", [
            pick([1n, -1n, 5n, "Cox"]),
            pick([2n, constant("end "), at("Tree", 1, "container")]),
          ]);
        case 5:
          return spec(
            pick(classes),
            from,
            "test",
            cmp(
              pick(["=", "<", "contains", "begins with"] as const),
              its(pick(props)),
              pick(literals),
            ),
          );
        default:
          return spec(pick(classes), from, "relative", pick(["before", "after"] as const));
      }
    };
    const value = (): Value => random() < 0.5 ? specifier(2) : pick(literals);
    const events = [
      "coregetd",
      "coresetd",
      "corecnte",
      "coredoex",
      "corecrel",
      "coredelo",
      "coreclon",
      "coremove",
      "OrchHarv",
      "OrchCntF",
      "OrchWatr",
      "OrchInsp",
    ];
    let failures = 0;
    for (let i = 0; i < 400; i++) {
      const params: Record<string, Value> = { "----": value() };
      for (const code of ["data", "kocl", "insh", "prdt", "Onlr", "Wlit", "Iany", "Itgt"]) {
        if (random() < 0.3) {
          params[code] = code === "kocl"
            ? type(pick(classes))
            : code === "insh"
            ? insertion(pick(["beginning", "end", "before", "after"] as const), specifier(1))
            : value();
        }
      }
      try {
        await app.send({
          code: pick(events),
          params,
          subject: random() < 0.2 ? specifier(1) : null,
          timeout: 5,
        });
      } catch (error) {
        assert.ok(error instanceof AppleEventError, `case ${i}: ${error}`);
        assert.notEqual(error.number, -10000, `case ${i}: ${error.message}`);
        failures++;
      }
    }
    assert.ok(failures > 50, `only ${failures} of the random events failed`);
    assert.ok(Array.isArray(await get(app, every("Tree"))));
  });
});

Deno.test("connectApp() passes over a record whose app does not answer to one that does, under the same name", async () => {
  const dir = await tempRuntimeDir();
  const first = await startApp(ORCHARD, {}, dir);
  try {
    // Left by a killed app: its bundle id sorts first, and nothing serves its port.
    await Deno.writeTextFile(
      `${dir}/apps/com.example.Apple.json`,
      JSON.stringify({ name: "Orchard", bundleId: "com.example.Apple", pid: 1, since: "x" }),
    );
    const app = await connectApp("Orchard", { runtimeDir: dir });
    try {
      assert.equal(app.app.bundleId, "com.example.Orchard");
      assert.equal(await get(app, prop("pnam", at("Tree", 1))), "Bramley");
    } finally {
      app.close();
    }
    assert.equal((await findApp("orchard", { runtimeDir: dir })).pid, first.child.pid);
    await assert.rejects(
      () => connectApp('id "com.example.Apple"', { runtimeDir: dir }),
      /no scriptable app "id \\"com.example.Apple\\"" is running/,
    );
  } finally {
    await first.stop();
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("an app killed with -9 is no longer listed, and its bundle id can be served again", async () => {
  const dir = await tempRuntimeDir();
  try {
    const first = await startApp(ORCHARD, {}, dir);
    first.child.kill("SIGKILL");
    await first.child.status;
    await first.stop();
    assert.deepEqual(await listApps({ runtimeDir: dir }), []);
    await assert.rejects(() => connectApp("Orchard", { runtimeDir: dir }), NotFoundError);
    const second = await startApp(ORCHARD, {}, dir);
    try {
      const apps = await listApps({ runtimeDir: dir });
      assert.deepEqual(apps.map((a) => a.pid), [second.child.pid]);
    } finally {
      await second.stop();
    }
  } finally {
    await cleanupRuntimeDir(dir);
  }
});
