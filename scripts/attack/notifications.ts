/**
 * `deno task attack:notifications`: the notification scenarios of issue 14 at full scale, between
 * real processes, with the per-poster check (tests/_accounting.ts) run inside each observer
 * process. For every observer it prints how many notifications it got, how many numbers were
 * missing (per poster, between its first post and its last one received) and how many of those
 * a dropped or gap record accounts for; and the broker's memory (peak and at the end).
 *
 * Scenarios (each in its own runtime directory):
 *
 * - `stall`: one observer process stopped (SIGSTOP) for `--stop` seconds (60) under a poster at
 *   full speed, beside one that is not stopped;
 * - `load`: `--processes` (10) × `--observers` (100) observers and `--posters` (4) posters at
 *   full speed for `--seconds` (30);
 * - `crash`: the broker killed (SIGKILL) halfway through, two observer processes, two posters.
 *
 * `deno task attack:notifications [stall|load|crash…] [--seconds S] [--stop S] …` (all three by
 * default). The tests run the same code at CI size (tests/notifications_attack_test.ts).
 *
 * @module
 */

import { brokerStatus } from "../../lib/broker/client.ts";
import { PERMISSIONS } from "../../lib/permissions.ts";
import { sleep } from "../../lib/_timer.ts";

/** One attack's shape. */
export interface AttackOptions {
  /** The runtime directory (a fresh one of the caller's). */
  runtimeDir: string;
  /** Observer processes. @default {1} */
  processes?: number;
  /** Observers in each. @default {1} */
  observers?: number;
  /** Poster processes. @default {1} */
  posters?: number;
  /** How long the posters post. @default {5} */
  seconds?: number;
  /** Stop (SIGSTOP) the first observer process this long, from a quarter in. @default {0} */
  stopSeconds?: number;
  /** Kill (SIGKILL) the broker halfway through. @default {false} */
  killBroker?: boolean;
  /** The observers' suspension behaviour. @default {"coalesce"} */
  behavior?: string;
  /** Posts between two pauses (a poster awaits one post in each run of them). @default {100} */
  burst?: number;
  /** Says what happens, for a long run. @default {() => {}} */
  progress?: (line: string) => void;
}

/** What one observer found. */
export interface ObserverReport {
  process: number;
  observer: number;
  received: number;
  missing: number;
  accounted: number;
  dropped: number;
  gaps: number;
  problems: string[];
}

/** What an attack found. */
export interface AttackReport {
  reports: ObserverReport[];
  /** Posts each poster made. */
  posted: number[];
  /** Posts reported failed. */
  failed: number;
  /** The broker's resident memory (kB): its peak, and at the end. */
  brokerPeakKb: number;
  brokerEndKb: number;
}

const LIB = new URL("../../lib/", import.meta.url).href;
const ACCOUNTING = new URL("../../tests/notifications/_accounting.ts", import.meta.url).href;

function observerScript(dir: string, observers: number, posters: number, behavior: string) {
  return `
import { NotificationCenter } from "${LIB}notifications/mod.ts";
import { Accounting } from "${ACCOUNTING}";
const center = await NotificationCenter.connect({ runtimeDir: ${JSON.stringify(dir)} });
const runs = [];
for (let k = 0; k < ${observers}; k++) {
  const observer = await center.observe({ names: "attack.tick", suspensionBehavior: "${behavior}" });
  runs.push((async () => {
    const accounting = new Accounting(() => 1, false);
    const ended = new Set();
    let dropped = 0, gaps = 0;
    for await (const event of observer) {
      if (event.type === "notification") {
        accounting.add({ type: "notification", poster: event.poster, seq: event.seq });
        if (event.object === "end") {
          ended.add(event.poster);
          if (ended.size === ${posters}) break;
        }
      } else {
        if (event.type === "dropped") dropped++;
        else gaps++;
        accounting.add(event);
      }
    }
    const result = accounting.finish();
    console.log(JSON.stringify({ observer: k, ...result, dropped, gaps }));
    observer.close();
  })());
}
console.log("ready");
await Promise.all(runs);
await center.close();
`;
}

function posterScript(dir: string, seconds: number, burst: number) {
  return `
import { NotificationCenter } from "${LIB}notifications/mod.ts";
const center = await NotificationCenter.connect({ runtimeDir: ${JSON.stringify(dir)} });
await center.getState("attack.ready");
console.log("ready");
const go = new Uint8Array(1);
await Deno.stdin.read(go);
let posted = 0, failed = 0;
const fail = () => { failed++; };
const end = Date.now() + ${seconds * 1000};
while (Date.now() < end) {
  for (let k = 0; k < ${burst} - 1; k++) {
    posted++;
    center.post("attack.tick").catch(fail);
  }
  posted++;
  await center.post("attack.tick").catch(fail);
}
// The end marker, again every second until told to quit (stdin ends): an observer that was
// behind may have lost the first.
const quit = Deno.stdin.read(go);
let quitting = false;
quit.then(() => quitting = true);
console.log("posted " + posted + " " + failed);
while (!quitting) {
  await center.post("attack.tick", { object: "end", deliverImmediately: true }).catch(fail);
  await Promise.race([quit, new Promise((r) => setTimeout(r, 1000))]);
}
await center.close();
`;
}

/** A process running a script, its stdout read as lines. */
class Proc {
  readonly child: Deno.ChildProcess;
  readonly lines: string[] = [];
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #wake: (() => void) | undefined;
  #ended = false;

  constructor(file: string) {
    const child = this.child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--quiet",
        "--no-config",
        "--v8-flags=--max-old-space-size=4096",
        ...PERMISSIONS,
        file,
      ],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.child.stdin.getWriter();
    (async () => {
      let rest = "";
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        rest += chunk;
        const parts = rest.split("\n");
        rest = parts.pop()!;
        this.lines.push(...parts);
        this.#wake?.();
      }
      this.#ended = true;
      this.#wake?.();
    })();
  }

  /** Waits until `count` lines came (or the process ended, or the deadline). */
  async until(count: number, deadline: number): Promise<boolean> {
    while (this.lines.length < count && !this.#ended && Date.now() < deadline) {
      await Promise.race([
        new Promise<void>((resolve) => this.#wake = resolve),
        sleep(Math.max(1, Math.min(1000, deadline - Date.now()))),
      ]);
    }
    return this.lines.length >= count;
  }

  async say(): Promise<void> {
    await this.#writer.write(new Uint8Array([0x0a]));
  }

  async end(): Promise<void> {
    await this.#writer.close().catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const done = await Promise.race([
      this.child.status.then(() => true),
      new Promise<false>((resolve) => timer = setTimeout(() => resolve(false), 10_000)),
    ]);
    clearTimeout(timer);
    if (!done) this.kill();
  }

  kill(): void {
    try {
      this.child.kill("SIGCONT");
      this.child.kill("SIGKILL");
    } catch { /* gone */ }
  }
}

/** A process's resident memory in kB, by `ps` (Deno reads /proc/PID only with --allow-all). */
function rssKb(pid: number): number {
  try {
    const out = new Deno.Command("ps", { args: ["-o", "rss=", "-p", String(pid)], stdout: "piped" })
      .outputSync();
    return Number(new TextDecoder().decode(out.stdout).trim()) || 0;
  } catch {
    return 0;
  }
}

async function script(code: string): Promise<Proc> {
  const file = await Deno.makeTempFile({ prefix: "ipckit-attack-", suffix: ".ts" });
  await Deno.writeTextFile(file, code);
  const proc = new Proc(file);
  proc.child.status.finally(() => Deno.remove(file).catch(() => {}));
  return proc;
}

/** Runs one attack; see the module documentation. */
export async function attack(options: AttackOptions): Promise<AttackReport> {
  const dir = options.runtimeDir;
  const processes = options.processes ?? 1, observers = options.observers ?? 1;
  const posterCount = options.posters ?? 1, seconds = options.seconds ?? 5;
  const progress = options.progress ?? (() => {});
  const all: Proc[] = [];
  try {
    const watchers: Proc[] = [];
    for (let k = 0; k < processes; k++) {
      const behavior = options.behavior ?? "coalesce";
      watchers.push(await script(observerScript(dir, observers, posterCount, behavior)));
    }
    all.push(...watchers);
    const started = Date.now() + 120_000;
    for (const w of watchers) {
      if (!await w.until(1, started)) throw new Error("an observer process did not start");
    }
    const posters: Proc[] = [];
    for (let k = 0; k < posterCount; k++) {
      posters.push(await script(posterScript(dir, seconds, options.burst ?? 100)));
    }
    all.push(...posters);
    for (const p of posters) {
      if (!await p.until(1, started)) throw new Error("a poster did not start");
    }
    let broker = (await brokerStatus({ runtimeDir: dir }))?.pid;
    let peak = 0;
    const sampling = setInterval(() => {
      if (broker !== undefined) peak = Math.max(peak, rssKb(broker));
    }, 250);
    progress(`${processes} × ${observers} observers, ${posterCount} posters, ${seconds} s`);
    for (const p of posters) await p.say();
    const t0 = Date.now();
    const events: Promise<void>[] = [];
    if (options.stopSeconds) {
      events.push((async () => {
        await sleep(seconds * 250);
        progress(`stopping observer process 0 for ${options.stopSeconds} s`);
        watchers[0].child.kill("SIGSTOP");
        await sleep(options.stopSeconds! * 1000);
        watchers[0].child.kill("SIGCONT");
        progress("observer process 0 continued");
      })());
    }
    if (options.killBroker) {
      events.push((async () => {
        await sleep(seconds * 500);
        if (broker !== undefined) {
          progress(`killing the broker (pid ${broker})`);
          Deno.kill(broker, "SIGKILL");
        }
        await sleep(1000);
        broker = (await brokerStatus({ runtimeDir: dir }))?.pid;
      })());
    }
    const posted: number[] = [];
    let failed = 0;
    for (const p of posters) {
      await p.until(2, t0 + seconds * 1000 + 600_000);
      const [, n, f] = (p.lines[1] ?? "posted 0 0").split(" ");
      posted.push(Number(n));
      failed += Number(f);
    }
    await Promise.all(events);
    progress(`posted ${posted.join(", ")}; waiting for every observer's report`);
    const deadline = Date.now() + 120_000 + seconds * 2000;
    for (const w of watchers) await w.until(1 + observers, deadline);
    clearInterval(sampling);
    const brokerEndKb = broker === undefined ? 0 : rssKb(broker);
    for (const p of posters) await p.end();
    const reports: ObserverReport[] = [];
    for (const [k, w] of watchers.entries()) {
      for (const line of w.lines.slice(1)) {
        const r = JSON.parse(line);
        reports.push({ process: k, ...r });
      }
      for (let o = w.lines.length - 1; o < observers; o++) {
        reports.push({
          process: k,
          observer: -1,
          received: 0,
          missing: 0,
          accounted: 0,
          dropped: 0,
          gaps: 0,
          problems: ["did not report: it never got every poster's end marker"],
        });
      }
      await w.end();
    }
    return { reports, posted, failed, brokerPeakKb: peak, brokerEndKb };
  } finally {
    for (const p of all) p.kill();
  }
}

function flag(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
}

async function main(args: string[]): Promise<number> {
  const chosen = args.filter((a) => ["stall", "load", "crash"].includes(a));
  const scenarios = chosen.length ? chosen : ["stall", "load", "crash"];
  const seconds = flag(args, "seconds", 30);
  let bad = 0;
  for (const scenario of scenarios) {
    const dir = await Deno.makeTempDir({ prefix: "ipckit-attack-" });
    await Deno.chmod(dir, 0o700);
    const progress = (line: string) => console.log(`  ${scenario}: ${line}`);
    const options: AttackOptions = scenario === "stall"
      ? {
        runtimeDir: dir,
        processes: 2,
        observers: 1,
        posters: 1,
        seconds: flag(args, "stop", 60) + 10,
        stopSeconds: flag(args, "stop", 60),
        progress,
      }
      : scenario === "load"
      ? {
        runtimeDir: dir,
        processes: flag(args, "processes", 10),
        observers: flag(args, "observers", 100),
        posters: flag(args, "posters", 4),
        seconds,
        progress,
      }
      : {
        runtimeDir: dir,
        processes: 2,
        observers: 1,
        posters: 2,
        seconds,
        killBroker: true,
        progress,
      };
    console.log(`## ${scenario}`);
    try {
      const report = await attack(options);
      let missing = 0, accounted = 0, received = 0, unaccounted = 0;
      for (const r of report.reports) {
        missing += r.missing;
        accounted += r.accounted;
        received += r.received;
        if (r.missing !== r.accounted || r.problems.length) unaccounted++;
        console.log(
          `observer ${r.process}.${r.observer}: received ${r.received}, missing ${r.missing}, ` +
            `accounted ${r.accounted} (${r.dropped} dropped records, ${r.gaps} gap records)` +
            (r.problems.length ? `; ${r.problems.slice(0, 3).join("; ")}` : ""),
        );
      }
      console.log(
        `${scenario}: posted ${report.posted.join(" + ")} (${report.failed} failed); ` +
          `${report.reports.length} observers received ${received}, missing ${missing}, ` +
          `accounted ${accounted}; ${unaccounted} observers with unaccounted holes; broker ` +
          `memory peak ${Math.round(report.brokerPeakKb / 1024)} MB, at the end ${
            Math.round(report.brokerEndKb / 1024)
          } MB`,
      );
      if (unaccounted > 0) bad++;
    } finally {
      const { stopBroker } = await import("../../lib/broker/client.ts");
      await stopBroker({ runtimeDir: dir }).catch(() => {});
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }
  return bad === 0 ? 0 : 1;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
