/**
 * The broker as separate processes: started on demand, exactly once under a race, idle exit,
 * a failed start reported with its log, misbehaving clients, other protocol versions, other
 * users.
 */

import assert from "node:assert/strict";
import { BrokerStartError, NotFoundError, ProtocolError, RemoteError } from "../../lib/errors.ts";
import { brokerStatus, callBroker, connectBroker, stopBroker } from "../../lib/broker/client.ts";
import { encodeFrame, encodeMessage } from "../../lib/wire/frame.ts";
import { PROTOCOL_VERSION } from "../../lib/transport/protocol.ts";
import {
  alive,
  cleanupRuntimeDir,
  exists,
  IN_CI,
  runAsNobody,
  runScript,
  tempRuntimeDir,
  waitFor,
  which,
} from "../_helpers.ts";

Deno.test("connectBroker() starts a detached broker in another process when none runs", async () => {
  const dir = await tempRuntimeDir();
  try {
    assert.equal(await brokerStatus({ runtimeDir: dir }), null);
    const connection = await connectBroker({ runtimeDir: dir });
    const status = await connection.request("daemon.status") as Record<string, unknown>;
    await connection.close();
    assert.notEqual(status.pid, Deno.pid);
    assert.ok(alive(status.pid as number));
    assert.equal(status.runtimeDir, dir);
    assert.equal(status.protocolVersion, PROTOCOL_VERSION);
    assert.match(await Deno.readTextFile(`${dir}/broker.log`), /serving/);
    // Stopping removes the socket; state directory stays private.
    assert.equal(await stopBroker({ runtimeDir: dir }), status.pid);
    assert.equal(await exists(`${dir}/broker.sock`), false);
    await waitFor(() => !alive(status.pid as number), "the broker process to exit");
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("ten clients racing in ten processes start exactly one broker", async () => {
  const dir = await tempRuntimeDir();
  try {
    const script = `
      import { connectBroker } from "LIB/broker/client.ts";
      const c = await connectBroker({ runtimeDir: ${JSON.stringify(dir)} });
      const s = await c.request("daemon.status");
      console.log(s.pid);
      await c.close();
    `;
    const results = await Promise.all(Array.from({ length: 10 }, () => runScript(script)));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const pids = new Set(results.map((r) => r.stdout.trim()));
    assert.equal(pids.size, 1, `brokers: ${[...pids].join(", ")}`);
    const log = await Deno.readTextFile(`${dir}/broker.log`);
    assert.equal(log.match(/serving/g)?.length, 1, log);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("callBroker() asks one thing on a connection of its own, starting one broker for ten racing callers", async () => {
  const dir = await tempRuntimeDir();
  try {
    await assert.rejects(
      callBroker("daemon.status", null, { runtimeDir: dir, autostart: false }),
      (error) => error instanceof NotFoundError && error.message.includes(dir),
    );
    assert.equal(await exists(`${dir}/broker.sock`), false, "autostart: false started one");
    const script = `
      import { callBroker } from "LIB/broker/client.ts";
      const s = await callBroker("daemon.status", null, { runtimeDir: ${JSON.stringify(dir)} });
      console.log(s.pid);
    `;
    const results = await Promise.all(Array.from({ length: 10 }, () => runScript(script)));
    for (const r of results) assert.equal(r.code, 0, r.stderr);
    const pids = new Set(results.map((r) => r.stdout.trim()));
    assert.equal(pids.size, 1, `brokers: ${[...pids].join(", ")}`);
    const status = await brokerStatus({ runtimeDir: dir });
    assert.equal(String(status?.pid), [...pids][0]);
    // Each caller closed its connection: only the status call's own is counted.
    assert.equal(status?.connections, 1);
    await assert.rejects(
      callBroker("no.such.method", null, { runtimeDir: dir }),
      (error) => error instanceof RemoteError && error.code === "unknown-method",
    );
    await stopBroker({ runtimeDir: dir });
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("the broker exits after IPCKIT_IDLE_TIMEOUT seconds without clients", async () => {
  const dir = await tempRuntimeDir();
  try {
    const result = await runScript(
      `
      import { connectBroker } from "LIB/broker/client.ts";
      const c = await connectBroker({ runtimeDir: ${JSON.stringify(dir)} });
      console.log((await c.request("daemon.status")).pid);
      await c.close();
    `,
      { env: { IPCKIT_IDLE_TIMEOUT: "1" } },
    );
    assert.equal(result.code, 0, result.stderr);
    const pid = Number(result.stdout.trim());
    assert.ok(alive(pid));
    await waitFor(() => !alive(pid), "the idle broker to exit", 8000);
    assert.equal(await exists(`${dir}/broker.sock`), false);
    assert.match(await Deno.readTextFile(`${dir}/broker.log`), /stopping: idle/);
    assert.equal(await brokerStatus({ runtimeDir: dir }), null);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("a broker that cannot start is reported with the end of its log, not a hang", async () => {
  const dir = await tempRuntimeDir();
  try {
    await Deno.mkdir(`${dir}/broker.sock`); // a directory where the socket must go
    const started = Date.now();
    await assert.rejects(
      () => connectBroker({ runtimeDir: dir, startTimeoutMs: 8000 }),
      (e: Error) =>
        e instanceof BrokerStartError && /exited with code 1/.test(e.message) &&
        /broker\.sock is a directory/.test(e.message),
    );
    assert.ok(Date.now() - started < 8000, "it waited for the deadline instead of the exit");
  } finally {
    await Deno.remove(`${dir}/broker.sock`).catch(() => {});
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("a broker killed with SIGKILL leaves a socket that the next broker takes over", async () => {
  const dir = await tempRuntimeDir();
  try {
    const first = await connectBroker({ runtimeDir: dir });
    const pid = (await first.request("daemon.status") as { pid: number }).pid;
    Deno.kill(pid, "SIGKILL");
    await waitFor(() => !alive(pid), "the killed broker to go");
    await waitFor(() => first.isClosed, "the client to notice");
    assert.ok(await exists(`${dir}/broker.sock`), "the stale socket should still be there");
    const second = await connectBroker({ runtimeDir: dir });
    const next = (await second.request("daemon.status") as { pid: number }).pid;
    assert.notEqual(next, pid);
    await second.close();
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("the broker survives garbage, oversized and truncated frames while serving another client", async () => {
  const dir = await tempRuntimeDir();
  try {
    const good = await connectBroker({ runtimeDir: dir });
    const path = `${dir}/broker.sock`;
    const hello = encodeMessage({ t: "hello", v: PROTOCOL_VERSION, name: "bad", pid: 0 });
    const attacks: [string, Uint8Array][] = [
      ["garbage", new TextEncoder().encode("GET / HTTP/1.1\r\nHost: x\r\n\r\n")],
      ["oversized", new Uint8Array([0xff, 0xff, 0xff, 0xf0])],
      ["bad body", new Uint8Array([...hello, ...encodeFrame(new Uint8Array([0xc1]))])],
      [
        "truncated",
        encodeMessage({ t: "req", id: 1, m: "daemon.ping", b: "x".repeat(1000) })
          .subarray(0, 300),
      ],
    ];
    for (const [name, bytes] of attacks) {
      const bad = await Deno.connect({ transport: "unix", path });
      if (name === "truncated") await bad.write(hello);
      await bad.write(bytes);
      // While the bad peer sits there, the good one is served as usual.
      assert.equal(await good.request("daemon.ping", null, { timeoutMs: 2000 }), "pong", name);
      if (name === "truncated") bad.close(); // half a frame, then gone
      else {
        const buffer = new Uint8Array(4096);
        let closed = false;
        for (let i = 0; i < 20 && !closed; i++) closed = (await bad.read(buffer)) === null;
        assert.ok(closed, `${name}: the broker kept the bad connection open`);
        bad.close();
      }
    }
    assert.equal(await good.request("daemon.ping"), "pong");
    const status = await good.request("daemon.status") as { connections: number };
    assert.equal(status.connections, 1);
    await good.close();
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("a client of another protocol version gets a clear message from the real broker", async () => {
  const dir = await tempRuntimeDir();
  try {
    (await connectBroker({ runtimeDir: dir })).close();
    await assert.rejects(
      () =>
        connectBroker({
          runtimeDir: dir,
          connection: { protocolVersion: PROTOCOL_VERSION + 1 },
        }),
      (e: Error) =>
        e instanceof ProtocolError &&
        e.message.includes(`speaks ipckit protocol ${PROTOCOL_VERSION + 1}`) &&
        e.message.includes("ipckit daemon stop"),
    );
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

const SETPRIV = Deno.uid() === 0 && await which("setpriv");

Deno.test({
  name: "a client running as another user cannot reach the broker",
  ignore: !SETPRIV && !IN_CI,
  fn: async () => {
    assert.ok(SETPRIV, "CI runs as root with setpriv (util-linux), so this must run there");
    const dir = await tempRuntimeDir();
    try {
      (await connectBroker({ runtimeDir: dir })).close();
      // No imports: the other user cannot read this user's module cache.
      const out = await runAsNobody(
        `try { const c = await Deno.connect({ transport: "unix", path: ${
          JSON.stringify(`${dir}/broker.sock`)
        } }); console.log("CONNECTED"); c.close(); } catch (e) { console.log(e.name); }`,
      );
      assert.equal(out.code, 0, out.stderr);
      assert.equal(out.stdout.trim(), "PermissionDenied");
      // The broker is unharmed and still ours.
      assert.ok(await brokerStatus({ runtimeDir: dir }));
    } finally {
      await cleanupRuntimeDir(dir);
    }
  },
});

Deno.test("lib/mod.ts works from a script in a directory with no deno.json", async () => {
  const dir = await tempRuntimeDir();
  try {
    const result = await runScript(`
      import { brokerStatus, connectBroker, toJson, UInt64 } from "LIB/mod.ts";
      const dir = ${JSON.stringify(dir)};
      const c = await connectBroker({ runtimeDir: dir });
      await c.close();
      const s = await brokerStatus({ runtimeDir: dir });
      console.log(toJson({ ok: s !== null, big: new UInt64(5n) }));
    `);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), '{"ok":true,"big":{"$uint64":"5"}}');
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("an idle broker connection does not keep a script from ending", async () => {
  const dir = await tempRuntimeDir();
  try {
    const started = Date.now();
    const result = await runScript(`
      import { connectBroker } from "LIB/broker/client.ts";
      const c = await connectBroker({ runtimeDir: ${JSON.stringify(dir)} });
      console.log(await c.request("daemon.ping", null, { timeoutMs: 30000 }));
      // no close(): the script ends here all the same
    `);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), "pong");
    assert.ok(Date.now() - started < 20_000, "the script waited for its request timeout");
  } finally {
    await cleanupRuntimeDir(dir);
  }
});
