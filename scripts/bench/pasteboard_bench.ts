/**
 * Pasteboards, in one run: copy+paste of 1 KiB and 64 MiB through the broker (library client,
 * broker in its own process); the same through `xclip` under `Xvfb` as the peer; a raw Deno
 * Unix-socket echo of the same bytes as the floor; and whole-process `ipckit copy` and
 * `ipckit paste` of 1 KiB, as installed, against `deno run` of an empty script. Rounds
 * alternate so that noise on this machine falls on every side alike; figures are medians.
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

/** Copy then paste through the broker, as a library client does. */
async function brokerRoundTrip(pb: Pasteboard, data: Uint8Array): Promise<number> {
  const start = performance.now();
  await pb.writeItems([{ "public.data": data }]);
  const back = await pb.read("public.data");
  const elapsed = performance.now() - start;
  if (back?.length !== data.length) {
    throw new Error(`the broker gave back other data: ${back?.length} bytes for ${data.length}`);
  }
  return elapsed;
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
    const rows: string[][] = [];
    for (const [label, size, rounds] of [["1 KiB", KIB, 30], ["64 MiB", 64 * MIB, 7]] as const) {
      const data = crypto.getRandomValues(new Uint8Array(Math.min(size, 65536)));
      const payload = new Uint8Array(size);
      for (let i = 0; i < size; i += data.length) payload.set(data.subarray(0, size - i), i);
      const ours: number[] = [], socket: number[] = [], raw: number[] = [], xclip: number[] = [];
      await brokerRoundTrip(pb, payload);
      await brokerRoundTrip(pbSocket, payload);
      await rawRoundTrip(`${echoDir}/raw.sock`, payload);
      for (let round = 0; round < rounds; round++) {
        ours.push(await brokerRoundTrip(pb, payload));
        socket.push(await brokerRoundTrip(pbSocket, payload));
        raw.push(await rawRoundTrip(`${echoDir}/raw.sock`, payload));
        if (x) xclip.push(await xclipRoundTrip(x.display, payload));
      }
      const o = median(ours), r = median(raw);
      const bandwidth = (ms: number) => `${fmt(size / MIB / (ms / 1000))} MiB/s`;
      rows.push([
        `copy+paste ${label}`,
        `${fmt(o, 2)} ms (${bandwidth(o)})`,
        `${fmt(median(socket), 2)} ms (${bandwidth(median(socket))})`,
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

    // Whole-process start-up, as installed.
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
    return [
      "",
      table(
        [
          "pasteboard round trip (median)",
          "ipckit broker (default: large data via the runtime directory)",
          'ipckit broker (`transfer: "socket"`: 1 MiB chunks over the connection)',
          "xclip under Xvfb",
          "raw Deno Unix socket (floor)",
          "ipckit / raw",
        ],
        rows,
      ),
      ...notes,
      "",
      startup,
    ].join("\n");
  } finally {
    await pb.close().catch(() => {});
    await pbSocket.close().catch(() => {});
    const { stopBroker } = await import("../../lib/daemon.ts");
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
