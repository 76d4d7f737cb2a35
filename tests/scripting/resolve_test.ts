/**
 * Specifier resolution end to end: the Orchard app in one process, the client in this one.
 * Every key form and ordinal, fan-out, whose with every operator, ranges, relative
 * specifiers, and the references that come back.
 */

import assert from "node:assert/strict";
import { AppleEventError } from "../../lib/errors.ts";
import { toJson } from "../../lib/wire/json.ts";
import type { Value } from "../../lib/wire/value.ts";
import {
  and,
  at,
  byId,
  cmp,
  constant,
  every,
  get,
  insertion,
  its,
  named,
  not,
  or,
  prop,
  spec,
  type,
  whose,
  withOrchard,
} from "./_orchard.ts";

const NAME = "pnam";
const tree = (n: number) => at("Tree", n);
const names = (of: Value) => of;

Deno.test("every key form and ordinal of a tree resolves in the app's process", async (t) => {
  await withOrchard(async (app) => {
    const nameOf = async (s: Value) => await get(app, prop(NAME, s as never));
    await t.step("index, negative index", async () => {
      assert.equal(await nameOf(tree(1)), "Bramley");
      assert.equal(await nameOf(tree(-1)), "Jazz");
      assert.equal(await nameOf(tree(-4)), "Bramley");
    });
    await t.step("first, middle, last, some", async () => {
      assert.equal(await nameOf(spec("Tree", "application", "index", "first")), "Bramley");
      assert.equal(await nameOf(spec("Tree", "application", "index", "middle")), "Cox");
      assert.equal(await nameOf(spec("Tree", "application", "index", "last")), "Jazz");
      const some = await nameOf(spec("Tree", "application", "index", "some"));
      assert.ok(["Bramley", "Cox", "Gala", "Jazz"].includes(some as string));
    });
    await t.step("every, and the plural of an element", async () => {
      assert.deepEqual(await nameOf(every("Tree")), ["Bramley", "Cox", "Gala", "Jazz"]);
    });
    await t.step("name (case-insensitive) and unique id", async () => {
      assert.equal(await get(app, prop("Tage", named("Tree", "cOX"))), 16n);
      assert.equal(await nameOf(byId("Tree", 103n)), "Gala");
    });
    await t.step(
      "properties typed by the definition: integer, real, date, list, enumerator",
      async () => {
        assert.equal(await get(app, prop("Tage", tree(1))), 25n);
        assert.ok(Object.is(await get(app, prop("Thgt", tree(2))), 3)); // a real stays a double
        assert.deepEqual(await get(app, prop("Tpla", tree(1))), new Date("2001-04-01T00:00:00Z"));
        assert.deepEqual(await get(app, prop("Ttag", tree(1))), ["cooking", "old"]);
        assert.deepEqual(await get(app, prop("Frip", at("Frui", 3, tree(1)))), constant("Ovrp"));
        assert.equal(await get(app, prop("Tlbl", tree(1))), null); // missing value
        assert.equal(await get(app, prop("Afct", "application")), 6n);
        assert.equal(await get(app, prop("vers", "application")), "2.5"); // runtime default
        assert.equal(await get(app, prop("pnam", "application")), "Orchard");
        assert.equal(await get(app, prop("pisf", "application")), false);
        assert.deepEqual(await get(app, every("cwin")), []); // no windows
      },
    );
    await t.step("fan-out: name of every fruit of every tree is a list of lists", async () => {
      assert.deepEqual(await nameOf(every("Frui", every("Tree"))), [
        ["B1", "B2", "B3"],
        ["C1"],
        [],
        ["J1", "J2"],
      ]);
      assert.deepEqual(await nameOf(at("Frui", 1, whose("Tree", cmp(">", its("Tage"), 10n)))), [
        "B1",
        "C1",
      ]);
    });
    await t.step("a class's own resolution first, the runtime's for the rest", async () => {
      assert.deepEqual(await get(app, prop("pnam", byId("Gard", "boss"))), "Ann");
      assert.deepEqual(await get(app, prop("pnam", at("Gard", 2))), "Bob");
      await assert.rejects(
        () => get(app, byId("Gard", "nobody")),
        (e) => e instanceof AppleEventError && e.number === -1728,
      );
    });
    await t.step("an object-valued property, and names through it", async () => {
      assert.equal(await nameOf(prop("Tgar", tree(2))), "Bob");
      assert.equal(await nameOf(prop("Gbos", prop("Tgar", tree(2)))), "Ann");
    });
  });
});

Deno.test("whose: every operator, and/or/not, nested properties, it; no match is an empty list", async (t) => {
  await withOrchard(async (app) => {
    const q = async (test: Parameters<typeof whose>[1]) =>
      await get(app, prop(NAME, whose("Tree", test)));
    const cases: [string, Parameters<typeof whose>[1], string[]][] = [
      ["=", cmp("=", its(NAME), "gala"), ["Gala"]],
      ["≠ (not =)", not(cmp("=", its(NAME), "Gala")), ["Bramley", "Cox", "Jazz"]],
      ["<", cmp("<", its("Tage"), 16n), ["Gala", "Jazz"]],
      ["≤", cmp("<=", its("Tage"), 16n), ["Cox", "Gala", "Jazz"]],
      [">", cmp(">", its("Thgt"), 2.5), ["Bramley", "Cox"]],
      ["≥", cmp(">=", its("Thgt"), 2), ["Bramley", "Cox", "Gala"]],
      ["begins with", cmp("begins with", its(NAME), "b"), ["Bramley"]],
      ["ends with", cmp("ends with", its(NAME), "ZZ"), ["Jazz"]],
      ["contains (text)", cmp("contains", its(NAME), "a"), ["Bramley", "Gala", "Jazz"]],
      ["contains (list)", cmp("contains", its("Ttag"), "eating"), ["Cox", "Jazz"]],
      ["is in (contains swapped)", cmp("contains", ["Cox", "Gala"], its(NAME)), ["Cox", "Gala"]],
      ["a date", cmp("<", its("Tpla"), new Date("2015-01-01T00:00:00Z")), ["Bramley", "Cox"]],
      ["missing value", cmp("=", its("Tlbl"), null), ["Bramley", "Gala", "Jazz"]],
      [
        "and/or",
        or(
          and(cmp(">", its("Tage"), 10n), cmp("contains", its(NAME), "x")),
          cmp("=", its(NAME), "Jazz"),
        ),
        ["Cox", "Jazz"],
      ],
      ["nested: whose gardener's name is", cmp("=", prop(NAME, its("Tgar")), "Ann"), [
        "Bramley",
        "Jazz",
      ]],
      [
        "nested twice: whose gardener's boss's name is",
        cmp("=", prop(NAME, prop("Gbos", its("Tgar"))), "Ann"),
        ["Cox", "Gala"],
      ],
      ["no match", cmp("=", its(NAME), "Fuji"), []],
      ['an object: whose gardener is gardener "ann"', cmp("=", its("Tgar"), named("Gard", "ann")), [
        "Bramley",
        "Jazz",
      ]],
      ["an object by index, swapped", cmp("=", at("Gard", 2), its("Tgar")), ["Cox", "Gala"]],
      ["an object is not text", cmp("=", its("Tgar"), "Ann"), []],
    ];
    for (const [what, test, want] of cases) {
      await t.step(what, async () => assert.deepEqual(await q(test), names(want)));
    }
    await t.step("an enumerator compared by its constant", async () => {
      const ripe = whose("Frui", cmp("=", its("Frip"), constant("Ripr")), every("Tree"));
      assert.deepEqual(await get(app, prop(NAME, ripe)), [["B1"], ["C1"], [], ["J1", "J2"]]);
    });
    await t.step("whose on elements of a whose", async () => {
      const heavy = whose(
        "Frui",
        cmp(">=", its("Fwgt"), 0.5),
        whose("Tree", cmp("=", its("Tage"), 25n)),
      );
      assert.deepEqual(await get(app, prop(NAME, heavy)), [["B2", "B3"]]);
    });
  });
});

Deno.test("ranges with bounds by index, name, specifier, beginning and end; relative specifiers", async (t) => {
  await withOrchard(async (app) => {
    const range = (a: Value, b: Value) => prop(NAME, spec("Tree", "application", "range", [a, b]));
    await t.step("by index, swapped bounds, negative", async () => {
      assert.deepEqual(await get(app, range(2n, 3n)), ["Cox", "Gala"]);
      assert.deepEqual(await get(app, range(3n, 2n)), ["Cox", "Gala"]);
      assert.deepEqual(await get(app, range(-2n, -1n)), ["Gala", "Jazz"]);
    });
    await t.step("by name and by specifier", async () => {
      assert.deepEqual(await get(app, range("cox", "Jazz")), ["Cox", "Gala", "Jazz"]);
      assert.deepEqual(
        await get(
          app,
          range(spec("Tree", "container", "name", "Gala"), at("Tree", 4, "container")),
        ),
        ["Gala", "Jazz"],
      );
    });
    await t.step("beginning and end", async () => {
      assert.deepEqual(await get(app, range(constant("bgng"), 2n)), ["Bramley", "Cox"]);
      assert.deepEqual(await get(app, range("Gala", constant("end "))), ["Gala", "Jazz"]);
    });
    await t.step("a bad bound is -1720 with the range as offending object", async () => {
      const bad = spec("Tree", "application", "range", [2n, 9n]);
      await assert.rejects(
        () => get(app, bad),
        (e) =>
          e instanceof AppleEventError && e.number === -1720 &&
          toJson(e.offendingObject as Value) === toJson(bad),
      );
    });
    await t.step("before and after", async () => {
      assert.equal(await get(app, prop(NAME, spec("Tree", tree(3), "relative", "before"))), "Cox");
      assert.equal(
        await get(app, prop(NAME, spec("Tree", named("Tree", "Cox"), "relative", "after"))),
        "Gala",
      );
      await assert.rejects(
        () => get(app, spec("Tree", tree(1), "relative", "before")),
        (e) => e instanceof AppleEventError && e.number === -1728,
      );
    });
  });
});

Deno.test("references come back by id, else by name, and name the same object after the collection changed", async () => {
  await withOrchard(async (app) => {
    const cox = await get(app, at("Tree", 2));
    assert.equal(
      toJson(cox),
      '{"$specifier":{"want":"Tree","from":"application","form":"id","seld":102}}',
    );
    const fruit = await get(app, at("Frui", 1, named("Tree", "Jazz")));
    assert.match(toJson(fruit), /"form":"name","seld":"J1"/);
    const gardener = await get(app, at("Gard", 2));
    assert.match(toJson(gardener), /"want":"Gard","from":"application","form":"name","seld":"Bob"/);
    // the collection changes: a tree before Cox goes, another comes first
    await app.send({ code: "coredelo", params: { "----": at("Tree", 1) } });
    await app.send({
      code: "corecrel",
      params: {
        kocl: type("Tree"),
        insh: insertion("beginning", "application"),
        prdt: { pnam: "Fuji" },
      },
    });
    await app.send({ code: "coredelo", params: { "----": at("Frui", 1, named("Tree", "Jazz")) } });
    await app.send({
      code: "corecrel",
      params: {
        kocl: type("Frui"),
        insh: insertion("beginning", named("Tree", "Jazz")),
        prdt: { pnam: "J0" },
      },
    });
    assert.equal(await get(app, prop(NAME, at("Tree", 1))), "Fuji");
    assert.equal(await get(app, prop(NAME, cox as never)), "Cox");
    await assert.rejects(() => get(app, prop(NAME, fruit as never)), /Can’t get fruit "J1"/); // deleted
    assert.equal(await get(app, prop(NAME, at("Frui", 1, named("Tree", "Jazz")))), "J0");
    assert.equal(await get(app, prop(NAME, gardener as never)), "Bob");
  });
});

Deno.test("text has paragraphs, words and characters; an object's contents is an implicit subcontainer", async (t) => {
  await withOrchard(async (app) => {
    const note = prop("Fnot", at("Frui", 1, tree(1)));
    await t.step("paragraphs, words, characters of a text property", async () => {
      assert.deepEqual(await get(app, every("cpar", note)), [
        "Sharp and green.",
        "Good for pies; keeps well.",
      ]);
      assert.equal(await get(app, at("cpar", -1, note)), "Good for pies; keeps well.");
      assert.deepEqual(await get(app, every("cwor", at("cpar", 2, note))), [
        "Good",
        "for",
        "pies",
        "keeps",
        "well",
      ]);
      assert.equal(await get(app, spec("cwor", note, "index", "last")), "well");
      assert.deepEqual(await get(app, spec("cha ", note, "range", [1n, 5n])), [
        "S",
        "h",
        "a",
        "r",
        "p",
      ]);
      assert.equal(
        await app.send({ code: "corecnte", params: { "----": every("cwor", note) } }),
        8n,
      );
    });
    await t.step("whose on words, with it itself", async () => {
      const it = type("exmn");
      assert.deepEqual(await get(app, whose("cwor", cmp("begins with", it, "g"), note)), [
        "green",
        "Good",
      ]);
    });
    await t.step(
      "word 1 of fruit 1: the fruit's contents (its note) is where its words are",
      async () => {
        assert.equal(await get(app, at("cwor", 1, at("Frui", 1, tree(1)))), "Sharp");
      },
    );
    await t.step("errors: an index past the end, a part that cannot be set", async () => {
      await assert.rejects(
        () => get(app, at("cpar", 3, note)),
        (e) =>
          e instanceof AppleEventError && e.number === -1719 && /paragraph 3 of/.test(e.message),
      );
      await assert.rejects(
        () => app.send({ code: "coresetd", params: { "----": at("cwor", 1, note), data: "x" } }),
        (e) => e instanceof AppleEventError && e.number === -10006,
      );
      assert.equal(await get(app, at("cwor", 1, note)), "Sharp");
    });
  });
});
