/**
 * Whole-process start-up of the installed `ipckit` (the bundle `deno task install` makes)
 * against `deno run` of an empty script, in one run. Runs alternate so that noise falls on both
 * alike; each figure is the median of the runs. The other benchmarks time their own hot
 * commands with {@linkcode startupTable}.
 *
 * @module
 */

import { install } from "../install.ts";
import { fmt, median, table } from "./_stats.ts";

/** One command line of the installed `ipckit` to time. */
export interface StartupCase {
  /** The row's label. */
  label: string;
  /** The arguments after `ipckit`. */
  args: string[];
  /** Standard input. @default {none} */
  stdin?: Uint8Array;
}

/** Runs a command to completion and returns how long it took, in milliseconds. */
export async function timeProcess(
  cmd: string,
  args: string[],
  env: Record<string, string>,
  stdin?: Uint8Array,
): Promise<number> {
  const start = performance.now();
  const child = new Deno.Command(cmd, {
    args,
    env,
    stdin: stdin ? "piped" : "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  if (stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(stdin);
    await writer.close();
  }
  const status = await child.status;
  const elapsed = performance.now() - start;
  if (!status.success) throw new Error(`${cmd} ${args.join(" ")} exited ${status.code}`);
  return elapsed;
}

/** Installs `ipckit` into a temporary root for the duration of `fn`. */
export async function withInstalledIpckit<T>(fn: (ipckit: string) => Promise<T>): Promise<T> {
  const root = await Deno.makeTempDir({ prefix: "ipckit-install-" });
  try {
    return await fn(await install(root));
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

/**
 * Times each case of the installed `ipckit`, alternating with `deno run` of an empty script.
 *
 * @returns a markdown table with each median and its ratio to the empty run.
 */
export async function startupTable(
  ipckit: string,
  cases: StartupCase[],
  env: Record<string, string>,
  runs = 40,
): Promise<string> {
  const empty = await Deno.makeTempFile({ suffix: ".js" });
  try {
    const all: [string, string, string[], Uint8Array | undefined][] = [
      ["`deno run` of an empty script", Deno.execPath(), ["run", "--no-config", empty], undefined],
      ...cases.map((c): [string, string, string[], Uint8Array | undefined] => [
        `${c.label} (installed)`,
        ipckit,
        c.args,
        c.stdin,
      ]),
    ];
    const samples = all.map(() => [] as number[]);
    for (let i = 0; i < 3; i++) {
      for (const [, cmd, args, stdin] of all) await timeProcess(cmd, args, env, stdin);
    }
    for (let i = 0; i < runs; i++) {
      for (const [k, [, cmd, args, stdin]] of all.entries()) {
        samples[k].push(await timeProcess(cmd, args, env, stdin));
      }
    }
    const base = median(samples[0]);
    return table(
      [`start-up (median of ${runs} alternating runs)`, "time", "ratio to empty deno run"],
      all.map(([label], k) => [
        label,
        `${fmt(median(samples[k]))} ms`,
        `${(median(samples[k]) / base).toFixed(2)}×`,
      ]),
    );
  } finally {
    await Deno.remove(empty);
  }
}

/**
 * Times the installed `ipckit` on `cases` against an empty `deno run`, with a broker running in
 * a private runtime directory.
 *
 * @param cases what to time. @default {`daemon status` and `--version`}
 * @param runs how many alternating runs. @default {40}
 * @returns the markdown table.
 */
export async function startupBench(
  cases: StartupCase[] = [
    { label: "`ipckit daemon status`", args: ["daemon", "status"] },
    { label: "`ipckit --version`", args: ["--version"] },
  ],
  runs = 40,
): Promise<string> {
  const runtimeDir = await Deno.makeTempDir({ prefix: "ipckit-bench-rt-" });
  await Deno.chmod(runtimeDir, 0o700);
  const env = { IPCKIT_RUNTIME_DIR: runtimeDir };
  try {
    return await withInstalledIpckit(async (ipckit) => {
      await timeProcess(ipckit, ["daemon", "start"], env);
      try {
        return await startupTable(ipckit, cases, env, runs);
      } finally {
        await timeProcess(ipckit, ["daemon", "stop"], env);
      }
    });
  } finally {
    await Deno.remove(runtimeDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) console.log(await startupBench());
