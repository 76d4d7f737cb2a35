/**
 * Launch events: a matching `post` starts the service, which gets that notification once it
 * checks in, and the next ones as they come; a post that does not match (its object) starts
 * nothing; and a broker that stops does not start another one behind it.
 */

import assert from "node:assert/strict";
import { ipckitShellCommand } from "../_cli.ts";
import { waitFor } from "../_helpers.ts";
import { lines, type Manager, waitGone, withManager, yamlList } from "./_manager.ts";

const LIB = new URL("../../lib/", import.meta.url).href;

/** A service that checks in and writes each launch event it gets as a JSON line. */
function eventService(m: Manager): Promise<string[]> {
  return m.deno(
    "events",
    `import { checkIn, toJson } from "${LIB}mod.ts";
await Deno.writeTextFile("${m.work}/starts", \`\${Deno.pid}\\n\`, { append: true });
const service = await checkIn(() => null, {
  onLaunchEvent(event) {
    const line = toJson({ name: event.name, object: event.object, userInfo: event.userInfo });
    Deno.writeTextFileSync("${m.work}/events", line + "\\n", { append: true });
  },
});
// Keep running while the manager lets it.
await service.broker.closed;
`,
  );
}

Deno.test("launchEvents: a matching post starts the service, which gets it once checked in, then the next ones", async () => {
  await withManager(async (m) => {
    await m.define(
      "events.yaml",
      `label: com.example.events
programArguments: ${yamlList(await eventService(m))}
launchEvents: [{ name: com.example.kick, object: go }, com.example.poke]
`,
    );
    // Loaded (and its events observed) once list answers.
    assert.equal((await m.list())[0].state, "stopped");
    const nope = await m.run(["post", "com.example.kick", "--object", "nope"]);
    assert.equal(nope.code, 0, nope.stderr);
    await m.run(["post", "com.example.kick", "--object", "go", "--user-info", '{"n": 1}']);
    await waitFor(async () => (await lines(`${m.work}/events`)).length === 1, "the first event");
    // Checked in: the next one comes straight to it.
    await m.run(["post", "com.example.poke"]);
    await waitFor(async () => (await lines(`${m.work}/events`)).length === 2, "the second event");
    assert.deepEqual((await lines(`${m.work}/events`)).map((line) => JSON.parse(line)), [
      { name: "com.example.kick", object: "go", userInfo: { n: 1 } },
      { name: "com.example.poke", object: null, userInfo: null },
    ]);
    assert.equal((await lines(`${m.work}/starts`)).length, 1, "started once");
  });
});

Deno.test("launchEvents: a plain observer in the service (ipckit listen) gets the notification that started it", async () => {
  await withManager(async (m) => {
    const listen = ipckitShellCommand(["listen", "com.example.kick", "--count", "2", "--json"]);
    // The service observes only once it has started (and waited for its go file): the first
    // notification was posted long before; the second one comes live.
    const script = await m.shell(
      "listen.sh",
      `while [ ! -f "${m.work}/go" ]; do sleep 0.02; done
exec ${listen} > "${m.work}/heard"`,
    );
    await m.define(
      "listen.yaml",
      `label: com.example.listener\nprogram: ${script}\nlaunchEvents: [com.example.kick]\n`,
    );
    assert.equal((await m.list())[0].state, "stopped");
    await m.run(["post", "com.example.kick", "--user-info", '{"n": 1}']);
    await waitFor(async () => (await m.list())[0].state === "running", "the start");
    await Deno.writeTextFile(`${m.work}/go`, "");
    // The manager's own observer holds the service's next events while it does not observe:
    // once the listener's registration took the first, the second reaches it live.
    await waitFor(async () => (await lines(`${m.work}/heard`)).length === 1, "the held event");
    await m.run(["post", "com.example.kick", "--user-info", '{"n": 2}']);
    await waitFor(async () => (await m.list())[0].lastExit === "exit 0", "the listener's end");
    const heard = (await lines(`${m.work}/heard`)).map((line) => JSON.parse(line));
    assert.deepEqual(heard.map((n) => [n.name, n.userInfo]), [
      ["com.example.kick", { n: 1 }],
      ["com.example.kick", { n: 2 }],
    ]);
  });
});

Deno.test("a broker with launch events that stops (slowly: a service to stop) leaves no broker behind", async () => {
  await withManager(async (m) => {
    const script = await m.shell("slow.sh", `trap '' TERM\nwhile :; do sleep 0.05; done`);
    await m.define(
      "events.yaml",
      `label: com.example.events
program: ${script}
launchEvents: [com.example.kick]
exitTimeout: 1
`,
    );
    await m.run(["services", "start", "com.example.events"]);
    const pid = JSON.parse((await m.run(["daemon", "status", "--json"])).stdout).pid;
    assert.equal((await m.run(["daemon", "stop"])).code, 0);
    await waitGone(pid, "the stopped broker");
    assert.equal((await m.run(["daemon", "status"])).code, 3, "no broker runs");
    const log = await Deno.readTextFile(`${m.runtimeDir}/broker.log`);
    assert.equal(log.match(/ serving /g)?.length, 1, "one broker ever started");
  });
});
