/**
 * `deno task bench`: every benchmark, each measuring ipckit and its baseline side by side in
 * this one run and reporting the ratio. Prints markdown tables.
 *
 * @module
 */

import { PERMISSIONS } from "../../lib/permissions.ts";
import { bridgeBench } from "./bridge_bench.ts";
import { distributedBench } from "./distributed_bench.ts";
import { notificationsBench } from "./notifications_bench.ts";
import { pasteboardBench } from "./pasteboard_bench.ts";
import { portsBench } from "./ports_bench.ts";
import { scriptingBench } from "./scripting_bench.ts";
import { startupBench } from "./startup_bench.ts";
import { transportBench } from "./transport_bench.ts";
import { launchBench } from "./launch_bench.ts";

console.log("# ipckit benchmarks\n");
console.log(`Deno ${Deno.version.deno}, ${navigator.hardwareConcurrency} cores.\n`);
for (
  const bench of [
    transportBench,
    startupBench,
    notificationsBench,
    portsBench,
    pasteboardBench,
    distributedBench,
  ]
) {
  console.log(await bench());
  console.log();
}
console.log(await launchBench() + "\n");
console.log(`${await scriptingBench()}\n`);
console.log(`${await (await import("./tell_bench.ts")).tellBench()}\n`);
console.log(`${await bridgeBench()}\n`);
// The sdp benchmark prints its own tables. Its peer (npm) is locked in the benchmarks' own
// lockfile, so that what the quick start resolves (the root deno.lock) stays the runtime's graph.
const sdp = await new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--quiet",
    `--lock=${new URL("./deno.lock", import.meta.url).pathname}`,
    ...PERMISSIONS,
    new URL("./sdp_bench.ts", import.meta.url).pathname,
  ],
  stdout: "inherit",
  stderr: "inherit",
}).output();
if (!sdp.success) console.log(`(the sdp benchmark failed with exit ${sdp.code})`);
