/**
 * Scriptable apps against their baselines, in one run:
 *
 * - `get name of note 1` (ipckit's Notes with 10,000 notes, in a process of its own) against a
 *   message port round trip of the same request and reply sizes (target ≤ 1.5×), and against
 *   reading one property of a D-Bus object with `org.freedesktop.DBus.Properties.Get` through a
 *   private `dbus-daemon`, made with libdbus from a small C program (`_dbus_props_peer.c`,
 *   compiled here with gcc; target: faster);
 * - `get name of every note whose body contains "x"` on those 10,000 notes against a
 *   hand-written port request whose server does the same filtering on the same notes
 *   (target ≤ 2×);
 * - `get name of every file of folder X` in ipckit's System Events on 10,000 files against
 *   `ls X` (the ratio shows what the object model costs).
 *
 * The client side of ipckit runs in this process; rounds alternate between the sides so that
 * noise falls on all alike; each figure is the median of the rounds.
 *
 * The same file is the hand-written port server (`--filter-server REPLY_BYTES`).
 *
 * @module
 */

import { PERMISSIONS } from "../../lib/permissions.ts";
import { connectPort, createLocalPort } from "../../lib/ports/mod.ts";
import { connectApp } from "../../lib/scripting/client.ts";
import { eventToValue, replyToValue, type ScriptingEvent } from "../../lib/scripting/protocol.ts";
import { decodeValue, encodeValue } from "../../lib/wire/msgpack.ts";
import { Comparison, ObjectSpecifier, type Value } from "../../lib/wire/value.ts";
import { firstLine, startPrivateBus } from "./_dbus_daemon.ts";
import { fmt, median, ratio, table, timed } from "./_stats.ts";
import { sleep } from "../../lib/_timer.ts";

const HERE = new URL(".", import.meta.url).pathname;
const SELF = new URL(import.meta.url).pathname;
const NOTES_APP = new URL("../apps/notes.ts", import.meta.url).pathname;
const SYSTEM_EVENTS = new URL("../apps/system_events.ts", import.meta.url).pathname;
const NOTES = 10_000;
const FILES = 10_000;
const LISTINGS = 5;
const ROUNDS = 7;
const GETS = 1000;
const WHOSE = 20;
const FILTER_PORT = "com.example.bench.filter";

const note1 = new ObjectSpecifier("note", "application", "index", 1n);
const GET_NAME: ScriptingEvent = {
  code: "coregetd",
  params: { "----": new ObjectSpecifier("prop", note1, "property", "pnam") },
};
const body = new ObjectSpecifier("prop", "examined", "property", "body");
const WHOSE_NAMES: ScriptingEvent = {
  code: "coregetd",
  params: {
    "----": new ObjectSpecifier(
      "prop",
      new ObjectSpecifier("note", "application", "test", new Comparison("contains", body, "x")),
      "property",
      "pnam",
    ),
  },
};
/** `name of every file of folder "many" of temporary items folder`. */
const FILE_NAMES: ScriptingEvent = {
  code: "coregetd",
  params: {
    "----": new ObjectSpecifier(
      "prop",
      new ObjectSpecifier(
        "file",
        new ObjectSpecifier(
          "cfol",
          new ObjectSpecifier("prop", "application", "property", "temp"),
          "name",
          "many",
        ),
        "index",
        "every",
      ),
      "property",
      "pnam",
    ),
  },
};

/** The notes both sides serve: names and HTML bodies, one in ten with an "x" in its text. */
function notesModel(): { name: string; body: string }[] {
  return Array.from({ length: NOTES }, (_, i) => ({
    name: `Note ${i + 1}`,
    body: `<div>item ${i + 1}: ${(i + 1) % 10 === 0 ? "fix the roof" : "plain"}</div>`,
  }));
}

/** A Notes store (its notes file) holding {@linkcode notesModel}'s notes in one folder. */
function notesFile(): string {
  const store = "BENCH0000-0000-0000-0000-000000000000";
  const now = new Date(0).toISOString();
  return JSON.stringify({
    version: 1,
    store,
    next: NOTES + 3,
    accounts: [{
      id: `x-coredata://${store}/ICAccount/p1`,
      name: "On My Mac",
      folders: [{
        id: `x-coredata://${store}/ICFolder/p2`,
        name: "Notes",
        folders: [],
        notes: notesModel().map((n, i) => ({
          id: `x-coredata://${store}/ICNote/p${i + 3}`,
          ...n,
          created: now,
          modified: now,
        })),
      }],
    }],
  });
}

/**
 * `--filter-server REPLY_BYTES`: message 1 answers with REPLY_BYTES bytes (the same size as the
 * app's reply to `get name of note 1`); message 2 filters the notes by the text it gets, as
 * `whose body contains` does (case-insensitively), and answers the names in MessagePack.
 */
async function filterServer(replyBytes: number): Promise<void> {
  const notes = notesModel();
  const fixed = new Uint8Array(replyBytes);
  const decoder = new TextDecoder();
  await createLocalPort(FILTER_PORT, (msgid, data) => {
    if (msgid === 1) return fixed;
    const wanted = decoder.decode(data).toLowerCase();
    const names: Value[] = [];
    for (const n of notes) if (n.body.toLowerCase().includes(wanted)) names.push(n.name);
    return encodeValue(names);
  });
  console.log("ready");
}

async function spawnReady(args: string[], env: Record<string, string>): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...PERMISSIONS, ...args],
    env,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const line = await firstLine(child.stdout);
  if (line !== "ready") throw new Error(`${args.at(-1)} did not start`);
  return child;
}

/** Starts one of scripts/apps/ and waits for its ready file. */
async function spawnApp(
  program: string,
  dir: string,
  env: Record<string, string>,
): Promise<Deno.ChildProcess> {
  const ready = `${dir}/${program.split("/").pop()}.ready`;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...PERMISSIONS, program, "--ready-file", ready],
    env,
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  for (;;) {
    try {
      await Deno.stat(ready);
      return child;
    } catch {
      const exited = await Promise.race([child.status, sleep(20).then(() => null)]);
      if (exited) throw new Error(`${program} exited (${exited.code}) before it was ready`);
    }
  }
}

/** `ls DIR`, its output read and dropped: µs per run. */
async function ls(dir: string): Promise<number> {
  return await timed(1, async () => {
    const out = await new Deno.Command("ls", { args: [dir], stdout: "piped" }).output();
    if (!out.success) throw new Error(`ls ${dir} failed`);
  });
}

async function dbusGets(peer: string, address: string, count: number): Promise<number> {
  const caller = new Deno.Command(peer, {
    args: [address, "call", String(count)],
    stdin: "piped",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = caller.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("ready\n")) text += (await reader.read()).value ?? "";
  const writer = caller.stdin.getWriter();
  await writer.write(new TextEncoder().encode("go\n"));
  await writer.close();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await caller.status;
  const micros = Number(text.replace("ready\n", "").trim());
  return micros / count;
}

/** Runs the benchmark and returns its markdown tables. */
export async function scriptingBench(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-bench-scripting-" });
  await Deno.chmod(dir, 0o700);
  const env = { IPCKIT_RUNTIME_DIR: dir, XDG_DATA_HOME: `${dir}/data`, TMPDIR: `${dir}/tmp` };
  await Deno.mkdir(`${dir}/data/ipckit`, { recursive: true });
  await Deno.writeTextFile(`${dir}/data/ipckit/notes.json`, notesFile());
  await Deno.mkdir(`${dir}/tmp/many`, { recursive: true });
  for (let i = 0; i < FILES; i++) {
    await Deno.writeFile(`${dir}/tmp/many/f${String(i).padStart(5, "0")}.dat`, new Uint8Array());
  }
  const eventBytes = encodeValue(eventToValue({ ...GET_NAME, timeout: 120 }));
  const replyBytes = encodeValue(replyToValue({ ok: true, value: "Note 1" })).length;
  const children: Deno.ChildProcess[] = [];
  const bus = await startPrivateBus(`${HERE}_dbus_props_peer.c`);
  let dbusServer: Deno.ChildProcess | undefined;
  const out: string[] = ["## Scriptable apps\n"];
  try {
    children.push(await spawnApp(NOTES_APP, dir, env));
    children.push(await spawnApp(SYSTEM_EVENTS, dir, env));
    children.push(await spawnReady([SELF, "--filter-server", String(replyBytes)], env));
    if (typeof bus !== "string") {
      dbusServer = new Deno.Command(bus.peer, {
        args: [bus.address, "serve"],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      if ((await firstLine(dbusServer.stdout)) !== "ready") throw new Error("no D-Bus server");
    }
    const app = await connectApp("Notes", { runtimeDir: dir });
    const se = await connectApp("System Events", { runtimeDir: dir });
    const port = await connectPort(FILTER_PORT, { runtimeDir: dir });
    const name = await app.send(GET_NAME);
    if (name !== "Note 1") throw new Error(`get name of note 1 answered ${String(name)}`);
    const files = await se.send(FILE_NAMES) as Value[];
    if (files.length !== FILES) throw new Error(`every file answered ${files.length} names`);
    const hits = await app.send(WHOSE_NAMES) as Value[];
    const handHits = decodeValue((await port.sendRequest(2, "x"))!) as Value[];
    if (hits.length !== handHits.length) throw new Error("the two filters disagree");
    const filterText = new TextEncoder().encode("x");
    const get: number[] = [], portTrip: number[] = [], dbus: number[] = [];
    const whose: number[] = [], hand: number[] = [];
    const listing: number[] = [], lsRuns: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // blocks of 100 calls, alternating, so that noise on this machine falls on both alike
      let g = 0, p = 0;
      for (let block = 0; block < GETS / 100; block++) {
        g += await timed(100, () => app.send(GET_NAME));
        p += await timed(100, () => port.sendRequest(1, eventBytes));
      }
      get.push(g / (GETS / 100));
      portTrip.push(p / (GETS / 100));
      if (typeof bus !== "string") dbus.push(await dbusGets(bus.peer, bus.address, GETS));
    }
    // The queries that allocate much (10,000 names) run after the µs-sized round trips, so that
    // their garbage is not collected during those.
    for (let round = 0; round < ROUNDS; round++) {
      whose.push(await timed(WHOSE, () => app.send(WHOSE_NAMES)));
      hand.push(
        await timed(WHOSE, async () => decodeValue((await port.sendRequest(2, filterText))!)),
      );
      for (let i = 0; i < LISTINGS; i++) {
        listing.push(await timed(1, () => se.send(FILE_NAMES)));
        lsRuns.push(await ls(`${dir}/tmp/many`));
      }
    }
    app.close();
    se.close();
    port.invalidate();
    const g = median(get), p = median(portTrip), d = dbus.length ? median(dbus) : NaN;
    out.push(
      table(["one property, round trip", "time per call", "ipckit's ratio"], [
        ["ipckit `get name of note 1` (event, resolution, reply)", `${fmt(g)} µs`, "1.00×"],
        [
          `message port round trip, ${eventBytes.length} B request, ${replyBytes} B reply`,
          `${fmt(p)} µs`,
          ratio(g, p),
        ],
        [
          "D-Bus `Properties.Get` (libdbus, dbus-daemon)",
          dbus.length ? `${fmt(d)} µs` : "–",
          dbus.length ? ratio(g, d) : "–",
        ],
      ]),
    );
    if (typeof bus === "string") out.push(`\nD-Bus peer missing: ${bus}`);
    const w = median(whose), h = median(hand);
    out.push(
      "\n" + table([
        `\`whose\` on ${NOTES.toLocaleString("en")} notes (${hits.length} hits)`,
        "time per call",
        "ipckit's ratio",
      ], [
        [
          'ipckit Notes `get name of every note whose body contains "x"`',
          `${fmt(w / 1000)} ms`,
          "1.00×",
        ],
        [
          "hand-written port request, the server filtering the same model",
          `${fmt(h / 1000)} ms`,
          ratio(w, h),
        ],
      ]),
    );
    const l = median(listing), s = median(lsRuns);
    out.push(
      "\n" + table([
        `every file of a folder of ${FILES.toLocaleString("en")} files`,
        "time per call",
        "ipckit's ratio",
      ], [
        [
          "ipckit System Events `get name of every file of folder X`",
          `${fmt(l / 1000)} ms`,
          "1.00×",
        ],
        ["`ls X` (a process, its output read)", `${fmt(s / 1000)} ms`, ratio(l, s)],
      ]),
    );
    out.push(
      `\nMedians of ${ROUNDS} rounds of ${GETS} gets, ${WHOSE} whose queries and ${LISTINGS} ` +
        "listings each; targets: ≤ 1.5× the port round trip, faster than D-Bus, ≤ 2× the " +
        "hand-written filter; the listing's ratio is reported.",
    );
  } finally {
    for (const child of children) {
      child.kill("SIGTERM");
      await child.status;
      try {
        await child.stdout.cancel();
      } catch { /* not piped, or done */ }
    }
    if (dbusServer) {
      dbusServer.kill("SIGTERM");
      await dbusServer.status;
      await dbusServer.stdout.cancel().catch(() => {});
    }
    if (typeof bus !== "string") await bus.stop();
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
  return out.join("\n");
}

if (import.meta.main) {
  if (Deno.args[0] === "--filter-server") await filterServer(Number(Deno.args[1]));
  else console.log(await scriptingBench());
}
