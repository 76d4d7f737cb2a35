/**
 * The work of `ipckit post` (see `post.ts`), loaded only when it runs.
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { spec } from "./post.ts";
import { UsageError } from "../_errors.ts";
import { readStdin, readUserFile } from "../_io.ts";
import { checkNames } from "./_names.ts";
import { type Dictionary, isDictionary, typeOf } from "../../lib/wire/value.ts";
import { postOnce } from "../../lib/notifications/once.ts";

/** Runs `ipckit post`: exit 0, 2 for a malformed userInfo (nothing is posted). */
export async function run(invocation: InvocationOf<typeof spec>): Promise<number> {
  const [name] = invocation.args;
  if (!name) {
    throw new UsageError("post needs a notification name, as in: ipckit post com.example.ping");
  }
  checkNames([name]);
  const options = invocation.options;
  const userInfo = await readUserInfo(options.userInfo, options.userInfoYaml);
  // One request on a connection of its own: what a command that posts and exits needs.
  await postOnce(name, {
    object: options.object,
    userInfo,
    deliverImmediately: options.immediate === true,
    state: options.state,
    runtimeDir: invocation.runtimeDir,
  });
  return 0;
}

/** Reads `--user-info` or `--user-info-yaml`; a usage error when it is not a typed dictionary. */
async function readUserInfo(json?: string, yamlFile?: string): Promise<Dictionary | undefined> {
  if (json !== undefined) {
    const text = json === "-" ? new TextDecoder().decode(await readStdin()) : json;
    const { fromJson } = await import("../../lib/wire/json.ts");
    return checkDictionary(() => fromJson(text), "--user-info");
  }
  if (yamlFile !== undefined) {
    const text = new TextDecoder().decode(await readUserFile(yamlFile, "--user-info-yaml"));
    const { fromYaml } = await import("../../lib/wire/yaml.ts");
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
