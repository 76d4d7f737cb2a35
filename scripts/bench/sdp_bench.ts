/**
 * Benchmarks `ipckit sdp` against `@jxa/sdef-to-dts` (npm), in one run:
 *
 * - in-process: generating a bridge from each real definition's text (ours: parse with includes,
 *   resolve, generate; the peer: its `transform()`), the best of several runs after a warm-up
 *   (the best, not the median: other processes on a small shared machine only ever add time);
 * - whole process: `ipckit sdp SystemEvents.sdef -o …` (`deno run` of `cli/main.ts`) against the
 *   peer's own command line, `sdef-to-dts SystemEvents -o …`. The peer's command reads a
 *   definition by running macOS's `sdef`, so a stand-in `sdef` on `PATH` prints the file.
 *
 * Prints a markdown table. Run it with the project's permissions:
 * `deno run --lock=scripts/bench/deno.lock --allow-read --allow-write --allow-env --allow-run
 * --allow-sys=uid scripts/bench/sdp_bench.ts`. The peer comes from npm
 * (`npm:@jxa/sdef-to-dts@1.3.6`, loaded by Deno, no `node_modules`), locked in the benchmarks'
 * own lockfile (`scripts/bench/deno.lock`): the root `deno.lock` holds only what ipckit runs on,
 * so a fresh clone's quick start downloads none of the peer's 131 packages.
 * Reads `../shared/testdata/sdef/real/`; exits 1 when it is missing. The whole-process row for
 * `ipckit sdp` needs `cli/main.ts` to dispatch `sdp`; until it does, that row says so.
 *
 * @module
 */

import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { loadDictionary } from "../../lib/sdef/mod.ts";
import { generateBridge } from "../../lib/sdp/mod.ts";
import { PERMISSIONS } from "../../lib/permissions.ts";

const PEER = "npm:@jxa/sdef-to-dts@1.3.6";
const ROOT = fileURLToPath(new URL("../..", import.meta.url)).replace(/\/$/, "");
const REAL = fileURLToPath(new URL("../../../shared/testdata/sdef/real/", import.meta.url));

/** How many timed runs per definition, after one warm-up. */
const OURS_RUNS = 10;
const PEER_RUNS = 5;
const PROCESS_RUNS = 5;

/**
 * The best time of `runs` samples, after a warm-up. A sample repeats `fn` often enough to take
 * about 5 ms, so the timer's granularity does not distort quick calls.
 */
async function time(fn: () => Promise<unknown>, runs: number): Promise<number> {
  // Warm up for 30 ms (at least three calls) so the JIT has settled, then size the batches
  // from the last warm-up call.
  let last = Infinity;
  for (let calls = 0, spent = 0; calls < 3 || (spent < 30 && calls < 500); calls++) {
    const t0 = performance.now();
    await fn();
    last = performance.now() - t0;
    spent += last;
  }
  const batch = Math.max(1, Math.ceil(5 / Math.max(last, 0.001)));
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    for (let j = 0; j < batch; j++) await fn();
    best = Math.min(best, (performance.now() - start) / batch);
  }
  return best;
}

function ms(value: number): string {
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

async function spawn(cmd: string, args: string[], env?: Record<string, string>): Promise<void> {
  const out = await new Deno.Command(cmd, { args, env, stdout: "null", stderr: "piped" }).output();
  if (!out.success) {
    throw new Error(`${cmd} ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
}

async function main(): Promise<number> {
  let files: string[];
  try {
    files = [...Deno.readDirSync(REAL)].filter((e) => e.name.endsWith(".sdef")).map((e) => e.name)
      .sort();
  } catch {
    console.error(`sdp_bench: ${REAL} is missing; the benchmark needs the shared test data`);
    return 1;
  }
  const rows: string[] = [];
  const ratios: number[] = [];
  let oursTotal = 0;
  let peerTotal = 0;
  // Ours for every file first, then the peer's: the peer's garbage must not land in our runs.
  const texts = new Map<string, string>();
  const ours = new Map<string, number>();
  for (const file of files) {
    const path = `${REAL}${file}`;
    const text = await Deno.readTextFile(path);
    texts.set(file, text);
    const name = file.replace(/\.sdef$/, "");
    ours.set(
      file,
      await time(async () => {
        const dict = await loadDictionary(text, { file: path });
        return generateBridge(dict, { basename: name, source: file });
      }, OURS_RUNS),
    );
  }
  // Loaded only now: the peer's modules must not weigh on our runs either.
  const { transform } = await import(PEER);
  for (const file of files) {
    const name = file.replace(/\.sdef$/, "");
    const mine = ours.get(file)!;
    let peer: number | undefined;
    let note = "";
    try {
      peer = await time(() => transform(name, texts.get(file)!), PEER_RUNS);
    } catch (e) {
      note = `peer failed: ${(e as Error).message.split("\n")[0].slice(0, 60)}`;
    }
    oursTotal += mine;
    if (peer !== undefined) {
      peerTotal += peer;
      ratios.push(peer / mine);
    }
    rows.push(
      `| ${file} | ${ms(mine)} | ${peer === undefined ? "—" : ms(peer)} | ${
        peer === undefined ? note : `${(peer / mine).toFixed(1)}×`
      } |`,
    );
  }
  const geomean = Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length);

  console.log("## sdp: in-process generation per definition (best of N runs, ms)\n");
  console.log("| definition | ipckit sdp | @jxa/sdef-to-dts | peer / ours |");
  console.log("|---|---:|---:|---:|");
  for (const row of rows) console.log(row);
  console.log(
    `| **all ${files.length}** | ${ms(oursTotal)} | ${ms(peerTotal)} | ${
      (peerTotal / oursTotal).toFixed(1)
    }× total; ${geomean.toFixed(1)}× geometric mean; ${Math.min(...ratios).toFixed(1)}× least |`,
  );

  // Whole process, SystemEvents.sdef.
  const tmp = await Deno.makeTempDir({ prefix: "sdp_bench_" });
  try {
    const target = `${REAL}SystemEvents.sdef`;
    console.log("\n## sdp: whole process on SystemEvents.sdef (best of N runs, ms)\n");
    console.log("| command | ms |");
    console.log("|---|---:|");
    let oursProcess: number | undefined;
    let main = "";
    try {
      main = await Deno.readTextFile(`${ROOT}/cli/main.ts`);
    } catch { /* not there yet */ }
    if (/sdp\.ts/.test(main)) {
      oursProcess = await time(
        () =>
          spawn(Deno.execPath(), [
            "run",
            "--quiet",
            ...PERMISSIONS,
            `${ROOT}/cli/main.ts`,
            "sdp",
            target,
            "-o",
            `${tmp}/ours.ts`,
          ]),
        PROCESS_RUNS,
      );
      console.log(`| \`ipckit sdp SystemEvents.sdef -o out.ts\` | ${ms(oursProcess)} |`);
    } else {
      console.log("| `ipckit sdp` | not measured: cli/main.ts does not dispatch sdp yet |");
    }
    // The peer's command runs macOS's `sdef APP` and names its output after APP (a name
    // without dots); a stand-in `sdef` prints the real definition instead.
    await Deno.mkdir(`${tmp}/bin`);
    await Deno.writeTextFile(
      `${tmp}/bin/sdef`,
      `#!/bin/sh\nexec cat "${REAL}$(basename "$1").sdef"\n`,
    );
    await Deno.chmod(`${tmp}/bin/sdef`, 0o755);
    let peerProcess: number | undefined;
    try {
      peerProcess = await time(
        () =>
          spawn(
            Deno.execPath(),
            ["run", "--quiet", "-A", "--no-lock", PEER, "SystemEvents", "-o", `${tmp}/peer.d.ts`],
            { PATH: `${tmp}/bin:${Deno.env.get("PATH") ?? ""}`, NO_COLOR: "1" },
          ),
        PROCESS_RUNS,
      );
      console.log(
        `| \`sdef-to-dts SystemEvents -o out.d.ts\` (npm, under deno) | ${ms(peerProcess)} |`,
      );
    } catch (e) {
      const why = (e as Error).message.split("\n").slice(0, 2).join(" ").slice(0, 120);
      console.log(`| \`sdef-to-dts\` | failed: ${why} |`);
    }
    if (oursProcess !== undefined && peerProcess !== undefined) {
      console.log(`| **peer / ours** | ${(peerProcess / oursProcess).toFixed(1)}× |`);
    }
    console.log(
      `\n(${
        basename(Deno.execPath())
      } ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores)`,
    );
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
  return 0;
}

if (import.meta.main) Deno.exit(await main());
