/**
 * Whole-process start-up of the installed `ipckit` (the bundle `deno task install` makes)
 * against `deno run` of an empty script, in one run: `ipckit daemon status` with a broker
 * running, and `ipckit --version`. Runs alternate so that noise falls on both alike; each
 * figure is the median of the runs.
 *
 * @module
 */

import { install } from "../install.ts";
import { fmt, median, table } from "./_stats.ts";

const RUNS = 40;

async function timeOnce(cmd: string, args: string[], env: Record<string, string>): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(cmd, { args, env, stdout: "null", stderr: "null" }).output();
  const elapsed = performance.now() - start;
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} exited ${out.code}`);
  return elapsed;
}

/** Runs the benchmark and returns its markdown table. */
export async function startupBench(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "ipckit-install-" });
  const runtimeDir = await Deno.makeTempDir({ prefix: "ipckit-bench-rt-" });
  await Deno.chmod(runtimeDir, 0o700);
  const env = { IPCKIT_RUNTIME_DIR: runtimeDir };
  try {
    const ipckit = await install(root);
    const empty = `${root}/empty.js`;
    await Deno.writeTextFile(empty, "\n");
    await timeOnce(ipckit, ["daemon", "start"], env);
    const cases: [string, string, string[]][] = [
      ["`deno run` of an empty script", Deno.execPath(), ["run", "--no-config", empty]],
      ["`ipckit daemon status` (installed)", ipckit, ["daemon", "status"]],
      ["`ipckit --version` (installed)", ipckit, ["--version"]],
    ];
    const samples = cases.map(() => [] as number[]);
    for (let i = 0; i < 3; i++) for (const [, cmd, args] of cases) await timeOnce(cmd, args, env);
    for (let i = 0; i < RUNS; i++) {
      for (const [k, [, cmd, args]] of cases.entries()) {
        samples[k].push(await timeOnce(cmd, args, env));
      }
    }
    await timeOnce(ipckit, ["daemon", "stop"], env);
    const base = median(samples[0]);
    return table(
      [`start-up (median of ${RUNS} alternating runs)`, "time", "ratio to empty deno run"],
      cases.map(([label], k) => [
        label,
        `${fmt(median(samples[k]))} ms`,
        `${(median(samples[k]) / base).toFixed(2)}×`,
      ]),
    );
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
    await Deno.remove(runtimeDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) console.log(await startupBench());
