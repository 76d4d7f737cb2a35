/**
 * Distributed Objects against message ports, the transport they speak over, in one run:
 *
 * - a call `echo(data)` with a 64 B argument and a 64 B result on a proxy from `connect()`,
 *   against `RemotePort.sendRequest` of 64 B to a port answering 64 B (target: ≤ 1.2×);
 * - calls per second with 8 caller processes against requests per second with 8 sender
 *   processes on a raw port (both with their defaults; the port serves 8 at a time).
 *
 * One server process vends the object and serves the port. Rounds alternate between the two
 * sides so that noise on this machine falls on both alike; each time is the median of the
 * rounds, the ratio the median of the rounds' ratios.
 *
 * The same file is the server (`--serve DIR`) and the caller processes (`--sender KIND DIR N`).
 *
 * @module
 */

import { connect, vend } from "../../lib/distributed/mod.ts";
import { connectPort, createLocalPort } from "../../lib/ports/mod.ts";
import { PERMISSIONS } from "../../lib/permissions.ts";
import { fmt, median, table, timed } from "./_stats.ts";
import { throughput } from "./ports_bench.ts";

const SELF = new URL(import.meta.url).pathname;
const PORT = "com.example.bench.do.port";
const VENDED = "com.example.bench.do.object";
const ROUNDS = 21;
const THROUGHPUT_ROUNDS = 5;
const SIZE = 64;

/** What the server vends. */
class Echo {
  echo(data: Uint8Array): Uint8Array {
    return data;
  }
}

/** `--serve DIR`: the echo port and the vended echo object, until killed. */
async function serve(dir: string): Promise<void> {
  await createLocalPort(PORT, (_msgid, data) => data, { concurrency: 8, runtimeDir: dir });
  await vend(VENDED, new Echo(), { runtimeDir: dir });
  console.log("ready");
}

/** Makes one round trip of `kind` (`port` or `object`) repeatable; returns it. */
async function roundTrip(kind: string, dir: string): Promise<() => Promise<unknown>> {
  const body = new Uint8Array(SIZE);
  if (kind === "port") {
    const port = await connectPort(PORT, { runtimeDir: dir });
    return () => port.sendRequest(1, body);
  }
  const echo = await connect<Echo>(VENDED, { runtimeDir: dir });
  return () => echo.echo(body);
}

/** `--sender KIND DIR N`: prints ready, waits for a line, makes N calls, prints elapsed ms. */
async function sender(kind: string, dir: string, count: number): Promise<void> {
  const once = await roundTrip(kind, dir);
  for (let i = 0; i < 200; i++) await once();
  console.log("ready");
  const reader = Deno.stdin.readable.getReader();
  await reader.read();
  const start = performance.now();
  for (let i = 0; i < count; i++) await once();
  console.log(performance.now() - start);
  Deno.exit(0);
}

/** Runs the benchmark and returns its markdown table. */
export async function distributedBench(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-bench-" });
  await Deno.chmod(dir, 0o700);
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...PERMISSIONS, SELF, "--serve", dir],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const rows: string[][] = [];
  try {
    const reader = server.stdout.getReader();
    await reader.read();
    reader.releaseLock();

    const port = await roundTrip("port", dir);
    const object = await roundTrip("object", dir);
    for (let i = 0; i < 500; i++) await port(), await object();
    // Many short rounds, each side's next to the other's (in turns which goes first), and the
    // median of the rounds' ratios: a burst of load elsewhere on the machine then spoils a
    // round or two, not the figure.
    const ports: number[] = [], objects: number[] = [], ratios: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      let p: number, o: number;
      if (round % 2 === 0) {
        p = await timed(2000, port);
        o = await timed(2000, object);
      } else {
        o = await timed(2000, object);
        p = await timed(2000, port);
      }
      ports.push(p);
      objects.push(o);
      ratios.push(o / p);
    }
    rows.push([
      "round trip, 64 B argument and result",
      `${fmt(median(objects))} µs`,
      `${fmt(median(ports))} µs`,
      `${median(ratios).toFixed(2)}× (target ≤ 1.2×)`,
    ]);

    const count = 5000;
    const command = (kind: string): [string, string[]] => [Deno.execPath(), [
      "run",
      "--quiet",
      ...PERMISSIONS,
      SELF,
      "--sender",
      kind,
      dir,
      String(count),
    ]];
    const perSecond = { port: [] as number[], object: [] as number[] };
    const gains: number[] = [];
    for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
      const order = round % 2 === 0 ? ["port", "object"] as const : ["object", "port"] as const;
      for (const kind of order) {
        perSecond[kind].push(
          await throughput(Array.from({ length: 8 }, () => command(kind)), {}, count),
        );
      }
      gains.push(perSecond.object[round] / perSecond.port[round]);
    }
    rows.push([
      "calls/s, 8 caller processes (port: 8 senders)",
      `${Math.round(median(perSecond.object))}/s`,
      `${Math.round(median(perSecond.port))}/s`,
      `${median(gains).toFixed(2)}×`,
    ]);
  } finally {
    server.kill();
    await server.status;
    await server.stdout.cancel().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return table([
    `Distributed Objects (median of ${ROUNDS} alternating rounds; calls/s: of ${THROUGHPUT_ROUNDS})`,
    "proxy call",
    "port request",
    "ratio",
  ], rows);
}

if (import.meta.main) {
  const [mode, ...rest] = Deno.args;
  if (mode === "--serve") await serve(rest[0]);
  else if (mode === "--sender") await sender(rest[0], rest[1], Number(rest[2]));
  else {
    console.log(await distributedBench());
    Deno.exit(0);
  }
}
