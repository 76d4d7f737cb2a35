/**
 * Type-level tests: generated bridges used the way a user would, checked with `deno check`.
 * Each `// @ts-expect-error` marks a line that must not compile (setting a read-only property,
 * leaving out a required parameter, an enumerator that does not exist, …); if the generated
 * typing were wrong and let one through, the directive would be unused and the check would fail.
 *
 * @module
 */

import assert from "node:assert/strict";
import { readDictionary } from "../../lib/sdef/mod.ts";
import { generateBridge } from "../../lib/sdp/mod.ts";
import { denoCheck, REAL_DIR, realDataTest, REPO_ROOT, repoTempDir } from "./_sdp_testdata.ts";

const ORCHARD = `${REPO_ROOT}/tests/golden/sdp/Orchard.sdef`;

const ORCHARD_USE = `
import type {
  OrchardApplication,
  OrchardEventHandlers,
  OrchardHarvestReport,
  OrchardRipeness,
  OrchardRipenessCodes,
  OrchardTree,
} from "./Orchard.ts";
import { terminology } from "./Orchard.ts";

declare const app: OrchardApplication;

export async function use(): Promise<void> {
  const tree: OrchardTree = app.trees.at(0);
  const name: string = await tree.name.get();
  // @ts-expect-error name is read-only (access="r")
  await tree.name.set("Apple");
  await tree.height.set(3.5);
  // @ts-expect-error height is a real
  await tree.height.set("tall");
  const ripeness: OrchardRipeness = await tree.ripeness.get();
  await tree.ripeness.set("ripe");
  // @ts-expect-error "ripish" is not an enumerator of ripeness
  await tree.ripeness.set("ripish");
  // @ts-expect-error hidden enumerators are left out by default
  await tree.ripeness.set("rotten");
  const code: OrchardRipenessCodes["ripe"] = "RRip";
  // @ts-expect-error the code of "ripe" is RRip
  const wrongCode: OrchardRipenessCodes["ripe"] = "RUnr";
  // @ts-expect-error a fruit's ripeness is read-only, unlike a tree's
  await app.trees.at(0).fruit.first().ripeness.set("ripe");

  const report: OrchardHarvestReport = await tree.pick({ into: "basket 1", atMost: 10 });
  // @ts-expect-error "into" is a required parameter
  await tree.pick({ atMost: 10 });
  // @ts-expect-error pick needs its parameters
  await tree.pick();
  // @ts-expect-error a fruit does not respond to pick
  await tree.fruit.at(0).pick({ into: "basket" });
  const fruitCount: number | undefined = report.fruitCount;
  // @ts-expect-error a record's read-only field
  report.weight = 2;

  const planted: OrchardTree = await app.plantSeed("pear", { at: app.trees.end() });
  // @ts-expect-error the kind of tree is required
  await app.plantSeed();
  // @ts-expect-error plantSeed takes text
  await app.plantSeed(42);
  // @ts-expect-error hidden commands are left out by default
  await app.forecast();

  const heights: number[] = await app.trees.every().height.get();
  await app.trees.every().height.set(2);
  // @ts-expect-error setting every object's property takes one value
  await app.trees.every().height.set([2]);
  const ripe: OrchardTree[] = await app.trees.whose((t) => t.ripeness.equals("ripe")).get();
  // @ts-expect-error whose compares with the property's own type
  app.trees.whose((t) => t.ripeness.equals("green"));
  // @ts-expect-error elements are not properties inside whose
  app.trees.whose((t) => t.fruit.equals("x"));
  const count: number = await app.trees.count();
  // @ts-expect-error element collections are read-only members
  app.trees = app.trees;
  // @ts-expect-error no such property
  tree.colour;
  // @ts-expect-error hidden properties are left out by default
  tree.secret;
  // @ts-expect-error the season is read-only
  await app.season.set("winter");

  const label: string | number = await tree.label.get();
  const model: Uint8Array = await tree._3dModel.get();
  const cls: string = await tree.class.get();

  const handlers: OrchardEventHandlers = {
    fruitFell(fruit, { from, bruised }) {
      void fruit.name.get();
      void from.height.get();
      void bruised;
    },
  };
  const badHandlers: OrchardEventHandlers = {
    // @ts-expect-error the tree is a parameter, not the direct parameter
    fruitFell(fruit: OrchardTree) {
      void fruit;
    },
  };
  const entry = terminology.classes.find(([n]) => n === "tree");
  void [name, ripeness, code, wrongCode, fruitCount, planted, heights, ripe, count, label, model, cls];
  void [handlers, badHandlers, entry];
}
`;

const XCODE_USE = `
import type { XcodeApplication, XcodeSaveOptions, XcodeSchemeActionResultStatus } from "./Xcode.ts";

declare const xcode: XcodeApplication;

export async function use(): Promise<void> {
  const name: string = await xcode.name.get();
  // @ts-expect-error the application's name is read-only
  await xcode.name.set("Xcode");
  const ws = xcode.workspaceDocuments.at(0);
  await ws.activeScheme.set(ws.schemes.byName("App"));
  await ws.attach({ toProcessIdentifier: 42, suspended: false });
  // @ts-expect-error "suspended" is required
  await ws.attach({ toProcessIdentifier: 42 });
  // @ts-expect-error a plain document has no schemes
  xcode.documents.at(0).schemes;
  const saving: XcodeSaveOptions = "ask";
  await xcode.quit({ saving });
  // @ts-expect-error "maybe" is not a save option
  await xcode.quit({ saving: "maybe" });
  const result = await ws.build();
  const status: XcodeSchemeActionResultStatus = await result.status.get();
  // @ts-expect-error not a status
  const bad: XcodeSchemeActionResultStatus = "exploded";
  const names: string[] = await xcode.documents.every().name.get();
  // @ts-expect-error a window's id is read-only
  await xcode.windows.at(0).id.set(3);
  void [name, status, bad, names];
}
`;

/** Generates `basename`'s bridge from `definition` into a folder, and type-checks `use` against it. */
async function checkUse(definition: string, basename: string, use: string): Promise<void> {
  const dir = repoTempDir("sdp_types");
  try {
    const dict = await readDictionary(definition);
    await Deno.writeTextFile(`${dir}/${basename}.ts`, generateBridge(dict, { basename }));
    await Deno.writeTextFile(`${dir}/use.ts`, use);
    const { code, output } = await denoCheck([`${dir}/use.ts`]);
    assert.equal(code, 0, `deno check failed:\n${output}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a generated bridge type-checks as a user uses it, and rejects wrong uses", async () => {
  await checkUse(ORCHARD, "Orchard", ORCHARD_USE);
});

Deno.test(realDataTest({
  name: "Xcode's generated bridge type-checks as a user uses it, and rejects wrong uses",
  async fn() {
    await checkUse(`${REAL_DIR}Xcode.sdef`, "Xcode", XCODE_USE);
  },
}));

Deno.test("the type-level check fails when an expected error does not happen", async () => {
  // A control: a @ts-expect-error on a correct line must fail the check, so the test above
  // proves that each marked line really is an error.
  const dir = repoTempDir("sdp_types_control");
  try {
    const orchard = await readDictionary(ORCHARD);
    await Deno.writeTextFile(`${dir}/Orchard.ts`, generateBridge(orchard, { basename: "Orchard" }));
    await Deno.writeTextFile(
      `${dir}/use.ts`,
      `import type { OrchardTree } from "./Orchard.ts";\n` +
        `export async function use(tree: OrchardTree): Promise<void> {\n` +
        `  // @ts-expect-error height is settable, so this is no error\n` +
        `  await tree.height.set(1);\n}\n`,
    );
    const { code, output } = await denoCheck([`${dir}/use.ts`]);
    assert.notEqual(code, 0);
    assert.match(output, /Unused '@ts-expect-error' directive/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
