/**
 * The work of `ipckit state` (see `state.ts`), loaded only when it runs.
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { spec } from "./state.ts";
import { UsageError } from "../_errors.ts";
import { writeStdout } from "../_io.ts";
import { parseUInt64 } from "../_parse.ts";
import { checkNames } from "./_names.ts";
import { getStateOnce, setStateOnce } from "../../lib/notifications/once.ts";

/** Runs `ipckit state`: prints the state as a bare number, or sets it (printing nothing). */
export async function run(invocation: InvocationOf<typeof spec>): Promise<number> {
  const [name, text] = invocation.args;
  if (!name) {
    throw new UsageError("state needs a notification name, as in: ipckit state com.example.x");
  }
  const value = text === undefined ? undefined : stateValue(text);
  checkNames([name]);
  const options = { runtimeDir: invocation.runtimeDir };
  if (value !== undefined) {
    await setStateOnce(name, value, options);
    return 0;
  }
  const state = await getStateOnce(name, options);
  if (invocation.options.json) await writeStdout(`${stateJson(name, state)}\n`);
  else if (invocation.options.yaml) {
    const { toYaml } = await import("../../lib/wire/yaml.ts");
    const { INT64_MAX, UInt64 } = await import("../../lib/wire/value.ts");
    // An int64 is a plain YAML integer; only a state beyond it needs the !uint64 tag.
    await writeStdout(
      await toYaml({ name, state: state <= INT64_MAX ? state : new UInt64(state) }),
    );
  } else await writeStdout(`${state}\n`);
  return 0;
}

/**
 * The state as one JSON object: the state a JSON number when it is one exactly (up to 2^53-1),
 * as the JSON forms say, else `{"$uint64": "…"}`.
 */
function stateJson(name: string, state: bigint): string {
  const exact = state <= BigInt(Number.MAX_SAFE_INTEGER);
  return JSON.stringify({ name, state: exact ? Number(state) : { $uint64: state.toString() } });
}

function stateValue(text: string): bigint {
  try {
    return parseUInt64(text);
  } catch {
    throw new UsageError(`the state takes an integer in 0…18446744073709551615, not "${text}"`);
  }
}
