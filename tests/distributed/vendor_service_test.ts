/**
 * A vendor that is a service: `connect()` to a name a loaded service declares in `ports` starts
 * the service (the ports' demand path) and calls it once it vends; the broker, the service and
 * each caller are processes of their own.
 *
 * @module
 */

import assert from "node:assert/strict";
import { runScript } from "../_helpers.ts";
import { lines, withManager, yamlList } from "../launch/_manager.ts";

const LIB = new URL("../../lib/", import.meta.url).href;

/** A caller in a process of its own: connects to the calculator and prints `add(2, 3)`. */
function call(env: Record<string, string>, name = "com.example.do.calc") {
  return runScript(
    `import { connect, release } from "LIB/mod.ts";
const calc = await connect<{ add(a: number, b: number): number; pid(): number }>(${
      JSON.stringify(name)
    });
console.log(await calc.add(2, 3), await calc.pid());
release(calc);`,
    { env },
  );
}

Deno.test("connect() to a name a loaded service declares starts the service and calls it", async () => {
  await withManager(async (m) => {
    const argv = await m.deno(
      "calc",
      `import { vend } from "${LIB}mod.ts";
await Deno.writeTextFile("${m.work}/starts", \`\${Deno.pid}\\n\`, { append: true });
class Calc {
  add(a: number, b: number): number { return a + b; }
  pid(): number { return Deno.pid; }
}
await vend("com.example.do.calc", new Calc());
`,
    );
    await m.define(
      "calc.yaml",
      `label: com.example.calc
programArguments: ${yamlList(argv)}
ports: [com.example.do.calc]
`,
    );
    assert.equal((await m.list())[0].state, "stopped");
    const first = await call(m.env);
    assert.equal(first.code, 0, first.stderr);
    const [sum, pid] = first.stdout.trim().split(" ");
    assert.equal(sum, "5");
    assert.deepEqual(await lines(`${m.work}/starts`), [pid], "the service vends the object");
    const [job] = await m.list();
    assert.deepEqual([job.state, job.pid], ["running", Number(pid)]);
    // A second caller finds it running: no second start.
    const second = await call(m.env);
    assert.equal(second.stdout, `5 ${pid}\n`, second.stderr);
    assert.equal((await lines(`${m.work}/starts`)).length, 1);
    // A name no service declares is still "not found".
    const none = await call(m.env, "com.example.do.none");
    assert.equal(none.code, 1);
    assert.match(none.stderr, /NotFoundError: no port "com\.example\.do\.none" is being served/);
  });
});

Deno.test("connect() to a declared name whose service ends before it vends fails with the service's end", async () => {
  await withManager(async (m) => {
    await m.define(
      "broken.yaml",
      "label: com.example.broken\nprogram: /bin/false\nports: [com.example.do.broken]\n",
    );
    const out = await call(m.env, "com.example.do.broken");
    assert.equal(out.code, 1);
    assert.match(
      out.stderr,
      /NotFoundError: no port "com\.example\.do\.broken": the service com\.example\.broken ended \(exit 1\) before it served the port/,
    );
  });
});

Deno.test("connect() gives up on a service that does not vend the name within launchTimeout", async () => {
  await withManager(async (m) => {
    await m.define(
      "mute.yaml",
      `label: com.example.mute\nprogramArguments: [sleep, "1000"]\nports: [com.example.do.mute]\n`,
    );
    const out = await runScript(
      `import { connect, PortTimeoutError } from "LIB/mod.ts";
try {
  await connect("com.example.do.mute", { launchTimeout: 300 });
} catch (error) {
  console.log(error instanceof PortTimeoutError, (error as Error).message);
}`,
      { env: m.env },
    );
    assert.equal(
      out.stdout,
      'true the service com.example.mute did not serve the port "com.example.do.mute" within 0.3 s; see: ipckit services print com.example.mute\n',
      out.stderr,
    );
    assert.equal((await m.list())[0].state, "running", "it was started");
  });
});
