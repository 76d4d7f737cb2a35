/**
 * A TypeScript snippet in its own Deno process, for multi-process tests: talk to it over stdin
 * and stdout lines; lines starting with `e ` are JSON events (an observer's notifications and
 * records), kept apart from the others.
 *
 * @module
 */

import assert from "node:assert/strict";
import { PERMISSIONS } from "../lib/permissions.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "./_helpers.ts";

/** The URL of `lib/`, which replaces `LIB` in a script's code. */
export const LIB: string = new URL("../lib/", import.meta.url).href;

/** An event as an observer process reports it. */
export type Event =
  | {
    type: "notification";
    name: string;
    object: string | null;
    i: number;
    p: string;
    /** When the broker received it, in ms (for failure messages only). */
    time: number;
    /** Its poster's number and its own (Notification.poster, .seq). */
    poster: number;
    seq: number;
  }
  | {
    type: "dropped";
    count: number;
    posters: { poster: number; first: number; last: number; count: number }[];
  }
  | { type: "gap"; from: number; to: number; posters: { poster: number; after: number }[] };

/** A TypeScript snippet in its own process; see the module documentation. */
export class Script {
  readonly child: Deno.ChildProcess;
  readonly name: string;
  readonly file: string;
  /** The events it printed so far, warm-up posts (i = -2) left out. */
  readonly events: Event[] = [];
  #lines: string[] = [];
  #wakers: (() => void)[] = [];
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #ended = false;
  #done = false;
  #reading: Promise<void>;

  constructor(name: string, file: string, flags: string[] = []) {
    this.name = name;
    this.file = file;
    const child = this.child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--quiet", "--no-config", ...PERMISSIONS, ...flags, file],
      stdin: "piped",
      stdout: "piped",
      stderr: "inherit",
    }).spawn();
    this.#writer = this.child.stdin.getWriter();
    this.#reading = (async () => {
      let rest = "";
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        rest += chunk;
        const parts = rest.split("\n");
        rest = parts.pop()!;
        for (const part of parts) {
          if (!part.startsWith("e ")) this.#lines.push(part);
          else {
            const event = JSON.parse(part.slice(2)) as Event;
            if (event.type !== "notification" || event.i !== -2) this.events.push(event);
          }
        }
        this.#wake();
      }
      this.#ended = true;
      this.#wake();
    })();
  }

  /**
   * Writes `code` (with `LIB` replaced) to a temporary file and runs it, with `flags` for
   * `deno run` (`--v8-flags=--expose-gc`) besides the permissions.
   */
  static async start(name: string, code: string, flags: string[] = []): Promise<Script> {
    const file = await Deno.makeTempFile({ prefix: "ipckit-script-", suffix: ".ts" });
    await Deno.writeTextFile(file, code.replaceAll("LIB", LIB));
    return new Script(name, file, flags);
  }

  #wake(): void {
    const wakers = this.#wakers;
    this.#wakers = [];
    for (const wake of wakers) wake();
  }

  /** Waits until `check` holds, re-checking whenever the process prints. */
  async until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!check()) {
      if (this.#ended) throw new Error(`${this.name} ended while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out waiting for ${what} from ${this.name} (${this.events.length} events: ${
            JSON.stringify(this.events.slice(-5))
          })`,
        );
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#wakers.push(resolve);
        timer = setTimeout(resolve, left);
      });
      clearTimeout(timer);
    }
  }

  /** The next line it prints that is not an event. */
  async line(timeoutMs = 20_000): Promise<string> {
    await this.until(() => this.#lines.length > 0, "a line", timeoutMs);
    return this.#lines.shift()!;
  }

  /** The next line, which must be `text`. */
  async expect(text: string): Promise<void> {
    assert.equal(await this.line(), text, `${this.name} said something else`);
  }

  /** Waits for events until `check` holds on all of them. */
  async eventsUntil(check: (events: Event[]) => boolean, what: string, timeoutMs = 20_000) {
    await this.until(() => check(this.events), what, timeoutMs);
    return this.events;
  }

  async say(text: string): Promise<void> {
    await this.#writer.write(new TextEncoder().encode(`${text}\n`));
  }

  /** Closes its stdin, which ends it; it must exit with 0. */
  async end(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#writer.close().catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const status = await Promise.race([
      this.child.status,
      new Promise<null>((resolve) => timer = setTimeout(() => resolve(null), 10_000)),
    ]);
    clearTimeout(timer);
    if (status === null) {
      this.#done = false;
      await this.kill();
      throw new Error(`${this.name} did not end within 10 s of its stdin's end`);
    }
    await this.#reading;
    await Deno.remove(this.file).catch(() => {});
    assert.equal(status.code, 0, `${this.name} (${this.file}) failed`);
  }

  /** Kills it with SIGKILL (a no-op when it has already ended). */
  async kill(): Promise<void> {
    if (this.#done) return;
    this.#done = true;
    await this.#writer.close().catch(() => {});
    try {
      this.child.kill("SIGKILL");
    } catch { /* already gone */ }
    await this.child.status;
    await this.#reading;
    await Deno.remove(this.file).catch(() => {});
  }
}

/** The stdin lines of a script, as an async iterator `stdinLines()` (pasted into a script). */
export const STDIN_LINES = `
async function* stdinLines() {
  let rest = "";
  for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
    rest += chunk;
    const parts = rest.split("\\n");
    rest = parts.pop();
    yield* parts;
  }
}
`;

/** `printEvent(event)`: prints an observer's event as `e JSON` (pasted into a script). */
export const PRINT_EVENT = `
function printEvent(event) {
  let out;
  if (event.type === "notification") {
    out = {
      type: event.type,
      name: event.name,
      object: event.object,
      i: Number(event.userInfo?.i),
      p: event.userInfo?.p ?? "",
      time: event.time.getTime(),
      poster: event.poster,
      seq: event.seq,
    };
  } else if (event.type === "dropped") {
    out = { type: event.type, count: event.count, posters: event.posters };
  } else {
    out = {
      type: event.type,
      from: event.from.getTime(),
      to: event.to.getTime(),
      posters: event.posters,
    };
  }
  console.log("e " + JSON.stringify(out));
}
`;

/** The integers from `from` up to `to`, not included. */
export const range = (from: number, to: number): number[] =>
  Array.from({ length: to - from }, (_, i) => from + i);

/** Events as short values: a notification's i, `dropped:N`, `gap`. */
export function compact(events: Event[]): (number | string)[] {
  return events.map((e) =>
    e.type === "notification" ? e.i : e.type === "dropped" ? `dropped:${e.count}` : "gap"
  );
}

/** Whether the notifications from poster `p` include its end marker. */
export const ended = (p: string) => (events: Event[]): boolean =>
  events.some((e) => e.type === "notification" && e.p === p && e.i === -1);

export { sleep } from "../lib/_timer.ts";

/**
 * Runs `body` with a fresh runtime directory; kills every script it started (continuing a
 * stopped one first), whatever happens.
 */
export async function withProcesses(
  body: (dir: string, started: (script: Script) => Script) => Promise<void>,
): Promise<void> {
  const dir = await tempRuntimeDir();
  const scripts: Script[] = [];
  try {
    await body(dir, (script) => {
      scripts.push(script);
      return script;
    });
  } finally {
    for (const script of scripts) {
      try {
        script.child.kill("SIGCONT");
      } catch { /* gone */ }
      await script.kill();
    }
    await cleanupRuntimeDir(dir);
  }
}
