/**
 * The monitor protocol between the broker and the ports, with the test as the monitor: a real
 * broker (with the ports' hook plugged in, as the daemon does), a real port, and inbox sockets of the test's own, so what a port writes to a monitor
 * (and when it stops) is seen exactly.
 */

import assert from "node:assert/strict";
import {
  attachMonitor,
  Broker,
  connectBroker,
  connectPort,
  createLocalPort,
  decodeValue,
  type Dictionary,
  FrameDecoder,
  RuntimeDirError,
} from "../../lib/mod.ts";
import { tellPorts } from "../../lib/ports/monitor.ts";
import { cleanupRuntimeDir, exists, tempRuntimeDir, waitFor } from "../_helpers.ts";

/** An inbox socket the test listens on, as a monitor does: the records, and whether it ended. */
interface Inbox {
  path: string;
  records: Dictionary[];
  /** Whether a port connected and then let go of it. */
  ended: boolean;
  close(): void;
}

function openInbox(path: string): Inbox {
  const listener = Deno.listen({ transport: "unix", path });
  const inbox: Inbox = { path, records: [], ended: false, close: () => listener.close() };
  (async () => {
    for await (const conn of listener) {
      const decoder = new FrameDecoder();
      const buffer = new Uint8Array(4096);
      for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
        decoder.push(buffer.subarray(0, n));
        for (let frame = decoder.next(); frame; frame = decoder.next()) {
          inbox.records.push(decodeValue(frame) as Dictionary);
        }
      }
      conn.close();
      inbox.ended = true;
    }
  })().catch(() => {});
  return inbox;
}

Deno.test("a port reports to the monitors the broker lists, from when one attaches until it detaches", async () => {
  const dir = await tempRuntimeDir();
  try {
    await using _broker = await Broker.start({ runtimeDir: dir, idleTimeoutSeconds: 0, tellPorts });
    await using _port = await createLocalPort("com.example.watched", (_m, data) => data, {
      runtimeDir: dir,
    });
    await using remote = await connectPort("com.example.watched", { runtimeDir: dir });
    await Deno.mkdir(`${dir}/monitor`, { mode: 0o700 });
    const a = openInbox(`${dir}/monitor/a.sock`);
    const b = openInbox(`${dir}/monitor/b.sock`);
    const msgids = (inbox: Inbox) => inbox.records.map((r) => Number(r.msgid));

    await remote.sendRequest(1, "before any monitor");
    const first = await connectBroker({ runtimeDir: dir, autostart: false });
    await first.request("monitor.attach", { inbox: a.path });
    assert.equal(await Deno.readTextFile(`${dir}/monitors`), `${a.path}\n`);
    await remote.sendRequest(2, "seen by a");
    await waitFor(() => a.records.length > 0, "a's first record");
    assert.deepEqual(msgids(a), [2]);
    assert.equal(a.records[0].port, "com.example.watched");
    assert.equal(Number(a.records[0].size), "seen by a".length);
    assert.equal(Number(a.records[0].reply), "seen by a".length);

    // Detaching: the broker tells the port, which lets go of a's inbox (its end is the marker
    // that nothing more comes to it).
    await first.close();
    await waitFor(() => a.ended, "the port to let go of a");
    assert.equal(await exists(`${dir}/monitors`), false);
    await remote.sendRequest(3, "seen by nobody");
    const second = await connectBroker({ runtimeDir: dir, autostart: false });
    await second.request("monitor.attach", { inbox: b.path });
    await remote.sendRequest(4, "seen by b");
    await waitFor(() => b.records.length > 0, "b's first record");
    assert.deepEqual(msgids(b), [4]);
    assert.deepEqual(msgids(a), [2]);
    await second.close();
    await waitFor(() => b.ended, "the port to let go of b");
    a.close();
    b.close();
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("monitor.attach takes only an inbox in the runtime directory's monitor folder", async () => {
  const dir = await tempRuntimeDir();
  try {
    await using _broker = await Broker.start({ runtimeDir: dir, idleTimeoutSeconds: 0, tellPorts });
    await using connection = await connectBroker({ runtimeDir: dir, autostart: false });
    await assert.rejects(
      connection.request("monitor.attach", { inbox: "/tmp/elsewhere.sock" }),
      /a monitor's inbox is a socket in/,
    );
    await assert.rejects(
      connection.request("monitor.attach", { inbox: `${dir}/monitor/../../elsewhere.sock` }),
      /a monitor's inbox is a socket in/,
    );
    assert.equal(await exists(`${dir}/monitors`), false);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("a broker that starts forgets the monitors an earlier one listed", async () => {
  const dir = await tempRuntimeDir();
  try {
    await Deno.writeTextFile(`${dir}/monitors`, `${dir}/monitor/gone.sock\n`);
    await using _broker = await Broker.start({ runtimeDir: dir, idleTimeoutSeconds: 0, tellPorts });
    assert.equal(await exists(`${dir}/monitors`), false);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("a port never waits for a monitor that does not read: it drops records and says how many", async () => {
  const dir = await tempRuntimeDir();
  try {
    await using _broker = await Broker.start({ runtimeDir: dir, idleTimeoutSeconds: 0, tellPorts });
    await using _port = await createLocalPort("com.example.busy", () => "ok", {
      runtimeDir: dir,
    });
    await using remote = await connectPort("com.example.busy", { runtimeDir: dir });
    await Deno.mkdir(`${dir}/monitor`, { mode: 0o700 });
    const path = `${dir}/monitor/stuck.sock`;
    using listener = Deno.listen({ transport: "unix", path });
    await using monitor = await connectBroker({ runtimeDir: dir, autostart: false });
    await monitor.request("monitor.attach", { inbox: path });
    // Far more records than the socket's buffer and the port's queue hold, none read: the
    // requests are answered all the same.
    const sent = 6000;
    for (let i = 1; i <= sent; i++) await remote.sendRequest(i, "x");
    const conn = await listener.accept();
    const records: Dictionary[] = [];
    const decoder = new FrameDecoder();
    const buffer = new Uint8Array(64 * 1024);
    const reading = (async () => {
      for (let n = await conn.read(buffer); n !== null; n = await conn.read(buffer)) {
        decoder.push(buffer.subarray(0, n));
        for (let frame = decoder.next(); frame; frame = decoder.next()) {
          records.push(decodeValue(frame) as Dictionary);
        }
      }
    })().catch(() => {});
    // Once the monitor reads again, the port's queue drains: one more message at a time until
    // one of them is reported (the first carries the count of those dropped), then the last.
    let last = sent;
    while (!records.some((r) => Number(r.msgid) > sent) && last < 10 * sent) {
      await remote.sendRequest(++last, "x");
    }
    await waitFor(() => records.some((r) => Number(r.msgid) === last), "the last record");
    const dropped = records.reduce((n, r) => n + Number(r.dropped ?? 0), 0);
    assert.ok(dropped > 0, "some records were dropped");
    assert.equal(records.length + dropped, last, "every message is a record or counted dropped");
    conn.close();
    await reading;
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

/**
 * A socket that counts who connects to it. `settled()` connects once more and waits for that
 * connection: a listener accepts in order, so every connection made before is counted by then.
 */
function openTrap(path: string): { path: string; settled(): Promise<number>; close(): void } {
  const listener = Deno.listen({ transport: "unix", path });
  let others = 0;
  let marked!: () => void;
  const marker = new Promise<void>((resolve) => marked = resolve);
  (async () => {
    for await (const conn of listener) {
      const byte = new Uint8Array(1);
      const n = await conn.read(byte).catch(() => null);
      if (n === 1 && byte[0] === 0x4d) marked();
      else others++;
      conn.close();
    }
  })().catch(() => {});
  return {
    path,
    async settled() {
      using conn = await Deno.connect({ transport: "unix", path });
      await conn.write(new Uint8Array([0x4d]));
      await marker;
      return others;
    },
    close: () => listener.close(),
  };
}

Deno.test("a port reports only to sockets in the monitor folder, whoever names another (a forged frame, a planted file, a link)", async () => {
  const dir = await tempRuntimeDir();
  const outside = await Deno.makeTempDir({ prefix: "ipckit-outside-" });
  await Deno.mkdir(`${dir}/monitor`, { mode: 0o700 });
  const far = openTrap(`${outside}/far.sock`);
  const up = openTrap(`${dir}/up.sock`);
  const linked = openTrap(`${outside}/linked.sock`);
  await Deno.mkdir(`${outside}/monitor`);
  const alike = openTrap(`${outside}/monitor/alike.sock`);
  const inbox = openInbox(`${dir}/monitor/real.sock`);
  // The same folder spelt another way (as a broker given the directory with a slash more).
  const spelt = openInbox(`${dir}/monitor/spelt.sock`);
  try {
    await Deno.symlink(linked.path, `${dir}/monitor/link.sock`);
    const listed = [
      far.path,
      `${dir}/monitor/../up.sock`,
      `${dir}/monitor/link.sock`,
      alike.path,
      inbox.path,
      `${dir}//monitor/spelt.sock`,
    ].join("\n");
    // Planted before the port opens: it reads the file.
    await Deno.writeTextFile(`${dir}/monitors`, `${listed}\n`);
    await using port = await createLocalPort("com.example.private", () => "ok", {
      runtimeDir: dir,
    });
    await using remote = await connectPort("com.example.private", { runtimeDir: dir });
    await remote.sendRequest(1, "x");
    await waitFor(() => inbox.records.length === 1, "the real monitor's record");
    await waitFor(() => spelt.records.length === 1, "the record to the folder spelt otherwise");

    // A frame as the broker's, written to the port's socket by any process that can reach it.
    const { controlFrame, helloFrame } = await import("../../lib/ports/protocol.ts");
    const forger = await Deno.connect({ transport: "unix", path: port.path });
    await forger.write(
      new Uint8Array([
        ...helloFrame("ipckit.broker"),
        ...controlFrame({ t: "monitor", to: listed }),
      ]),
    );
    const buffer = new Uint8Array(1024);
    while (await forger.read(buffer) !== null) { /* the port closes it once the change is in */ }
    forger.close();
    await remote.sendRequest(2, "x");
    await waitFor(() => inbox.records.length === 2, "the real monitor's second record");
    await waitFor(
      () => spelt.records.length === 2,
      "the second record to the folder spelt otherwise",
    );
    await port.close();

    assert.deepEqual(inbox.records.map((r) => Number(r.msgid)), [1, 2]);
    assert.equal(await far.settled(), 0, "a socket outside the runtime directory");
    assert.equal(await up.settled(), 0, "a socket reached with ..");
    assert.equal(await linked.settled(), 0, "a socket behind a link in the monitor folder");
    assert.equal(await alike.settled(), 0, "a socket in another folder named monitor");
  } finally {
    for (const socket of [far, up, linked, alike, inbox, spelt]) socket.close();
    await cleanupRuntimeDir(dir);
    await Deno.remove(outside, { recursive: true });
  }
});

Deno.test("attachMonitor() refuses a link planted in the monitor folder's place and listens nowhere", async () => {
  const dir = await tempRuntimeDir();
  const outside = await Deno.makeTempDir({ prefix: "ipckit-outside-" });
  try {
    await Deno.symlink(outside, `${dir}/monitor`);
    await assert.rejects(
      attachMonitor({ runtimeDir: dir }),
      (error: Error) =>
        error instanceof RuntimeDirError &&
        /monitor is not a directory \(a link\?\)/.test(error.message),
    );
    assert.deepEqual(await Array.fromAsync(Deno.readDir(outside)), []);
  } finally {
    await cleanupRuntimeDir(dir);
    await Deno.remove(outside, { recursive: true });
  }
});
