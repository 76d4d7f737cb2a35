/**
 * The processes of the Distributed Objects tests: a vendor of a test object, and callers, each
 * a {@linkcode Script} in its own process with its own lines on stdout.
 *
 * @module
 */

import { Script, STDIN_LINES, withProcesses } from "../_script.ts";

/** The name the test vendor vends under. */
export const STORE = "com.example.do.store";

/**
 * The test vendor: vends a `Store` under {@linkcode STORE} in `dir`, prints `ready`, and runs
 * until its stdin ends. It prints `oneway-error MESSAGE` for a one-way call that threw, and
 * `hanging` when `hang()` is entered.
 */
export function startVendor(dir: string, name = "vendor"): Promise<Script> {
  return Script.start(
    name,
    `import { byRef, oneway, vend } from "LIBmod.ts";
import { sampleValues } from "LIBwire/_test_values.ts";
import { valueEquals } from "LIBwire/value.ts";
${STDIN_LINES}
class CustomError extends Error {}
class Counter {
  #n = 0;
  increment(by) { return this.#n += by; }
  value() { return this.#n; }
}
let vendor;
let produced = 0;
let open = 0;
const logged = [];
let kept;
class Store {
  echo(value) { return value; }
  add(a, b) { return a + b; }
  samples() { return sampleValues(); }
  counter() { return byRef(new Counter()); }
  fail(message) { throw new CustomError(message); }
  async failLater(message) { await null; throw new TypeError(message); }
  hang() { console.log("hanging"); return new Promise(() => {}); }
  async delayed(i) { await new Promise((resolve) => setTimeout(resolve, i % 5)); return i * 2; }
  async resultOf(cb) { return await cb(5); }
  adder(n) { return byRef((x) => x + n); }
  async callBack(cb, n) { const out = []; for (let i = 0; i < n; i++) out.push(await cb(i)); return out; }
  async everyValueThrough(cb) {
    const samples = sampleValues();
    const back = await cb(samples);
    return Object.keys(samples).filter((k) => !valueEquals(samples[k], back[k]));
  }
  log(line) { logged.push(line); }
  failOneway(message) { throw new Error(message); }
  logged() { return logged; }
  async *count(n) {
    open++;
    try { for (let i = 0; i < n; i++) { produced = i; yield i; } } finally { open--; }
  }
  streamsOpen() { return open; }
  async *counters(n) { for (let i = 0; i < n; i++) yield { i, counter: byRef(new Counter()) }; }
  produced() { return produced; }
  references() { return vendor.references; }
  connections() { return vendor.connections; }
  keep(counter) { kept = counter; }
  bumpKept(by) { return kept.increment(by); }
  secret() { return "secret"; }
  nonWire() { return { at: [1, new Map()] }; }
}
const store = new Store();
store.quick = oneway((line) => logged.push("quick " + line));
vendor = await vend(${JSON.stringify(STORE)}, store, {
  runtimeDir: ${JSON.stringify(dir)},
  methods: Object.getOwnPropertyNames(Store.prototype)
    .filter((m) => m !== "constructor" && m !== "secret").concat(["quick"]),
  oneway: ["log", "failOneway"],
  onError: (error) => console.log("oneway-error " + error.message),
});
console.log("ready");
for await (const _ of stdinLines()) { /* until stdin ends */ }
await vendor.close();
`,
  );
}

/**
 * A caller: runs `body` (TypeScript, with `store` connected to the test vendor, `DIR`, `say`
 * for a line to the test, `next()` for the next line from it) then exits 0; a failed
 * assertion exits non-zero with its message.
 */
export function startCaller(
  dir: string,
  name: string,
  body: string,
  flags: string[] = [],
): Promise<Script> {
  return Script.start(
    name,
    `import assert from "node:assert/strict";
import * as ipckit from "LIBmod.ts";
const { byRef, connect, invoke, isValid, onInvalidate, release, withTimeout } = ipckit;
${STDIN_LINES}
const DIR = ${JSON.stringify(dir)};
const lines = stdinLines();
const next = async () => (await lines.next()).value;
const say = (line) => console.log(line);
const store = await connect(${JSON.stringify(STORE)}, { runtimeDir: DIR });
${body}
`,
    flags,
  );
}

/**
 * Runs `body` with a fresh runtime directory and the test vendor started in it (the vendor
 * must then end cleanly, unless `body` killed it).
 */
export function withVendor(
  body: (dir: string, started: (script: Script) => Script, vendor: Script) => Promise<void>,
): Promise<void> {
  return withProcesses(async (dir, started) => {
    const vendor = started(await startVendor(dir));
    await vendor.expect("ready");
    await body(dir, started, vendor);
    await vendor.end(); // nothing when the test killed it
  });
}

/** Runs a caller (see {@linkcode startCaller}) whose `body` ends by printing `done`. */
export async function runCaller(
  dir: string,
  started: (script: Script) => Script,
  body: string,
): Promise<void> {
  const caller = started(await startCaller(dir, "caller", body));
  await caller.expect("done");
  await caller.end();
}
