/**
 * `ipckit post NAME [--object S] [--user-info JSON] [--user-info-yaml FILE|-] [--state N]
 * [--immediate]`: posts a distributed notification, as `notifyutil -p` and
 * `CFNotificationCenterPostNotification` do on macOS. Called in loops, so it loads only the
 * client library (YAML only for `--user-info-yaml`).
 *
 * @module
 */

import type { CommandSpec, Invocation } from "./_spec.ts";
import { UsageError } from "./_errors.ts";
import { readStdin } from "./_io.ts";
import { type Dictionary, isDictionary, typeOf } from "../lib/wire/value.ts";
import { callBroker } from "../lib/_broker_call.ts";
import { postBody } from "../lib/_notifications_protocol.ts";

/** `ipckit post`. */
export const spec: CommandSpec = {
  name: "post",
  summary: "Post a distributed notification (notifyutil -p, CFNotificationCenterPostNotification)",
  args: [{
    name: "name",
    description: "the notification's name, as com.example.ping",
    required: true,
  }],
  options: [
    { flags: "--object <string>", description: "the object (observers can listen for one object)" },
    {
      flags: "--user-info <json>",
      description:
        'typed values as a JSON object, with ipckit\'s forms ({"$data": "…"}, {"$date": "…"}, …); - reads standard input',
    },
    {
      flags: "--user-info-yaml <file>",
      description: "typed values as a YAML mapping from a file (- for standard input)",
    },
    {
      flags: "--state <n>",
      description: "also set the name's 64-bit state to N first (notifyutil -s)",
    },
    {
      flags: "--immediate",
      description: "deliver even to suspended or full observers (deliverImmediately)",
    },
  ],
  examples: [
    "ipckit post com.example.ping",
    `ipckit post com.example.backup.done --object nightly --user-info '{"files": 1200, "ok": true}'`,
    `ipckit post com.example.upload --user-info '{"digest": {"$data": "3q2+7w=="}, "at": {"$date": "2026-01-02T03:04:05Z"}}'`,
    "ipckit post com.example.config --user-info-yaml config.yaml",
    "ipckit post com.example.battery --state 87   # set the state and tell observers",
    "ipckit post com.example.alarm --immediate    # even to suspended observers",
  ],
};

/** Runs `ipckit post`: exit 0, 2 for a malformed userInfo or state (nothing is posted). */
export async function run(invocation: Invocation): Promise<number> {
  const [name] = invocation.args;
  if (!name) {
    throw new UsageError("post needs a notification name, as in: ipckit post com.example.ping");
  }
  const options = invocation.options;
  const userInfo = await readUserInfo(
    options.userInfo as string | undefined,
    options.userInfoYaml as string | undefined,
  );
  const state = options.state === undefined
    ? undefined
    : parseUInt64(options.state as string, "--state");
  // One request on a connection of its own: what a command that posts and exits needs.
  const body = postBody(name, {
    object: options.object as string | undefined,
    userInfo,
    deliverImmediately: options.immediate === true,
    state,
  });
  await callBroker("notify.post", body, { runtimeDir: invocation.runtimeDir });
  return 0;
}

/** Reads `--user-info` or `--user-info-yaml`; a usage error when it is not a typed dictionary. */
async function readUserInfo(json?: string, yamlFile?: string): Promise<Dictionary | undefined> {
  if (json !== undefined && yamlFile !== undefined) {
    throw new UsageError("give --user-info or --user-info-yaml, not both");
  }
  if (json !== undefined) {
    const text = json === "-" ? new TextDecoder().decode(await readStdin()) : json;
    const { fromJson } = await import("../lib/wire/json.ts");
    return checkDictionary(() => fromJson(text), "--user-info");
  }
  if (yamlFile !== undefined) {
    const text = yamlFile === "-"
      ? new TextDecoder().decode(await readStdin())
      : await Deno.readTextFile(yamlFile);
    const { fromYaml } = await import("../lib/wire/yaml.ts");
    return await checkDictionary(() => fromYaml(text), "--user-info-yaml");
  }
  return undefined;
}

async function checkDictionary(
  parse: () => unknown,
  option: string,
): Promise<Dictionary> {
  let value: unknown;
  try {
    value = await parse();
  } catch (error) {
    throw new UsageError(`${option} is not valid: ${(error as Error).message}`);
  }
  if (!isDictionary(value)) {
    throw new UsageError(
      `${option} must be an object of typed values, as in {"count": 5}, not ${
        typeOf(value) ?? typeof value
      }`,
    );
  }
  return value as Dictionary;
}

/** Parses a decimal (or 0x hexadecimal) uint64; a usage error otherwise. */
export function parseUInt64(text: string, option: string): bigint {
  const trimmed = text.trim();
  if (/^(0|[1-9][0-9]*|0x[0-9a-fA-F]+)$/.test(trimmed)) {
    const value = BigInt(trimmed);
    if (value < 2n ** 64n) return value;
  }
  throw new UsageError(
    `${option} takes an integer in 0…18446744073709551615, not "${text}"`,
  );
}
