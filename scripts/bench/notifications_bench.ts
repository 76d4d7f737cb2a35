/**
 * Distributed notifications against their floor and their peer, in one run:
 *
 * - latency: a ping-pong (post → the other process's observer → it posts back), half the round
 *   trip per sample, after a warm-up round that is not counted (for every side); the floor is a raw Deno Unix-socket round trip (64 bytes, `_echo_server.ts`)
 *   and the peer a D-Bus signal ping-pong through a real `dbus-daemon` on a private address, sent
 *   and received with libdbus (`_dbus_peer.c`, compiled by `_dbus_daemon.ts`) at the same pacing. Rounds
 *   alternate so that noise falls on all three alike.
 * - throughput: deliveries per second to 1, 10 and 100 observers (each its own connection, in
 *   up to four processes), ipckit and D-Bus (each observer its own process) side by side.
 * - start-up: `ipckit post` and `ipckit state` as installed, against `deno run` of an empty
 *   script.
 *
 * Run alone: `deno run <permissions> scripts/bench/notifications_bench.ts [latency] [throughput]
 * [startup]`. The same file is the ipckit peer process: `… --peer echo|count …`.
 *
 * @module
 */

import { NotificationCenter, type NotificationObserver } from "../../lib/notifications/mod.ts";
import { PERMISSIONS } from "../../lib/permissions.ts";
import { stopBroker } from "../../lib/broker/client.ts";
import { startupBench } from "./startup_bench.ts";
import { type PrivateBus, startPrivateBus } from "./_dbus_daemon.ts";
import { fmt, median, quantile, table } from "./_stats.ts";

const ROUNDS = 5;
const PINGS = 1000;
const HERE = new URL(".", import.meta.url).pathname;

/** A child process whose stdout is read line by line. */
class Peer {
  readonly child: Deno.ChildProcess;
  #lines: string[] = [];
  #wake: (() => void) | undefined;
  #ended = false;

  constructor(cmd: string, args: string[], env?: Record<string, string>) {
    const child = this.child = new Deno.Command(cmd, {
      args,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    (async () => {
      let rest = "";
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        rest += chunk;
        const parts = rest.split("\n");
        rest = parts.pop()!;
        this.#lines.push(...parts);
        this.#wake?.();
      }
      this.#ended = true;
      this.#wake?.();
    })();
  }

  async line(): Promise<string> {
    while (this.#lines.length === 0) {
      if (this.#ended) throw new Error("the peer process ended early");
      await new Promise<void>((resolve) => this.#wake = resolve);
    }
    return this.#lines.shift()!;
  }

  async lines(n: number): Promise<string[]> {
    const out: string[] = [];
    while (out.length < n) out.push(await this.line());
    return out;
  }

  async stop(): Promise<void> {
    try {
      this.child.kill("SIGTERM");
    } catch { /* gone */ }
    await this.child.status;
  }
}

function denoPeer(args: string[]): Peer {
  return new Peer(Deno.execPath(), [
    "run",
    "--quiet",
    ...PERMISSIONS,
    `${HERE}notifications_bench.ts`,
    "--peer",
    ...args,
  ]);
}

async function nextNotification(observer: NotificationObserver): Promise<void> {
  for (;;) {
    const { value, done } = await observer.next();
    if (done) throw new Error("the observer ended");
    if (value.type === "notification") return;
  }
}

// --- latency ----------------------------------------------------------------------------------

async function rawPings(path: string, count: number): Promise<number[]> {
  const conn = await Deno.connect({ transport: "unix", path });
  const message = new Uint8Array(68);
  new DataView(message.buffer).setUint32(0, 64);
  const buffer = new Uint8Array(65536);
  const samples: number[] = [];
  for (let i = 0; i < count + 100; i++) {
    const start = performance.now();
    await conn.write(message);
    let got = 0;
    while (got < message.length) got += (await conn.read(buffer.subarray(got)))!;
    if (i >= 100) samples.push((performance.now() - start) * 1000);
  }
  conn.close();
  return samples;
}

/** Round trips of a plain request through the broker: the transport under the notifications. */
async function brokerPings(center: NotificationCenter, count: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count + 100; i++) {
    const start = performance.now();
    await center.request("daemon.ping", null);
    if (i >= 100) samples.push((performance.now() - start) * 1000);
  }
  return samples;
}

async function ipckitPings(
  center: NotificationCenter,
  pongs: NotificationObserver,
  count: number,
): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count + 100; i++) {
    const start = performance.now();
    await center.post("bench.ping", { userInfo: { i: BigInt(i) } });
    await nextNotification(pongs);
    if (i >= 100) samples.push((performance.now() - start) * 1000 / 2);
  }
  return samples;
}

async function dbusPings(bus: PrivateBus, count: number): Promise<number[]> {
  const ping = new Peer(bus.peer, [bus.address, "ping", String(count + 100)]);
  await ping.line();
  const lines = await ping.lines(count + 100);
  await ping.child.status;
  return lines.slice(100).map((line) => Number(line) / 2);
}

async function latency(dir: string, bus: PrivateBus | string): Promise<string> {
  const echoDir = await Deno.makeTempDir({ prefix: "ipckit-bench-echo-" });
  const raw = new Peer(Deno.execPath(), [
    "run",
    "--quiet",
    "--allow-all",
    `${HERE}_echo_server.ts`,
    echoDir,
  ]);
  await raw.line();
  const center = await NotificationCenter.connect({ runtimeDir: dir });
  const pongs = await center.observe({ names: "bench.pong", suspensionBehavior: "hold" });
  const echo = denoPeer(["echo", dir]);
  await echo.line();
  let dbusEcho: Peer | undefined;
  if (typeof bus !== "string") {
    dbusEcho = new Peer(bus.peer, [bus.address, "echo"]);
    await dbusEcho.line();
  }
  const samples = {
    raw: [] as number[],
    request: [] as number[],
    ipckit: [] as number[],
    dbus: [] as number[],
  };
  try {
    // One round more than counted, first, for every side alike: the long-lived processes being
    // measured have their code compiled and optimised by then, as they would in use.
    for (let round = -1; round < ROUNDS; round++) {
      const counted = round >= 0;
      const raw = await rawPings(`${echoDir}/raw.sock`, PINGS);
      const request = await brokerPings(center, PINGS);
      const ipckit = await ipckitPings(center, pongs, PINGS);
      const dbus = typeof bus !== "string" ? await dbusPings(bus, PINGS) : [];
      if (!counted) continue;
      samples.raw.push(...raw);
      samples.request.push(...request);
      samples.ipckit.push(...ipckit);
      samples.dbus.push(...dbus);
    }
  } finally {
    pongs.close();
    await center.close();
    await echo.stop();
    await dbusEcho?.stop();
    await raw.stop();
    await Deno.remove(echoDir, { recursive: true });
  }
  const floor = median(samples.raw);
  const rows: (string | number)[][] = [
    row("raw Deno Unix-socket round trip, 64 B (the floor)", samples.raw, floor),
    row("ipckit request → broker → reply (round trip, for reference)", samples.request, floor),
    row("ipckit post → observer in another process", samples.ipckit, floor),
  ];
  if (typeof bus === "string") rows.push(["D-Bus signal (libdbus, dbus-daemon)", bus, "", ""]);
  else rows.push(row("D-Bus signal → receiver (libdbus, dbus-daemon)", samples.dbus, floor));
  let text = table(
    [
      `latency (${ROUNDS} alternating rounds of ${PINGS} ping-pongs; one way = half a round trip)`,
      "p50",
      "p99",
      "p50 / raw round trip",
    ],
    rows,
  );
  if (typeof bus !== "string") {
    text += `\n\nipckit p50 / D-Bus p50: ${
      (median(samples.ipckit) / median(samples.dbus)).toFixed(2)
    }×`;
  }
  return text;
}

function row(label: string, samples: number[], floor: number): (string | number)[] {
  const p50 = median(samples);
  return [
    label,
    `${fmt(p50)} µs`,
    `${fmt(quantile(samples, 0.99))} µs`,
    `${(p50 / floor).toFixed(2)}×`,
  ];
}

// --- throughput -------------------------------------------------------------------------------

async function ipckitThroughput(dir: string, observers: number, perObserver: number) {
  const processes = Math.min(observers, 4);
  const peers: Peer[] = [];
  for (let p = 0; p < processes; p++) {
    const share = Math.floor(observers / processes) + (p < observers % processes ? 1 : 0);
    peers.push(denoPeer(["count", dir, String(share), String(perObserver)]));
  }
  for (const peer of peers) await peer.line();
  const center = await NotificationCenter.connect({ runtimeDir: dir });
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < perObserver; i++) {
    const post = center.post("bench.tick", { userInfo: { i: BigInt(i) } });
    inFlight.add(post);
    post.then(() => inFlight.delete(post));
    if (inFlight.size >= 256) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  for (const peer of peers) await peer.line();
  const seconds = (performance.now() - start) / 1000;
  await center.close();
  for (const peer of peers) await peer.child.status;
  return (observers * perObserver) / seconds;
}

async function dbusThroughput(bus: PrivateBus, observers: number, perObserver: number) {
  const peers: Peer[] = [];
  for (let p = 0; p < observers; p++) {
    peers.push(new Peer(bus.peer, [bus.address, "count", String(perObserver)]));
  }
  for (const peer of peers) await peer.line();
  const start = performance.now();
  const ticker = new Peer(bus.peer, [bus.address, "tick", String(perObserver)]);
  for (const peer of peers) await peer.line();
  const seconds = (performance.now() - start) / 1000;
  await ticker.child.status;
  for (const peer of peers) await peer.child.status;
  return (observers * perObserver) / seconds;
}

async function throughput(dir: string, bus: PrivateBus | string): Promise<string> {
  const rows: (string | number)[][] = [];
  for (const [observers, perObserver] of [[1, 20_000], [10, 5_000], [100, 1_000]]) {
    const ours: number[] = [], theirs: number[] = [];
    for (let round = 0; round < 3; round++) {
      ours.push(await ipckitThroughput(dir, observers, perObserver));
      if (typeof bus !== "string") theirs.push(await dbusThroughput(bus, observers, perObserver));
    }
    const o = median(ours);
    const d = typeof bus === "string" ? NaN : median(theirs);
    rows.push([
      `${observers} observer${observers > 1 ? "s" : ""} × ${perObserver} notifications`,
      `${fmt(o / 1000)} k/s`,
      Number.isNaN(d) ? "—" : `${fmt(d / 1000)} k/s`,
      Number.isNaN(d) ? "—" : `${(o / d).toFixed(2)}×`,
    ]);
  }
  return table([
    "deliveries per second (median of 3 alternating runs)",
    "ipckit",
    "D-Bus signals (libdbus)",
    "ratio",
  ], rows);
}

// --- start-up ---------------------------------------------------------------------------------

function startup(): Promise<string> {
  return startupBench([
    { label: "`ipckit post com.example.ping`", args: ["post", "com.example.ping"] },
    { label: "`ipckit state com.example.ping`", args: ["state", "com.example.ping"] },
  ], 30);
}

/**
 * Runs the benchmark and returns its markdown tables.
 *
 * @param parts which parts to run. @default {all of them}
 */
export async function notificationsBench(
  parts: readonly string[] = ["latency", "throughput", "startup"],
): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-bench-notify-" });
  await Deno.chmod(dir, 0o700);
  const bus = await startPrivateBus(`${HERE}_dbus_peer.c`);
  try {
    const out: string[] = [];
    if (parts.includes("latency")) out.push(await latency(dir, bus));
    if (parts.includes("throughput")) out.push(await throughput(dir, bus));
    if (parts.includes("startup")) out.push(await startup());
    if (typeof bus === "string") out.push(`(D-Bus left out: ${bus})`);
    return out.join("\n\n");
  } finally {
    if (typeof bus !== "string") await bus.stop();
    await stopBroker({ runtimeDir: dir }).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

// --- the ipckit peer process ------------------------------------------------------------------

async function peer(args: string[]): Promise<void> {
  const [mode, dir, ...rest] = args;
  if (mode === "echo") {
    const center = await NotificationCenter.connect({ runtimeDir: dir });
    const pings = await center.observe({ names: "bench.ping", suspensionBehavior: "hold" });
    console.log("ready");
    for await (const event of pings) {
      if (event.type === "notification") {
        center.post("bench.pong", { userInfo: event.userInfo }).catch(() => {});
      }
    }
  } else if (mode === "count") {
    const [observers, perObserver] = rest.map(Number);
    const centers = await Promise.all(
      Array.from({ length: observers }, () => NotificationCenter.connect({ runtimeDir: dir })),
    );
    const all = await Promise.all(
      centers.map((c) => c.observe({ names: "bench.tick", suspensionBehavior: "hold" })),
    );
    console.log("ready");
    await Promise.all(all.map(async (observer) => {
      let n = 0;
      for await (const event of observer) {
        if (event.type === "notification" && ++n === perObserver) break;
      }
    }));
    console.log("done");
    await Promise.all(centers.map((c) => c.close()));
  }
}

if (import.meta.main) {
  if (Deno.args[0] === "--peer") await peer(Deno.args.slice(1));
  else console.log(await notificationsBench(Deno.args.length ? Deno.args : undefined));
}
