/**
 * Bridges against the hand-written request, in one run, on the Orchard test app grown to
 * 10,000 trees (in a process of its own):
 *
 * - `trees.every().name.get()` and `trees.at(0).name.get()` through the generated bridge
 *   (tests/golden/sdp/OrchardApp.ts) and the dynamic one (measured after it has its
 *   terminology), against the same events written by hand (`connectApp` and `send` with the
 *   specifiers built in place; target ≤ 1.2×);
 * - against a loop that gets each tree's name with an event of its own (what one event saves).
 *
 * Rounds alternate between the sides in blocks, so that noise falls on all alike; each figure
 * is the median of the rounds.
 *
 * @module
 */

import { PERMISSIONS } from "../../lib/permissions.ts";
import { connectApp } from "../../lib/scripting/client.ts";
import { application } from "../../lib/scripting/dynamic.ts";
import type { ScriptingEvent } from "../../lib/scripting/protocol.ts";
import { ObjectSpecifier } from "../../lib/wire/value.ts";
import * as Orchard from "../../tests/golden/sdp/OrchardApp.ts";
import { firstLine } from "./_dbus_daemon.ts";
import { fmt, median, ratio, table, timed } from "./_stats.ts";

const ORCHARD = new URL("../../tests/scripting/_orchard_app.ts", import.meta.url).pathname;
const TREES = 10_000;
const ROUNDS = 9;
const EVERY = 10;
const GETS = 500;
const LOOP_ROUNDS = 3;

const EVERY_NAME: ScriptingEvent = {
  code: "coregetd",
  params: {
    "----": new ObjectSpecifier(
      "prop",
      new ObjectSpecifier("Tree", "application", "index", "every"),
      "property",
      "pnam",
    ),
  },
};

/** Runs the benchmark and returns its markdown table. */
export async function bridgeBench(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-bench-bridge-" });
  await Deno.chmod(dir, 0o700);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...PERMISSIONS, ORCHARD],
    env: { IPCKIT_RUNTIME_DIR: dir, ORCHARD_TREES: String(TREES) },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    if ((await firstLine(child.stdout)) !== "ready") throw new Error("Orchard did not start");
    const raw = await connectApp("Orchard", { runtimeDir: dir });
    const generated = await Orchard.application({ runtimeDir: dir });
    const dynamic = await application("Orchard", { runtimeDir: dir });
    try {
      const tree1Name = (): Promise<unknown> =>
        raw.send({
          code: "coregetd",
          params: {
            "----": new ObjectSpecifier(
              "prop",
              new ObjectSpecifier("Tree", "application", "index", 1n),
              "property",
              "pnam",
            ),
          },
        });
      const sides = {
        hand: {
          every: () => raw.send(EVERY_NAME),
          one: tree1Name,
        },
        generated: {
          every: () => generated.trees.every().name.get(),
          one: () => generated.trees.at(0).name.get(),
        },
        dynamic: {
          every: () => dynamic.trees.every().name.get(),
          one: () => dynamic.trees.at(0).name.get(),
        },
      };
      for (const [name, side] of Object.entries(sides)) {
        const names = await side.every() as string[];
        if (names.length !== TREES || await side.one() !== "Bramley") {
          throw new Error(`the ${name} side got something else`);
        }
      }
      const every: Record<string, number[]> = { hand: [], generated: [], dynamic: [] };
      const one: Record<string, number[]> = { hand: [], generated: [], dynamic: [] };
      const order = Object.entries(sides);
      for (let round = 0; round < ROUNDS; round++) {
        // Each round starts with another side, so that none always runs first (or after GC).
        // Calls alternate one by one (gets in blocks of 10), so that load on this shared
        // machine falls on every side alike.
        const turn = [...order.slice(round % 3), ...order.slice(0, round % 3)];
        const everySums: Record<string, number> = { hand: 0, generated: 0, dynamic: 0 };
        for (let i = 0; i < EVERY; i++) {
          for (const [name, side] of turn) everySums[name] += await timed(1, side.every);
        }
        for (const name of Object.keys(sides)) every[name].push(everySums[name] / EVERY);
        const sums: Record<string, number> = { hand: 0, generated: 0, dynamic: 0 };
        for (let block = 0; block < GETS / 10; block++) {
          for (const [name, side] of turn) sums[name] += await timed(10, side.one);
        }
        for (const name of Object.keys(sides)) one[name].push(sums[name] / (GETS / 10));
      }
      const loop: number[] = [];
      for (let round = 0; round < LOOP_ROUNDS; round++) {
        loop.push(
          await timed(1, async () => {
            for (let i = 0; i < TREES; i++) await generated.trees.at(i).name.get();
          }),
        );
      }
      const e = Object.fromEntries(Object.entries(every).map(([k, v]) => [k, median(v)]));
      const o = Object.fromEntries(Object.entries(one).map(([k, v]) => [k, median(v)]));
      const l = median(loop);
      return [
        "## Bridges\n",
        table(["on 10,000 trees", "time per call", "ratio to the hand-written request"], [
          ["hand-written `get name of every tree`", `${fmt(e.hand / 1000)} ms`, "1.00×"],
          [
            "generated `trees.every().name.get()`",
            `${fmt(e.generated / 1000)} ms`,
            ratio(e.generated, e.hand),
          ],
          [
            "dynamic `trees.every().name.get()`",
            `${fmt(e.dynamic / 1000)} ms`,
            ratio(e.dynamic, e.hand),
          ],
          [
            "a loop: `trees.at(i).name.get()` for each tree, one event each",
            `${fmt(l / 1000)} ms`,
            ratio(l, e.hand),
          ],
          ["hand-written `get name of tree 1`", `${fmt(o.hand)} µs`, "1.00×"],
          [
            "generated `trees.at(0).name.get()`",
            `${fmt(o.generated)} µs`,
            ratio(o.generated, o.hand),
          ],
          ["dynamic `trees.at(0).name.get()`", `${fmt(o.dynamic)} µs`, ratio(o.dynamic, o.hand)],
        ]),
        `\nMedians of ${ROUNDS} rounds of ${EVERY} every-gets and ${GETS} single gets each side ` +
        `(the loop: ${LOOP_ROUNDS} rounds); target: the bridges ≤ 1.2× the hand-written request.`,
      ].join("\n");
    } finally {
      raw.close();
      generated.close();
      dynamic.close();
    }
  } finally {
    child.kill("SIGTERM");
    await child.status;
    await child.stdout.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) console.log(await bridgeBench());
