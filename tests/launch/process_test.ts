/**
 * How a service runs: processType through nice and ionice, resource limits through prlimit,
 * and `print` saying which settings could not apply.
 */

import assert from "node:assert/strict";
import { waitFor } from "../_helpers.ts";
import { lines, withManager } from "./_manager.ts";

Deno.test("processType background and resource limits: the service runs niced, at idle I/O priority, within its limits", async () => {
  await withManager(async (m) => {
    const script = await m.shell(
      "report.sh",
      `echo "nice $(nice)" > "${m.work}/report.tmp"
echo "io $(ionice -p $$)" >> "${m.work}/report.tmp"
echo "files $(ulimit -Sn) $(ulimit -Hn)" >> "${m.work}/report.tmp"
grep -E '(^|[:,])cpu([,:]|$)|^0::' /proc/self/cgroup | head -1 > "${m.work}/cgroup"
mv "${m.work}/report.tmp" "${m.work}/report"`,
    );
    await m.define(
      "bg.yaml",
      `label: com.example.bg
program: ${script}
processType: background
softResourceLimits: { numberOfFiles: 100 }
hardResourceLimits: { numberOfFiles: 200 }
`,
    );
    await m.run(["services", "start", "com.example.bg"]);
    await waitFor(async () => (await lines(`${m.work}/report`)).length === 3, "the report");
    assert.deepEqual(await lines(`${m.work}/report`), ["nice 10", "io idle", "files 100 200"]);
    const info = await m.print("com.example.bg");
    // CPU weight: where a writable cgroup allows it, the service is in a cgroup of its own;
    // elsewhere print says it was not lowered.
    const cgroup = (await lines(`${m.work}/cgroup`))[0] ?? "";
    const placed = cgroup.endsWith("/ipckit-com.example.bg");
    assert.deepEqual(
      info.notApplied,
      placed ? [] : [
        "processType background: no writable cgroup with the cpu controller; CPU weight not lowered",
      ],
    );
    assert.deepEqual(info.command, [
      "nice",
      "-n",
      "10",
      "ionice",
      "-c",
      "3",
      "prlimit",
      "--nofile=100:200",
      "--",
      script,
    ]);
  });
});

Deno.test("processType interactive and adaptive: print says they could not apply and why", async () => {
  await withManager(async (m) => {
    await m.define(
      "fg.yaml",
      `label: com.example.fg\nprogram: /bin/true\nprocessType: interactive\n`,
    );
    await m.define(
      "ad.yaml",
      `label: com.example.ad\nprogram: /bin/true\nprocessType: adaptive\n`,
    );
    const fg = (await m.run(["services", "print", "com.example.fg"])).stdout;
    assert.match(
      fg,
      /\n {2}not applied {3}processType interactive: a user cannot raise a priority above the default; runs at the default\n/,
    );
    const ad = await m.print("com.example.ad");
    assert.deepEqual(ad.notApplied, [
      "processType adaptive: Linux has no priority that follows the service's clients; runs as standard",
    ]);
    assert.deepEqual(ad.command, ["/bin/true"]);
  });
});
