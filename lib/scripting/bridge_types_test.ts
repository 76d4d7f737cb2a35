// The bridge types are types only: these tests are checked when `deno test` type-checks this
// file (a wrong type fails the run), and each `@ts-expect-error` must meet an error.
import assert from "node:assert/strict";
import type {
  Elements,
  EnumCode,
  EnumValue,
  Every,
  Property,
  ReadonlyProperty,
  Specifier,
  Test,
  TestOf,
} from "./mod.ts";

interface TreeCodes {
  readonly ripe: "RRip";
  readonly unripe: "RUnr";
}
interface Tree extends Specifier {
  readonly name: ReadonlyProperty<string>;
  readonly height: Property<number>;
  readonly ripeness: Property<EnumValue<TreeCodes>>;
  readonly branches: Elements<Tree>;
  prune(options: { hard: boolean }): Promise<void>;
}

/** Type-level checks, compiled but never called. */
async function typeChecks(trees: Elements<Tree>): Promise<void> {
  const tree: Tree = trees.at(-1);
  const name: string = await tree.name.get();
  // @ts-expect-error a read-only property has no set
  await tree.name.set("x");
  await tree.height.set(2);
  // @ts-expect-error properties take their own type
  await tree.height.set("2");
  const every: Every<Tree> = trees.every();
  const heights: number[] = await every.height.get();
  const names: string[] = await every.name.get();
  await every.height.set(3);
  // @ts-expect-error a read-only property of every object cannot be set either
  await every.name.set("x");
  await every.prune({ hard: true });
  const branches: Elements<Tree> = every.branches;
  const all: Tree[] = await every.get();
  const ripe = trees.whose((t: TestOf<Tree>) =>
    t.ripeness.equals("ripe").and(t.height.greaterThan(1))
  );
  // @ts-expect-error "green" is not a term of the enumeration
  trees.whose((t) => t.ripeness.equals("green"));
  // @ts-expect-error elements cannot be compared in whose
  trees.whose((t) => t.branches.equals(tree));
  const test: Test = ((t: TestOf<Tree>) => t.name.startsWith("A"))({} as TestOf<Tree>);
  const code: EnumCode<TreeCodes, "ripe"> = "RRip";
  // @ts-expect-error the code of "ripe" is RRip
  const wrong: EnumCode<TreeCodes, "ripe"> = "RUnr";
  const count: number = await trees.count();
  void [name, heights, names, branches, all, ripe, test, code, wrong, count, trees.range(0, 2)];
}

Deno.test("the bridge types type-check as bridges use them", () => {
  // Compiling this file is the test; referring to the function keeps it checked.
  assert.equal(typeof typeChecks, "function");
});
