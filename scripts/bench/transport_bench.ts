/**
 * Request/reply through ipckit's transport against a raw Deno Unix-socket echo, in one run,
 * with the server in another process. Rounds alternate between the two so that noise on this
 * machine falls on both alike; the figure per side is the median of the rounds' mean round trip.
 *
 * @module
 */

import { connectTo } from "../../lib/transport/connect.ts";
import { fmt, median, table } from "./_stats.ts";

const ROUNDS = 7;

/**
 * One raw echo: writes the message and reads as many bytes back, at once (as the transport
 * does: a large echo would otherwise fill both socket buffers and stall).
 */
export async function rawOnce(
  conn: Deno.Conn,
  message: Uint8Array,
  buffer: Uint8Array,
): Promise<void> {
  const writing = (async () => {
    let written = 0;
    while (written < message.length) written += await conn.write(message.subarray(written));
  })();
  let got = 0;
  while (got < message.length) got += (await conn.read(buffer.subarray(got)))!;
  await writing;
}

/** The mean raw echo round trip of a `size`-byte frame, in milliseconds, after a warm-up. */
export async function rawRoundTrips(path: string, size: number, count: number): Promise<number> {
  const conn = await Deno.connect({ transport: "unix", path });
  const message = new Uint8Array(size + 4);
  new DataView(message.buffer).setUint32(0, size);
  const buffer = new Uint8Array(Math.max(65536, size + 4));
  for (let i = 0; i < Math.min(200, count); i++) await rawOnce(conn, message, buffer);
  const start = performance.now();
  for (let i = 0; i < count; i++) await rawOnce(conn, message, buffer);
  const perOp = (performance.now() - start) / count;
  conn.close();
  return perOp;
}

async function ipckitRoundTrips(path: string, size: number, count: number): Promise<number> {
  const connection = await connectTo(path);
  const body = new Uint8Array(size);
  for (let i = 0; i < Math.min(200, count); i++) await connection.request("echo", body);
  const start = performance.now();
  for (let i = 0; i < count; i++) await connection.request("echo", body);
  const perOp = (performance.now() - start) / count;
  await connection.close();
  return perOp;
}

/** Runs the benchmark and returns its markdown table. */
export async function transportBench(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-bench-" });
  const server = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-all",
      new URL("./_echo_server.ts", import.meta.url).pathname,
      dir,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = server.stdout.getReader();
  await reader.read();
  reader.releaseLock();
  const rows: (string | number)[][] = [];
  try {
    for (const [label, size, count] of [["64 B", 64, 5000], ["1 MiB", 1 << 20, 200]] as const) {
      const raw: number[] = [], ours: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        raw.push(await rawRoundTrips(`${dir}/raw.sock`, size, count));
        ours.push(await ipckitRoundTrips(`${dir}/ipckit.sock`, size, count));
      }
      const r = median(raw) * 1000, o = median(ours) * 1000;
      rows.push([`round trip ${label}`, `${fmt(o)} µs`, `${fmt(r)} µs`, `${(o / r).toFixed(2)}×`]);
    }
  } finally {
    server.kill();
    await server.status;
    await server.stdout.cancel();
    await Deno.remove(dir, { recursive: true });
  }
  return table([
    "transport (median of 7 alternating rounds)",
    "ipckit",
    "raw Unix-socket echo",
    "ratio",
  ], rows);
}

if (import.meta.main) console.log(await transportBench());
