/**
 * Message ports against their floor and their peer, in one run:
 *
 * - round trip of 64 B and 1 MiB: `RemotePort.sendRequest` to a port served by another process,
 *   a raw Deno Unix-socket echo (the floor: no framing, no protocol), and a D-Bus method call
 *   `Echo(ay)` through a private `dbus-daemon` started here, made with libdbus from a small C
 *   program (`_dbus_method_peer.c`, compiled here with gcc);
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

import { connectPort, createLocalPort } from "../../lib/ports.ts";
import { PERMISSIONS } from "../../lib/permissions.ts";
import { install } from "../install.ts";
import { fmt, median, table } from "./_stats.ts";

const HERE = new URL(".", import.meta.url).pathname;
const SELF = new URL(import.meta.url).pathname;
const PORT = "com.example.bench.echo";
const RECYCLING = "com.example.bench.recycling";
const ROUNDS = 5;
const encoder = new TextEncoder();

// --- the processes on the other side ----------------------------------------------------------

/** `--serve`: echo ports, concurrency 8, until killed; one of them recycles its buffers. */
async function servePort(): Promise<void> {
  await createLocalPort(PORT, (_msgid, data) => data, { concurrency: 8 });
  await createLocalPort(RECYCLING, (_msgid, data) => data, {
    concurrency: 8,
    recycleRequests: true,
  });
  console.log("ready");
}

async function rawOnce(conn: Deno.Conn, message: Uint8Array, buffer: Uint8Array): Promise<void> {
  // Write and read at once: a large echo would otherwise fill both socket buffers and stall.
  const writing = (async () => {
    let written = 0;
    while (written < message.length) written += await conn.write(message.subarray(written));
  })();
  let got = 0;
  while (got < message.length) got += (await conn.read(buffer.subarray(got)))!;
  await writing;
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
  address: string;
  peer: string;
  daemon: Deno.ChildProcess;
  server: Deno.ChildProcess;
  dir: string;
}

async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  reader.releaseLock();
  return text.trim();
}

/** Builds the libdbus peer, starts a private dbus-daemon and the Echo server; or says why not. */
async function startDBus(): Promise<DBus | string> {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-bench-dbus-method-" });
  const peer = `${dir}/_dbus_method_peer`;
  const fix = "apt-get install dbus-daemon libdbus-1-dev gcc pkg-config";
  try {
    const flags = await new Deno.Command("pkg-config", {
      args: ["--cflags", "--libs", "dbus-1"],
      stdout: "piped",
      stderr: "null",
    }).output();
    if (!flags.success) throw new Error("pkg-config finds no dbus-1");
    const cc = await new Deno.Command("gcc", {
      args: [
        "-O2",
        "-o",
        peer,
        `${HERE}_dbus_method_peer.c`,
        ...new TextDecoder().decode(flags.stdout).trim().split(/\s+/),
      ],
      stderr: "inherit",
    }).output();
    if (!cc.success) throw new Error("gcc failed");
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    return `the D-Bus peer was not built (${(error as Error).message}): ${fix}`;
  }
  const config = `${dir}/bus.conf`;
  await Deno.writeTextFile(
    config,
    `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=${dir}/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
  <limit name="max_incoming_bytes">1000000000</limit>
  <limit name="max_outgoing_bytes">1000000000</limit>
  <limit name="max_message_size">200000000</limit>
</busconfig>
`,
  );
  let daemon: Deno.ChildProcess;
  try {
    daemon = new Deno.Command("dbus-daemon", {
      args: [`--config-file=${config}`, "--nofork", "--print-address=1"],
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
  } catch {
    await Deno.remove(dir, { recursive: true });
    return `dbus-daemon is not installed: ${fix}`;
  }
  const address = await firstLine(daemon.stdout);
  const server = new Deno.Command(peer, {
    args: [address, "serve"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  if ((await firstLine(server.stdout)) !== "ready") {
    for (const child of [server, daemon]) {
      try {
        child.kill();
      } catch { /* gone */ }
      await child.status;
    }
    await Deno.remove(dir, { recursive: true });
    return "the D-Bus Echo server did not start (see its error above)";
  }
  return { address, peer, daemon, server, dir };
}

async function stopDBus(bus: DBus): Promise<void> {
  for (const child of [bus.server, bus.daemon]) {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
  }
  await Deno.remove(bus.dir, { recursive: true });
}

// --- measuring --------------------------------------------------------------------------------

/** Runs `senders` sender processes at once; returns requests per second over all of them. */
async function throughput(
  commands: [string, string[]][],
  env: Record<string, string>,
  count: number,
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
  const ms = commands[0][0].endsWith("_dbus_method_peer") ? elapsed.map((e) => e / 1000) : elapsed;
  return (count * commands.length) / (Math.max(...ms) / 1000);
}

async function portRoundTrips(size: number, count: number, recycling = false): Promise<number> {
  const port = await connectPort(recycling ? RECYCLING : PORT);
  const body = new Uint8Array(size);
  const options = recycling ? { onReplyChunk() {} } : {};
  for (let i = 0; i < Math.min(200, count); i++) await port.sendRequest(1, body, options);
  const start = performance.now();
  for (let i = 0; i < count; i++) await port.sendRequest(1, body, options);
  const perOp = (performance.now() - start) / count;
  port.invalidate();
  return perOp * 1000;
}

async function rawRoundTrips(path: string, size: number, count: number): Promise<number> {
  const conn = await Deno.connect({ transport: "unix", path });
  const message = new Uint8Array(size + 4);
  new DataView(message.buffer).setUint32(0, size);
  const buffer = new Uint8Array(Math.max(65536, size + 4));
  for (let i = 0; i < Math.min(200, count); i++) await rawOnce(conn, message, buffer);
  const start = performance.now();
  for (let i = 0; i < count; i++) await rawOnce(conn, message, buffer);
  const perOp = (performance.now() - start) / count;
  conn.close();
  return perOp * 1000;
}

async function dbusRoundTrips(bus: DBus, size: number, count: number): Promise<number> {
  const rps = await throughput(
    [[bus.peer, [bus.address, "call", String(count), String(size)]]],
    {},
    count,
  );
  return 1e6 / rps;
}

async function timeOnce(cmd: string, args: string[], env: Record<string, string>): Promise<number> {
  const start = performance.now();
  const out = await new Deno.Command(cmd, { args, env, stdout: "null", stderr: "null" }).output();
  const elapsed = performance.now() - start;
  if (!out.success) throw new Error(`${cmd} ${args.join(" ")} exited ${out.code}`);
  return elapsed;
}

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
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
  const bus = await startDBus();
  const out: string[] = [];
  try {
    await firstLine(portServer.stdout);
    await firstLine(echoServer.stdout);

    // Round trips.
    const rows: string[][] = [];
    for (const [label, size, count] of [["64 B", 64, 3000], ["1 MiB", 1 << 20, 150]] as const) {
      const ours: number[] = [], floor: number[] = [], dbus: number[] = [], recycled: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        floor.push(await rawRoundTrips(raw, size, count));
        ours.push(await portRoundTrips(size, count));
        if (size > 64) recycled.push(await portRoundTrips(size, count, true));
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
        const r = median(recycled);
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
            `round trip ${label}, recycled buffers¹`,
            `${fmt(r)} µs`,
            `${fmt(f)} µs`,
            ratio(r, f),
            dbus.length ? `${fmt(d)} µs` : "–",
            dbus.length ? ratio(r, d) : "–",
          ],
          [
            `throughput ${label}, recycled buffers¹`,
            mibps(r),
            mibps(f),
            `${((f / r) * 100).toFixed(0)}% of the floor`,
            dbus.length ? mibps(d) : "–",
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
        const deno = (kind: string, target: string): [string, string[]] => [
          Deno.execPath(),
          ["run", "--quiet", ...PERMISSIONS, SELF, "--sender", kind, target, "64", String(count)],
        ];
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
          dbus.push(await throughput(Array.from({ length: senders }, () => call), env, count));
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
      "\n¹ The port is created with `recycleRequests` (CFMessagePort's contract: the callback's " +
        "data is valid until its reply is sent) and the sender takes the reply with " +
        "`onReplyChunk`, so neither side touches fresh memory for each message.",
    );
    if (typeof bus === "string") out.push(`\nD-Bus peer missing: ${bus}`);

    // Start-up of `ipckit send`, as installed.
    const root = await Deno.makeTempDir({ prefix: "ipckit-install-" });
    try {
      const ipckit = await install(root);
      const empty = `${root}/empty.js`;
      await Deno.writeTextFile(empty, "\n");
      const cases: [string, string, string[]][] = [
        ["`deno run` of an empty script", Deno.execPath(), ["run", "--no-config", empty]],
        ["`ipckit send PORT hello` (installed)", ipckit, ["send", PORT, "hello"]],
        ["`ipckit --version` (installed)", ipckit, ["--version"]],
      ];
      const samples = cases.map(() => [] as number[]);
      for (let i = 0; i < 3; i++) for (const [, cmd, args] of cases) await timeOnce(cmd, args, env);
      for (let i = 0; i < 40; i++) {
        for (const [k, [, cmd, args]] of cases.entries()) {
          samples[k].push(await timeOnce(cmd, args, env));
        }
      }
      const base = median(samples[0]);
      out.push(
        "\n" + table(
          ["start-up (median of 40 alternating runs)", "time", "ratio to empty deno run"],
          cases.map(([label], k) => [
            label,
            `${fmt(median(samples[k]))} ms`,
            ratio(median(samples[k]), base),
          ]),
        ),
      );
    } finally {
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
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
