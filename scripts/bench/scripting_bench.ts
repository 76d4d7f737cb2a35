/**
 * Scriptable apps against their baselines, in one run:
 *
 * - `get name of tree 1` (the Orchard test app, in a process of its own) against a message port
 *   round trip of the same request and reply sizes (target ≤ 1.5×), and against reading one
 *   property of a D-Bus object with `org.freedesktop.DBus.Properties.Get` through a private
 *   `dbus-daemon`, made with libdbus from a small C program (`_dbus_props_peer.c`, compiled
 *   here with gcc; target: faster);
 * - `get name of every tree whose label contains "x"` on 10,000 trees against a hand-written
 *   port request whose server does the same filtering on the same model (target ≤ 2×).
 *
 * The client side of ipckit runs in this process; rounds alternate between the sides so that
 * noise falls on all alike; each figure is the median of the rounds. (`get name of every file
 * of folder X` in System Events is measured once that app exists.)
 *
 * The same file is the hand-written port server (`--filter-server REPLY_BYTES`).
 *
 * @module
 */

import { PERMISSIONS } from "../../lib/permissions.ts";
import { connectPort, createLocalPort } from "../../lib/ports.ts";
import { connectApp } from "../../lib/scripting/client.ts";
import { eventToValue, replyToValue, type ScriptingEvent } from "../../lib/scripting/protocol.ts";
import { decodeValue, encodeValue } from "../../lib/wire/msgpack.ts";
import { Comparison, ObjectSpecifier, type Value } from "../../lib/wire/value.ts";
import { firstLine, startPrivateBus } from "./_dbus_daemon.ts";
import { fmt, median, table } from "./_stats.ts";

const HERE = new URL(".", import.meta.url).pathname;
const SELF = new URL(import.meta.url).pathname;
const ORCHARD = new URL("../../tests/scripting/_orchard_app.ts", import.meta.url).pathname;
const TREES = 10_000;
const ROUNDS = 7;
const GETS = 1000;
const WHOSE = 20;
const FILTER_PORT = "com.example.bench.filter";

const tree1 = new ObjectSpecifier("Tree", "application", "index", 1n);
const GET_NAME: ScriptingEvent = {
  code: "coregetd",
  params: { "----": new ObjectSpecifier("prop", tree1, "property", "pnam") },
};
const label = new ObjectSpecifier("prop", "examined", "property", "Tlbl");
const WHOSE_NAMES: ScriptingEvent = {
  code: "coregetd",
  params: {
    "----": new ObjectSpecifier(
      "prop",
      new ObjectSpecifier("Tree", "application", "test", new Comparison("contains", label, "x")),
      "property",
      "pnam",
    ),
  },
};

/** The hand-written server's model: the Orchard app's trees, names and labels. */
function filterModel(): { name: string; label: string | null }[] {
  const trees: { name: string; label: string | null }[] = [
    { name: "Bramley", label: null },
    { name: "Cox", label: "by the gate" },
    { name: "Gala", label: null },
    { name: "Jazz", label: null },
  ];
  for (let i = trees.length + 1; i <= TREES; i++) {
    trees.push({ name: `Tree ${i}`, label: i % 10 === 0 ? "x marks" : "plain" });
  }
  return trees;
}

/**
 * `--filter-server REPLY_BYTES`: message 1 answers with REPLY_BYTES bytes (the same size as the
 * app's reply to `get name of tree 1`); message 2 filters the model by the text it gets, as
 * `whose label contains` does (case-insensitively), and answers the names in MessagePack.
 */
async function filterServer(replyBytes: number): Promise<void> {
  const trees = filterModel();
  const fixed = new Uint8Array(replyBytes);
  const decoder = new TextDecoder();
  await createLocalPort(FILTER_PORT, (msgid, data) => {
    if (msgid === 1) return fixed;
    const wanted = decoder.decode(data).toLowerCase();
    const names: Value[] = [];
    for (const t of trees) {
      if (t.label !== null && t.label.toLowerCase().includes(wanted)) names.push(t.name);
    }
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

async function timed(count: number, once: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await once();
  return (performance.now() - start) * 1000 / count; // µs per call
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

function ratio(a: number, b: number): string {
  return `${(a / b).toFixed(2)}×`;
}

/** Runs the benchmark and returns its markdown tables. */
export async function scriptingBench(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-bench-scripting-" });
  await Deno.chmod(dir, 0o700);
  const env = { IPCKIT_RUNTIME_DIR: dir, ORCHARD_TREES: String(TREES) };
  const eventBytes = encodeValue(eventToValue({ ...GET_NAME, timeout: 120 }));
  const replyBytes = encodeValue(replyToValue({ ok: true, value: "Bramley" })).length;
  const children: Deno.ChildProcess[] = [];
  const bus = await startPrivateBus(`${HERE}_dbus_props_peer.c`);
  let dbusServer: Deno.ChildProcess | undefined;
  const out: string[] = ["## Scriptable apps\n"];
  try {
    children.push(await spawnReady([ORCHARD], env));
    children.push(await spawnReady([SELF, "--filter-server", String(replyBytes)], env));
    if (typeof bus !== "string") {
      dbusServer = new Deno.Command(bus.peer, {
        args: [bus.address, "serve"],
        stdout: "piped",
        stderr: "inherit",
      }).spawn();
      if ((await firstLine(dbusServer.stdout)) !== "ready") throw new Error("no D-Bus server");
    }
    const app = await connectApp("Orchard", { runtimeDir: dir });
    const port = await connectPort(FILTER_PORT, { runtimeDir: dir });
    const name = await app.send(GET_NAME);
    if (name !== "Bramley") throw new Error(`get name of tree 1 answered ${String(name)}`);
    const hits = await app.send(WHOSE_NAMES) as Value[];
    const handHits = decodeValue((await port.sendRequest(2, "x"))!) as Value[];
    if (hits.length !== handHits.length) throw new Error("the two filters disagree");
    const filterText = new TextEncoder().encode("x");
    const get: number[] = [], portTrip: number[] = [], dbus: number[] = [];
    const whose: number[] = [], hand: number[] = [];
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
      whose.push(await timed(WHOSE, () => app.send(WHOSE_NAMES)));
      hand.push(
        await timed(WHOSE, async () => decodeValue((await port.sendRequest(2, filterText))!)),
      );
    }
    app.close();
    port.invalidate();
    const g = median(get), p = median(portTrip), d = dbus.length ? median(dbus) : NaN;
    out.push(
      table(["one property, round trip", "time per call", "ipckit's ratio"], [
        ["ipckit `get name of tree 1` (event, resolution, reply)", `${fmt(g)} µs`, "1.00×"],
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
        `\`whose\` on ${TREES.toLocaleString("en")} objects (${hits.length} hits)`,
        "time per call",
        "ipckit's ratio",
      ], [
        [
          'ipckit `get name of every tree whose label contains "x"`',
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
    out.push(
      `\nMedians of ${ROUNDS} rounds of ${GETS} gets and ${WHOSE} whose queries each; ` +
        "targets: ≤ 1.5× the port round trip, faster than D-Bus, ≤ 2× the hand-written filter.",
    );
  } finally {
    for (const child of children) {
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel().catch(() => {});
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
