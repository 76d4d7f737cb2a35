// What the compiler refuses in a generated bridge (tests/golden/sdp/OrchardApp.ts): these
// checks are compiled when `deno test` type-checks this file, never run, and each
// `@ts-expect-error` must meet an error or the check fails.
import assert from "node:assert/strict";
import type { Connected, LocationSpecifier } from "../../lib/scripting/mod.ts";
import type * as Orchard from "../golden/sdp/OrchardApp.ts";

/** Type-level checks, compiled but never called. */
async function typeChecks(app: Connected<Orchard.OrchardApplication>): Promise<void> {
  const tree = app.trees.at(0);
  const fruit = tree.fruits.at(0);

  // No set on a read-only property.
  const count: number = await app.fruitCount.get();
  // @ts-expect-error fruit count is read-only
  await app.fruitCount.set(3);
  // @ts-expect-error so is every tree's id
  await app.trees.every().id.set(1);
  await app.season.set("winter");

  // No contains on a number (nor a date); text and lists have it.
  app.trees.whose((t) => t.name.contains("a"));
  app.trees.whose((t) => t.tags.contains("old"));
  app.trees.whose((t) => t.label.startsWith("by"));
  // @ts-expect-error a number has no contains
  app.trees.whose((t) => t.age.contains(1));
  // @ts-expect-error nor starts with
  app.trees.whose((t) => t.height.startsWith(1));
  // @ts-expect-error a date has no contains
  app.trees.whose((t) => t.planted.contains(new Date()));
  // @ts-expect-error a number compares with numbers
  app.trees.whose((t) => t.age.greaterThan("10"));

  // Wrong parameter types.
  // @ts-expect-error liters is a number
  await app.water(tree, { liters: "ten" });
  // @ts-expect-error the direct parameter is a tree, not a fruit's name
  await app.water("Cox", { liters: 1 });
  // @ts-expect-error harvest's by is text
  await tree.harvest({ by: 3 });
  // @ts-expect-error a property takes its own type
  await tree.planted.set("yesterday");

  // Missing required parameters.
  // @ts-expect-error water needs liters
  await app.water(tree);
  // @ts-expect-error on a tree too
  await tree.water({});
  // @ts-expect-error make needs new
  await app.make({ at: app.trees.end() });
  // @ts-expect-error move needs to
  await tree.move({});

  // Unknown enumeration terms.
  await fruit.ripeness.set("over ripe");
  // @ts-expect-error "rotten" is not a ripeness
  await fruit.ripeness.set("rotten");
  // @ts-expect-error nor in whose
  tree.fruits.whose((f) => f.ripeness.equals("rotten"));

  // A property whose value is an object is a reference to it too; its own properties follow.
  const gardenerName: string = await tree.gardener.name.get();
  const gardener: Orchard.OrchardGardener = await tree.gardener.get();
  // @ts-expect-error a gardener's name is read-only, through the property too
  await tree.gardener.name.set("Eve");

  // A property that may be an object or nothing is a path on too (boss of gardener of tree 1).
  const bossName: string = await tree.gardener.boss.name.get();
  const boss: Orchard.OrchardGardener | null = await tree.gardener.boss.get();

  // What comes back is typed.
  const names: string[] = await app.trees.every().name.get();
  const ripeness: Orchard.OrchardRipeness[] = await tree.fruits.every().ripeness.get();
  const result: Orchard.OrchardHarvestResult = await tree.harvest();
  const trees: Orchard.OrchardTree[] = await app.trees.whose((t) => t.age.lessThan(9)).get();
  const where: LocationSpecifier = tree.before();
  app.close();
  void [gardenerName, gardener, bossName, boss, count, names, ripeness, result, trees, where];
}

Deno.test("a generated bridge's types refuse what the definition does not allow", () => {
  // Compiling this file is the test; referring to the function keeps it checked.
  assert.equal(typeof typeChecks, "function");
});
