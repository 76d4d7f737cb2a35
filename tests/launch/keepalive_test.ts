/**
 * Kept alive, never spinning: restarts per `keepAlive` (after SIGKILL, after exit 0 or a
 * failure), a crash loop held to `throttleInterval` and visible in `services print`, and
 * `runAtLoad` on load and on the first broker since boot.
 */

import assert from "node:assert/strict";
import { waitFor } from "../_helpers.ts";
import { lines, withManager } from "./_manager.ts";

/** A service that appends `<pid> <ms since epoch>` to `starts` and then runs `then`. */
function startsScript(work: string, then: string): string {
  return `echo "$$ $(date +%s%3N)" >> "${work}/starts"\n${then}`;
}

Deno.test("keepAlive: true restarts a service killed with SIGKILL; stop ends it for good", async () => {
  await withManager(async (m) => {
    const script = await m.shell("kept.sh", startsScript(m.work, "exec sleep 1000"));
    await m.define(
      "kept.yaml",
      `label: com.example.kept\nprogram: ${script}\nkeepAlive: true\nthrottleInterval: 0.2\n`,
    );
    // keepAlive services start when the broker loads them.
    await m.run(["daemon", "start"]);
    await waitFor(async () => (await lines(`${m.work}/starts`)).length === 1, "the first start");
    const first = (await m.list())[0].pid!;
    Deno.kill(first, "SIGKILL");
    await waitFor(async () => (await lines(`${m.work}/starts`)).length === 2, "the restart");
    await waitFor(async () => (await m.list())[0].pid !== null, "the new pid");
    const [job] = await m.list();
    assert.notEqual(job.pid, first);
    assert.equal(job.lastExit, "signal SIGKILL");
    const info = await m.print("com.example.kept");
    assert.equal(info.runs, 2);
    await m.run(["services", "stop", "com.example.kept"]);
    const stopped = await m.print("com.example.kept");
    assert.equal(stopped.state, "stopped");
    assert.equal(stopped.nextAttempt, null);
  });
});

Deno.test("keepAlive {successfulExit: false} restarts after a failure and not after exit 0", async () => {
  await withManager(async (m) => {
    // The first run fails, the second succeeds.
    const script = await m.shell(
      "retry.sh",
      startsScript(m.work, `[ "$(wc -l < "${m.work}/starts")" -ge 2 ] && exit 0\nexit 3`),
    );
    await m.define(
      "retry.yaml",
      `label: com.example.retry
program: ${script}
keepAlive: { successfulExit: false }
throttleInterval: 0.1
`,
    );
    await m.run(["daemon", "start"]);
    await waitFor(async () => (await m.print("com.example.retry")).lastExit === "exit 0", "exit 0");
    const info = await m.print("com.example.retry");
    // The restart decision is made with the exit: stopped here means no restart is coming.
    assert.equal(info.state, "stopped");
    assert.equal(info.runs, 2);
    assert.equal(info.nextAttempt, null);
    assert.equal((await lines(`${m.work}/starts`)).length, 2);
  });
});

Deno.test("keepAlive {successfulExit: true} restarts after exit 0 and not after a failure", async () => {
  await withManager(async (m) => {
    // The first run succeeds, the second fails.
    const script = await m.shell(
      "again.sh",
      startsScript(m.work, `[ "$(wc -l < "${m.work}/starts")" -ge 2 ] && exit 7\nexit 0`),
    );
    await m.define(
      "again.yaml",
      `label: com.example.again
program: ${script}
keepAlive: { successfulExit: true }
throttleInterval: 0.1
`,
    );
    await m.run(["daemon", "start"]);
    await waitFor(async () => (await m.print("com.example.again")).lastExit === "exit 7", "exit 7");
    const info = await m.print("com.example.again");
    assert.equal(info.state, "stopped");
    assert.equal(info.runs, 2);
    assert.equal(info.nextAttempt, null);
  });
});

Deno.test("keepAlive {crashed: true} restarts after a signal, not after an exit", async () => {
  await withManager(async (m) => {
    const script = await m.shell(
      "crash.sh",
      startsScript(m.work, `[ "$(wc -l < "${m.work}/starts")" -ge 2 ] && exit 5\nkill -SEGV $$`),
    );
    await m.define(
      "crash.yaml",
      `label: com.example.crash
program: ${script}
keepAlive: { crashed: true }
throttleInterval: 0.1
`,
    );
    await m.run(["daemon", "start"]);
    await waitFor(async () => (await m.print("com.example.crash")).lastExit === "exit 5", "exit 5");
    const info = await m.print("com.example.crash");
    assert.equal(info.state, "stopped");
    assert.equal(info.runs, 2);
    const log = await Deno.readTextFile(`${m.runtimeDir}/broker.log`);
    assert.match(log, /com\.example\.crash: signal SIGSEGV\n/);
  });
});

Deno.test("a crash loop is held to throttleInterval and print shows runs, last exit and the next attempt", async () => {
  await withManager(async (m) => {
    const script = await m.shell("loop.sh", startsScript(m.work, "exit 1"));
    await m.define(
      "loop.yaml",
      `label: com.example.loop\nprogram: ${script}\nkeepAlive: true\nthrottleInterval: 1\n`,
    );
    await m.run(["daemon", "start"]);
    await waitFor(async () => (await lines(`${m.work}/starts`)).length >= 4, "four starts", 20_000);
    // The launches as the broker logged them (the services' own clock reads wander with load).
    const log = await Deno.readTextFile(`${m.runtimeDir}/broker.log`);
    const times = [...log.matchAll(/^(\S+) .* com\.example\.loop: started /gm)]
      .map((match) => Date.parse(match[1]));
    assert.ok(times.length >= 4);
    for (let i = 1; i < times.length; i++) {
      assert.ok(times[i] - times[i - 1] >= 1000, `launches ${times[i] - times[i - 1]} ms apart`);
    }
    await waitFor(
      async () => (await m.print("com.example.loop")).state === "waiting",
      "a held-back restart",
    );
    const info = await m.print("com.example.loop");
    assert.equal(info.lastExit, "exit 1");
    assert.ok((info.runs as number) >= 4);
    const next = Date.parse(info.nextAttempt as string);
    const last = Date.parse(info.lastExitAt as string);
    assert.ok(next > last && next - last <= 1000, "the next attempt is within the throttle");
    const text = (await m.run(["services", "print", "com.example.loop"])).stdout;
    assert.match(text, /\n {2}state {9}waiting\n/);
    assert.match(text, /\n {2}next attempt {2}\d{4}-\d\d-\d\dT/);
  });
});

Deno.test("a crash loop launches at most once per throttleInterval over a window (3 s, throttle 0.25 s)", async () => {
  await withManager(async (m) => {
    const script = await m.shell("spin.sh", "exit 1");
    await m.define(
      "spin.yaml",
      `label: com.example.spin\nprogram: ${script}\nkeepAlive: true\nthrottleInterval: 0.25\n`,
    );
    const window = 3000;
    const launches = async () => {
      const log = await Deno.readTextFile(`${m.runtimeDir}/broker.log`);
      return [...log.matchAll(/^(\S+) .* com\.example\.spin: started /gm)]
        .map((match) => Date.parse(match[1]));
    };
    await m.run(["daemon", "start"]);
    // The window is the broker's own clock: from its first launch until one past the window.
    await waitFor(
      async () => {
        const times = await launches();
        return times.length > 0 && times[times.length - 1] - times[0] > window;
      },
      "launches spanning the window",
      30_000,
    );
    const times = await launches();
    const inWindow = times.filter((t) => t - times[0] <= window).length;
    // A program that fails at once would otherwise be launched hundreds of times.
    assert.ok(inWindow <= window / 250 + 1, `${inWindow} launches in ${window} ms`);
    assert.ok(inWindow >= 2, "it is a loop: restarted after each failure");
    assert.equal((await m.print("com.example.spin")).lastExit, "exit 1");
  });
});

Deno.test("runAtLoad runs a service when loaded, and at its first load since boot only", async () => {
  await withManager(async (m) => {
    const once = await m.shell("once.sh", startsScript(m.work, "exit 0"));
    const file = await m.define(
      "once.yaml",
      `label: com.example.once\nprogram: ${once}\nrunAtLoad: true\nthrottleInterval: 0\n`,
      m.work,
    );
    const loaded = await m.run(["services", "load", file]);
    assert.equal(loaded.code, 0, loaded.stderr);
    await waitFor(async () => (await lines(`${m.work}/starts`)).length === 1, "the run at load");

    const boot = await m.shell("boot.sh", `echo boot >> "${m.work}/boots"`);
    await m.define(
      "boot.yaml",
      `label: com.example.boot\nprogram: ${boot}\nrunAtLoad: true\nthrottleInterval: 0\n`,
    );
    // The next broker loads boot.yaml for the first time this boot: it runs; once.yaml does not.
    await m.run(["daemon", "stop"]);
    await m.run(["services", "list"]);
    await waitFor(async () => (await lines(`${m.work}/boots`)).length === 1, "boot's first run");
    assert.equal((await m.print("com.example.once")).runs, 1);
    // The broker after that runs neither (its list answers once it started what it starts).
    await m.run(["daemon", "stop"]);
    const runs = Object.fromEntries((await m.list()).map((j) => [j.label, j]));
    assert.equal((await m.print("com.example.boot")).runs, 1);
    assert.equal((await m.print("com.example.once")).runs, 1);
    assert.equal(runs["com.example.boot"].state, "stopped");
    // A new boot (another boot id on file): both run again.
    for (const label of ["com.example.once", "com.example.boot"]) {
      await Deno.writeTextFile(
        `${m.runtimeDir}/launch/jobs/${label}/run_at_load_boot`,
        "an earlier boot\n",
      );
    }
    await m.run(["daemon", "stop"]);
    await m.run(["services", "list"]);
    await waitFor(async () => (await lines(`${m.work}/boots`)).length === 2, "boot's run");
    await waitFor(async () => (await lines(`${m.work}/starts`)).length === 2, "once's run");
  });
});
