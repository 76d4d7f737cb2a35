/**
 * The observer and poster processes of the multi-process notification tests
 * (`notifications_paths_test.ts`, `notifications_adversarial_test.ts`): each its own Deno
 * process with its own center, driven by lines on stdin ({@linkcode Script}).
 *
 * @module
 */

import assert from "node:assert/strict";
import { PRINT_EVENT, Script, STDIN_LINES } from "../_script.ts";

/** How an {@linkcode observerProcess} starts. */
export interface ObserverStart {
  /** Observe only once told `go`. @default {false} */
  waitGo?: boolean;
  /** Read from the start; else only once told `read`. @default {true} */
  readAtStart?: boolean;
  /**
   * Read only once a notification of this name has come too (to a second observer): a
   * poster's notifications arrive in the order posted, so by then every earlier one has met
   * the queue.
   */
  syncName?: string;
}

/**
 * An observer process: its own center, one observer with `options`; it prints `ready` once
 * `observe()` resolved, then every event it reads as `e JSON`. Commands: `read` (see
 * {@linkcode ObserverStart}), `suspend` and `resume` (answered `suspended` and `resumed` once
 * done), `close` (closes the center, answered `closed`). The end of stdin closes the center and
 * ends it.
 */
export function observerProcess(
  dir: string,
  name: string,
  options: Record<string, unknown>,
  start: ObserverStart = {},
): Promise<Script> {
  const { waitGo = false, readAtStart = true, syncName } = start;
  return Script.start(
    name,
    `
    import { NotificationCenter } from "LIB/notifications/mod.ts";
    ${STDIN_LINES}
    ${PRINT_EVENT}
    const lines = stdinLines();
    const center = await NotificationCenter.connect({ runtimeDir: ${JSON.stringify(dir)} });
    if (${waitGo}) {
      const { value } = await lines.next();
      if (value !== "go") throw new Error("expected go, got " + value);
    }
    const observer = await center.observe(${JSON.stringify(options)});
    const sync = ${
      syncName === undefined
        ? "undefined"
        : `await center.observe({ names: ${JSON.stringify(syncName)} })`
    };
    let read;
    const go = new Promise((resolve) => read = resolve);
    if (${readAtStart}) read();
    const reader = (async () => {
      await go;
      if (sync) {
        await sync.next();
        sync.close();
      }
      for await (const event of observer) printEvent(event);
    })();
    console.log("ready");
    for await (const line of lines) {
      if (line === "read") read();
      else if (line === "suspend") {
        await observer.suspend();
        console.log("suspended");
      } else if (line === "resume") {
        await observer.resume();
        console.log("resumed");
      } else if (line === "close") {
        await center.close();
        console.log("closed");
      } else throw new Error("unknown command " + line);
    }
    read();
    await center.close();
    await reader;
  `,
  );
}

/**
 * A poster process: its own center; with `warmName`, before it says `ready` it posts a few
 * warm-up notifications (i = -2) of that name, which no observer is registered for yet; then
 * it makes a round trip and says `ready`. It takes JSON commands on stdin; each post carries
 * userInfo `{i, p: id}`:
 *
 * - `{op: "list", posts: [[name, object, i, immediate?]], burst, pauseMs}`: posts them, pausing
 *   `pauseMs` after every `burst`, then makes a round trip (`getState`) and says `done N E R`
 *   (posted, rejected, the i of each rejected post as JSON);
 * - `{op: "range", name, object, count, burst, pauseMs, end, endImmediately}`: the same with
 *   i = 0…count-1, then the end marker i = -1 when `end`;
 * - `{op: "stream", name, object, every, pauseMs, wait, endImmediately}`: posts i = 0, 1, …,
 *   pausing `pauseMs` every `every` posts and awaiting each post unless `wait` is false, until
 *   `stop`; `mark` makes it say `mark I` at its next pause (I: the next i it posts). `stop` ends
 *   the stream with the end marker i = -1, a round trip and `done N E R` (N: how many it posted
 *   before the marker).
 *
 * With `tolerate`, a rejected post is counted and posting goes on; else it fails the process.
 */
export function posterProcess(
  dir: string,
  id: string,
  options: { warmName?: string; tolerate?: boolean } = {},
): Promise<Script> {
  return Script.start(
    `poster ${id}`,
    `
    import { NotificationCenter } from "LIB/notifications/mod.ts";
    ${STDIN_LINES}
    const center = await NotificationCenter.connect({ runtimeDir: ${JSON.stringify(dir)} });
    const id = ${JSON.stringify(id)};
    const tolerate = ${options.tolerate === true};
    let errors = 0;
    const rejected = [];
    const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    function post(name, object, i, immediate = false) {
      return center.post(name, {
        object,
        userInfo: { i: BigInt(i), p: id },
        deliverImmediately: immediate,
      }).then(() => true, (error) => {
        if (!tolerate) {
          console.error(error);
          Deno.exit(3);
        }
        errors++;
        if (i >= 0) rejected.push(i);
        return false;
      });
    }
    async function roundTrip() {
      for (let attempt = 0;; attempt++) {
        try {
          return await center.getState("roundtrip");
        } catch (error) {
          if (!tolerate || attempt > 50) throw error;
          await sleep(100);
        }
      }
    }
    function done(posted) {
      console.log("done " + posted + " " + errors + " " + JSON.stringify(rejected));
    }
    async function posts(list, burst, pauseMs) {
      for (const [k, [name, object, i, immediate]] of list.entries()) {
        if (k > 0 && k % burst === 0) await sleep(pauseMs);
        await post(name, object, i, immediate === true);
      }
      await roundTrip();
      done(list.length);
    }
    let stopping = false;
    let marking = 0;
    async function stream({ name, object, every, pauseMs, wait = true, endImmediately }) {
      let i = 0;
      for (;; i++) {
        if (i % every === 0) {
          await sleep(pauseMs);
          for (; marking > 0; marking--) console.log("mark " + i);
          if (stopping) break;
        }
        if (wait) await post(name, object, i);
        else post(name, object, i);
      }
      // The end marker must get through, even around a broker restart.
      for (let attempt = 0; !(await post(name, object, -1, endImmediately === true)); attempt++) {
        if (attempt > 50) throw new Error("the end marker was rejected 50 times");
        await sleep(100);
      }
      await roundTrip();
      done(i);
    }
    ${
      options.warmName === undefined ? "" : `
    for (let k = 0; k < 20; k++) await post(${JSON.stringify(options.warmName)}, null, -2);
    for (let k = 0; k < 20; k++) await post(${JSON.stringify(options.warmName)}, "o", -2);
    `
    }
    await roundTrip();
    console.log("ready");
    let streaming;
    for await (const line of stdinLines()) {
      if (line === "stop") {
        stopping = true;
        await streaming;
        continue;
      }
      if (line === "mark") {
        marking++;
        continue;
      }
      const c = JSON.parse(line);
      if (c.op === "list") await posts(c.posts, c.burst ?? 1000, c.pauseMs ?? 0);
      else if (c.op === "range") {
        const list = Array.from({ length: c.count }, (_, i) => [c.name, c.object ?? null, i]);
        if (c.end) list.push([c.name, c.object ?? null, -1, c.endImmediately === true]);
        await posts(list, c.burst ?? 1000, c.pauseMs ?? 0);
      } else if (c.op === "stream") streaming = stream(c);
      else throw new Error("unknown command " + line);
    }
    await streaming;
    await center.close();
  `,
  );
}

/**
 * Waits for a poster's `done N E [R]` (see {@linkcode posterProcess}): what it posted, how many
 * were rejected, and the i of each (none when it did not say).
 */
export async function posterDone(
  poster: Script,
  timeoutMs = 30_000,
): Promise<{ posted: number; errors: number; rejected: number[] }> {
  const line = await poster.line(timeoutMs);
  const match = /^done (\d+) (\d+)(?: (.*))?$/.exec(line);
  assert.ok(match, `${poster.name} said ${line}`);
  const rejected = match[3] ? JSON.parse(match[3]) as number[] : [];
  return { posted: Number(match[1]), errors: Number(match[2]), rejected };
}
