/**
 * `ipckit monitor` through real processes: a monitor, ports served by `ipckit serve` before and
 * after it attached, `ipckit send` and `ipckit post`, each a process of its own.
 */

import assert from "node:assert/strict";
import { connectBroker } from "../../lib/mod.ts";
import { ipckit, type RunningIpckit, startIpckit } from "../_cli.ts";
import { cleanupRuntimeDir, exists, tempRuntimeDir, waitFor } from "../_helpers.ts";

/** Starts `ipckit COMMAND ARGS…` in `dir` and waits until it is ready. */
function start(dir: string, args: string[]): Promise<RunningIpckit> {
  return startIpckit(args, { runtimeDir: dir });
}

Deno.test("monitor --json sees port messages, notifications and broker requests from other processes", async () => {
  const dir = await tempRuntimeDir();
  const running: RunningIpckit[] = [];
  try {
    // One port before the monitor attaches (the broker tells it), one after (it reads the file).
    const early = await start(dir, ["serve", "com.example.early", "--exec", "cat"]);
    running.push(early);
    const monitor = await start(dir, ["monitor", "--json"]);
    running.push(monitor);
    const late = await start(dir, ["serve", "com.example.late", "--exec", "cat"]);
    running.push(late);
    const sent = await ipckit(["send", "com.example.early", "--id", "7", "hello"], {
      runtimeDir: dir,
    });
    assert.equal(sent.stdout, "hello", sent.stderr);
    await ipckit(["send", "com.example.late", "--id", "8", "hi"], { runtimeDir: dir });
    await ipckit(["send", "com.example.late", "--id", "9", "one way", "--oneway"], {
      runtimeDir: dir,
    });
    const posted = await ipckit([
      "post",
      "com.example.ping",
      "--object",
      "o",
      "--user-info",
      '{"a": 1}',
    ], {
      runtimeDir: dir,
    });
    assert.equal(posted.code, 0, posted.stderr);

    const parsed = (predicate: (e: Record<string, unknown>) => boolean) => (line: string) => {
      try {
        return predicate(JSON.parse(line));
      } catch {
        return false;
      }
    };
    const port7 = JSON.parse(
      await monitor.line(parsed((e) => e.type === "port" && e.msgid === 7), "the request to early"),
    );
    assert.equal(port7.port, "com.example.early");
    assert.equal(port7.size, 5);
    assert.equal(port7.replySize, 5);
    assert.equal(port7.oneway, false);
    assert.ok(port7.ms >= 0);
    assert.ok(!Number.isNaN(Date.parse(port7.time)));
    const port8 = JSON.parse(
      await monitor.line(parsed((e) => e.type === "port" && e.msgid === 8), "the request to late"),
    );
    assert.equal(port8.port, "com.example.late");
    assert.equal(port8.size, 2);
    const port9 = JSON.parse(
      await monitor.line(parsed((e) => e.type === "port" && e.msgid === 9), "the one-way request"),
    );
    assert.equal(port9.oneway, true);
    assert.equal(port9.size, 7);
    const note = JSON.parse(
      await monitor.line(
        parsed((e) => e.type === "notification" && e.name === "com.example.ping"),
        "the notification",
      ),
    );
    assert.equal(note.object, "o");
    assert.ok(note.size > 0, "the userInfo's size");
    assert.ok(note.latencyMs >= 0);
    const post = JSON.parse(
      await monitor.line(
        parsed((e) => e.type === "broker" && e.method === "notify.post"),
        "the broker's notify.post",
      ),
    );
    assert.ok(post.size > 0);
    assert.ok(post.ms >= 0);

    assert.ok(await exists(`${dir}/monitors`), "the broker lists the attached monitor");
    const { code } = await monitor.stop("SIGINT");
    assert.equal(code, 130);
    // Detached: the broker forgets it, and the ports hear of it.
    await waitFor(async () => !(await exists(`${dir}/monitors`)), "the monitors file to go");
  } finally {
    for (const r of running) await r.stop("SIGTERM");
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("monitor prints one line per event for people, and --count ends it", async () => {
  const dir = await tempRuntimeDir();
  const running: RunningIpckit[] = [];
  try {
    const port = await start(dir, ["serve", "com.example.upper", "--exec", "tr", "a-z", "A-Z"]);
    running.push(port);
    const monitor = await start(dir, ["monitor", "--count", "1"]);
    running.push(monitor);
    const sent = await ipckit(["send", "com.example.upper", "--id", "3", "abc"], {
      runtimeDir: dir,
    });
    assert.equal(sent.stdout, "ABC", sent.stderr);
    const { code, stderr } = await monitor.stop(null);
    assert.equal(code, 0, stderr);
    assert.equal(monitor.lines.length, 1, monitor.lines.join("\n"));
    assert.match(
      monitor.lines[0],
      /^\d\d:\d\d:\d\d\.\d{3} {2}port {4}com\.example\.upper {2}id 3 {2}3 B → 3 B {2}[\d.]+ ms {2}pid \d+$/,
    );
  } finally {
    for (const r of running) await r.stop("SIGTERM");
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("without a monitor attached, the broker lists none for ports to read and no inbox exists", async () => {
  const dir = await tempRuntimeDir();
  try {
    const port = await start(dir, ["serve", "com.example.quiet", "--exec", "cat"]);
    try {
      const sent = await ipckit(["send", "com.example.quiet", "x"], { runtimeDir: dir });
      assert.equal(sent.stdout, "x");
      await ipckit(["daemon", "start"], { runtimeDir: dir });
      assert.equal(await exists(`${dir}/monitors`), false);
      assert.equal(await exists(`${dir}/monitor`), false);
    } finally {
      await port.stop("SIGTERM");
    }
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("monitor --yaml prints one YAML document per event", async () => {
  const dir = await tempRuntimeDir();
  const running: RunningIpckit[] = [];
  try {
    running.push(await start(dir, ["serve", "com.example.yaml", "--exec", "cat"]));
    const monitor = await start(dir, ["monitor", "--yaml", "--count", "1"]);
    running.push(monitor);
    await ipckit(["send", "com.example.yaml", "--id", "12", "abcd"], { runtimeDir: dir });
    const { code, stdout, stderr } = await monitor.stop(null);
    assert.equal(code, 0, stderr);
    const { fromYaml } = await import("../../lib/wire/yaml.ts");
    const doc = await fromYaml(stdout.replace(/^---\n/, "")) as Record<string, unknown>;
    assert.ok(stdout.startsWith("---\n"), stdout);
    assert.equal(doc.type, "port");
    assert.equal(doc.port, "com.example.yaml");
    assert.equal(doc.msgid, 12n);
    assert.equal(doc.size, 4n);
    assert.ok(doc.time instanceof Date);
  } finally {
    for (const r of running) await r.stop("SIGTERM");
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("monitor ends with exit 1 and one line when the broker goes away", async () => {
  const dir = await tempRuntimeDir();
  try {
    const monitor = await start(dir, ["monitor"]);
    const stopped = await ipckit(["daemon", "stop"], { runtimeDir: dir });
    assert.equal(stopped.code, 0, stopped.stderr);
    const { code, stderr } = await monitor.stop(null);
    assert.equal(code, 1);
    assert.match(stderr, /^ipckit: the broker went away[^\n]*\n$/);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("the broker never waits on a monitor that is stopped: it drops its records and the next says how many", async () => {
  const dir = await tempRuntimeDir();
  let monitor: RunningIpckit | undefined;
  try {
    monitor = await start(dir, ["monitor", "--json"]);
    Deno.kill(monitor.pid, "SIGSTOP");
    await using client = await connectBroker({ runtimeDir: dir, autostart: false });
    // Far more records than the socket's buffer and the broker's allowance for one monitor.
    const sent = 20000;
    for (let i = 0; i < sent; i += 100) {
      await Promise.all(
        Array.from({ length: 100 }, () => client.request("notify.state.get", { n: "x" })),
      );
    }
    Deno.kill(monitor.pid, "SIGCONT");
    // Once it reads again, one more request at a time until one of them reaches it.
    const isMarker = (line: string) => line.includes('"method":"notify.status"');
    let markers = 0;
    while (!monitor.lines.some(isMarker) && markers < 10000) {
      markers++;
      await client.request("notify.status", null);
    }
    // The markers after the first seen may still be on their way.
    const counted = () => {
      const calls = monitor!.lines.map((line) => JSON.parse(line)).filter((e) =>
        e.type === "broker" && (e.method === "notify.state.get" || e.method === "notify.status")
      );
      const dropped = calls.reduce((n, e) => n + (e.dropped ?? 0), 0);
      return { records: calls.length, dropped };
    };
    await waitFor(() => {
      const { records, dropped } = counted();
      return records + dropped === sent + markers;
    }, "every request to be a record or counted dropped");
    assert.ok(counted().dropped > 0, "some records were dropped");
  } finally {
    if (monitor) {
      Deno.kill(monitor.pid, "SIGCONT");
      await monitor.stop();
    }
    await cleanupRuntimeDir(dir);
  }
});
