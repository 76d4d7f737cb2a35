/**
 * `deno task bench:compare BASE [ROUNDS] [SUITE…]`: runs benchmark suites of this checkout and of
 * another (`BASE`, e.g. a worktree of the previous main) in alternation, ROUNDS times each
 * (default 2), and prints every figure of their tables side by side: the median over the rounds
 * for each, and this checkout's over the base's. Alternating spreads the machine's drift over
 * both; a change of layout should leave every ratio near 1.
 *
 * SUITE is the name of a `scripts/bench/NAME_bench.ts` whose `NAMEBench()` returns markdown
 * tables (default: startup, notifications, ports).
 *
 * @module
 */

import { PERMISSIONS } from "../../lib/permissions.ts";
import { median, table } from "./_stats.ts";

/** One run's figures: "suite / row / column" → value. */
type Figures = Map<string, { value: number; unit: string }>;

/** Runs `suite` of the checkout at `root` in a process of its own and returns its output. */
async function runSuite(root: string, suite: string): Promise<string> {
  const runner = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      runner,
      `import { ${suite}Bench } from ${
        JSON.stringify(`${root}/scripts/bench/${suite}_bench.ts`)
      };\n` +
        `console.log(await ${suite}Bench());\n`,
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        `--config=${root}/deno.json`,
        `--lock=${root}/scripts/bench/deno.lock`,
        ...PERMISSIONS,
        runner,
      ],
      cwd: root,
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!output.success) throw new Error(`${suite} in ${root} failed (exit ${output.code})`);
    return new TextDecoder().decode(output.stdout);
  } finally {
    await Deno.remove(runner);
  }
}

/** The numeric cells of every markdown table in `text`, keyed by suite, row label and column. */
function figuresOf(suite: string, text: string): Figures {
  const figures: Figures = new Map();
  let header: string[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("|")) {
      header = [];
      continue;
    }
    const cells = line.slice(1, -1).split("|").map((c) => c.trim());
    if (cells.every((c) => /^-+$/.test(c))) continue;
    if (!header.length) {
      header = cells;
      continue;
    }
    cells.slice(1).forEach((cell, i) => {
      const match = /^(-?[\d,]*\.?\d+)\s*(.*)$/.exec(cell);
      if (!match) return;
      const key = `${suite} / ${cells[0]} / ${header[i + 1] ?? i + 1}`;
      figures.set(key, { value: Number(match[1].replaceAll(",", "")), unit: match[2] });
    });
  }
  return figures;
}

if (import.meta.main) {
  const [base, roundsArg, ...named] = Deno.args;
  if (!base) {
    console.error("usage: deno task bench:compare BASE_CHECKOUT [ROUNDS] [SUITE…]");
    Deno.exit(2);
  }
  const here = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
  const roots = { base: await Deno.realPath(base), this: here };
  const rounds = Number(roundsArg ?? 2);
  const suites = named.length ? named : ["startup", "notifications", "ports"];
  const runs: Record<"base" | "this", Figures[]> = { base: [], this: [] };
  for (let round = 0; round < rounds; round++) {
    for (const side of ["base", "this"] as const) {
      const figures: Figures = new Map();
      for (const suite of suites) {
        console.error(`round ${round + 1}: ${suite} of ${roots[side]}`);
        for (const [k, v] of figuresOf(suite, await runSuite(roots[side], suite))) {
          figures.set(k, v);
        }
      }
      runs[side].push(figures);
    }
  }
  const rows: string[][] = [];
  for (const [key, { unit }] of runs.this[0]) {
    const values = (side: "base" | "this") =>
      runs[side].map((f) => f.get(key)?.value).filter((v): v is number => v !== undefined);
    const [b, t] = [values("base"), values("this")];
    if (b.length === 0 || t.length === 0) continue;
    const [mb, mt] = [median(b), median(t)];
    rows.push([key, `${mb} ${unit}`, `${mt} ${unit}`, mb ? `${(mt / mb).toFixed(3)}` : "—"]);
  }
  console.log(`${rounds} alternating rounds, medians; this: ${roots.this}, base: ${roots.base}\n`);
  console.log(table(["figure", "base", "this", "this / base"], rows));
}
