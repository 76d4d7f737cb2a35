/**
 * The work of `ipckit state` (see `state.ts`), loaded only when it runs.
 *
 * @module
 */

import type { Invocation } from "./_spec.ts";
import { UsageError } from "./_errors.ts";
import { writeStdout } from "./_io.ts";
import { parseUInt64 } from "./post_run.ts";
import { callBroker } from "../lib/_broker_call.ts";
import { checkName, stateOf, toUInt64 } from "../lib/_notifications_protocol.ts";

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
