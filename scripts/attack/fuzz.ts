/**
 * The fuzzing attack (`deno task attack:fuzz [FRAMES]`, default 1,000,000): fuzzed frames at a
 * broker, a message port and a notification inbox, each in a process of its own, checking that
 * none crashes, every one keeps answering, and their memory stays bounded (RSS sampled). It
 * prints the figures; `tests/fuzz_test.ts` runs a few thousand frames of the same.
 *
 * Frames: values of every type at random in valid requests and events, those frames mutated
 * (bytes flipped, cut, repeated, their length damaged), random bytes, huge counts (arrays, maps,
 * strings, byte arrays that claim up to 4 G entries), deep nesting, truncated frames, frames
 * before the hello, and a whole 16 MiB frame of empty maps (first to each peer, then now and
 * then).
 *
 * Every frame is accounted for: each connection gets a batch of frames the peer must survive
 * (checked beforehand with the peer's own rules), at most one that may make it hang up, last,
 * and then a marker request. The peer has read the whole batch when the marker's answer comes
 * back, or when it hung up after a batch that ended in such a frame; any other hang-up, and
 * any batch left unanswered for 10 s, is a failure.
 *
 * @module
 */

import { connectBroker, stopBroker } from "../../lib/broker/client.ts";
import { BROKER_FILES } from "../../lib/broker/protocol.ts";
import { postNotification } from "../../lib/notifications/mod.ts";
import { connectPort, portPaths } from "../../lib/ports/mod.ts";
import {
  checkHeader,
  dataFrame,
  helloFrame,
  isDataFrame,
  K_ABORT,
  K_CHUNK,
  K_ONEWAY,
  K_ONEWAY_CHUNK,
  K_REPLY,
  K_REQUEST,
} from "../../lib/ports/protocol.ts";
import { processAlive } from "../../lib/_process.ts";
import { PERMISSIONS } from "../../lib/permissions.ts";
import { helloMessage, readMessage } from "../../lib/transport/message.ts";
import { concatBytes, readInt64 } from "../../lib/wire/bytes.ts";
import { encodeMessage, FrameDecoder } from "../../lib/wire/frame.ts";
import { DEFAULT_LIMITS } from "../../lib/wire/limits.ts";
import { decodeValue } from "../../lib/wire/msgpack.ts";
import { type Dictionary, isDictionary, UInt64, Uuid, type Value } from "../../lib/wire/value.ts";

/** Options of {@linkcode runFuzz}. */
export interface FuzzOptions {
  /** How many frames to send in all, spread over the three peers. @default {1000000} */
  frames?: number;
  /** The seed of the random choices (a failure names its batch's seed). @default {20261206} */
  seed?: number;
  /** Called now and then with the frames sent so far. @default {undefined} */
  onProgress?: (sent: number) => void;
}

/** What one peer took. */
export interface TargetFigures {
  /** Frames the peer read (accounted as in the module documentation). */
  frames: number;
  /** Connections made to it. */
  connections: number;
  /** Connections it hung up on after a frame that may make it do so. */
  refused: number;
  /** Its resident memory at the start, at the peak and at the end, in bytes. */
  rss: { start: number; peak: number; end: number };
}

/** What {@linkcode runFuzz} found. */
export interface FuzzReport {
  /** Per peer: `broker`, `port`, `inbox`. */
  targets: Record<string, TargetFigures>;
  /** Seconds the attack took. */
  seconds: number;
  /** What went wrong (empty when nothing did). */
  failures: string[];
}

const MARKER_ID = 2_000_000_001;
const MARKER_METHOD = "fuzz.marker";
const READ_TIMEOUT_MS = 10_000;
/** Methods a fuzzed request may not end up calling (they change or stop what is measured). */
const FORBIDDEN = new Set([
  "daemon.stop",
  "pasteboard.write",
  "pasteboard.upload",
  "pasteboard.clear",
  "pasteboard.fulfill",
  "pasteboard.prepare",
  "pasteboard.watch",
  "notify.post",
  "notify.observe",
  "notify.cancel",
  "notify.state.set",
]);
const METHODS = [
  "fuzz.none",
  "daemon.ping",
  "daemon.status",
  "pasteboard.info",
  "pasteboard.open",
  "pasteboard.chunk",
  "pasteboard.close",
  "pasteboard.unwatch",
  "notify.state.get",
  "notify.status",
  "notify.routes",
];

type Random = () => number;

/** A small deterministic generator (mulberry32). */
function rng(seed: number): Random {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function int(random: Random, below: number): number {
  return Math.floor(random() * below);
}

function bytes(random: Random, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = int(random, 256);
  return out;
}

/** A random Value of every XPC type, nested a little. */
function randomValue(random: Random, depth = 0): Value {
  const pick = int(random, depth > 4 ? 10 : 12);
  switch (pick) {
    case 0:
      return null;
    case 1:
      return random() < 0.5;
    case 2:
      return BigInt.asIntN(64, BigInt(int(random, 2 ** 32)) << BigInt(int(random, 33)));
    case 3:
      return [0, -0, 1.5, NaN, Infinity, -1e308, random()][int(random, 7)];
    case 4:
      return String.fromCharCode(
        ...Array.from({ length: int(random, 40) }, () => int(random, 0xd7ff)),
      );
    case 5:
      return bytes(random, int(random, 64));
    case 6:
      return new Date(int(random, 2 ** 42));
    case 7:
      return new UInt64(BigInt(int(random, 2 ** 32)) * BigInt(int(random, 2 ** 32)));
    case 8:
      return Uuid.fromBytes(bytes(random, 16));
    case 9:
      return "com.example.fuzz";
    case 10:
      return Array.from({ length: int(random, 8) }, () => randomValue(random, depth + 1));
    default: {
      const out: Dictionary = {};
      for (let i = int(random, 8); i > 0; i--) {
        out[["name", "items", "handle", "offset", "length", "types", `k${i}`][int(random, 7)]] =
          randomValue(random, depth + 1);
      }
      return out;
    }
  }
}

/** Frames a body with its length. */
function framed(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, body.length);
  out.set(body, 4);
  return out;
}

/** A frame's body mutated: bytes flipped, cut, repeated; framed again with its new length. */
function mutate(random: Random, frame: Uint8Array): Uint8Array {
  let body = frame.slice(4);
  for (let m = 1 + int(random, 4); m > 0; m--) {
    const at = int(random, Math.max(1, body.length));
    const kind = random();
    if (kind < 0.55 && body.length > 0) body[at] = int(random, 256);
    else if (kind < 0.7) body = body.slice(0, at);
    else if (kind < 0.85) {
      const extra = body.slice(at, at + 1 + int(random, 16));
      body = concatBytes([body.subarray(0, at), extra, body.subarray(at)]).slice();
    } else if (body.length > 0) body[at] ^= 1 << int(random, 8);
  }
  return framed(body);
}

/** A body that claims far more than it holds, or nests far deeper than allowed. */
function hostileBody(random: Random): Uint8Array {
  const huge = [0xffffffff, 0x7fffffff, 0x10000, 0xfffffff][int(random, 4)];
  const head = new Uint8Array(5);
  head[0] = [0xdd, 0xdf, 0xdb, 0xc6, 0xc9][int(random, 5)];
  new DataView(head.buffer).setUint32(1, huge);
  switch (int(random, 4)) {
    case 0:
      return concatBytes([head, bytes(random, int(random, 64))]);
    case 1: // deep nesting
      return new Uint8Array(65 + int(random, 100_000)).fill(random() < 0.5 ? 0x91 : 0x81);
    case 2: { // a request whose body claims huge counts
      const req = encodeMessage({ t: "req", id: 7, m: "pasteboard.info", b: null });
      return concatBytes([req.subarray(4, req.length - 1), head, bytes(random, 8)]);
    }
    default: // many small containers
      return concatBytes([
        new Uint8Array([0xdd, 0, 4, 0, 0]),
        new Uint8Array(4 * 65536).fill(random() < 0.5 ? 0x80 : 0x90),
      ]);
  }
}

/** How one kind of peer is spoken to. */
interface Target {
  name: string;
  path: string;
  pid: number;
  hello(): Uint8Array;
  /** A frame the peer must take without hanging up. */
  benign(random: Random, id: number): Uint8Array;
  /** Whether the peer takes this frame (its body, after the hello) without hanging up. */
  survives(body: Uint8Array): boolean;
  marker(): Uint8Array;
  /** Whether this frame body (from the peer) answers the marker. */
  isMarker(body: Uint8Array): boolean;
}

function transportTarget(name: string, path: string, pid: number, inbox: boolean): Target {
  return {
    name,
    path,
    pid,
    hello: () => encodeMessage(helloMessage()),
    benign(random, id) {
      const methods = inbox ? ["fuzz.none", "fuzz.other"] : METHODS;
      const m = methods[int(random, methods.length)];
      return random() < 0.85
        ? encodeMessage({ t: "req", id, m, b: randomValue(random) })
        : encodeMessage({ t: "evt", m: inbox ? "fuzz.event" : m, b: randomValue(random) });
    },
    survives(body) {
      let message: Dictionary;
      try {
        message = readMessage(body, DEFAULT_LIMITS);
      } catch {
        return false;
      }
      switch (message.t) {
        case "req":
          return typeof message.id === "number" && typeof message.m === "string" &&
            message.b !== undefined && !FORBIDDEN.has(message.m) && message.id !== MARKER_ID &&
            (!inbox || !message.m.startsWith("notify."));
        case "evt":
          return typeof message.m === "string" && !FORBIDDEN.has(message.m) &&
            !message.m.startsWith("notify.");
        case "res":
        case "err":
          return typeof message.id === "number";
      }
      return false;
    },
    marker: () => encodeMessage({ t: "req", id: MARKER_ID, m: MARKER_METHOD, b: null }),
    isMarker(body) {
      try {
        const message = decodeValue(body);
        return isDictionary(message) && message.id === MARKER_ID;
      } catch {
        return false;
      }
    },
  };
}

const PORT_KINDS = new Set([K_REQUEST, K_ONEWAY, K_CHUNK, K_ONEWAY_CHUNK, K_ABORT]);

function portTarget(path: string, pid: number): Target {
  return {
    name: "port",
    path,
    pid,
    hello: () => helloFrame("com.example.fuzz").slice(),
    benign(random, id) {
      const payload = bytes(random, int(random, 48));
      const kind = [K_REQUEST, K_ONEWAY, K_CHUNK, K_ONEWAY_CHUNK, K_ABORT][int(random, 5)];
      const total = [payload.length, 1024 ** 3, 2 ** 40, -1, 0][int(random, 5)];
      return dataFrame(kind, id, 2 + int(random, 1000), total, payload).slice();
    },
    survives(body) {
      if (body.length < 46 || !isDataFrame(body, 0)) return false;
      try {
        checkHeader(body, 0, body.length);
      } catch {
        return false;
      }
      return PORT_KINDS.has(body[4]) && readInt64(body, 9) !== MARKER_ID;
    },
    marker: () => dataFrame(K_REQUEST, MARKER_ID, 5, 1, new Uint8Array([1])).slice(),
    isMarker: (body) =>
      body.length >= 46 && body[4] === K_REPLY && readInt64(body, 9) === MARKER_ID,
  };
}

/**
 * The resident memory of processes, in bytes (0 for one that is gone), from `ps`: Deno lets
 * only a program with every permission read another process's `/proc/PID/status`.
 */
async function rssOf(pids: number[]): Promise<number[]> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("ps", {
      args: ["-o", "pid=,rss=", "-p", pids.join(",")],
      stdout: "piped",
      stderr: "null",
    }).output();
  } catch (error) {
    throw new Error(
      `cannot sample memory: ps failed (install procps): ${(error as Error).message}`,
    );
  }
  const found = new Map<number, number>();
  for (const line of new TextDecoder().decode(out.stdout).trim().split("\n")) {
    const [pid, kb] = line.trim().split(/\s+/).map(Number);
    if (pid) found.set(pid, kb * 1024);
  }
  return pids.map((pid) => found.get(pid) ?? 0);
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<boolean> {
  try {
    for (let at = 0; at < data.length;) at += await conn.write(data.subarray(at));
    return true;
  } catch {
    return false; // the peer hung up (after a frame that may make it)
  }
}

/** Reads until the marker's answer ("marker"), the end ("closed"), or the deadline ("hung"). */
async function readOutcome(conn: Deno.Conn, target: Target): Promise<string> {
  const decoder = new FrameDecoder(64 * 1024 * 1024);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      conn.close();
    } catch { /* closed */ }
  }, READ_TIMEOUT_MS);
  try {
    for (;;) {
      let n: number | null;
      try {
        n = await conn.read(decoder.space());
      } catch {
        n = null;
      }
      if (n === null) return timedOut ? "hung" : "closed";
      decoder.commit(n);
      for (let body = decoder.next(); body; body = decoder.next()) {
        if (target.isMarker(body)) return "marker";
      }
    }
  } finally {
    clearTimeout(timer);
  }
}

/** One connection: a batch of frames, then the marker; returns the frames the peer read. */
async function batch(
  target: Target,
  random: Random,
  size: number,
  figures: TargetFigures,
  failures: string[],
  seed: number,
  huge: boolean,
): Promise<number> {
  const frames: Uint8Array[] = [];
  let last: Uint8Array | undefined;
  let truncated = false;
  let preHello = false;
  const style = random();
  if (style < 0.02 && !huge) {
    // Before any hello: garbage, a request, or a frame too large for a hello.
    preHello = true;
    last = random() < 0.5 ? framed(bytes(random, int(random, 200))) : target.benign(random, 1);
  } else {
    frames.push(target.hello());
    while (frames.length < size) {
      const id = 1 + int(random, 1_000_000);
      const candidate = random() < 0.6
        ? target.benign(random, id)
        : mutate(random, target.benign(random, id));
      if (target.survives(candidate.subarray(4))) frames.push(candidate);
      else last ??= candidate;
    }
    const ending = random();
    if (huge || ending < 0.0002) {
      // A whole 16 MiB frame of empty maps (once 1.2 GB and seconds of the broker's time).
      last = framed(
        concatBytes([
          new Uint8Array([0xdd, 0, 0xff, 0xff, 0xf6]),
          new Uint8Array(0xfffff6).fill(0x80),
        ]),
      );
    } else if (ending < 0.1) last = framed(bytes(random, 1 + int(random, 300)));
    else if (ending < 0.2) last = framed(hostileBody(random));
    else if (ending < 0.25) {
      // Truncated: the length says more than will ever come.
      const whole = target.benign(random, 9);
      last = whole.subarray(0, 4 + int(random, whole.length - 4));
      truncated = true;
    } else if (ending < 0.6) last = undefined; // a batch the peer takes whole
  }
  if (last) frames.push(last);
  const counted = frames.length - (preHello ? 0 : 1); // the hello is not a fuzzed frame
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path: target.path });
  } catch (error) {
    failures.push(`${target.name}: cannot connect (batch ${seed}): ${(error as Error).message}`);
    return 0;
  }
  figures.connections++;
  try {
    if (!truncated && !preHello) frames.push(target.marker());
    const reading = readOutcome(conn, target);
    await writeAll(conn, concatBytes(frames));
    if (truncated || preHello) {
      try {
        await conn.closeWrite();
      } catch { /* hung up already */ }
    }
    const outcome = await reading;
    if (outcome === "hung") {
      failures.push(`${target.name}: no answer within ${READ_TIMEOUT_MS} ms (batch ${seed})`);
      return counted;
    }
    if (outcome === "closed") {
      if (!last && !preHello) {
        failures.push(`${target.name}: hung up on frames it must take (batch ${seed})`);
      } else figures.refused++;
    }
    return counted;
  } finally {
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

/** Starts the broker (through a client) and the peer process; returns the three targets. */
async function startPeers(dir: string): Promise<{ targets: Target[]; peer: Deno.ChildProcess }> {
  const client = await connectBroker({ runtimeDir: dir });
  const status = await client.request("daemon.status", null, { timeoutMs: 10_000 });
  await client.close();
  const brokerPid = Number((status as Dictionary).pid);
  const peer = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      ...PERMISSIONS,
      new URL("./_fuzz_peer.ts", import.meta.url).pathname,
      dir,
    ],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = peer.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  reader.cancel().catch(() => {});
  const [, pid, inbox] = text.trim().split(" ");
  if (!inbox) {
    try {
      peer.kill("SIGKILL");
    } catch { /* gone */ }
    await peer.status;
    throw new Error(`the fuzz peer did not start (it said: ${JSON.stringify(text)})`);
  }
  const portSocket = (await portPaths("com.example.fuzz", { runtimeDir: dir })).socket;
  return {
    peer,
    targets: [
      transportTarget("broker", `${dir}/${BROKER_FILES.socket}`, brokerPid, false),
      portTarget(portSocket, Number(pid)),
      transportTarget("inbox", inbox, Number(pid), true),
    ],
  };
}

/** Checks with the real clients that every peer still answers. */
async function checkAnswering(dir: string, failures: string[], when: string): Promise<void> {
  try {
    const client = await connectBroker({ runtimeDir: dir });
    const pong = await client.request("daemon.ping", null, { timeoutMs: 10_000 });
    await client.close();
    if (pong !== "pong") failures.push(`broker: ping answered ${String(pong)} ${when}`);
  } catch (error) {
    failures.push(`broker: no answer to ping ${when}: ${(error as Error).message}`);
  }
  try {
    const port = await connectPort("com.example.fuzz", { runtimeDir: dir });
    const before = Number(
      new TextDecoder().decode(await port.sendRequest(1, "", { receiveTimeout: 10 }) ?? undefined),
    );
    await postNotification("com.example.fuzz.check", { runtimeDir: dir });
    let after = before;
    for (const deadline = Date.now() + 10_000; after === before && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      after = Number(
        new TextDecoder().decode(
          await port.sendRequest(1, "", { receiveTimeout: 10 }) ?? undefined,
        ),
      );
    }
    port.invalidate();
    if (after !== before + 1) failures.push(`inbox: a notification did not arrive ${when}`);
  } catch (error) {
    failures.push(`port: no answer ${when}: ${(error as Error).message}`);
  }
}

/**
 * Runs the attack in a runtime directory of its own and returns the figures.
 *
 * @example
 * ```ts ignore
 * const report = await runFuzz({ frames: 5000 });
 * console.log(report.failures.length === 0);
 * ```
 */
export async function runFuzz(options: FuzzOptions = {}): Promise<FuzzReport> {
  const total = options.frames ?? 1_000_000;
  const seed = options.seed ?? 20261206;
  const dir = await Deno.makeTempDir({ prefix: "ipckit-fuzz-" });
  await Deno.chmod(dir, 0o700);
  const failures: string[] = [];
  const started = performance.now();
  const figures: Record<string, TargetFigures> = {};
  let peer: Deno.ChildProcess | undefined;
  try {
    const peers = await startPeers(dir);
    peer = peers.peer;
    const targets = peers.targets;
    const pids = targets.map((t) => t.pid);
    const startRss = await rssOf(pids);
    for (const [i, target] of targets.entries()) {
      const rss = startRss[i];
      figures[target.name] = {
        frames: 0,
        connections: 0,
        refused: 0,
        rss: { start: rss, peak: rss, end: rss },
      };
    }
    let sent = 0;
    let batches = 0;
    while (sent < total && failures.length < 20) {
      const target = targets[batches % targets.length];
      const batchSeed = seed + batches;
      const random = rng(batchSeed);
      const size = 1 + int(random, Math.min(400, Math.max(2, total / 30)));
      // Each peer's first batch ends in a 16 MiB frame of empty maps; later ones now and then.
      const huge = batches < targets.length;
      const got = await batch(
        target,
        random,
        size,
        figures[target.name],
        failures,
        batchSeed,
        huge,
      );
      figures[target.name].frames += got;
      sent += got;
      batches++;
      if (batches % 30 === 0) {
        const rss = await rssOf(pids);
        for (const [i, t] of targets.entries()) {
          const f = figures[t.name];
          f.rss.peak = Math.max(f.rss.peak, rss[i]);
          if (!processAlive(t.pid)) failures.push(`${t.name}: process ${t.pid} died`);
        }
        options.onProgress?.(sent);
      }
      if (batches % 3000 === 0) await checkAnswering(dir, failures, `after ${sent} frames`);
    }
    for (const t of targets) {
      if (!processAlive(t.pid)) failures.push(`${t.name}: process ${t.pid} died`);
    }
    await checkAnswering(dir, failures, "at the end");
    const endRss = await rssOf(pids);
    for (const [i, t] of targets.entries()) {
      const f = figures[t.name];
      f.rss.end = endRss[i];
      f.rss.peak = Math.max(f.rss.peak, f.rss.end);
    }
  } finally {
    if (peer) {
      try {
        await peer.stdin.close();
      } catch { /* gone */ }
      await peer.status;
    }
    await stopBroker({ runtimeDir: dir }).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return { targets: figures, seconds: (performance.now() - started) / 1000, failures };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

if (import.meta.main) {
  const frames = Number(Deno.args[0] ?? 1_000_000);
  const report = await runFuzz({
    frames,
    onProgress: (sent) => {
      if (Deno.stderr.isTerminal()) {
        Deno.stderr.writeSync(new TextEncoder().encode(`\r${sent} frames`));
      }
    },
  });
  let all = 0;
  console.log(`fuzzed frames in ${report.seconds.toFixed(0)} s:`);
  for (const [name, f] of Object.entries(report.targets)) {
    all += f.frames;
    console.log(
      `  ${name.padEnd(6)} ${
        String(f.frames).padStart(8)
      } frames, ${f.connections} connections (${f.refused} hung up on after a hostile frame); RSS ${
        mib(f.rss.start)
      } at the start, ${mib(f.rss.peak)} at the peak, ${mib(f.rss.end)} at the end`,
    );
  }
  console.log(`  total  ${String(all).padStart(8)} frames`);
  if (report.failures.length) {
    console.log(`FAILED: ${report.failures.length} problems`);
    for (const failure of report.failures) console.log(`  ${failure}`);
    Deno.exit(1);
  }
  console.log("no crash, every peer still answering");
}
