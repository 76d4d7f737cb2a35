/**
 * 256 MiB through `ipckit copy` and `ipckit paste`: byte-exact, and streamed in chunks, so that
 * neither the commands nor the broker ever hold the whole of it (their peak memory stays well
 * under the data's size).
 *
 * @module
 */

import assert from "node:assert/strict";
import { ipckit, ipckitCommand } from "./_cli.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "./_helpers.ts";

const MIB = 1024 * 1024;
const SIZE = 256 * MIB;

/** Block `i` of the test data: 1 MiB of xorshift noise seeded by its index. */
function block(i: number): Uint8Array {
  const words = new Uint32Array(MIB / 4);
  let x = (i + 1) * 2654435761 >>> 0 || 1;
  for (let k = 0; k < words.length; k++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    words[k] = x;
  }
  return new Uint8Array(words.buffer);
}

/** A field of /proc/PID/status in KiB (through cat: Deno reads /proc only with all permissions). */
async function kib(pid: number, field: "VmRSS" | "VmHWM"): Promise<number> {
  const out = await new Deno.Command("cat", {
    args: [`/proc/${pid}/status`],
    stdout: "piped",
    stderr: "null",
  }).output();
  const status = new TextDecoder().decode(out.stdout);
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
}

/** Runs `ipckit ARGS…`, feeding and draining through callbacks; returns its exit code and peak RSS. */
async function run(
  dir: string,
  args: string[],
  feed?: (w: WritableStreamDefaultWriter<Uint8Array>) => Promise<void>,
  drain?: (r: ReadableStream<Uint8Array>) => Promise<void>,
): Promise<{ code: number; peakKiB: number; stderr: string }> {
  const [cmd, cmdArgs] = ipckitCommand(args);
  const child = new Deno.Command(cmd, {
    args: cmdArgs,
    env: { IPCKIT_RUNTIME_DIR: dir, DISPLAY: "", WAYLAND_DISPLAY: "" },
    stdin: feed ? "piped" : "null",
    stdout: drain ? "piped" : "null",
    stderr: "piped",
  }).spawn();
  let peak = 0;
  let done = false;
  const sampler = (async () => {
    while (!done) {
      peak = Math.max(peak, await kib(child.pid, "VmHWM"));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  const stderr = new Response(child.stderr).text();
  await Promise.all([
    feed ? feed(child.stdin.getWriter()) : undefined,
    drain ? drain(child.stdout) : undefined,
  ]);
  const status = await child.status;
  done = true;
  await sampler;
  return { code: status.code, peakKiB: peak, stderr: await stderr };
}

Deno.test("256 MiB copy and paste are byte-exact with bounded memory", async () => {
  const dir = await tempRuntimeDir();
  try {
    // Start the broker first, so its memory is measured apart.
    const started = await ipckit(["paste", "--change-count"], { runtimeDir: dir });
    assert.equal(started.code, 0, started.stderr);
    const status = JSON.parse(
      (await ipckit(["daemon", "status", "--json"], { runtimeDir: dir })).stdout,
    );

    const copy = await run(dir, ["copy", "--local", "--type", "public.data"], async (writer) => {
      for (let i = 0; i < SIZE / MIB; i++) await writer.write(block(i));
      await writer.close();
    });
    assert.equal(copy.code, 0, copy.stderr);

    let received = 0;
    let mismatch = -1;
    let pending = new Uint8Array(0);
    const paste = await run(
      dir,
      ["paste", "--local", "--type", "public.data"],
      undefined,
      async (stream) => {
        for await (const chunk of stream) {
          let data = chunk;
          if (pending.length) {
            const joined = new Uint8Array(pending.length + chunk.length);
            joined.set(pending);
            joined.set(chunk, pending.length);
            data = joined;
          }
          let offset = 0;
          while (data.length - offset >= MIB) {
            const expected = block(received / MIB);
            const got = data.subarray(offset, offset + MIB);
            if (mismatch < 0 && !got.every((b, k) => b === expected[k])) mismatch = received;
            received += MIB;
            offset += MIB;
          }
          pending = data.slice(offset);
        }
      },
    );
    assert.equal(paste.code, 0, paste.stderr);
    assert.equal(received + pending.length, SIZE);
    assert.equal(mismatch, -1, `the data differs in the MiB at ${mismatch}`);

    const brokerPeak = await kib(status.pid, "VmHWM");
    const limit = 200 * 1024; // KiB: well under the 256 MiB moved
    assert.ok(copy.peakKiB < limit, `copy peaked at ${copy.peakKiB} KiB`);
    assert.ok(paste.peakKiB < limit, `paste peaked at ${paste.peakKiB} KiB`);
    assert.ok(brokerPeak < limit, `the broker peaked at ${brokerPeak} KiB`);
    console.log(
      `peak memory: copy ${Math.round(copy.peakKiB / 1024)} MiB, paste ${
        Math.round(paste.peakKiB / 1024)
      } MiB, broker ${Math.round(brokerPeak / 1024)} MiB`,
    );
  } finally {
    await cleanupRuntimeDir(dir);
  }
});
