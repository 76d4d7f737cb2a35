import assert from "node:assert/strict";
import { Broker } from "./core.ts";
import { brokerStatus, callBroker, connectBroker, stopBroker } from "./client.ts";
import { BROKER_FILES, BROKER_METHODS, type BrokerStatus } from "./protocol.ts";

/** Every field of {@linkcode BrokerStatus}, no more: the compiler holds this list to the type. */
const STATUS_FIELDS = Object.keys(
  {
    pid: true,
    uptimeSeconds: true,
    connections: true,
    runtimeDir: true,
    logFile: true,
    protocolVersion: true,
    version: true,
    idleTimeoutSeconds: true,
  } satisfies Record<keyof BrokerStatus, true>,
).sort();

function exists(path: string): Promise<boolean> {
  return Deno.lstat(path).then(() => true, () => false);
}

Deno.test("the broker core and its clients agree on protocol.ts: methods, status fields, files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-broker-protocol-" });
  try {
    const broker = await Broker.start({ runtimeDir: dir, idleTimeoutSeconds: 0 });
    const options = { runtimeDir: dir, autostart: false };
    assert.equal(await callBroker(BROKER_METHODS.ping, null, options), "pong");
    const status = await brokerStatus({ runtimeDir: dir });
    assert.deepEqual(Object.keys(status ?? {}).sort(), STATUS_FIELDS);
    assert.equal(status?.pid, Deno.pid);
    assert.equal(status?.logFile, `${dir}/${BROKER_FILES.log}`);
    for (const file of [BROKER_FILES.socket, BROKER_FILES.lock, BROKER_FILES.log]) {
      assert.ok(await exists(`${dir}/${file}`), `${file} is where a client looks for it`);
    }
    // A monitor attaches with the method and body the protocol names (an inbox elsewhere is
    // refused for its place, not as an unknown method).
    const connection = await connectBroker(options);
    await assert.rejects(
      connection.request(BROKER_METHODS.monitorAttach, { inbox: `${dir}/elsewhere.sock` }),
      (error: Error & { code?: string }) => error.code === "bad-request",
    );
    await connection.close();
    // Stopped on purpose: the marker clients wait on is where the next broker removes it.
    assert.equal(await stopBroker({ runtimeDir: dir }), Deno.pid);
    await broker.done;
    assert.ok(await exists(`${dir}/${BROKER_FILES.stopped}`));
    assert.ok(!await exists(`${dir}/${BROKER_FILES.socket}`));
    const next = await Broker.start({ runtimeDir: dir, idleTimeoutSeconds: 0 });
    assert.ok(!await exists(`${dir}/${BROKER_FILES.stopped}`));
    await next.stop("test over");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
