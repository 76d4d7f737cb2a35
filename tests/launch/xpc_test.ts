/**
 * XPC-style connections between real processes: a client's `connectService()` starts a service
 * that checks in with `checkIn()`, sees `interrupted` when the service dies and relaunches it
 * with its next message, and sees `invalidated` once the service is unloaded or cannot start.
 */

import assert from "node:assert/strict";
import { PERMISSIONS } from "../../lib/permissions.ts";
import { runScript } from "../_helpers.ts";
import { DENO, type Manager, withManager, yamlList } from "./_manager.ts";

const LIB = new URL("../../lib/", import.meta.url).href;

/**
 * Declares `com.example.length`, a service that checks in and answers `{ text }` with
 * `{ length, pid }`; `extra` is more of its definition.
 */
async function defineLengthService(m: Manager, extra = ""): Promise<void> {
  const argv = await m.deno(
    "length",
    `import { checkIn } from "${LIB}mod.ts";
await checkIn((message) => {
  const text = String((message as { text?: string }).text ?? "");
  return { length: text.length, pid: Deno.pid };
});
`,
  );
  await m.define(
    "length.yaml",
    `label: com.example.length
programArguments: ${yamlList(argv)}
ports: [com.example.length]
${extra}`,
  );
}

Deno.test("connectService: the first message starts the service; interrupted when it dies; the next relaunches it", async () => {
  await withManager(async (m) => {
    await defineLengthService(m, "throttleInterval: 0\n");
    const out = await runScript(
      `import { connectService } from "LIB/mod.ts";
const events: string[] = [];
const service = connectService("com.example.length");
service.addEventListener("interrupted", () => events.push("interrupted"));
service.addEventListener("invalidated", () => events.push("invalidated"));
const first = await service.send({ text: "hello" }) as { length: number; pid: number };
const interrupted = new Promise((resolve) => service.addEventListener("interrupted", resolve));
Deno.kill(first.pid, "SIGKILL");
await interrupted;
const second = await service.send({ text: "again!" }) as { length: number; pid: number };
console.log(JSON.stringify({ first, second, events, invalidated: service.invalidated }));
service.close();`,
      { env: m.env },
    );
    assert.equal(out.code, 0, out.stderr);
    const result = JSON.parse(out.stdout);
    assert.equal(result.first.length, 5);
    assert.equal(result.second.length, 6);
    assert.notEqual(result.second.pid, result.first.pid, "relaunched");
    assert.deepEqual(result.events, ["interrupted"]);
    assert.equal(result.invalidated, false);
  });
});

Deno.test("connectService: invalidated once the service is unloaded, and for a service that cannot start", async () => {
  await withManager(async (m) => {
    await defineLengthService(m);
    const broken = await m.shell("broken.sh", "exit 2");
    await m.define(
      "broken.yaml",
      `label: com.example.broken\nprogram: ${broken}\nports: [com.example.broken]\n`,
    );
    const out = await runScript(
      `import { connectService, ServiceInvalidError } from "LIB/mod.ts";
const run = (args: string[]) => new Deno.Command(${JSON.stringify(DENO)}, {
  args: ["run", "--quiet", ${PERMISSIONS.map((p) => JSON.stringify(p)).join(", ")},
    ${JSON.stringify(new URL("../../cli/main.ts", import.meta.url).pathname)}, ...args],
  stdout: "null",
}).output();
const events: string[] = [];
const service = connectService("com.example.length");
for (const kind of ["interrupted", "invalidated"]) {
  service.addEventListener(kind, () => events.push(kind));
}
await service.send({ text: "x" });
await run(["services", "unload", "com.example.length"]);
const errors: string[] = [];
for (let i = 0; i < 2; i++) {
  await service.send({ text: "y" }).catch((e) =>
    errors.push((e instanceof ServiceInvalidError ? "invalid: " : "other: ") + e.message));
}
const broken = connectService("com.example.broken");
let brokenEvents = 0;
broken.addEventListener("invalidated", () => brokenEvents++);
const brokenError = await broken.send({}).catch((e) => e.constructor.name + ": " + e.message);
console.log(JSON.stringify({ events, errors, brokenError, brokenEvents }));`,
      { env: m.env },
    );
    assert.equal(out.code, 0, out.stderr);
    const result = JSON.parse(out.stdout);
    assert.deepEqual(result.events, ["interrupted", "invalidated"]);
    assert.equal(result.errors.length, 2);
    for (const error of result.errors) {
      assert.match(error, /^invalid: the connection to com\.example\.length is invalid: /);
    }
    assert.equal(result.brokenEvents, 1);
    assert.match(
      result.brokenError,
      /^ServiceInvalidError: the connection to com\.example\.broken is invalid: .*ended \(exit 2\) before it served the port/,
    );
  });
});
