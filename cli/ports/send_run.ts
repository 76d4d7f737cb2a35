/**
 * The work of `ipckit send` (see `send.ts`), loaded only when it runs.
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { spec } from "./send.ts";
import { ExitError, UsageError } from "../_errors.ts";
import { openForReading, readStdin, readWholeFile, writeStdout } from "../_io.ts";
import { sendOnce, type SendOnceOptions } from "../../lib/ports/once.ts";
import type { Value } from "../../lib/wire/value.ts";
import { portNameProblem } from "../../lib/ports/names.ts";

/** Opens the `--file` to send; what keeps it from being sent is one line, exit 1. */
async function openFile(path: string): Promise<Deno.FsFile> {
  try {
    return await openForReading(path);
  } catch (error) {
    const why = error instanceof Deno.errors.NotFound
      ? "no such file"
      : error instanceof Deno.errors.IsADirectory
      ? "it is a directory"
      : error instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : undefined;
    if (why) throw new ExitError(1, `cannot send ${path}: ${why}`);
    throw error;
  }
}

/**
 * `send --json` or `--yaml`: the request is a value, sent as MessagePack; the reply is decoded
 * and printed in the same form. An empty reply (a port that answers nothing) prints nothing.
 */
async function sendTyped(
  name: string,
  msgid: number,
  data: string | undefined,
  file: string | undefined,
  form: "JSON" | "YAML",
  options: SendOnceOptions,
): Promise<number> {
  let text: string;
  if (data !== undefined) text = data;
  else if (file !== undefined) {
    text = new TextDecoder().decode(
      await readWholeFile(await openFile(file), `cannot send ${file}`),
    );
  } else if (!Deno.stdin.isTerminal()) text = new TextDecoder().decode(await readStdin());
  else {
    throw new UsageError(
      `send --${form.toLowerCase()} needs a value: an argument, --file or standard input`,
    );
  }
  const { decodeValue, encodeValue } = await import("../../lib/wire/msgpack.ts");
  let request: Uint8Array;
  try {
    // Encoding is in the check: a value too deep or too large for the wire is bad input too.
    request = encodeValue(
      form === "JSON"
        ? (await import("../../lib/wire/json.ts")).fromJson(text)
        : await (await import("../../lib/wire/yaml.ts")).fromYaml(text),
    );
  } catch (error) {
    throw new UsageError(`the request is not a value in ${form}: ${(error as Error).message}`);
  }
  const reply = await sendOnce(name, msgid, request, options);
  if (reply === null || reply.length === 0) return 0;
  let value: Value;
  try {
    value = decodeValue(reply);
  } catch (error) {
    throw new ExitError(
      1,
      `the reply of the port "${name}" is not a MessagePack value (${
        (error as Error).message
      }); send without --${form.toLowerCase()} to get its ${reply.length} bytes`,
    );
  }
  await writeStdout(
    form === "JSON"
      ? `${(await import("../../lib/wire/json.ts")).toJson(value)}\n`
      : await (await import("../../lib/wire/yaml.ts")).toYaml(value),
  );
  return 0;
}

/** Runs `ipckit send`. */
export async function run(invocation: InvocationOf<typeof spec>): Promise<number> {
  const [name, data] = invocation.args;
  const options = invocation.options;
  const { file, id: msgid } = options;
  if (data !== undefined && file !== undefined) {
    throw new UsageError("give the data as an argument or with --file, not both");
  }
  const { sendTimeout, receiveTimeout } = options;
  const problem = portNameProblem(name);
  if (problem) throw new UsageError(problem);
  if (options.json || options.yaml) {
    return await sendTyped(name, msgid, data, file, options.json ? "JSON" : "YAML", {
      runtimeDir: invocation.runtimeDir,
      sendTimeout,
      receiveTimeout,
      oneway: options.oneway === true,
    });
  }
  let body: Uint8Array | ReadableStream<Uint8Array>;
  if (data !== undefined) body = new TextEncoder().encode(data);
  else if (file !== undefined) body = (await openFile(file)).readable;
  else if (Deno.stdin.isTerminal()) body = new Uint8Array(0);
  else body = Deno.stdin.readable;
  await sendOnce(name, msgid, body, {
    runtimeDir: invocation.runtimeDir,
    sendTimeout,
    receiveTimeout,
    oneway: options.oneway === true,
    onReplyChunk: writeStdout,
  });
  return 0;
}
