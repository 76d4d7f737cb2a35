/**
 * On-demand start: the first `send` to a port a loaded service declares starts the service and
 * is delivered once it serves the port — from the command line and from 50 concurrent senders,
 * none lost — and a service that cannot come up is a clear "not found" for the sender.
 */

import assert from "node:assert/strict";
import { runScript } from "../_helpers.ts";
import { lines, sendWhileStarting, withManager, yamlList } from "./_manager.ts";

Deno.test("the first send to a declared port starts the service (and the broker) and gets the reply", async () => {
  await withManager(async (m) => {
    const argv = await m.portService("echo", "com.example.echo");
    await m.define(
      "echo.yaml",
      `label: com.example.echo\nprogramArguments: ${yamlList(argv)}\nports: [com.example.echo]\n`,
    );
    // No broker runs yet: the sender starts one, which loads the services directory.
    const first = await m.run(["send", "com.example.echo", "hello"]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, "reply:hello");
    const second = await m.run(["send", "com.example.echo", "again"]);
    assert.equal(second.stdout, "reply:again");
    assert.equal((await lines(`${m.work}/echo.starts`)).length, 1, "started once");
    const [job] = await m.list();
    assert.equal(job.state, "running");
  });
});

Deno.test("50 concurrent first senders to a stopped service: every message is delivered, one start", async () => {
  await withManager(async (m) => {
    const argv = await m.portService("slow", "com.example.slow", { delayMs: 300 });
    const file = await m.define(
      "slow.yaml",
      `label: com.example.slow\nprogramArguments: ${yamlList(argv)}\nports: [com.example.slow]\n`,
      m.work,
    );
    assert.equal((await m.run(["services", "load", file])).code, 0);
    const out = await runScript(
      `import { sendOnce } from "LIB/ports/once.ts";
const decoder = new TextDecoder();
const replies = await Promise.all(Array.from({ length: 50 }, (_, i) =>
  sendOnce("com.example.slow", 1, "message " + i, { sendTimeout: 20 })
    .then((r) => decoder.decode(r!), (e) => "error: " + e.message)));
console.log(JSON.stringify(replies));`,
      { env: m.env },
    );
    assert.equal(out.code, 0, out.stderr);
    const replies: string[] = JSON.parse(out.stdout);
    assert.deepEqual(replies, Array.from({ length: 50 }, (_, i) => `reply:message ${i}`));
    assert.equal((await lines(`${m.work}/slow.starts`)).length, 1, "started once");
  });
});

Deno.test("a declared service that exits before serving its port: send exits 3 and says why; print shows its log", async () => {
  await withManager(async (m) => {
    const script = await m.shell("broken.sh", `echo "cannot open the database" >&2; exit 4`);
    await m.define(
      "broken.yaml",
      `label: com.example.broken\nprogram: ${script}\nports: [com.example.broken]\n`,
    );
    const out = await m.run(["send", "com.example.broken", "x"]);
    assert.equal(out.code, 3);
    assert.equal(
      out.stderr,
      'ipckit: no port "com.example.broken": the service com.example.broken ended (exit 4) before it served the port "com.example.broken"; see: ipckit services print com.example.broken\n',
    );
    const info = await m.print("com.example.broken");
    assert.equal(info.lastExit, "exit 4");
    assert.equal(info.logTail, "cannot open the database\n");
    const text = (await m.run(["services", "print", "com.example.broken"])).stdout;
    assert.match(text, /\n {2}log tail\n {4}cannot open the database\n\}\n$/);
  });
});

Deno.test("a declared service slower than the send timeout: send exits 124 with the service named", async () => {
  await withManager(async (m) => {
    const argv = await m.portService("late", "com.example.late", { delayMs: 60_000 });
    await m.define(
      "late.yaml",
      `label: com.example.late\nprogramArguments: ${yamlList(argv)}\nports: [com.example.late]\n`,
    );
    const out = await m.run(["send", "com.example.late", "x", "--send-timeout", "1"]);
    assert.equal(out.code, 124, out.stderr);
    assert.equal(
      out.stderr,
      'ipckit: the service com.example.late did not serve the port "com.example.late" within 1 s; see: ipckit services print com.example.late\n',
    );
  });
});

Deno.test("a send to a port nobody declares is still 'no such port', and starts no broker", async () => {
  await withManager(async (m) => {
    const out = await m.run(["send", "com.example.nobody", "x"]);
    assert.equal(out.code, 3);
    assert.match(out.stderr, /no port "com\.example\.nobody" is being served/);
    const status = await m.run(["daemon", "status"]);
    assert.equal(status.code, 3, "no broker was started");
  });
});

Deno.test("a send right after the service was killed relaunches it: the dying run's end is no failure", async () => {
  await withManager(async (m) => {
    const argv = await m.portService("echo", "com.example.echo");
    await m.define(
      "echo.yaml",
      `label: com.example.echo\nprogramArguments: ${
        yamlList(argv)
      }\nports: [com.example.echo]\nthrottleInterval: 0\n`,
    );
    const out = await runScript(
      `import { sendOnce } from "LIB/ports/once.ts";
const starts = ${JSON.stringify(`${m.work}/echo.starts`)};
const replies: string[] = [];
for (let i = 0; i < 8; i++) {
  const reply = await sendOnce("com.example.echo", 1, "n" + i, { sendTimeout: 10 });
  replies.push(new TextDecoder().decode(reply!));
  const pid = Number((await Deno.readTextFile(starts)).trim().split("\\n").at(-1));
  // Killed, and sent to as soon as it is gone: the broker may not have seen the exit yet.
  Deno.kill(pid, "SIGKILL");
  for (;;) {
    try {
      Deno.kill(pid, "SIGCONT");
    } catch {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
console.log(JSON.stringify(replies));`,
      { env: m.env },
    );
    assert.equal(out.code, 0, out.stderr);
    assert.deepEqual(JSON.parse(out.stdout), Array.from({ length: 8 }, (_, i) => `reply:n${i}`));
  });
});

Deno.test("a service unloaded while a sender waits for it: the sender is told so, not sent to print it", async () => {
  await withManager(async (m) => {
    const { sender } = await sendWhileStarting(m, "late", "com.example.late", 60_000);
    const unload = await m.run(["services", "unload", "com.example.late"]);
    assert.equal(unload.code, 0, unload.stderr);
    const out = await sender.output();
    assert.equal(out.code, 3);
    assert.equal(
      new TextDecoder().decode(out.stderr),
      'ipckit: no port "com.example.late": the service com.example.late was unloaded before it served the port "com.example.late"\n',
    );
  });
});

Deno.test("a broker killed while a sender waits for the launch: the next broker adopts it, the message arrives", async () => {
  await withManager(async (m) => {
    const { sender } = await sendWhileStarting(m, "slow", "com.example.slow", 1500);
    const broker = JSON.parse((await m.run(["daemon", "status", "--json"])).stdout).pid;
    Deno.kill(broker, "SIGKILL");
    const out = await sender.output();
    const decoder = new TextDecoder();
    assert.equal(out.code, 0, decoder.decode(out.stderr));
    assert.equal(decoder.decode(out.stdout), "reply:x");
    assert.equal((await lines(`${m.work}/slow.starts`)).length, 1, "started once");
  });
});
