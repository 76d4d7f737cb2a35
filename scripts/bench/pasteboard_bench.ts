/**
 * Pasteboards, in one run: copy+paste of 1 KiB and 64 MiB through the broker (library client,
 * broker in its own process), the paste taken three ways (streamed as `ipckit paste` does, into
 * one reused buffer as the floor reads, and as one new array); the same through `xclip` under
 * `Xvfb` as the peer; a raw Deno Unix-socket echo of the same bytes as the floor; and
 * whole-process `ipckit copy` and `ipckit paste` of 1 KiB, as installed, against `deno run` of
 * an empty script. Rounds alternate, each in a new random order, so that noise on this machine
 * falls on every side alike; figures are medians.
 *
 * @module
 */

import { Pasteboard } from "../../lib/pasteboard/pasteboard.ts";
import { startupTable, withInstalledIpckit } from "./startup_bench.ts";
import { fmt, median, table } from "./_stats.ts";

const KIB = 1024;
const MIB = 1024 * 1024;

async function which(program: string): Promise<boolean> {
  const out = await new Deno.Command("sh", {
    args: ["-c", `command -v ${program}`],
    stdout: "null",
    stderr: "null",
  }).output().catch(() => ({ success: false }));
  return out.success;
}

/**
 * How the paste takes the data: `stream` consumes `readStream` chunk by chunk with `for await`
 * (as `ipckit paste` does), `byob` reads it into one buffer used again and again (as the raw
 * floor reads its echo), `read` asks for it as one new array of the whole size.
 */
type PasteMode = "stream" | "byob" | "read";

/** Copy then paste through the broker, as a library client does. */
async function brokerRoundTrip(
  pb: Pasteboard,
  data: Uint8Array,
  mode: PasteMode,
  reuse: { buffer: Uint8Array },
): Promise<number> {
  const start = performance.now();
  await pb.writeItems([{ "public.data": data }]);
  let got = 0;
  if (mode === "read") got = (await pb.read("public.data"))?.length ?? -1;
  else {
    const reading = await pb.readStream("public.data");
    if ("missing" in reading) throw new Error("the broker lost the data");
    if (mode === "stream") {
      // As `ipckit paste` does: small data came whole with the reply.
      if (reading.bytes) got = reading.bytes.length;
      else for await (const chunk of reading.stream) got += chunk.length;
    } else {
      // Each read hands the buffer back (moved to a new ArrayBuffer): the same memory throughout.
      const reader = reading.stream.getReader({ mode: "byob" });
      for (;;) {
        const { done, value } = await reader.read(reuse.buffer);
        reuse.buffer = new Uint8Array(value!.buffer);
        if (done) break;
        got += value!.length;
      }
    }
  }
  const elapsed = performance.now() - start;
  if (got !== data.length) {
    throw new Error(`the broker gave back other data: ${got} bytes for ${data.length}`);
  }
  return elapsed;
}

/** A copy of `items` in random order. */
function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** The floor: the same bytes there and back over a raw Deno Unix socket. */
async function rawRoundTrip(path: string, data: Uint8Array): Promise<number> {
  const conn = await Deno.connect({ transport: "unix", path });
  const buffer = new Uint8Array(4 * MIB);
  const start = performance.now();
  const writing = (async () => {
    let written = 0;
    while (written < data.length) written += await conn.write(data.subarray(written));
  })();
  let got = 0;
  while (got < data.length) {
    const n = await conn.read(buffer);
    if (n === null) throw new Error("the raw echo closed");
    got += n;
  }
  await writing;
  const elapsed = performance.now() - start;
  conn.close();
  return elapsed;
}

/**
 * Copy then paste through xclip. The owner stays in the foreground with `-verbose` and says
 * when it owns the clipboard (a forking `xclip -i` returns before that); its stdout is null.
 */
async function xclipRoundTrip(display: string, data: Uint8Array): Promise<number> {
  const start = performance.now();
  const input = new Deno.Command("xclip", {
    args: ["-verbose", "-i", "-selection", "clipboard", "-t", "application/octet-stream"],
    env: { DISPLAY: display },
    stdin: "piped",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const writer = input.stdin.getWriter();
  await writer.write(data);
  await writer.close();
  const reader = input.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let said = "";
  while (!said.includes("Waiting for selection requests")) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`xclip -i exited: ${said}`);
    said += value;
  }
  // Keep reading what it says, or it blocks on a full pipe.
  (async () => {
    while (!(await reader.read()).done) { /* drain */ }
  })().catch(() => {});
  const out = await new Deno.Command("xclip", {
    args: ["-o", "-selection", "clipboard", "-t", "application/octet-stream"],
    env: { DISPLAY: display },
    stdout: "piped",
    stderr: "null",
  }).output();
  const elapsed = performance.now() - start;
  if (out.stdout.length !== data.length) throw new Error("xclip gave back other data");
  return elapsed;
}

async function startXvfb(): Promise<{ display: string; child: Deno.ChildProcess }> {
  for (let n = 400 + Math.floor(Math.random() * 100);; n++) {
    const taken = await Deno.lstat(`/tmp/.X11-unix/X${n}`).then(() => true, () => false) ||
      await Deno.lstat(`/tmp/.X${n}-lock`).then(() => true, () => false);
    if (taken) continue;
    const child = new Deno.Command("Xvfb", {
      args: [`:${n}`, "-nolisten", "tcp", "-screen", "0", "64x64x24"],
      stdout: "null",
      stderr: "null",
    }).spawn();
    for (let i = 0; i < 200; i++) {
      if (await Deno.lstat(`/tmp/.X11-unix/X${n}`).then(() => true, () => false)) {
        return { display: `:${n}`, child };
      }
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    child.kill();
    throw new Error("Xvfb did not start");
  }
}

/** Runs the benchmark and returns its markdown tables. */
export async function pasteboardBench(): Promise<string> {
  const runtimeDir = await Deno.makeTempDir({ prefix: "ipckit-bench-pb-" });
  await Deno.chmod(runtimeDir, 0o700);
  const echoDir = await Deno.makeTempDir({ prefix: "ipckit-bench-echo-" });
  const echo = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "--allow-all",
      new URL("./_echo_server.ts", import.meta.url).pathname,
      echoDir,
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = echo.stdout.getReader();
  await reader.read();
  reader.releaseLock();
  const haveX = (await which("Xvfb")) && (await which("xclip"));
  const x = haveX ? await startXvfb() : undefined;
  const pb = Pasteboard.named("bench", { runtimeDir });
  const pbSocket = Pasteboard.named("bench-socket", { runtimeDir, transfer: "socket" });
  const notes: string[] = [];
  try {
    // Whole-process start-up, as installed; first, so that the disk's writeback of the large
    // rounds' files does not fall on it. The broker is started first, as the rounds start it.
    await pb.changeCount();
    const env = { IPCKIT_RUNTIME_DIR: runtimeDir, DISPLAY: "", WAYLAND_DISPLAY: "" };
    const kib = crypto.getRandomValues(new Uint8Array(KIB));
    const startup = await withInstalledIpckit((ipckit) =>
      startupTable(
        ipckit,
        [
          {
            label: "`ipckit daemon status` (the frame's own broker round trip)",
            args: ["daemon", "status"],
          },
          { label: "`ipckit copy` 1 KiB from stdin", args: ["copy"], stdin: kib },
          { label: "`ipckit paste` 1 KiB", args: ["paste"] },
        ],
        env,
        30,
      )
    );
    const rows: string[][] = [];
    // The same size of buffer as the floor reads its echo into.
    const reuse = { buffer: new Uint8Array(4 * MIB) };
    const ours = (pb: Pasteboard, data: Uint8Array, mode: PasteMode) =>
      brokerRoundTrip(pb, data, mode, reuse);
    for (const [label, size, rounds] of [["1 KiB", KIB, 30], ["64 MiB", 64 * MIB, 12]] as const) {
      const data = crypto.getRandomValues(new Uint8Array(Math.min(size, 65536)));
      const payload = new Uint8Array(size);
      for (let i = 0; i < size; i += data.length) payload.set(data.subarray(0, size - i), i);
      const modes = ["stream", "byob", "read"] as const;
      const times: Record<PasteMode, number[]> = { stream: [], byob: [], read: [] };
      const socket: number[] = [], raw: number[] = [], xclip: number[] = [];
      for (const mode of modes) await ours(pb, payload, mode);
      await ours(pbSocket, payload, "stream");
      await rawRoundTrip(`${echoDir}/raw.sock`, payload);
      const sides: [number[], () => Promise<number>][] = [
        ...modes.map((mode): [number[], () => Promise<number>] => [
          times[mode],
          () => ours(pb, payload, mode),
        ]),
        [socket, () => ours(pbSocket, payload, "stream")],
        [raw, () => rawRoundTrip(`${echoDir}/raw.sock`, payload)],
      ];
      if (x) sides.push([xclip, () => xclipRoundTrip(x.display, payload)]);
      for (let round = 0; round < rounds; round++) {
        // A new order each round: no side always follows the same one (xclip leaves work behind).
        for (const [out, run] of shuffled(sides)) out.push(await run());
      }
      const r = median(raw);
      const bandwidth = (ms: number) => `${fmt(size / MIB / (ms / 1000))} MiB/s`;
      const cell = (times: number[]) => {
        const ms = median(times);
        return `${fmt(ms, 2)} ms (${bandwidth(ms)}, ${((r / ms) * 100).toFixed(0)}% of raw)`;
      };
      const o = median(times.stream);
      rows.push([
        `copy+paste ${label}`,
        cell(times.stream),
        cell(times.byob),
        cell(times.read),
        cell(socket),
        x ? `${fmt(median(xclip), 2)} ms (${bandwidth(median(xclip))})` : "n/a",
        `${fmt(r, 2)} ms (${bandwidth(r)})`,
        `${(o / r).toFixed(2)}× (${((r / o) * 100).toFixed(0)}% of raw bandwidth)`,
      ]);
    }
    if (!x) {
      notes.push(
        "xclip column: Xvfb or xclip is missing; install them with `apt-get install -y xvfb xclip`.",
      );
    }

    return [
      "",
      table(
        [
          "pasteboard round trip (median)",
          "ipckit broker (default: large data via the runtime directory), paste streamed (`readStream`, `for await`)",
          "the same, paste read into one 4 MiB buffer used again (BYOB reader, as the floor reads)",
          "the same, paste as one new array (`read()`)",
          'ipckit broker (`transfer: "socket"`: 1 MiB chunks over the connection), paste streamed',
          "xclip under Xvfb",
          "raw Deno Unix socket (floor)",
          "ipckit (paste streamed) / raw",
        ],
        rows,
      ),
      "",
      "Copy writes `public.data` with `writeItems`; the floor echoes the same bytes over a raw Unix " +
      "socket into one 4 MiB buffer. `read()` also pays for a new array of the whole size (for " +
      "64 MiB, fresh pages the floor never touches), so it is shown but not the ratio.",
      ...notes,
      "",
      startup,
    ].join("\n");
  } finally {
    await pb.close().catch(() => {});
    await pbSocket.close().catch(() => {});
    const { stopBroker } = await import("../../lib/broker/client.ts");
    await stopBroker({ runtimeDir }).catch(() => {});
    echo.kill();
    await echo.status;
    await echo.stdout.cancel().catch(() => {});
    if (x) {
      x.child.kill();
      await x.child.status;
    }
    for (const dir of [runtimeDir, echoDir]) {
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  }
}

if (import.meta.main) console.log(await pasteboardBench());
