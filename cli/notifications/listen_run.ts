/**
 * The work of `ipckit listen` (declared in `listen.ts`), kept apart so that other commands do
 * not load it.
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { spec } from "./listen.ts";
import { ExitError } from "../_errors.ts";
import { checkCommand } from "../_exec.ts";
import { onInterrupt, writeReadyFile, writeStderr, writeStdout } from "../_io.ts";
import { checkNames } from "./_names.ts";
import type { NotificationEvent } from "../../lib/notifications/mod.ts";
import { toJson } from "../../lib/wire/json.ts";
import type { Dictionary } from "../../lib/wire/value.ts";

/** Runs `ipckit listen` until the count, the timeout, Ctrl-C or a closed standard output. */
export async function run(invocation: InvocationOf<typeof spec>): Promise<number> {
  const options = invocation.options;
  const { count, timeout, queueLimit } = options;
  checkNames(invocation.args);
  if (invocation.exec) await checkCommand("listen", invocation.exec[0]);
  const { defaultCenter } = await import("../../lib/notifications/mod.ts");
  const { startTimer } = await import("../../lib/timer.ts");
  // The timeout runs from the start: a broker that does not answer (stopped) must not hold
  // listen past it while it subscribes.
  let timedOut = false;
  let stop = () => {};
  let expire = () => {};
  const expired = new Promise<undefined>((resolve) => expire = () => resolve(undefined));
  const cancelTimer = timeout === undefined ? () => {} : startTimer(timeout * 1000, () => {
    timedOut = true;
    expire();
    stop();
  });
  const subscribing = defaultCenter({ runtimeDir: invocation.runtimeDir }).then(async (center) => ({
    center,
    observer: await center.observe({
      names: invocation.args,
      object: options.object,
      suspensionBehavior: options.suspension,
      queueLimit,
    }),
  }));
  subscribing.catch(() => {}); // rejected after the timeout: nobody waits for it any more
  const subscribed = await Promise.race([subscribing, expired]);
  if (!subscribed) {
    throw new ExitError(
      124,
      `listen timed out after ${timeout} s before it could subscribe: the broker does not answer (stopped or stuck); resume it (kill -CONT) or end it (ipckit daemon stop), and the next command starts a new one`,
    );
  }
  const { center, observer } = subscribed;
  stop = () => void observer.close();
  if (timedOut) stop(); // the time ran out just as it subscribed
  const stopInterrupt = onInterrupt(() => observer.close());
  try {
    if (options.readyFile) await writeReadyFile(options.readyFile);
    const format = options.json ? "json" : options.yaml ? "yaml" : "text";
    let seen = 0;
    for await (const event of observer) {
      if (invocation.exec) await execFor(invocation.exec, event);
      else await writeStdout(await formatEvent(event, format));
      if (event.type === "notification" && count !== undefined && ++seen >= count) return 0;
    }
    return timedOut && count !== undefined ? 124 : 0;
  } finally {
    cancelTimer();
    stopInterrupt();
    // Closing the center removes its inbox's socket, which the program's exit would leave.
    await center.close();
  }
}

/** Runs the `--exec` command for a notification; records go to standard error. */
async function execFor(command: string[], event: NotificationEvent): Promise<void> {
  if (event.type !== "notification") {
    writeStderr(`ipckit: ${textLine(event).trimEnd()}`);
    return;
  }
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(command[0], {
      args: command.slice(1),
      env: { IPCKIT_NAME: event.name, IPCKIT_OBJECT: event.object ?? "" },
      stdin: "piped",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
  } catch (error) {
    throw new ExitError(1, `cannot run ${command[0]}: ${(error as Error).message}`);
  }
  const writer = child.stdin.getWriter();
  try {
    await writer.write(new TextEncoder().encode(jsonLine(event)));
    await writer.close();
  } catch { /* the command does not read its input */ }
  const status = await child.status;
  if (!status.success) {
    writeStderr(`ipckit: ${command[0]} exited with ${status.code} for ${event.name}`);
  }
}

/** Formats an event for `--json`, `--yaml` or people. */
export async function formatEvent(
  event: NotificationEvent,
  format: "json" | "yaml" | "text",
): Promise<string> {
  if (format === "json") return jsonLine(event);
  if (format === "text") return textLine(event);
  const { toYaml } = await import("../../lib/wire/yaml.ts");
  const doc: Dictionary = event.type === "notification"
    ? {
      time: event.time,
      name: event.name,
      object: event.object,
      userInfo: event.userInfo,
      poster: BigInt(event.poster),
      seq: BigInt(event.seq),
    }
    : event.type === "dropped"
    ? {
      time: event.to,
      record: "dropped",
      count: BigInt(event.count),
      from: event.from,
      to: event.to,
      posters: event.posters.map((r) => ({
        poster: BigInt(r.poster),
        first: BigInt(r.first),
        last: BigInt(r.last),
        count: BigInt(r.count),
      })),
    }
    : {
      time: event.to,
      record: "gap",
      from: event.from,
      to: event.to,
      posters: event.posters.map((r) => ({ poster: BigInt(r.poster), after: BigInt(r.after) })),
    };
  return `---\n${await toYaml(doc)}`;
}

/** One JSON line. */
function jsonLine(event: NotificationEvent): string {
  if (event.type === "notification") {
    return `{"time":${JSON.stringify(event.time.toISOString())},"name":${
      JSON.stringify(event.name)
    },"object":${JSON.stringify(event.object)},"userInfo":${
      event.userInfo === null ? "null" : toJson(event.userInfo)
    },"poster":${event.poster},"seq":${event.seq}}\n`;
  }
  const time = event.to.toISOString();
  const from = event.from.toISOString();
  const posters = event.posters;
  return event.type === "dropped"
    ? `${
      JSON.stringify({ time, record: "dropped", count: event.count, from, to: time, posters })
    }\n`
    : `${JSON.stringify({ time, record: "gap", from, to: time, posters })}\n`;
}

/** One line for people. */
export function textLine(event: NotificationEvent): string {
  if (event.type === "notification") {
    const object = event.object === null ? "" : `  [${event.object}]`;
    const info = event.userInfo === null ? "" : `  ${toJson(event.userInfo)}`;
    return `${clock(event.time)}  ${event.name}${object}${info}\n`;
  }
  if (event.type === "dropped") {
    const what = event.count === 1 ? "1 notification" : `${event.count} notifications`;
    return `${clock(event.to)}  -- ${what} dropped (posted ${clock(event.from)}…${
      clock(event.to)
    }): this listener fell behind\n`;
  }
  return `${clock(event.to)}  -- gap: could not hear from ${clock(event.from)} to ${
    clock(event.to)
  } (the broker restarted)\n`;
}

/** A time of day for people: `HH:MM:SS.mmm`, local time. */
export function clock(date: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${
    pad(date.getMilliseconds(), 3)
  }`;
}
