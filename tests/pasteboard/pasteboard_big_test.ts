/**
 * 256 MiB through `ipckit copy` and `ipckit paste`, and 300 MiB through `paste --json` and
 * `paste --watch --json`: byte-exact, and streamed in chunks, so that neither the commands nor
 * the broker ever hold the whole of it (their peak memory, sampled from /proc, stays well under
 * the data's size).
 *
 * @module
 */

import assert from "node:assert/strict";
import { ipckit, ipckitCommand } from "../_cli.ts";
import { cleanupRuntimeDir, exists, tempRuntimeDir, waitFor } from "../_helpers.ts";

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
  drain?: (r: ReadableStream<Uint8Array>, child: Deno.ChildProcess) => Promise<void>,
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
    drain ? drain(child.stdout, child) : undefined,
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
    // Measured at all: a sample that was never taken reads as 0 and would pass any limit.
    for (const peak of [copy.peakKiB, paste.peakKiB, brokerPeak]) assert.ok(peak > 0, "no sample");
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

/**
 * Reads one `paste --json` line of binary data from `stream` as it comes: its fields, then the
 * base64 decoded and compared with the blocks, 1 MiB at a time. Stops at the line's end.
 */
async function checkJsonLine(
  stream: ReadableStream<Uint8Array>,
  size: number,
): Promise<Record<string, unknown>> {
  const reader = stream.getReader();
  const marker = '"data":{"$data":"';
  let text = "";
  let head: Record<string, unknown> | undefined;
  let bytes = new Uint8Array(0);
  let received = 0;
  const decoder = new TextDecoder();
  const take = (decoded: Uint8Array) => {
    const joined = new Uint8Array(bytes.length + decoded.length);
    joined.set(bytes);
    joined.set(decoded, bytes.length);
    let offset = 0;
    while (
      joined.length - offset >= MIB ||
      (received + joined.length - offset === size && offset < joined.length)
    ) {
      const n = Math.min(MIB, joined.length - offset);
      const expected = block(received / MIB);
      const got = joined.subarray(offset, offset + n);
      if (!got.every((b, k) => b === expected[k])) {
        throw new Error(`the data differs in the MiB at ${received}`);
      }
      received += n;
      offset += n;
    }
    bytes = joined.slice(offset);
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the output ended after ${received} bytes`);
    text += decoder.decode(value, { stream: true });
    if (!head) {
      const at = text.indexOf(marker);
      if (at < 0) continue;
      head = JSON.parse(text.slice(0, at - 1) + "}");
      text = text.slice(at + marker.length);
    }
    const end = text.indexOf('"');
    const b64 = end >= 0 ? text.slice(0, end) : text.slice(0, text.length - (text.length % 4));
    take(fromBase64(b64));
    if (end >= 0) {
      assert.equal(text.slice(end), '"}}\n', "the line ends after the data");
      break;
    }
    text = text.slice(b64.length);
  }
  reader.releaseLock();
  assert.equal(received, size);
  return head!;
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

Deno.test("paste --json and paste --watch --json stream 300 MiB of binary data in bounded memory", async () => {
  const dir = await tempRuntimeDir();
  const size = 300 * MIB;
  try {
    const ready = `${dir}/watch.ready`;
    let line: Record<string, unknown> | undefined;
    const watching = run(
      dir,
      ["paste", "--local", "--watch", "--json", "--ready-file", ready],
      undefined,
      async (stream, child) => {
        line = await checkJsonLine(stream, size);
        child.kill("SIGINT");
        await stream.cancel();
      },
    );
    await waitFor(() => exists(ready), "the watcher's ready file", 30_000);
    const copy = await run(dir, ["copy", "--local", "--type", "public.data"], async (writer) => {
      for (let i = 0; i < size / MIB; i++) await writer.write(block(i));
      await writer.close();
    });
    assert.equal(copy.code, 0, copy.stderr);
    const watcher = await watching;
    assert.equal(watcher.code, 130, watcher.stderr);
    assert.deepEqual(line, { type: "public.data", item: 0, size, changeCount: 1 });

    let head: Record<string, unknown> | undefined;
    const paste = await run(dir, ["paste", "--local", "--json"], undefined, async (stream) => {
      head = await checkJsonLine(stream, size);
    });
    assert.equal(paste.code, 0, paste.stderr);
    assert.deepEqual(head, { type: "public.data", item: 0, size });

    for (const peak of [watcher.peakKiB, paste.peakKiB]) assert.ok(peak > 0, "no sample");
    const limit = 160 * 1024; // KiB: far under the 300 MiB and its 400 MiB of base64
    assert.ok(paste.peakKiB < limit, `paste --json peaked at ${paste.peakKiB} KiB`);
    assert.ok(watcher.peakKiB < limit, `paste --watch --json peaked at ${watcher.peakKiB} KiB`);
    console.log(
      `peak memory: paste --json ${Math.round(paste.peakKiB / 1024)} MiB, paste --watch --json ${
        Math.round(watcher.peakKiB / 1024)
      } MiB`,
    );
  } finally {
    await cleanupRuntimeDir(dir);
  }
});
