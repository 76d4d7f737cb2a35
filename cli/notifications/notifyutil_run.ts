/**
 * The work of `ipckit notifyutil` (see `notifyutil.ts`): its command line read into actions,
 * then run from left to right, then waiting for what was registered.
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { spec } from "./notifyutil.ts";
import { UsageError } from "../_errors.ts";
import { onInterrupt, writeStderr, writeStdout } from "../_io.ts";
import { parseUInt64 } from "../_parse.ts";
import { clock, textLine } from "./listen_run.ts";
import { checkNames } from "./_names.ts";
import { getStateOnce, postOnce, setStateOnce } from "../../lib/notifications/once.ts";
import type { NotificationObserver } from "../../lib/notifications/mod.ts";

/** One of notifyutil's actions. */
type Action =
  | { readonly kind: "post"; readonly name: string }
  | {
    readonly kind: "wait";
    readonly name: string;
    readonly count?: number;
    /** notifyutil's registration type (`-port`, `-file`, …): told by `-v`, alike here. */
    readonly type: string;
  }
  | { readonly kind: "get"; readonly name: string }
  | { readonly kind: "set"; readonly name: string; readonly value: bigint };

/** notifyutil's command line, read. */
interface NotifyutilLine {
  /** The actions, in order. */
  readonly actions: Action[];
  /** `-v`: time, name and state per notification. */
  readonly verbose: boolean;
  /** `-t`: the time before the name. */
  readonly time: boolean;
  /** `-q`: nothing but `-g`'s states. */
  readonly quiet: boolean;
}

const FLAGS =
  "-p, -w, -N (-1, -2, …), -g, -s, -v, -t, -q, -port, -file, -check, -signal, -dispatch";

/** notifyutil's registration types: macOS's notify(3) ways to be told; one way here. */
const TYPES = ["-port", "-file", "-check", "-signal", "-dispatch"];

/**
 * Reads notifyutil's command line.
 *
 * @throws {UsageError} for an unknown flag, a missing name or a bad state value.
 */
function parseNotifyutil(words: readonly string[]): NotifyutilLine {
  const actions: Action[] = [];
  let verbose = false, time = false, quiet = false, type = "port";
  const name = (i: number, flag: string): string => {
    const word = words[i];
    if (word === undefined || (word.startsWith("-") && word !== "-")) {
      throw new UsageError(`notifyutil's ${flag} needs a notification name after it`);
    }
    return word;
  };
  for (let i = 0; i < words.length; i++) {
    const flag = words[i];
    if (flag === "-v") verbose = true;
    else if (flag === "-t") time = true;
    else if (flag === "-q") quiet = true;
    else if (flag === "-p") actions.push({ kind: "post", name: name(++i, flag) });
    else if (flag === "-w") actions.push({ kind: "wait", name: name(++i, flag), type });
    else if (TYPES.includes(flag)) {
      type = flag.slice(1);
      // -signal takes an optional signal number.
      if (flag === "-signal" && /^[0-9]+$/.test(words[i + 1] ?? "")) i++;
    } else if (flag === "-g") actions.push({ kind: "get", name: name(++i, flag) });
    else if (flag === "-s") {
      const key = name(++i, flag);
      const text = words[++i];
      let value: bigint;
      try {
        value = parseUInt64(text ?? "");
      } catch {
        throw new UsageError(
          `notifyutil's -s ${key} needs a state in 0…18446744073709551615 after the name, not ${
            text === undefined ? "nothing" : `"${text}"`
          }`,
        );
      }
      actions.push({ kind: "set", name: key, value });
    } else if (/^-[0-9]+$/.test(flag)) {
      const count = Number(flag.slice(1));
      if (!Number.isSafeInteger(count) || count < 1) {
        throw new UsageError(`notifyutil's ${flag} waits for no notification: give -1 or more`);
      }
      actions.push({ kind: "wait", name: name(++i, flag), count, type });
    } else {
      throw new UsageError(`notifyutil takes ${FLAGS}, not "${flag}"`);
    }
  }
  if (actions.length === 0) {
    throw new UsageError(
      "notifyutil needs an action, as in: ipckit notifyutil -p com.example.ping",
    );
  }
  for (const action of actions) checkNames([action.name]);
  return { actions, verbose, time, quiet };
}

/** Runs `ipckit notifyutil`: its actions in order, then waits for what was registered. */
export async function run(invocation: InvocationOf<typeof spec>): Promise<number> {
  const line = parseNotifyutil(invocation.args);
  const options = { runtimeDir: invocation.runtimeDir };
  const observers: NotificationObserver[] = [];
  const waits: Promise<void>[] = [];
  const stopInterrupt = onInterrupt(() => observers.forEach((o) => o.close()));
  try {
    for (const action of line.actions) {
      switch (action.kind) {
        case "post":
          await postOnce(action.name, options);
          break;
        case "set":
          await setStateOnce(action.name, action.value, options);
          break;
        case "get": {
          const state = await getStateOnce(action.name, options);
          await writeStdout(`${action.name} ${state}\n`);
          break;
        }
        case "wait": {
          const { observeNotifications } = await import("../../lib/notifications/mod.ts");
          const observer = await observeNotifications({ ...options, names: action.name });
          observers.push(observer);
          waits.push(report(observer, action, line, options));
        }
      }
    }
    await Promise.all(waits);
    return 0;
  } finally {
    for (const observer of observers) observer.close();
    stopInterrupt();
  }
}

/** Prints what one registration receives, until its count (or forever, for `-w`). */
async function report(
  observer: NotificationObserver,
  { count, type }: Action & { kind: "wait" },
  line: NotifyutilLine,
  options: { runtimeDir?: string },
): Promise<void> {
  let seen = 0;
  for await (const event of observer) {
    if (event.type !== "notification") {
      // Nothing is lost silently: a gap or dropped record goes to standard error.
      if (!line.quiet) writeStderr(`ipckit: ${textLine(event).trimEnd()}`);
      continue;
    }
    if (!line.quiet) {
      let text = event.name;
      if (line.verbose) {
        const state = await getStateOnce(event.name, options);
        text = `${text} ${state} ${type}`;
      }
      if (line.verbose || line.time) text = `${clock(event.time)} ${text}`;
      await writeStdout(`${text}\n`);
    }
    if (count !== undefined && ++seen >= count) break;
  }
  observer.close();
}
