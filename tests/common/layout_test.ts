/**
 * The layout check (`scripts/check_layout.ts`, `deno task check:layout`) passes on the
 * repository, and fails, naming the files, on each thing it forbids when one is made on purpose.
 */

import assert from "node:assert/strict";
import { checkLayout, type LayoutProblem } from "../../scripts/check_layout.ts";
import { ROOT } from "../_cli.ts";

Deno.test("the repository has no import cycle, no upward import, no private module used from outside", async () => {
  assert.deepEqual(await checkLayout(ROOT), []);
});

/** Writes `files` (path → source) into a fresh tree and checks its layout. */
async function check(files: Record<string, string>): Promise<LayoutProblem[]> {
  const root = await Deno.makeTempDir({ prefix: "ipckit-layout-" });
  try {
    for (const [path, source] of Object.entries(files)) {
      await Deno.mkdir(`${root}/${path.slice(0, path.lastIndexOf("/"))}`, { recursive: true });
      await Deno.writeTextFile(`${root}/${path}`, source);
    }
    return await checkLayout(await Deno.realPath(root));
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("a cycle made on purpose fails the check, naming its files", async () => {
  const problems = await check({
    "lib/ports/a.ts": 'import { b } from "./b.ts";\nexport const a = () => b;\n',
    "lib/ports/b.ts": 'export const b = 1;\nexport const lazy = () => import("./a.ts");\n',
    "lib/ports/c.ts": 'import { b } from "./b.ts";\nexport const c = b;\n',
  });
  assert.deepEqual(problems, [{
    kind: "cycle",
    message: "import cycle: lib/ports/a.ts ↔ lib/ports/b.ts",
  }]);
});

Deno.test("a type-only import closes a cycle too", async () => {
  const problems = await check({
    "cli/post.ts": 'export const spec = { run: () => import("./post_run.ts") };\n',
    "cli/post_run.ts": 'import type { spec } from "./post.ts";\nexport type S = typeof spec;\n',
  });
  assert.deepEqual(problems.map((p) => p.kind), ["cycle"]);
});

Deno.test("an upward import fails the check, naming both layers", async () => {
  const problems = await check({
    "lib/wire/value.ts": 'import { Broker } from "../broker/core.ts";\nexport const v = Broker;\n',
    "lib/broker/core.ts": "export class Broker {}\n",
  });
  assert.deepEqual(problems, [{
    kind: "upward",
    message: "upward import: lib/wire/value.ts (lib/wire) imports lib/broker/core.ts (lib/broker)",
  }]);
});

Deno.test("two capabilities that import each other by different files fail as a folder cycle", async () => {
  const problems = await check({
    "lib/ports/a.ts": 'import { b } from "../notifications/b.ts";\nexport const a = b;\n',
    "lib/notifications/b.ts": "export const b = 1;\n",
    "lib/notifications/c.ts": 'import { d } from "../ports/d.ts";\nexport const c = d;\n',
    "lib/ports/d.ts": "export const d = 2;\n",
  });
  assert.deepEqual(problems, [{
    kind: "folder-cycle",
    message: "folders import each other: lib/notifications ↔ lib/ports",
  }]);
});

Deno.test("a private module used from outside its folder fails; from inside, or from scripts/, it passes", async () => {
  const problems = await check({
    "lib/ports/_engine.ts": "export const engine = 1;\n",
    "lib/ports/mod.ts": 'export { engine } from "./_engine.ts";\n',
    "cli/send.ts": 'import { engine } from "../lib/ports/_engine.ts";\nexport const s = engine;\n',
    "scripts/bench.ts":
      'import { engine } from "../lib/ports/_engine.ts";\nexport const b = engine;\n',
  });
  assert.deepEqual(problems, [{
    kind: "private",
    message: "private module: cli/send.ts imports lib/ports/_engine.ts",
  }]);
});
