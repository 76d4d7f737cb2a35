/**
 * The standard suite end to end against the Orchard app in its own process: get, set, count,
 * exists, make, delete, duplicate, move and properties, with their errors.
 */

import assert from "node:assert/strict";
import { AppleEventError } from "../../lib/errors.ts";
import { toJson } from "../../lib/wire/json.ts";
import type { Value } from "../../lib/wire/value.ts";
import {
  at,
  byId,
  cmp,
  constant,
  every,
  get,
  insertion,
  its,
  named,
  prop,
  rejectsWith,
  set,
  type,
  whose,
  withOrchard,
} from "./_orchard.ts";

const NAME = "pnam";

Deno.test("set coerces to the definition's type; read-only is -10003; an object is -10006", async (t) => {
  await withOrchard(async (app) => {
    await t.step(
      "text, a real from an integer, an integer from text, a date, an enumerator by term",
      async () => {
        await set(app, prop(NAME, at("Tree", 1)), "Bramley's Seedling");
        assert.equal(await get(app, prop(NAME, at("Tree", 1))), "Bramley's Seedling");
        await set(app, prop("Thgt", at("Tree", 1)), 5n);
        assert.ok(Object.is(await get(app, prop("Thgt", at("Tree", 1))), 5));
        await set(app, prop("Tage", at("Tree", 1)), "26");
        assert.equal(await get(app, prop("Tage", at("Tree", 1))), 26n);
        await set(app, prop("Tpla", at("Tree", 1)), "2002-05-06T00:00:00Z");
        assert.deepEqual(
          await get(app, prop("Tpla", at("Tree", 1))),
          new Date("2002-05-06T00:00:00Z"),
        );
        await set(app, prop("Frip", at("Frui", 2, at("Tree", 1))), "over ripe");
        assert.deepEqual(
          await get(app, prop("Frip", at("Frui", 2, at("Tree", 1)))),
          constant("Ovrp"),
        );
        await set(app, prop("Frip", at("Frui", 2, at("Tree", 1))), constant("Unrp"));
        assert.deepEqual(
          await get(app, prop("Frip", at("Frui", 2, at("Tree", 1)))),
          constant("Unrp"),
        );
      },
    );
    await t.step(
      "a list of text from one text; missing value where the type allows it",
      async () => {
        await set(app, prop("Ttag", at("Tree", 3)), "young");
        assert.deepEqual(await get(app, prop("Ttag", at("Tree", 3))), ["young"]);
        await set(app, prop("Tlbl", at("Tree", 2)), null);
        assert.equal(await get(app, prop("Tlbl", at("Tree", 2))), null);
      },
    );
    await t.step(
      "to a reference: an object property takes the object, a text its value",
      async () => {
        await set(app, prop("Tgar", at("Tree", 1)), named("Gard", "Bob"));
        assert.equal(await get(app, prop(NAME, prop("Tgar", at("Tree", 1)))), "Bob");
        await set(app, prop("Tlbl", at("Tree", 3)), prop(NAME, at("Tree", 4)));
        assert.equal(await get(app, prop("Tlbl", at("Tree", 3))), "Jazz");
        await assert.rejects(
          () => set(app, prop("Tgar", at("Tree", 1)), named("Gard", "Cy")),
          rejectsWith(-1728),
        );
      },
    );
    await t.step("set on every tree whose … sets each", async () => {
      await set(app, prop("Thgt", whose("Tree", cmp("<", its("Tage"), 10n))), 0.5);
      assert.deepEqual(await get(app, prop("Thgt", every("Tree"))), [5, 3, 0.5, 0.5]);
    });
    await t.step(
      "-1700 for what cannot be coerced, with the value and the expected type",
      async () => {
        await assert.rejects(() => set(app, prop("Tage", at("Tree", 1)), "old"), (e) => {
          rejectsWith(-1700, undefined, "old")(e);
          assert.equal((e as AppleEventError).expectedType, "long");
          assert.match((e as AppleEventError).message, /Can’t make "old" into type integer\./);
          return true;
        });
        await assert.rejects(
          () => set(app, prop("Frip", at("Frui", 1, at("Tree", 1))), "rotten"),
          rejectsWith(-1700, undefined, "rotten"),
        );
        await assert.rejects(
          () => set(app, prop("Tage", at("Tree", 1)), null),
          rejectsWith(-1700, undefined, null),
        );
      },
    );
    await t.step("-10003 for a read-only property", async () => {
      const id = prop("ID  ", at("Tree", 1));
      await assert.rejects(() => set(app, id, 5n), (e) => {
        rejectsWith(-10003, undefined, id)(e);
        assert.match(
          (e as AppleEventError).message,
          /Can’t set id of tree 1 to 5\. Access not allowed\./,
        );
        return true;
      });
    });
    await t.step("-10006 for an object itself", async () => {
      await assert.rejects(
        () => set(app, at("Tree", 1), "x"),
        rejectsWith(-10006, undefined, at("Tree", 1)),
      );
    });
  });
});

Deno.test("the app is told after each command that changed its model, and only then", async () => {
  await withOrchard(async (app) => {
    const changes = () => get(app, prop("Achg", "application"));
    assert.equal(await changes(), 0n);
    await set(app, prop(NAME, at("Tree", 1)), "B");
    await get(app, every("Tree"));
    await app.send({ code: "corecnte", params: { "----": every("Tree") } });
    assert.equal(await changes(), 1n);
    await app.send({ code: "corecrel", params: { kocl: type("Tree") } });
    await app.send({ code: "coreclon", params: { "----": at("Tree", 1) } });
    await app.send({
      code: "coremove",
      params: { "----": at("Tree", 1), insh: insertion("end", "application") },
    });
    await app.send({ code: "coredelo", params: { "----": at("Tree", 1) } });
    assert.equal(await changes(), 5n);
    await assert.rejects(() => set(app, prop("ID  ", at("Tree", 1)), 1n), AppleEventError);
    assert.equal(await changes(), 5n); // a refused set changed nothing
  });
});

Deno.test("count, exists and properties", async (t) => {
  await withOrchard(async (app) => {
    await t.step("count every, count each, count whose (no match: 0)", async () => {
      assert.equal(await app.send({ code: "corecnte", params: { "----": every("Tree") } }), 4n);
      assert.equal(
        await app.send({ code: "corecnte", params: { "----": at("Tree", 1), kocl: type("Frui") } }),
        3n,
      );
      assert.equal(
        await app.send({
          code: "corecnte",
          params: { "----": "application" as never, kocl: type("Tree") },
        }),
        4n,
      );
      assert.equal(
        await app.send({
          code: "corecnte",
          params: { "----": whose("Tree", cmp("=", its(NAME), "x")) },
        }),
        0n,
      );
    });
    await t.step("exists: an object, a missing one, an empty whose", async () => {
      assert.equal(
        await app.send({ code: "coredoex", params: { "----": named("Tree", "Cox") } }),
        true,
      );
      assert.equal(
        await app.send({ code: "coredoex", params: { "----": named("Tree", "Fuji") } }),
        false,
      );
      assert.equal(await app.send({ code: "coredoex", params: { "----": at("Tree", 9) } }), false);
      assert.equal(
        await app.send({
          code: "coredoex",
          params: { "----": whose("Tree", cmp("=", its(NAME), "x")) },
        }),
        false,
      );
    });
    await t.step(
      "properties: a record by code with the class; set properties sets several",
      async () => {
        const record = await get(app, prop("pALL", at("Frui", 1, at("Tree", 1)))) as Record<
          string,
          Value
        >;
        assert.equal(record.pnam, "B1");
        assert.ok(Object.is(record.Fwgt, 0.25));
        assert.deepEqual(record.Frip, constant("Ripr"));
        assert.deepEqual(record.pcls, type("Frui"));
        await set(app, prop("pALL", at("Frui", 1, at("Tree", 1))), { pnam: "B0", Fwgt: 1n });
        assert.equal(await get(app, prop(NAME, at("Frui", 1, at("Tree", 1)))), "B0");
        assert.ok(Object.is(await get(app, prop("Fwgt", at("Frui", 1, at("Tree", 1)))), 1));
        assert.deepEqual(await get(app, prop("pcls", at("Tree", 2))), type("Tree"));
      },
    );
  });
});

Deno.test("make: at a location, with properties, without at into the target; refusals", async (t) => {
  await withOrchard(async (app) => {
    const make = (params: Record<string, Value>, subject?: Value) =>
      app.send({ code: "corecrel", params, subject });
    await t.step(
      "at end of the app's trees, with properties: a reference by a fresh id",
      async () => {
        const ref = await make({
          kocl: type("Tree"),
          insh: insertion("end", "application"),
          prdt: { pnam: "Fuji", Tage: 1n },
        });
        assert.match(toJson(ref), /"want":"Tree","from":"application","form":"id"/);
        assert.equal(await get(app, prop(NAME, at("Tree", -1))), "Fuji");
        assert.equal(await get(app, prop(NAME, ref)), "Fuji");
        assert.equal(await get(app, prop("Tage", ref)), 1n);
      },
    );
    await t.step(
      "a new id is above every id given, so a deleted object's reference names nothing new",
      async () => {
        const first = await make({ kocl: type("Tree"), prdt: { pnam: "Doomed" } });
        const id = await get(app, prop("ID  ", first)) as bigint;
        assert.ok(id > 104n, `id ${id}`);
        await app.send({ code: "coredelo", params: { "----": first } });
        const second = await make({ kocl: type("Tree"), prdt: { pnam: "Next" } });
        assert.ok((await get(app, prop("ID  ", second)) as bigint) > id);
        await assert.rejects(
          () => get(app, prop(NAME, first)),
          rejectsWith(-1728, undefined, first),
        );
        await app.send({ code: "coredelo", params: { "----": second } });
      },
    );
    await t.step("before an object, at the beginning of a tree's fruit", async () => {
      await make({
        kocl: type("Tree"),
        insh: insertion("before", named("Tree", "Cox")),
        prdt: { pnam: "Braeburn" },
      });
      assert.deepEqual(await get(app, prop(NAME, every("Tree"))), [
        "Bramley",
        "Braeburn",
        "Cox",
        "Gala",
        "Jazz",
        "Fuji",
      ]);
      await make({
        kocl: type("Frui"),
        insh: insertion("beginning", named("Tree", "Gala")),
        prdt: { pnam: "G1", Frip: constant("Unrp") },
      });
      assert.deepEqual(await get(app, prop(NAME, every("Frui", named("Tree", "Gala")))), ["G1"]);
      assert.deepEqual(
        await get(app, prop("Frip", at("Frui", 1, named("Tree", "Gala")))),
        constant("Unrp"),
      );
    });
    await t.step("at a container, and without at: into the tell target's collection", async () => {
      await make({ kocl: type("Frui"), insh: named("Tree", "Gala"), prdt: { pnam: "G2" } });
      await make({ kocl: type("Frui"), prdt: { pnam: "G3" } }, named("Tree", "Gala"));
      assert.deepEqual(await get(app, prop(NAME, every("Frui", named("Tree", "Gala")))), [
        "G1",
        "G2",
        "G3",
      ]);
      await make({ kocl: type("Tree"), prdt: { pnam: "Pink Lady" } });
      assert.equal(await get(app, prop(NAME, at("Tree", -1))), "Pink Lady");
    });
    await t.step("with data: the class's contents", async () => {
      const made = await make({
        kocl: type("Frui"),
        insh: insertion("end", named("Tree", "Cox")),
        data: "from data",
        prdt: { pnam: "C2" },
      });
      assert.equal(await get(app, prop("Fnot", made)), "from data");
      await assert.rejects(() => make({ kocl: type("Tree"), data: "x" }), rejectsWith(-10010));
    });
    await t.step(
      "-10010 for a class that cannot be made, -10024 where it cannot go, -10003 into a read-only element",
      async () => {
        await assert.rejects(() => make({ kocl: type("Zzzz") }), rejectsWith(-10010));
        await assert.rejects(() => make({ kocl: type("capp") }), rejectsWith(-10010));
        await assert.rejects(
          () => make({ kocl: type("Tree"), insh: insertion("end", at("Tree", 1)) }),
          rejectsWith(-10024),
        );
        await assert.rejects(
          () => make({ kocl: type("Gard"), prdt: { pnam: "Cy" } }),
          rejectsWith(-10003),
        );
        await assert.rejects(
          () => make({ insh: insertion("end", "application") }),
          rejectsWith(-1701),
        );
      },
    );
  });
});

Deno.test("delete, duplicate and move", async (t) => {
  await withOrchard(async (app) => {
    const send = (code: string, params: Record<string, Value>) => app.send({ code, params });
    await t.step("duplicate to a location with properties; a copy gets a fresh id", async () => {
      const copy = await send("coreclon", {
        "----": named("Tree", "Gala"),
        insh: insertion("end", "application"),
        prdt: { pnam: "Gala 2" },
      });
      assert.equal(await get(app, prop(NAME, copy)), "Gala 2");
      assert.notEqual(await get(app, prop("ID  ", copy)), 103n);
      assert.equal(await get(app, prop("Tage", copy)), 6n);
      const fruits = await send("coreclon", { "----": every("Frui", named("Tree", "Jazz")) });
      assert.equal((fruits as Value[]).length, 2);
      assert.deepEqual(await get(app, prop(NAME, every("Frui", named("Tree", "Jazz")))), [
        "J1",
        "J1",
        "J2",
        "J2",
      ]);
    });
    await t.step("move to another tree, and within one", async () => {
      await send("coremove", {
        "----": at("Frui", 1, named("Tree", "Bramley")),
        insh: insertion("end", named("Tree", "Gala")),
      });
      assert.deepEqual(await get(app, prop(NAME, every("Frui", named("Tree", "Bramley")))), [
        "B2",
        "B3",
      ]);
      assert.deepEqual(await get(app, prop(NAME, every("Frui", named("Tree", "Gala")))), ["B1"]);
      await send("coremove", {
        "----": at("Tree", 1),
        insh: insertion("after", named("Tree", "Cox")),
      });
      assert.deepEqual(await get(app, prop(NAME, every("Tree"))), [
        "Cox",
        "Bramley",
        "Gala",
        "Jazz",
        "Gala 2",
      ]);
      await assert.rejects(() => send("coremove", { "----": at("Tree", 1) }), rejectsWith(-1701));
    });
    await t.step("delete one, delete every whose, delete a missing object is -1728", async () => {
      await send("coredelo", { "----": byId("Tree", 102n) });
      await send("coredelo", {
        "----": whose("Frui", cmp("=", its(NAME), "J1"), named("Tree", "Jazz")),
      });
      assert.deepEqual(await get(app, prop(NAME, every("Frui", named("Tree", "Jazz")))), [
        "J2",
        "J2",
      ]);
      assert.deepEqual(await get(app, prop(NAME, every("Tree"))), [
        "Bramley",
        "Gala",
        "Jazz",
        "Gala 2",
      ]);
      await assert.rejects(
        () => send("coredelo", { "----": byId("Tree", 102n) }),
        rejectsWith(-1728, undefined, byId("Tree", 102n)),
      );
    });
    await t.step("a read-only element refuses delete and move", async () => {
      await assert.rejects(() => send("coredelo", { "----": at("Gard", 1) }), rejectsWith(-10003));
      await assert.rejects(
        () => send("coremove", { "----": at("Gard", 1), insh: insertion("end", "application") }),
        rejectsWith(-10003),
      );
      assert.deepEqual(await get(app, prop(NAME, every("Gard"))), ["Ann", "Bob"]);
    });
  });
});
