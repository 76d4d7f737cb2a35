/**
 * `ipckit state NAME [VALUE]`: reads or sets the 64-bit state of a notification name, as
 * `notifyutil -g` and `-s` do on macOS. The broker keeps it in a file, so it survives the
 * broker's exits and crashes. Called in loops, so it loads only the client library.
 *
 * @module
 */

import type { CommandSpec, Invocation } from "./_spec.ts";
import { UsageError } from "./_errors.ts";
import { writeStdout } from "./_io.ts";
import { parseUInt64 } from "./post.ts";
import { callBroker } from "../lib/_broker_call.ts";
import { checkName, stateOf, toUInt64 } from "../lib/_notifications_protocol.ts";

/** `ipckit state`. */
export const spec: CommandSpec = {
  name: "state",
  summary: "Read or set the 64-bit state of a notification name (notifyutil -g, -s)",
  args: [
    { name: "name", description: "the notification name", required: true },
    {
      name: "value",
      description: "set the state to this integer (0…2^64-1); without it, print it",
    },
  ],
  options: [{ flags: "--json", description: 'print {"name": …, "state": {"$uint64": "…"}}' }],
  examples: [
    "ipckit state com.example.battery 87   # set it",
    "ipckit state com.example.battery      # print it: 87",
    "ipckit state com.example.battery --json",
    "ipckit state com.example.never-set    # 0: every name starts at 0",
  ],
};

/** Runs `ipckit state`: prints the state as a bare number, or sets it (printing nothing). */
export async function run(invocation: Invocation): Promise<number> {
  const [name, text] = invocation.args;
  if (!name) {
    throw new UsageError("state needs a notification name, as in: ipckit state com.example.x");
  }
  const value = text === undefined ? undefined : parseUInt64(text, "the state");
  checkName(name);
  const options = { runtimeDir: invocation.runtimeDir };
  if (value !== undefined) {
    await callBroker("notify.state.set", { n: name, v: toUInt64(value) }, options);
    return 0;
  }
  const state = stateOf(await callBroker("notify.state.get", { n: name }, options));
  await writeStdout(
    invocation.options.json
      ? `${JSON.stringify({ name, state: { $uint64: state.toString() } })}\n`
      : `${state}\n`,
  );
  return 0;
}
