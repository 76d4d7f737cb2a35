/**
 * One way to end things: every long-lived object of the library has an awaitable `close()` and
 * `[Symbol.asyncDispose]`, so `await using` ends it at the end of its scope, and what it held
 * is let go of by the time that resolves.
 */

import assert from "node:assert/strict";
import {
  attachMonitor,
  Broker,
  connect,
  connectApp,
  connectBroker,
  connectionFor,
  connectPort,
  createLocalPort,
  listen,
  NameLock,
  NotificationCenter,
  Pasteboard,
  serveScriptableApp,
  vend,
} from "../../lib/mod.ts";
import { ObjectSpecifier } from "../../lib/wire/value.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";

/** What every long-lived object has (checked by the type checker where it is used). */
interface Closable {
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function closable(object: Closable): Closable {
  return object;
}

Deno.test("ports end with an awaitable close() and with await using; the name is free at once", async () => {
  const dir = await tempRuntimeDir();
  try {
    let port, remote;
    {
      await using local = await createLocalPort("com.example.closing", () => "ok", {
        runtimeDir: dir,
      });
      await using other = await connectPort("com.example.closing", { runtimeDir: dir });
      closable(local);
      closable(other);
      const reply = await other.sendRequest(1, "x", { receiveTimeout: 5 });
      assert.equal(new TextDecoder().decode(reply!), "ok");
      [port, remote] = [local, other];
    }
    assert.equal(port.isValid, false);
    assert.equal(remote.isValid, false);
    // Both invalidate() return promises now, and close() again is harmless.
    const again: Promise<void>[] = [remote.invalidate(), port.invalidate(), remote.close()];
    await Promise.all(again);
    // The scope's end waited for the port to let go of its name.
    const next = await createLocalPort("com.example.closing", () => "next", { runtimeDir: dir });
    await next.close();
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("centers, observers, pasteboards, monitors and broker connections end with close() and await using", async () => {
  const dir = await tempRuntimeDir();
  try {
    let center, observer, connection, monitor;
    {
      await using c = await NotificationCenter.connect({ runtimeDir: dir });
      await using o = await c.observe({ names: "com.example.closing" });
      await using pb = Pasteboard.named("closing", { runtimeDir: dir });
      await using b = await connectBroker({ runtimeDir: dir });
      await using m = await attachMonitor({ runtimeDir: dir });
      for (const object of [c, o, pb, b, m]) closable(object);
      await pb.writeItems([{ "public.utf8-plain-text": "kept" }]);
      assert.equal(await pb.readString("public.utf8-plain-text"), "kept");
      [center, observer, connection, monitor] = [c, o, b, m];
    }
    assert.equal(observer.closed, true);
    assert.equal(center.closed, true);
    assert.equal(connection.isClosed, true);
    assert.equal(monitor.closed, true);
    assert.deepEqual(await observer.next(), { value: undefined, done: true });
    // An observer closed on its own resolves once the broker let go of it.
    const c2 = await NotificationCenter.connect({ runtimeDir: dir });
    const o2 = await c2.observe({ names: "com.example.other" });
    const closing: Promise<void> = o2.close();
    await closing;
    await c2.close();
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("a broker, a listener and a name lock end with close() and await using", async () => {
  const dir = await tempRuntimeDir();
  try {
    let broker, listener, lock;
    {
      await using b = await Broker.start({ runtimeDir: dir, idleTimeoutSeconds: 0 });
      await using l = await listen(`${dir}/closing.sock`);
      await using n = (await NameLock.tryAcquire(`${dir}/closing.lock`))!;
      for (const object of [b, l, n]) closable(object);
      [broker, listener, lock] = [b, l, n];
    }
    assert.equal(await broker.done, "closed");
    assert.equal(lock.held, false);
    await assert.rejects(Deno.lstat(listener.path), Deno.errors.NotFound);
    const again = await NameLock.tryAcquire(`${dir}/closing.lock`);
    assert.ok(again, "the lock is free once close() resolved");
    await again.close();
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

const SHELF = `<?xml version="1.0" encoding="UTF-8"?>
<dictionary title="Shelf">
  <suite name="Shelf Suite" code="Shlf">
    <class name="application" code="capp">
      <property name="name" code="pnam" type="text" access="r"/>
    </class>
  </suite>
</dictionary>`;

Deno.test("scriptable apps, app connections, vendors and their connections end with close() and await using", async () => {
  const dir = await tempRuntimeDir();
  await using app = await serveScriptableApp({
    bundleId: "com.example.Shelf",
    name: "Shelf",
    definition: SHELF,
    model: { name: "Shelf" },
    runtimeDir: dir,
  });
  await using vendor = await vend("com.example.closing.do", { echo: (x: number) => x }, {
    runtimeDir: dir,
  });
  try {
    const name = new ObjectSpecifier("prop", "application", "property", "pnam");
    const getName = { code: "coregetd", params: { "----": name } };
    let client, connection, remote;
    {
      await using c = await connectApp("Shelf", { runtimeDir: dir });
      closable(c);
      assert.equal(await c.send(getName), "Shelf");
      remote = await connect<{ echo(x: number): number }>("com.example.closing.do", {
        runtimeDir: dir,
      });
      await using d = connectionFor(remote);
      closable(d);
      assert.equal(await remote.echo(7), 7);
      [client, connection] = [c, d];
    }
    assert.equal(connection.isValid, false);
    await assert.rejects(remote.echo(1));
    await assert.rejects(client.send(getName));
    // close() again is harmless, and still awaitable.
    const again: Promise<void>[] = [client.close(), connection.close()];
    await Promise.all(again);
    // Not awaited, close() still ends a connection at once.
    const unawaited = connectionFor(
      await connect<{ echo(x: number): number }>("com.example.closing.do", { runtimeDir: dir }),
    );
    unawaited.close();
    assert.equal(unawaited.isValid, false);
    for (const object of [app, vendor]) closable(object);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});
