/**
 * The work of `ipckit services …` (see `services.ts`), loaded only when it runs.
 *
 * @module
 */

import type { Invocation, InvocationOf } from "../_spec.ts";
import type {
  checkSpec,
  kickstartSpec,
  listSpec,
  loadSpec,
  logSpec,
  printSpec,
  startSpec,
  stopSpec,
  unloadSpec,
} from "./services.ts";
import { ExitError } from "../_errors.ts";
import { fileErrorReason } from "../../lib/errors.ts";
import { onInterrupt, writeStderr, writeStdout } from "../_io.ts";
import { launchCall } from "../../lib/launch/once.ts";
import { LAUNCH_METHODS } from "../../lib/launch/protocol.ts";
import type { JobInfo, JobSummary, LoadReply } from "../../lib/launch/protocol.ts";
import { readDefinition } from "../../lib/launch/definition.ts";
import { sleep } from "../../lib/timer.ts";
import type { Value } from "../../lib/wire/value.ts";

function call(
  invocation: Pick<Invocation, "runtimeDir">,
  method: string,
  body: Value,
): Promise<Value> {
  return launchCall(method, body, { runtimeDir: invocation.runtimeDir });
}

/** `ipckit services list`. */
export async function list(invocation: InvocationOf<typeof listSpec>): Promise<number> {
  const jobs = await call(invocation, LAUNCH_METHODS.list, null) as unknown as JobSummary[];
  if (invocation.options.json) {
    await writeStdout(JSON.stringify(jobs) + "\n");
    return 0;
  }
  if (invocation.options.yaml) {
    await writeStdout(await yamlOf(jobs));
    return 0;
  }
  if (jobs.length === 0) {
    await writeStdout("no services are loaded\n");
    return 0;
  }
  const rows = [["PID", "LAST EXIT", "STATE", "LABEL"]].concat(
    jobs.map((j) => [j.pid === null ? "-" : String(j.pid), j.lastExit ?? "-", j.state, j.label]),
  );
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) =>
    r.map((cell, i) => i < 3 ? cell.padEnd(widths[i]) : cell).join("  ")
  );
  await writeStdout(lines.join("\n") + "\n");
  return 0;
}

/** `ipckit services load`. */
export async function load(invocation: InvocationOf<typeof loadSpec>): Promise<number> {
  const cwd = Deno.cwd();
  const paths = invocation.args.map((p) => p.startsWith("/") ? p : `${cwd}/${p}`);
  const reply = await call(invocation, LAUNCH_METHODS.load, { paths }) as unknown as LoadReply;
  for (const { label, file } of reply.loaded) await writeStdout(`loaded ${label} (${file})\n`);
  for (const error of reply.errors) writeStderr(`ipckit: ${error}`);
  return reply.errors.length ? 1 : 0;
}

/** `ipckit services unload`. */
export async function unload(invocation: InvocationOf<typeof unloadSpec>): Promise<number> {
  await call(invocation, LAUNCH_METHODS.unload, { label: invocation.args[0] });
  await writeStdout(`unloaded ${invocation.args[0]}\n`);
  return 0;
}

async function act(
  invocation: Omit<Invocation, "options">,
  method: string,
  verb: string,
  kill = false,
): Promise<number> {
  const label = invocation.args[0];
  const body = { label, kill };
  const job = await call(invocation, method, body) as unknown as JobSummary;
  const pid = job.pid === null ? "" : ` (pid ${job.pid})`;
  await writeStdout(`${verb} ${label}: ${job.state}${pid}\n`);
  return 0;
}

/** `ipckit services start`. */
export function start(invocation: InvocationOf<typeof startSpec>): Promise<number> {
  return act(invocation, LAUNCH_METHODS.start, "started");
}

/** `ipckit services stop`. */
export function stop(invocation: InvocationOf<typeof stopSpec>): Promise<number> {
  return act(invocation, LAUNCH_METHODS.stop, "stopped");
}

/** `ipckit services kickstart`. */
export function kickstart(invocation: InvocationOf<typeof kickstartSpec>): Promise<number> {
  return act(invocation, LAUNCH_METHODS.kickstart, "kickstarted", invocation.options.kill === true);
}

/** `ipckit services print`. */
export async function print(invocation: InvocationOf<typeof printSpec>): Promise<number> {
  const info = await call(invocation, LAUNCH_METHODS.print, {
    label: invocation.args[0],
  }) as unknown as JobInfo;
  if (invocation.options.json) {
    await writeStdout(JSON.stringify(info) + "\n");
    return 0;
  }
  if (invocation.options.yaml) {
    await writeStdout(await yamlOf(info));
    return 0;
  }
  const lines = [
    `${info.label} = {`,
    `  file          ${info.file}`,
    `  state         ${info.state}`,
    `  pid           ${info.pid ?? "-"}`,
    `  runs          ${info.runs}`,
    `  last exit     ${info.lastExit ?? "-"}${info.lastExitAt ? ` at ${info.lastExitAt}` : ""}`,
    `  next attempt  ${info.nextAttempt ?? "-"}`,
    `  next run      ${info.nextRun ?? "-"}`,
    `  transactions  ${info.transactions ?? "- (not checked in)"}`,
    `  clients       ${info.clients ?? "- (not checked in)"}`,
    `  stdout        ${info.stdoutPath}`,
    `  stderr        ${info.stderrPath}`,
    `  command       ${info.command.map(quote).join(" ")}`,
  ];
  for (const a of info.activities) {
    lines.push(
      `  activity      ${a.id}: next ${a.due}${a.repeating ? ", repeating" : ""}${
        a.running ? ", running" : ""
      }, ${a.runs} runs, ${a.deferrals} deferred`,
    );
  }
  for (const note of info.notApplied) lines.push(`  not applied   ${note}`);
  lines.push("  definition");
  for (const [key, value] of Object.entries(info.definition)) {
    lines.push(`    ${key}: ${JSON.stringify(value)}`);
  }
  if (info.logTail) {
    lines.push("  log tail");
    for (const line of info.logTail.trimEnd().split("\n").slice(-10)) lines.push(`    ${line}`);
  }
  lines.push("}");
  await writeStdout(lines.join("\n") + "\n");
  return 0;
}

/** The YAML form of what `--json` prints: whole numbers as integers, as in the JSON. */
async function yamlOf(value: unknown): Promise<string> {
  const { toYaml } = await import("../../lib/wire/yaml.ts");
  return await toYaml(integers(value));
}

function integers(value: unknown): Value {
  if (typeof value === "number") return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (Array.isArray(value)) return value.map(integers);
  if (value !== null && typeof value === "object") {
    const out: Record<string, Value> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = integers(item);
    }
    return out;
  }
  return value as Value;
}

function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** `ipckit services log`. */
export async function log(invocation: InvocationOf<typeof logSpec>): Promise<number> {
  const info = await call(invocation, LAUNCH_METHODS.print, {
    label: invocation.args[0],
  }) as unknown as JobInfo;
  const paths = [...new Set([info.stdoutPath, info.stderrPath])];
  const offsets = new Map<string, number>();
  for (const path of paths) offsets.set(path, await copyFrom(path, 0));
  if (!invocation.options.follow) return 0;
  let stopped = false;
  const done = onInterrupt(() => stopped = true);
  try {
    while (!stopped) {
      for (const path of paths) offsets.set(path, await copyFrom(path, offsets.get(path)!));
      await sleep(50);
    }
  } finally {
    done();
  }
  return 130;
}

/** Writes a file's bytes from `offset` on to standard output; returns the new end. */
async function copyFrom(path: string, offset: number): Promise<number> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return 0;
    throw error;
  }
  try {
    const size = (await file.stat()).size;
    if (size < offset) offset = 0; // truncated: start over
    if (size === offset) return offset;
    await file.seek(offset, Deno.SeekMode.Start);
    const buffer = new Uint8Array(size - offset);
    let read = 0;
    while (read < buffer.length) {
      const n = await file.read(buffer.subarray(read));
      if (n === null) break;
      read += n;
    }
    await writeStdout(buffer.subarray(0, read));
    return offset + read;
  } finally {
    file.close();
  }
}

/** `ipckit services check`. */
export async function check(invocation: InvocationOf<typeof checkSpec>): Promise<number> {
  let failed = 0;
  for (const file of invocation.args) {
    let result;
    try {
      result = await readDefinition(file);
    } catch (error) {
      const code = error instanceof Deno.errors.NotFound ? 3 : 1;
      throw new ExitError(code, `cannot read ${file}: ${fileErrorReason(error)}`);
    }
    if (result.ok) await writeStdout(`${file}: ok (${result.definition.label})\n`);
    else {
      failed++;
      for (const error of result.errors) writeStderr(`ipckit: ${error.message}`);
    }
  }
  return failed ? 1 : 0;
}
