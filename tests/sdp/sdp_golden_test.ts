/**
 * Golden files: `ipckit sdp` output for a few definitions, compared byte for byte (which also
 * shows the output is deterministic). After a deliberate change to the generator, regenerate
 * them with `deno run --allow-read --allow-write scripts/regen_golden.ts` and review the diff.
 *
 * @module
 */

import assert from "node:assert/strict";
import { casePath, GOLDEN_CASES, GOLDEN_DIR, renderGolden } from "../../scripts/regen_golden.ts";
import { realDataTest } from "./_sdp_testdata.ts";

for (const c of GOLDEN_CASES) {
  Deno.test(realDataTest({
    name: `sdp output for ${c.golden.replace(/\.ts$/, "")} matches its golden file`,
    needsData: "real" in c.source,
    async fn() {
      const actual = await renderGolden(c);
      const expected = await Deno.readTextFile(`${GOLDEN_DIR}${c.golden}`);
      if (actual !== expected) {
        const a = actual.split("\n");
        const e = expected.split("\n");
        const line = a.findIndex((l, i) => l !== e[i]);
        assert.fail(
          `${casePath(c)} no longer generates ${c.golden} (first difference at line ${
            line + 1
          }:\n` +
            `  expected ${JSON.stringify(e[line])}\n  actual   ${JSON.stringify(a[line])}).\n` +
            `If the change is deliberate: deno run --allow-read --allow-write scripts/regen_golden.ts`,
        );
      }
      assert.equal(await renderGolden(c), actual, "the output changed between two runs");
    },
  }));
}
