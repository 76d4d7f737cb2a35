/**
 * The work of `ipckit ports` (see `ports.ts`), loaded only when it runs.
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { spec } from "./ports.ts";
import { writeStdout } from "../_io.ts";

/** Runs `ipckit ports`. */
export async function run(invocation: InvocationOf<typeof spec>): Promise<number> {
  const { listPorts } = await import("../../lib/ports/mod.ts");
  const { checkRuntimeDir, resolveRuntimeDir } = await import("../../lib/transport/runtime_dir.ts");
  // The directory is checked as every other command checks it (a bad --runtime-dir is one
  // clear line, never an internal error); a missing one serves no ports.
  try {
    await checkRuntimeDir(resolveRuntimeDir({ runtimeDir: invocation.runtimeDir }));
  } catch (error) {
    if (!((error as Error).cause instanceof Deno.errors.NotFound)) throw error;
  }
  const ports = await listPorts({ runtimeDir: invocation.runtimeDir });
  if (invocation.options.json) {
    const rows = ports.map((p) => ({ name: p.name, pid: p.pid, since: p.since.toISOString() }));
    await writeStdout(JSON.stringify(rows) + "\n");
    return 0;
  }
  if (invocation.options.yaml) {
    const { toYaml } = await import("../../lib/wire/yaml.ts");
    const rows = ports.map((p) => ({ name: p.name, pid: BigInt(p.pid), since: p.since }));
    await writeStdout(await toYaml(rows));
    return 0;
  }
  if (ports.length === 0) {
    await writeStdout("no ports are being served\n");
    return 0;
  }
  const width = Math.max(4, ...ports.map((p) => p.pid.toString().length));
  const lines = ports.map((p) => `${p.pid.toString().padStart(width)}  ${p.name}`);
  await writeStdout(`${"PID".padStart(width)}  PORT\n${lines.join("\n")}\n`);
  return 0;
}
