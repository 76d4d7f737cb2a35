/**
 * Message ports under load, across processes: 1,000 concurrent requests on one port from a few
 * processes, and a 256 MiB round trip through `send` and `serve --exec cat` in bounded memory.
 */

import assert from "node:assert/strict";
import { PERMISSIONS } from "../../lib/permissions.ts";
import { ipckitCommand, ipckitShellCommand } from "../_cli.ts";
import { cleanupRuntimeDir, exists, runScript, tempRuntimeDir, waitFor } from "../_helpers.ts";

const LIB = new URL("../../lib/", import.meta.url).href;

/** The peak resident memory of a live process, in MiB. */
async function peakMiB(pid: number): Promise<number> {
  // Deno reads /proc only with --allow-all; the tests run with the documented permissions.
  const out = await new Deno.Command("cat", { args: [`/proc/${pid}/status`], stderr: "null" })
    .output();
  if (!out.success) throw new Error(`no process ${pid}`);
  const status = new TextDecoder().decode(out.stdout);
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1]);
  return kb / 1024;
}

Deno.test("1,000 concurrent requests on one port from four processes are all answered correctly", async () => {
  const dir = await tempRuntimeDir();
  const script = `${dir}/server.ts`;
  await Deno.writeTextFile(
    script,
    `import { createLocalPort } from "${LIB}ports/mod.ts";
const port = await createLocalPort("com.example.load", async (msgid, data) => {
  await new Promise((resolve) => setTimeout(resolve, msgid % 3)); // answer out of order
  return \`\${msgid}:\${new TextDecoder().decode(data)}\`;
}, { concurrency: 16 });
console.log("ready");
await new Promise(() => {});
`,
  );
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-config", ...PERMISSIONS, script],
    env: { IPCKIT_RUNTIME_DIR: dir },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  try {
    const reader = server.stdout.getReader();
    assert.match(new TextDecoder().decode((await reader.read()).value), /ready/);
    reader.releaseLock();
    const client = (k: number) =>
      runScript(
        `import { connectPort } from "LIBports/mod.ts";
const port = await connectPort("com.example.load");
const replies = await Promise.all(Array.from({ length: 250 }, (_, i) =>
  port.sendRequest(${k} * 1000 + i, "p${k}-" + i, { receiveTimeout: 120 })));
let bad = 0;
replies.forEach((reply, i) => {
  if (new TextDecoder().decode(reply) !== \`\${${k} * 1000 + i}:p${k}-\${i}\`) bad++;
});
console.log(replies.length, bad);
port.invalidate();
`,
        { env: { IPCKIT_RUNTIME_DIR: dir } },
      );
    const results = await Promise.all([0, 1, 2, 3].map(client));
    for (const result of results) {
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "250 0\n");
    }
  } finally {
    server.kill();
    await server.status;
    await server.stdout.cancel().catch(() => {});
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("a 256 MiB round trip through send --file and serve --exec cat keeps memory bounded", async () => {
  const dir = await tempRuntimeDir();
  const big = `${dir}/big.bin`;
  const out = `${dir}/out.bin`;
  const ready = `${dir}/ready`;
  const size = 256 * 1024 * 1024;
  {
    // A pattern that a shifted or dropped chunk would break.
    const file = await Deno.open(big, { write: true, create: true });
    const block = new Uint8Array(1024 * 1024);
    for (let i = 0; i < size / block.length; i++) {
      new DataView(block.buffer).setUint32(0, i);
      for (let j = 4; j < block.length; j += 4093) block[j] = (i + j) & 0xff;
      await file.write(block);
    }
    file.close();
  }
  const [cmd, args] = ipckitCommand([
    "serve",
    "com.example.big",
    "--ready-file",
    ready,
    "--exec",
    "cat",
  ]);
  const server = new Deno.Command(cmd, {
    args,
    env: { IPCKIT_RUNTIME_DIR: dir },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  try {
    await waitFor(() => exists(ready), "serve to be ready", 30_000);
    const quoted = ipckitShellCommand(["send", "com.example.big", "--file", big]);
    // exec: the shell becomes ipckit send, so its pid is the one to watch.
    const sender = new Deno.Command("sh", {
      args: ["-c", `exec ${quoted} > '${out}'`],
      env: { IPCKIT_RUNTIME_DIR: dir },
      stderr: "piped",
    }).spawn();
    let senderPeak = 0;
    let done = false;
    const watching = (async () => {
      while (!done) {
        try {
          const peak = await peakMiB(sender.pid);
          if (peak > 0) senderPeak = Math.max(senderPeak, peak); // not a zombie's
        } catch { /* exited */ }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const result = await sender.output();
    done = true;
    await watching;
    assert.equal(result.code, 0, new TextDecoder().decode(result.stderr));
    const serverPeak = await peakMiB(server.pid);
    assert.equal((await Deno.stat(out)).size, size);
    const same = await new Deno.Command("cmp", { args: [big, out] }).output();
    assert.ok(same.success, "the reply differs from the request");
    // A whole copy of the message would be 256 MiB; Deno itself takes about 50.
    assert.ok(serverPeak < 160, `serve peaked at ${serverPeak.toFixed(0)} MiB`);
    assert.ok(senderPeak > 0 && senderPeak < 160, `send peaked at ${senderPeak.toFixed(0)} MiB`);
    console.log(
      `peak memory: serve ${serverPeak.toFixed(0)} MiB, send ${senderPeak.toFixed(0)} MiB`,
    );
  } finally {
    server.kill();
    await server.status;
    await cleanupRuntimeDir(dir);
  }
});
