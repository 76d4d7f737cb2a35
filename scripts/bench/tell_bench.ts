/**
 * `tell` against its baselines, in one run:
 *
 * - start-up: the installed `ipckit tell --app Notes 'get name of note 1'`, the whole process,
 *   against `deno run` of an empty script (target ≤ 1.4×);
 * - the language: a script looping 100,000 times over local arithmetic and text, in this
 *   process, against the same loop in plain TypeScript (the ratio is reported);
 * - `get name of every note` on 10,000 notes through `tell` (compile included, terminology
 *   cached) against the hand-written request of the scripting client (the ratio is reported).
 *
 * Rounds alternate between the sides so that noise falls on both alike; each figure is the
 * median of the rounds. The Notes app (scripts/apps/notes.ts) runs in a process of its own over a
 * notes file written here.
 *
 * @module
 */

import { PERMISSIONS } from "../../lib/permissions.ts";
import { connectApp } from "../../lib/scripting/client.ts";
import { ObjectSpecifier } from "../../lib/wire/value.ts";
import { runScript } from "../../lib/tell/mod.ts";
import { startupTable, withInstalledIpckit } from "./startup_bench.ts";
import { fmt, median, table } from "./_stats.ts";

const NOTES_APP = new URL("../apps/notes.ts", import.meta.url).pathname;
const NOTES = 10_000;
const ROUNDS = 7;

const LOOP_SCRIPT = `set s to 0
set t to ""
repeat with i from 1 to 100000
  set s to (s + i * 3) mod 1000
  if i mod 100 = 0 then set t to t & "x"
end repeat
{s, length of t}`;

function loopInTypeScript(): [number, number] {
  let s = 0;
  let t = "";
  for (let i = 1; i <= 100000; i++) {
    s = (s + i * 3) % 1000;
    if (i % 100 === 0) t += "x";
  }
  return [s, t.length];
}

/** A notes file with `count` notes in the folder "Notes". */
function notesFile(count: number): string {
  const store = crypto.randomUUID().toUpperCase();
  const id = (entity: string, n: number) => `x-coredata://${store}/${entity}/p${n}`;
  const now = new Date().toISOString();
  const notes = [];
  for (let i = 1; i <= count; i++) {
    notes.push({
      id: id("ICNote", i + 2),
      name: `Note ${i}`,
      body: `body ${i}`,
      created: now,
      modified: now,
    });
  }
  return JSON.stringify({
    version: 1,
    store,
    next: count + 3,
    accounts: [{
      id: id("ICAccount", 1),
      name: "On My Mac",
      folders: [{ id: id("ICFolder", 2), name: "Notes", folders: [], notes }],
    }],
  });
}

async function startNotes(runtimeDir: string, data: string): Promise<Deno.ChildProcess> {
  const ready = `${runtimeDir}/notes-ready`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      ...PERMISSIONS,
      NOTES_APP,
      "--runtime-dir",
      runtimeDir,
      "--ready-file",
      ready,
    ],
    env: { XDG_DATA_HOME: data },
    stdin: "null",
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  for (let i = 0; i < 600; i++) {
    try {
      await Deno.stat(ready);
      return child;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill();
  throw new Error("the Notes app did not start");
}

/** Runs the tell benchmarks and returns their markdown. */
export async function tellBench(): Promise<string> {
  const runtimeDir = await Deno.makeTempDir({ prefix: "ipckit-tell-bench-" });
  await Deno.chmod(runtimeDir, 0o700);
  const data = await Deno.makeTempDir({ prefix: "ipckit-tell-data-" });
  await Deno.mkdir(`${data}/ipckit`, { recursive: true });
  await Deno.writeTextFile(`${data}/ipckit/notes.json`, notesFile(NOTES));
  const notes = await startNotes(runtimeDir, data);
  const out: string[] = ["## tell"];
  try {
    // Start-up of the installed command.
    out.push(
      await withInstalledIpckit((ipckit) =>
        startupTable(
          ipckit,
          [{
            label: "`ipckit tell --app Notes 'get name of note 1'`",
            args: ["tell", "--app", "Notes", "get name of note 1"],
          }],
          { IPCKIT_RUNTIME_DIR: runtimeDir },
          20,
        )
      ),
    );

    // The language alone (after a round that lets the JIT compile both sides).
    await runScript(LOOP_SCRIPT, { runtimeDir });
    loopInTypeScript();
    const script: number[] = [];
    const plain: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      let t = performance.now();
      await runScript(LOOP_SCRIPT, { runtimeDir });
      script.push(performance.now() - t);
      t = performance.now();
      loopInTypeScript();
      plain.push(performance.now() - t);
    }

    // 10,000 notes.
    const client = await connectApp("Notes", { runtimeDir });
    const every = new ObjectSpecifier("note", "application", "index", "every");
    const names = new ObjectSpecifier("prop", every, "property", "pnam");
    const tell: number[] = [];
    const hand: number[] = [];
    try {
      await runScript('tell application "Notes" to get name of every note', { runtimeDir });
      for (let r = 0; r < ROUNDS; r++) {
        let t = performance.now();
        const a = await runScript('tell application "Notes" to get name of every note', {
          runtimeDir,
        });
        tell.push(performance.now() - t);
        t = performance.now();
        const b = await client.send({ code: "coregetd", params: { "----": names } });
        hand.push(performance.now() - t);
        if (!Array.isArray(a) || !Array.isArray(b) || a.length !== NOTES || b.length !== NOTES) {
          throw new Error("the two sides did not both get every note's name");
        }
      }
    } finally {
      client.close();
    }
    out.push(table(["case", "tell (ms)", "baseline (ms)", "ratio"], [
      [
        "100,000 loops of local arithmetic and text (vs plain TypeScript)",
        fmt(median(script), 2),
        fmt(median(plain), 2),
        `${fmt(median(script) / median(plain))}×`,
      ],
      [
        `\`get name of every note\`, ${NOTES} notes (vs the client's hand-written request)`,
        fmt(median(tell), 2),
        fmt(median(hand), 2),
        `${fmt(median(tell) / median(hand), 2)}×`,
      ],
    ]));
  } finally {
    notes.kill("SIGTERM");
    await notes.status;
    await Deno.remove(runtimeDir, { recursive: true }).catch(() => {});
    await Deno.remove(data, { recursive: true }).catch(() => {});
  }
  return out.join("\n\n");
}

if (import.meta.main) console.log(await tellBench());
