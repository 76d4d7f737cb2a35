/**
 * The manager's own life: `daemon stop` stops the services and the next broker brings back the
 * kept-alive ones; a broker killed with SIGKILL leaves its services running, and the next one
 * finds them (no second instance) and still learns how they ended; the broker does not go idle
 * while a service runs.
 */

import assert from "node:assert/strict";
import { alive, waitFor } from "../_helpers.ts";
import { lines, sendWhileStarting, waitGone, withManager } from "./_manager.ts";

async function brokerPid(run: (args: string[]) => Promise<{ stdout: string }>): Promise<number> {
  return JSON.parse((await run(["daemon", "status", "--json"])).stdout).pid;
}

Deno.test("daemon stop stops the services; the next broker starts the kept-alive one again", async () => {
  await withManager(async (m) => {
    const kept = await m.shell("kept.sh", `echo $$ >> "${m.work}/kept"\nexec sleep 1000`);
    const plain = await m.shell("plain.sh", `exec sleep 1000`);
    await m.define(
      "kept.yaml",
      `label: com.example.kept\nprogram: ${kept}\nkeepAlive: true\n`,
    );
    await m.define("plain.yaml", `label: com.example.plain\nprogram: ${plain}\n`);
    await m.run(["services", "start", "com.example.plain"]);
    await waitFor(async () => (await lines(`${m.work}/kept`)).length === 1, "the kept service");
    const before = Object.fromEntries((await m.list()).map((j) => [j.label, j.pid]));
    const stopped = await m.run(["daemon", "stop"]);
    assert.equal(stopped.code, 0, stopped.stderr);
    await waitGone(before["com.example.kept"]!, "the kept service");
    await waitGone(before["com.example.plain"]!, "the plain service");
    // Any command starts the broker again; it starts what keepAlive wants, not the rest, and
    // at once: a run the manager stopped is no reason to wait out the throttle (10 s).
    const after = Object.fromEntries((await m.list()).map((j) => [j.label, j]));
    assert.equal(after["com.example.plain"].state, "stopped");
    assert.equal(after["com.example.plain"].lastExit, "signal SIGTERM");
    assert.equal(after["com.example.kept"].state, "running");
    assert.notEqual(after["com.example.kept"].pid, before["com.example.kept"]);
    await waitFor(async () => (await lines(`${m.work}/kept`)).length === 2, "its second run");
    assert.equal((await lines(`${m.work}/kept`))[1], String(after["com.example.kept"].pid));
  });
});

Deno.test("after a broker SIGKILL the next broker finds the running services: no duplicates, exits still known", async () => {
  await withManager(async (m) => {
    const script = await m.shell("long.sh", `echo $$ >> "${m.work}/starts-$1"\nexec sleep 1000`);
    await m.define(
      "a.yaml",
      `label: com.example.a\nprogramArguments: [${script}, a]\nkeepAlive: true\nthrottleInterval: 0\n`,
    );
    await m.define("b.yaml", `label: com.example.b\nprogramArguments: [${script}, b]\n`);
    await m.run(["services", "start", "com.example.b"]);
    await waitFor(async () => (await lines(`${m.work}/starts-a`)).length === 1, "a's start");
    const before = Object.fromEntries((await m.list()).map((j) => [j.label, j.pid]));
    const first = await brokerPid(m.run);
    Deno.kill(first, "SIGKILL");
    await waitGone(first, "the killed broker");
    assert.ok(alive(before["com.example.a"]!) && alive(before["com.example.b"]!));
    // b ends while no broker watches.
    Deno.kill(before["com.example.b"]!, "SIGTERM");
    await waitGone(before["com.example.b"]!, "b");

    const after = Object.fromEntries((await m.list()).map((j) => [j.label, j]));
    assert.notEqual(await brokerPid(m.run), first);
    assert.equal(after["com.example.a"].state, "running");
    assert.equal(after["com.example.a"].pid, before["com.example.a"], "found again, not started");
    assert.equal(after["com.example.b"].state, "stopped");
    assert.equal(after["com.example.b"].lastExit, "signal SIGTERM");
    // Starting a running one again starts no second instance.
    await m.run(["services", "start", "com.example.a"]);
    assert.deepEqual(await lines(`${m.work}/starts-a`), [String(before["com.example.a"])]);
    // The adopted service's end is still seen, and keepAlive still applies.
    Deno.kill(before["com.example.a"]!, "SIGKILL");
    await waitFor(async () => (await lines(`${m.work}/starts-a`)).length === 2, "a's restart");
    assert.equal((await m.print("com.example.a")).lastExit, "signal SIGKILL");
  });
});

Deno.test("the broker does not go idle while a service runs, and does once it ended", async () => {
  await withManager(async (m) => {
    const script = await m.shell("nap.sh", `sleep 1.5\necho done`);
    await m.define("nap.yaml", `label: com.example.nap\nprogram: ${script}\n`);
    const env = { ...m.env, IPCKIT_IDLE_TIMEOUT: "0.3" };
    const { ipckit } = await import("../_cli.ts");
    await ipckit(["services", "start", "com.example.nap"], { env });
    const broker = await brokerPid((args) => ipckit(args, { env }));
    await waitFor(
      async () => (await Deno.readTextFile(`${m.runtimeDir}/broker.log`)).includes("nap: exit 0"),
      "the service's exit",
    );
    // The broker that logged the exit (1.5 s in, past its 0.3 s idle time) is the first one.
    const log = await Deno.readTextFile(`${m.runtimeDir}/broker.log`);
    assert.match(log, new RegExp(`\\[${broker}\\] info service com\\.example\\.nap: exit 0`));
    await waitGone(broker, "the idle broker");
    assert.match(await Deno.readTextFile(`${m.runtimeDir}/broker.log`), /stopping: idle/);
  });
});

Deno.test("a killed supervisor leaves no service behind: its process group is ended, list says stopped", async () => {
  await withManager(async (m) => {
    const { sender, pid: service } = await sendWhileStarting(m, "slow", "com.example.slow", 1500);
    const state = `${m.runtimeDir}/launch/jobs/com.example.slow/state.json`;
    let supervisor = 0;
    await waitFor(async () => {
      supervisor = JSON.parse(await Deno.readTextFile(state)).supervisorPid ?? 0;
      return supervisor > 0;
    }, "the supervisor's pid on record");
    const groups = await new Deno.Command("ps", { args: ["-o", "pgid=", "-p", `${service}`] })
      .output();
    assert.equal(Number(new TextDecoder().decode(groups.stdout)), service, "a group of its own");
    Deno.kill(supervisor, "SIGKILL");
    const out = await sender.output();
    assert.equal(out.code, 3, new TextDecoder().decode(out.stderr));
    await waitGone(service, "the service whose supervisor was killed");
    const [job] = await m.list();
    assert.equal(job.state, "stopped");
  });
});

Deno.test("a supervisor killed while no broker runs: the next broker ends the service it left", async () => {
  await withManager(async (m) => {
    const script = await m.shell("long.sh", `echo $$ >> "${m.work}/starts"\nexec sleep 1000`);
    await m.define("long.yaml", `label: com.example.long\nprogram: ${script}\n`);
    assert.equal((await m.run(["services", "start", "com.example.long"])).code, 0);
    await waitFor(async () => (await lines(`${m.work}/starts`)).length === 1, "the start");
    const service = Number((await lines(`${m.work}/starts`))[0]);
    const state = `${m.runtimeDir}/launch/jobs/com.example.long/state.json`;
    const { supervisorPid } = JSON.parse(await Deno.readTextFile(state));
    const broker = await brokerPid(m.run);
    Deno.kill(broker, "SIGKILL");
    await waitGone(broker, "the killed broker");
    Deno.kill(supervisorPid, "SIGKILL");
    await waitGone(supervisorPid, "the killed supervisor");
    assert.ok(alive(service), "the service outlived its supervisor");
    // Any command starts a broker, which finds the service without its supervisor.
    assert.equal((await m.run(["services", "list"])).code, 0);
    await waitGone(service, "the service left by its supervisor");
    assert.equal((await m.list())[0].state, "stopped");
  });
});
