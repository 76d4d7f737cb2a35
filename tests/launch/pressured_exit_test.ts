/**
 * Transactions and pressured exit: a service with `enablePressuredExit` is stopped once it has
 * had no open transaction and no client connected for its idle time, and kept while a
 * transaction is open or a client stays connected.
 */

import assert from "node:assert/strict";
import { runScript, waitFor } from "../_helpers.ts";
import { lines, type Manager, withManager, yamlList } from "./_manager.ts";

const LIB = new URL("../../lib/", import.meta.url).href;

/**
 * A service: `hold` opens a transaction and writes `held` 1.2 s later (three idle times), from
 * inside the service; `release` ends it; `mark` only writes `marked` 1.2 s later; anything else
 * is answered at once.
 */
async function define(m: Manager): Promise<void> {
  const argv = await m.deno(
    "tx",
    `import { checkIn } from "${LIB}mod.ts";
const service = await checkIn((message) => {
  const op = (message as { op: string }).op;
  if (op === "hold") {
    service.beginTransaction();
    setTimeout(() => Deno.writeTextFileSync("${m.work}/held", "held\\n"), 1200);
  }
  if (op === "release") service.endTransaction();
  if (op === "mark") setTimeout(() => Deno.writeTextFileSync("${m.work}/marked", "marked\\n"), 1200);
  return op;
});
`,
  );
  await m.define(
    "tx.yaml",
    `label: com.example.tx
programArguments: ${yamlList(argv)}
ports: [com.example.tx]
enablePressuredExit: true
idleTimeout: 0.4
`,
  );
}

async function send(m: Manager, op: string): Promise<void> {
  const out = await runScript(
    `import { connectService } from "LIB/mod.ts";
const service = connectService("com.example.tx");
console.log(await service.send({ op: ${JSON.stringify(op)} }));
service.close();`,
    { env: m.env },
  );
  assert.equal(out.code, 0, out.stderr);
  assert.equal(out.stdout, `${op}\n`);
}

Deno.test("enablePressuredExit: a service with no open transaction is stopped after its idle time", async () => {
  await withManager(async (m) => {
    await define(m);
    await send(m, "ping");
    await waitFor(async () => (await m.list())[0].state === "stopped", "the pressured exit");
    const log = await Deno.readTextFile(`${m.runtimeDir}/broker.log`);
    assert.match(
      log,
      /com\.example\.tx: no open transaction and no client for 0\.4 s: pressured exit/,
    );
    // The next message starts it again.
    await send(m, "ping");
    assert.equal((await m.print("com.example.tx")).runs, 2);
  });
});

Deno.test("enablePressuredExit: an open transaction keeps the service; its end lets it go", async () => {
  await withManager(async (m) => {
    await define(m);
    await send(m, "hold");
    // Written by the service three idle times after it opened the transaction: it still ran.
    await waitFor(async () => (await lines(`${m.work}/held`)).length === 1, "the service's note");
    const info = await m.print("com.example.tx");
    assert.equal(info.state, "running");
    assert.equal(info.transactions, 1);
    assert.equal(info.runs, 1);
    await send(m, "release");
    await waitFor(async () => (await m.list())[0].state === "stopped", "the pressured exit");
    assert.equal((await m.print("com.example.tx")).runs, 1);
  });
});

Deno.test("enablePressuredExit: a client that stays connected keeps the service; its close lets it go", async () => {
  await withManager(async (m) => {
    await define(m);
    const lib = new URL("../../lib/", import.meta.url).href;
    const [deno, ...args] = await m.deno(
      "client",
      `import { connectService } from "${lib}mod.ts";
const service = connectService("com.example.tx");
console.log(await service.send({ op: "mark" }));
for await (const _ of Deno.stdin.readable); // connected until its standard input ends
service.close();
console.log("closed");
`,
    );
    const client = new Deno.Command(deno, {
      args,
      env: m.env,
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    // Written by the service three idle times after the message, with no transaction open: the
    // connected client alone kept it running.
    await waitFor(async () => (await lines(`${m.work}/marked`)).length === 1, "the service's note");
    const info = await m.print("com.example.tx");
    assert.equal(info.state, "running");
    assert.equal(info.transactions, 0);
    assert.equal(info.clients, 1);
    await client.stdin.close();
    const out = await client.output();
    assert.equal(new TextDecoder().decode(out.stdout), "mark\nclosed\n");
    await waitFor(async () => (await m.list())[0].state === "stopped", "the pressured exit");
    assert.equal((await m.print("com.example.tx")).runs, 1);
  });
});
