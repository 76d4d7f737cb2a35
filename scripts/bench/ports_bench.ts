/**
 * Message ports against their floor and their peer, in one run:
 *
 * - round trip of 64 B and 1 MiB: `RemotePort.sendRequest` to a port served by another process,
 *   both with their defaults (the port reuses a request's memory once it is answered, as
 *   CFMessagePort does; the caller gets each reply whole in fresh memory, its to keep); a raw
 *   Deno Unix-socket echo (the floor: no framing, no protocol); for 1 MiB also the port's
 *   sender taking the reply chunk by chunk into reused memory (`onReplyChunk`), and a raw
 *   message echo into fresh memory on both sides (the floor of an API whose caller and callback
 *   both keep the bytes they get), and the default API in a sender process started with glibc
 *   told to keep freed memory (`GLIBC_TUNABLES`), beside the same process without; and a D-Bus
 *   method call `Echo(ay)` through a private `dbus-daemon` started here, made with libdbus from a
 *   small C program (`_dbus_method_peer.c`, compiled here with gcc);
 * - requests per second with 1 and 8 concurrent senders, each sender its own process;
 * - whole-process start-up of `ipckit send` as installed, against `deno run` of an empty script.
 *
 * Rounds alternate between the sides so that noise on this machine falls on all alike; each
 * figure is the median of the rounds.
 *
 * The same file is the benchmark's port server (`--serve`) and sender process (`--sender`).
 *
 * @module
 */

import { connectPort, createLocalPort } from "../../lib/ports/mod.ts";
import { PERMISSIONS } from "../../lib/permissions.ts";
import { startupTable, withInstalledIpckit } from "./startup_bench.ts";
import { firstLine, type PrivateBus, startPrivateBus } from "./_dbus_daemon.ts";
import { rawOnce, rawRoundTrips } from "./transport_bench.ts";
import { fmt, median, ratio, table } from "./_stats.ts";

const HERE = new URL(".", import.meta.url).pathname;
const SELF = new URL(import.meta.url).pathname;
const PORT = "com.example.bench.echo";
const ROUNDS = 5;
const encoder = new TextEncoder();
/**
 * glibc told to keep the memory the garbage collector frees: replies under 4 MiB come from the
 * heap, and the heap is given back to the kernel only past 128 MiB free at its top. By default
 * glibc gives it back after every collection, so every page of every later reply faults anew.
 */
const GLIBC_KEEP_FREED =
  "glibc.malloc.mmap_threshold=4194304:glibc.malloc.trim_threshold=134217728";

/** The command of a sender process (`--sender`). */
function senderCommand(kind: string, target: string, size: number, count: number): [
  string,
  string[],
] {
  return [Deno.execPath(), [
    "run",
    "--quiet",
    ...PERMISSIONS,
    SELF,
    "--sender",
    kind,
    target,
    String(size),
    String(count),
  ]];
}

// --- the processes on the other side ----------------------------------------------------------

/**
 * `--serve`: an echo port with the default options (its requests' memory reused once they are
 * answered) and concurrency 8, until killed.
 */
async function servePort(): Promise<void> {
  await createLocalPort(PORT, (_msgid, data) => data, { concurrency: 8 });
  console.log("ready");
}

/** `--sender KIND TARGET SIZE N`: prints ready, waits for a line, runs, prints elapsed ms. */
async function sender(kind: string, target: string, size: number, count: number): Promise<void> {
  let once: () => Promise<unknown>;
  if (kind === "ports") {
    const port = await connectPort(target);
    const body = new Uint8Array(size);
    once = () => port.sendRequest(1, body);
  } else {
    const conn = await Deno.connect({ transport: "unix", path: target });
    const message = new Uint8Array(size + 4);
    new DataView(message.buffer).setUint32(0, size);
    const buffer = new Uint8Array(Math.max(65536, size + 4));
    once = () => rawOnce(conn, message, buffer);
  }
  for (let i = 0; i < 50; i++) await once();
  console.log("ready");
  const reader = Deno.stdin.readable.getReader();
  await reader.read();
  const start = performance.now();
  for (let i = 0; i < count; i++) await once();
  console.log(performance.now() - start);
  Deno.exit(0);
}

// --- D-Bus ------------------------------------------------------------------------------------

interface DBus {
  /** The private bus, from `_dbus_daemon.ts`. */
  bus: PrivateBus;
  /** The libdbus Echo server on it. */
  server: Deno.ChildProcess;
  address: string;
  peer: string;
}

/** Builds the libdbus peer, starts a private dbus-daemon and the Echo server; or says why not. */
async function startDBus(): Promise<DBus | string> {
  const bus = await startPrivateBus(`${HERE}_dbus_method_peer.c`);
  if (typeof bus === "string") return bus;
  const server = new Deno.Command(bus.peer, {
    args: [bus.address, "serve"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  if ((await firstLine(server.stdout)) !== "ready") {
    try {
      server.kill();
    } catch { /* gone */ }
    await server.status;
    await bus.stop();
    return "the D-Bus Echo server did not start (see its error above)";
  }
  return { bus, server, address: bus.address, peer: bus.peer };
}

async function stopDBus(dbus: DBus): Promise<void> {
  try {
    dbus.server.kill("SIGTERM");
  } catch { /* gone */ }
  await dbus.server.status;
  await dbus.server.stdout.cancel().catch(() => {});
  await dbus.bus.stop();
}

// --- measuring --------------------------------------------------------------------------------

/** Runs `senders` sender processes at once; returns requests per second over all of them. */
export async function throughput(
  commands: [string, string[]][],
  env: Record<string, string>,
  count: number,
  microseconds = false,
): Promise<number> {
  const children = commands.map(([cmd, args]) =>
    new Deno.Command(cmd, { args, env, stdin: "piped", stdout: "piped", stderr: "inherit" })
      .spawn()
  );
  const readers = children.map((c) => c.stdout.pipeThrough(new TextDecoderStream()).getReader());
  const line = async (reader: ReadableStreamDefaultReader<string>) => {
    let text = "";
    while (!text.includes("\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    return text.trim();
  };
  await Promise.all(readers.map(line));
  const writers = children.map((c) => c.stdin.getWriter());
  await Promise.all(writers.map((w) => w.write(encoder.encode("go\n"))));
  const elapsed = (await Promise.all(readers.map(line))).map(Number);
  for (const w of writers) await w.close().catch(() => {});
  for (const c of children) await c.status;
  // The D-Bus peer reports microseconds, the Deno senders milliseconds.
  const ms = microseconds ? elapsed.map((e) => e / 1000) : elapsed;
  return (count * commands.length) / (Math.max(...ms) / 1000);
}

/**
 * The mean round trip, in µs, of `sendRequest` to the echo port: with the default API (the
 * reply whole, in fresh memory), or with `chunks` taking it by `onReplyChunk` into memory the
 * port reuses.
 */
async function portRoundTrips(size: number, count: number, chunks = false): Promise<number> {
  const port = await connectPort(PORT);
  const body = new Uint8Array(size);
  const options = chunks ? { onReplyChunk() {} } : {};
  for (let i = 0; i < Math.min(200, count); i++) await port.sendRequest(1, body, options);
  const start = performance.now();
  for (let i = 0; i < count; i++) await port.sendRequest(1, body, options);
  const perOp = (performance.now() - start) / count;
  port.invalidate();
  return perOp * 1000;
}

/**
 * The mean round trip, in µs, of a raw message echo that takes each message whole into fresh
 * memory on both sides (`raw-fresh.sock` of `_echo_server.ts`): what handing out the received
 * bytes costs with no protocol at all.
 */
async function rawFreshRoundTrips(path: string, size: number, count: number): Promise<number> {
  const conn = await Deno.connect({ transport: "unix", path });
  const message = new Uint8Array(size + 4);
  new DataView(message.buffer).setUint32(0, size);
  const once = async () => {
    let written = 0;
    while (written < message.length) written += await conn.write(message.subarray(written));
    const reply = new Uint8Array(size + 4);
    let got = 0;
    while (got < reply.length) got += (await conn.read(reply.subarray(got)))!;
  };
  for (let i = 0; i < Math.min(200, count); i++) await once();
  const start = performance.now();
  for (let i = 0; i < count; i++) await once();
  const perOp = (performance.now() - start) / count;
  conn.close();
  return perOp * 1000;
}

async function dbusRoundTrips(bus: DBus, size: number, count: number): Promise<number> {
  const rps = await throughput(
    [[bus.peer, [bus.address, "call", String(count), String(size)]]],
    {},
    count,
    true,
  );
  return 1e6 / rps;
}

/** Runs the benchmark and returns its markdown tables. */
export async function portsBench(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-bench-ports-" });
  await Deno.chmod(dir, 0o700);
  const env = { IPCKIT_RUNTIME_DIR: dir };
  const previous = Deno.env.get("IPCKIT_RUNTIME_DIR");
  Deno.env.set("IPCKIT_RUNTIME_DIR", dir);
  const deno = Deno.execPath();
  const portServer = new Deno.Command(deno, {
    args: ["run", "--quiet", ...PERMISSIONS, SELF, "--serve"],
    env,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const echoServer = new Deno.Command(deno, {
    args: ["run", "--quiet", ...PERMISSIONS, `${HERE}_echo_server.ts`, dir],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const raw = `${dir}/raw.sock`;
  const rawFresh = `${dir}/raw-fresh.sock`;
  const bus = await startDBus();
  const out: string[] = [];
  try {
    await firstLine(portServer.stdout);
    await firstLine(echoServer.stdout);

    // Round trips.
    const rows: string[][] = [];
    for (const [label, size, count] of [["64 B", 64, 3000], ["1 MiB", 1 << 20, 150]] as const) {
      const ours: number[] = [], floor: number[] = [], dbus: number[] = [], chunked: number[] = [];
      const fresh: number[] = [], kept: number[] = [], plain: number[] = [], apart: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        floor.push(await rawRoundTrips(raw, size, count) * 1000);
        ours.push(await portRoundTrips(size, count));
        if (size > 64) {
          fresh.push(await rawFreshRoundTrips(rawFresh, size, count));
          chunked.push(await portRoundTrips(size, count, true));
          // Long enough for glibc's heap to settle: each collection frees some 64 MiB.
          const n = 3 * count;
          const sender = [senderCommand("ports", PORT, size, n)];
          const tuned = { ...env, GLIBC_TUNABLES: GLIBC_KEEP_FREED };
          apart.push(1e6 / await throughput([senderCommand("raw", raw, size, n)], env, n));
          kept.push(1e6 / await throughput(sender, tuned, n));
          plain.push(1e6 / await throughput(sender, env, n));
        }
        if (typeof bus !== "string") dbus.push(await dbusRoundTrips(bus, size, count));
      }
      const o = median(ours), f = median(floor);
      const d = dbus.length ? median(dbus) : NaN;
      const mibps = (us: number) => `${fmt((2 * size) / (1 << 20) / (us / 1e6))} MiB/s`;
      rows.push([
        `round trip ${label}`,
        `${fmt(o)} µs`,
        `${fmt(f)} µs`,
        ratio(o, f),
        dbus.length ? `${fmt(d)} µs` : "–",
        dbus.length ? ratio(o, d) : "–",
      ]);
      if (size > 64) {
        const r = median(chunked), rf = median(fresh);
        const k = median(kept), p = median(plain), a = median(apart);
        rows.push(
          [
            `throughput ${label} (both ways)`,
            mibps(o),
            mibps(f),
            `${((f / o) * 100).toFixed(0)}% of the floor`,
            dbus.length ? mibps(d) : "–",
            "",
          ],
          [
            `throughput ${label} vs raw echo into fresh memory²`,
            mibps(o),
            mibps(rf),
            `${((rf / o) * 100).toFixed(0)}% of it (it is ${
              ((f / rf) * 100).toFixed(0)
            }% of the floor)`,
            "–",
            "",
          ],
          [
            `round trip ${label}, reply by onReplyChunk¹`,
            `${fmt(r)} µs`,
            `${fmt(f)} µs`,
            ratio(r, f),
            dbus.length ? `${fmt(d)} µs` : "–",
            dbus.length ? ratio(r, d) : "–",
          ],
          [
            `throughput ${label}, reply by onReplyChunk¹`,
            mibps(r),
            mibps(f),
            `${((f / r) * 100).toFixed(0)}% of the floor`,
            dbus.length ? mibps(d) : "–",
            "",
          ],
          [
            `throughput ${label}, sender keeping freed memory³`,
            mibps(k),
            mibps(a),
            `${((a / k) * 100).toFixed(0)}% of the floor (the same sender without: ${
              ((a / p) * 100).toFixed(0)
            }%)`,
            "–",
            "",
          ],
        );
      }
    }

    // Requests per second, each sender its own process.
    for (const senders of [1, 8]) {
      const count = senders === 1 ? 3000 : 1000;
      const ours: number[] = [], floor: number[] = [], dbus: number[] = [];
      for (let round = 0; round < 3; round++) {
        const deno = (kind: string, target: string) => senderCommand(kind, target, 64, count);
        floor.push(
          await throughput(Array.from({ length: senders }, () => deno("raw", raw)), env, count),
        );
        ours.push(
          await throughput(Array.from({ length: senders }, () => deno("ports", PORT)), env, count),
        );
        if (typeof bus !== "string") {
          const call: [string, string[]] = [bus.peer, [
            bus.address,
            "call",
            String(count),
            "64",
          ]];
          dbus.push(
            await throughput(Array.from({ length: senders }, () => call), env, count, true),
          );
        }
      }
      const o = median(ours), f = median(floor), d = dbus.length ? median(dbus) : NaN;
      rows.push([
        `requests/s, 64 B, ${senders} sender${senders > 1 ? "s" : ""}`,
        `${fmt(o)}/s`,
        `${fmt(f)}/s`,
        `${((o / f) * 100).toFixed(0)}% of the floor`,
        dbus.length ? `${fmt(d)}/s` : "–",
        dbus.length ? ratio(o, d) : "–",
      ]);
    }
    out.push(
      table([
        `message ports (median of ${ROUNDS} alternating rounds; rps: 3)`,
        "ipckit port",
        "raw Unix-socket echo",
        "ipckit vs raw",
        "D-Bus method call (libdbus, dbus-daemon)",
        "ipckit vs D-Bus",
      ], rows),
    );
    out.push(
      '\nThe "ipckit port" column is the default API on both sides: the port reuses a ' +
        "request's memory once its reply is sent (CFMessagePort's contract: the callback's data " +
        "is valid until then), and `sendRequest` resolves with the reply whole in fresh memory, " +
        "the caller's to keep.",
      "\n¹ The same port; the sender takes the reply with `onReplyChunk`, into memory it reuses " +
        "for every message, so neither side touches fresh memory for each message.",
      "\n² A raw message echo with no framing and no protocol that takes each message whole " +
        "into fresh memory on both sides (what an API whose callback and caller both keep the " +
        "bytes they get, such as a port with `recycleRequests: false`, costs at the least; the " +
        "default API takes fresh memory on the sender's side only). Fresh memory costs zeroing " +
        "and page faults, and churns the cache, on every message.",
      "\n³ The default API in a sender process of its own, started with " +
        `\`GLIBC_TUNABLES=${GLIBC_KEEP_FREED}\`: glibc then keeps the memory of the replies ` +
        "the garbage collector freed for the next ones. By default it gives that memory back " +
        "to the kernel after every collection, and every page of every reply faults anew. " +
        "Beside it, the same sender process started without them; the floor is the raw echo " +
        "from a sender process of its own likewise.",
    );
    if (typeof bus === "string") out.push(`\nD-Bus peer missing: ${bus}`);

    // Start-up of `ipckit send`, as installed.
    out.push(
      "\n" + await withInstalledIpckit((ipckit) =>
        startupTable(ipckit, [
          { label: "`ipckit send PORT hello`", args: ["send", PORT, "hello"] },
          { label: "`ipckit --version`", args: ["--version"] },
        ], env)
      ),
    );
  } finally {
    for (const child of [portServer, echoServer]) {
      child.kill();
      await child.status;
      await child.stdout.cancel().catch(() => {});
    }
    if (typeof bus !== "string") await stopDBus(bus);
    if (previous === undefined) Deno.env.delete("IPCKIT_RUNTIME_DIR");
    else Deno.env.set("IPCKIT_RUNTIME_DIR", previous);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return out.join("\n");
}

if (import.meta.main) {
  const [mode, ...rest] = Deno.args;
  if (mode === "--serve") await servePort();
  else if (mode === "--sender") {
    await sender(rest[0], rest[1], Number(rest[2]), Number(rest[3]));
  } else console.log(await portsBench());
}
