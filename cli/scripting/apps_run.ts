/**
 * The work of `ipckit apps` (see `apps.ts`), loaded only when it runs.
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { spec } from "./apps.ts";
import { writeStdout } from "../_io.ts";

/** Runs `ipckit apps`. */
export async function run(invocation: InvocationOf<typeof spec>): Promise<number> {
  const { listApps } = await import("../../lib/scripting/client.ts");
  const apps = await listApps({ runtimeDir: invocation.runtimeDir });
  const rows = apps.map((a) => ({
    name: a.name,
    bundleId: a.bundleId,
    pid: a.pid,
    title: a.title ?? null,
    since: a.since,
  }));
  if (invocation.options.json) {
    await writeStdout(JSON.stringify(rows) + "\n");
    return 0;
  }
  if (invocation.options.yaml) {
    const { toYaml } = await import("../../lib/wire/yaml.ts");
    await writeStdout(rows.length === 0 ? "[]\n" : await toYaml(rows));
    return 0;
  }
  if (apps.length === 0) {
    await writeStdout("no scriptable apps are running\n");
    return 0;
  }
  const pid = Math.max(3, ...apps.map((a) => String(a.pid).length));
  const name = Math.max(4, ...apps.map((a) => a.name.length));
  const id = Math.max(9, ...apps.map((a) => a.bundleId.length));
  const line = (p: string, n: string, b: string, t: string) =>
    `${p.padStart(pid)}  ${n.padEnd(name)}  ${b.padEnd(id)}  ${t}`.trimEnd();
  const lines = apps.map((a) => line(String(a.pid), a.name, a.bundleId, a.title ?? ""));
  await writeStdout(`${line("PID", "NAME", "BUNDLE ID", "TITLE")}\n${lines.join("\n")}\n`);
  return 0;
}
