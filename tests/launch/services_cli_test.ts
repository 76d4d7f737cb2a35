/**
 * `ipckit services …` as a user runs it: check, load, list, print, start, stop (with the
 * exitTimeout escalation and the whole process group), log and log --follow, unload — with real
 * service programs under the real broker.
 */

import assert from "node:assert/strict";
import { alive, waitFor } from "../_helpers.ts";
import { lines, spawnIpckit, waitGone, withManager, yamlList } from "./_manager.ts";

Deno.test("services check names every problem with file:line:column and exits 1; a good file is ok", async () => {
  await withManager(async (m) => {
    const bad = await m.define(
      "bad.yaml",
      "label: com.example.bad\nprogram: /bin/true\nkeepalive: true\nexitTimeout: soon\n",
      m.work,
    );
    const good = await m.define(
      "good.yaml",
      "label: com.example.good\nprogram: /bin/true\n",
      m.work,
    );
    const out = await m.run(["services", "check", bad, good]);
    assert.equal(out.code, 1);
    assert.equal(out.stdout, `${good}: ok (com.example.good)\n`);
    assert.deepEqual(out.stderr.trimEnd().split("\n"), [
      `ipckit: ${bad}:3:1: unknown key "keepalive"; did you mean "keepAlive"?`,
      `ipckit: ${bad}:4:14: exitTimeout: expected seconds, a number 0 or more, not the string "soon"`,
    ]);
    const missing = await m.run(["services", "check", `${m.work}/nope.yaml`]);
    assert.equal(missing.code, 3);
    assert.equal(
      missing.stderr,
      `ipckit: cannot read ${m.work}/nope.yaml: no such file or directory\n`,
    );
    const notLoaded = await m.run(["services", "load", `${m.work}/nope.yaml`]);
    assert.equal(notLoaded.code, 1);
    assert.match(notLoaded.stderr, /cannot read .*nope\.yaml: no such file or directory\n$/);
    assert.doesNotMatch(notLoaded.stderr, /os error/);
  });
});

Deno.test("services load: a bad definition is refused with its position, the others load", async () => {
  await withManager(async (m) => {
    const dir = `${m.work}/defs`;
    await Deno.mkdir(dir);
    await m.define("a.yaml", "label: com.example.a\nprogram: /bin/true\n", dir);
    await m.define("b.yaml", "label: com.example.b\nprogram: /bin/true\nports: [1]\n", dir);
    await m.define("c.yml", "label: com.example.c\nprogram: /bin/true\n", dir);
    await m.define("notes.txt", "not a definition", dir);
    const out = await m.run(["services", "load", dir]);
    assert.equal(out.code, 1);
    assert.equal(
      out.stdout,
      `loaded com.example.a (${dir}/a.yaml)\nloaded com.example.c (${dir}/c.yml)\n`,
    );
    assert.equal(
      out.stderr,
      `ipckit: ${dir}/b.yaml:3:9: ports: expected a string, not number 1; not loaded\n`,
    );
    assert.deepEqual((await m.list()).map((j) => j.label), ["com.example.a", "com.example.c"]);
    // The same label from another file is refused; the loaded one stays.
    const other = await m.define("a2.yaml", "label: com.example.a\nprogram: /bin/false\n", m.work);
    const again = await m.run(["services", "load", other]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /the label "com\.example\.a" is already loaded from .*a\.yaml/);
  });
});

Deno.test("services start, print, log, stop: the service runs, logs, and stops with its process group", async () => {
  await withManager(async (m) => {
    const script = await m.shell(
      "svc.sh",
      `sleep 1000 &
echo "$!" > "${m.work}/child.pid"
echo "hello from $IPCKIT_SERVICE_LABEL in $(pwd) with GREETING=$GREETING"
echo "to stderr" >&2
wait`,
    );
    await m.define(
      "svc.yaml",
      `label: com.example.svc
program: ${script}
environment: { GREETING: hi }
workingDirectory: ${m.work}
`,
    );
    const started = await m.run(["services", "start", "com.example.svc"]);
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /^started com\.example\.svc: running \(pid \d+\)\n$/);
    const info = await m.print("com.example.svc");
    assert.equal(info.state, "running");
    assert.equal(info.runs, 1);
    const pid = info.pid as number;
    assert.ok(alive(pid));
    await waitFor(async () => (await lines(`${m.work}/child.pid`)).length > 0, "the child's pid");
    const child = Number((await lines(`${m.work}/child.pid`))[0]);
    await waitFor(
      async () => (await m.run(["services", "log", "com.example.svc"])).stdout.includes("stderr"),
      "the log",
    );
    const log = await m.run(["services", "log", "com.example.svc"]);
    assert.equal(
      log.stdout,
      `hello from com.example.svc in ${m.work} with GREETING=hi\nto stderr\n`,
    );
    const text = (await m.run(["services", "print", "com.example.svc"])).stdout;
    assert.match(text, /^com\.example\.svc = \{\n {2}file {10}.*svc\.yaml\n {2}state {9}running\n/);
    assert.match(
      text,
      new RegExp(`\\n  stdout        ${m.runtimeDir}/launch/jobs/com\\.example\\.svc/log\\n`),
    );

    const stopped = await m.run(["services", "stop", "com.example.svc"]);
    assert.equal(stopped.stdout, "stopped com.example.svc: stopped\n");
    assert.ok(!alive(pid), "the service is gone");
    await waitGone(child, "the service's child (same process group)");
    const [job] = await m.list();
    assert.deepEqual(job, {
      label: "com.example.svc",
      state: "stopped",
      pid: null,
      lastExit: "signal SIGTERM",
    });
    const yaml = await m.run(["services", "list", "--yaml"]);
    assert.equal(
      yaml.stdout,
      "- label: com.example.svc\n  state: stopped\n  pid: null\n  lastExit: signal SIGTERM\n",
    );
    const printed = await m.run(["services", "print", "com.example.svc", "--yaml"]);
    assert.match(printed.stdout, /^label: com\.example\.svc\n(.*\n)*runs: 1\n/);
  });
});

Deno.test("services stop: a service that ignores SIGTERM gets SIGKILL after exitTimeout", async () => {
  await withManager(async (m) => {
    const script = await m.shell(
      "stubborn.sh",
      `trap 'echo "got TERM, staying"' TERM
echo ready
while :; do sleep 0.05; done`,
    );
    await m.define(
      "stubborn.yaml",
      `label: com.example.stubborn\nprogram: ${script}\nexitTimeout: 0.5\n`,
    );
    await m.run(["services", "start", "com.example.stubborn"]);
    await waitFor(
      async () => (await m.run(["services", "log", "com.example.stubborn"])).stdout === "ready\n",
      "the service to be ready",
    );
    const stopped = await m.run(["services", "stop", "com.example.stubborn"]);
    assert.equal(stopped.code, 0, stopped.stderr);
    const info = await m.print("com.example.stubborn");
    assert.equal(info.lastExit, "signal SIGKILL");
    const log = (await m.run(["services", "log", "com.example.stubborn"])).stdout;
    assert.match(log, /^ready\n(.*\n)*got TERM, staying\n/);
    assert.doesNotMatch(log, /Killed/, "the supervisor's own notes stay out of the log");
    const brokerLog = await Deno.readTextFile(`${m.runtimeDir}/broker.log`);
    assert.match(brokerLog, /com\.example\.stubborn: still running 0\.5 s after SIGTERM; SIGKILL/);
  });
});

Deno.test("standardOutPath and standardErrorPath take the service's output", async () => {
  await withManager(async (m) => {
    const script = await m.shell("out.sh", `echo out; echo err >&2; echo done > "${m.work}/done"`);
    await m.define(
      "out.yaml",
      `label: com.example.out
programArguments: ${yamlList([script])}
standardOutPath: ${m.work}/out.log
standardErrorPath: ${m.work}/err.log
`,
    );
    await m.run(["services", "start", "com.example.out"]);
    await waitFor(async () => (await m.list())[0].lastExit === "exit 0", "the service's exit");
    assert.equal(await Deno.readTextFile(`${m.work}/out.log`), "out\n");
    assert.equal(await Deno.readTextFile(`${m.work}/err.log`), "err\n");
    assert.equal((await m.run(["services", "log", "com.example.out"])).stdout, "out\nerr\n");
  });
});

Deno.test("services log --follow prints what the service writes after it started", async () => {
  await withManager(async (m) => {
    const script = await m.shell(
      "talk.sh",
      `echo "first line"
while [ ! -f "${m.work}/go" ]; do sleep 0.02; done
echo "second line"
sleep 1000`,
    );
    await m.define("talk.yaml", `label: com.example.talk\nprogram: ${script}\n`);
    await m.run(["services", "start", "com.example.talk"]);
    const follow = spawnIpckit(m, ["services", "log", "com.example.talk", "--follow"]);
    const reader = follow.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let seen = "";
    while (!seen.includes("first line\n")) seen += (await reader.read()).value ?? "";
    await Deno.writeTextFile(`${m.work}/go`, "");
    while (!seen.includes("second line\n")) seen += (await reader.read()).value ?? "";
    assert.equal(seen, "first line\nsecond line\n");
    follow.kill("SIGINT");
    await reader.cancel();
    assert.equal((await follow.status).code, 130);
    await follow.stderr.cancel();
  });
});

Deno.test("services unload stops the service and forgets it; an unknown label exits 3", async () => {
  await withManager(async (m) => {
    await m.define(
      "idle.yaml",
      `label: com.example.idle\nprogram: /bin/sleep\nprogramArguments: [sleep, "1000"]\n`,
    );
    await m.run(["services", "start", "com.example.idle"]);
    const pid = (await m.list())[0].pid!;
    assert.ok(alive(pid));
    const out = await m.run(["services", "unload", "com.example.idle"]);
    assert.equal(out.stdout, "unloaded com.example.idle\n");
    assert.ok(!alive(pid));
    assert.deepEqual(await m.list(), []);
    const unknown = await m.run(["services", "start", "com.example.idle"]);
    assert.equal(unknown.code, 3);
    assert.equal(
      unknown.stderr,
      'ipckit: no service "com.example.idle" is loaded; see: ipckit services list\n',
    );
  });
});

Deno.test("services kickstart starts a stopped service; -k restarts a running one", async () => {
  await withManager(async (m) => {
    const script = await m.shell("k.sh", `echo $$ >> "${m.work}/starts"\nexec sleep 1000`);
    await m.define("k.yaml", `label: com.example.k\nprogram: ${script}\n`);
    const first = await m.run(["services", "kickstart", "com.example.k"]);
    assert.match(first.stdout, /^kickstarted com\.example\.k: running \(pid \d+\)\n$/);
    const pid = (await m.list())[0].pid!;
    // Without -k, a running service is left alone.
    await m.run(["services", "kickstart", "com.example.k"]);
    assert.equal((await m.list())[0].pid, pid);
    await m.run(["services", "kickstart", "-k", "com.example.k"]);
    const [job] = await m.list();
    assert.notEqual(job.pid, pid);
    assert.ok(!alive(pid), "the old one was stopped");
    assert.equal(job.lastExit, "signal SIGTERM");
    await waitFor(async () => (await lines(`${m.work}/starts`)).length === 2, "the new run");
  });
});

Deno.test("a service whose workingDirectory does not exist fails to start with a clear error and stays stopped", async () => {
  await withManager(async (m) => {
    await m.define(
      "wd.yaml",
      `label: com.example.wd\nprogram: /bin/true\nworkingDirectory: ${m.work}/missing\n`,
    );
    const out = await m.run(["services", "start", "com.example.wd"]);
    assert.equal(out.code, 1);
    assert.match(
      out.stderr,
      /^ipckit: the service com\.example\.wd cannot start: .*missing.*; check its workingDirectory and log paths\n$/,
    );
    assert.equal((await m.list())[0].state, "stopped");
  });
});

Deno.test("services start with a log path that cannot be opened fails, saying which path", async () => {
  await withManager(async (m) => {
    await m.define(
      "svc.yaml",
      `label: com.example.nolog\nprogram: /bin/true\nstandardOutPath: ${m.work}/missing/x.log\n`,
    );
    const out = await m.run(["services", "start", "com.example.nolog"]);
    assert.equal(out.code, 1, out.stdout);
    assert.match(
      out.stderr,
      /^ipckit: the service com\.example\.nolog cannot start: its log .*\/missing\/x\.log cannot be opened for appending \(No such file or directory\); make its directory/,
    );
    assert.equal(out.stderr.trimEnd().split("\n").length, 1);
  });
});
