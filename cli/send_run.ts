/**
 * The work of `ipckit send` (see `send.ts`), loaded only when it runs.
 *
 * @module
 */

import type { Invocation } from "./_spec.ts";
import { UsageError } from "./_errors.ts";
import { writeStdout } from "./_io.ts";
import { sendOnce } from "../lib/ports/client.ts";
import { portNameProblem } from "../lib/ports/names.ts";

function seconds(value: unknown, flag: string): number {
  const n = value as number;
  if (!(n >= 0)) throw new UsageError(`${flag} takes seconds, 0 or more, not ${String(value)}`);
  return n;
}

/** Runs `ipckit send`. */
export async function run(invocation: Invocation): Promise<number> {
  const [name, data] = invocation.args;
  const options = invocation.options;
  const file = options.file as string | undefined;
  const msgid = options.id as number;
  if (msgid < -0x80000000 || msgid > 0x7fffffff) {
    throw new UsageError(`--id takes a 32-bit integer, not ${msgid}`);
  }
  if (data !== undefined && file !== undefined) {
    throw new UsageError("give the data as an argument or with --file, not both");
  }
  const sendTimeout = seconds(options.sendTimeout, "--send-timeout");
  const receiveTimeout = seconds(options.receiveTimeout, "--receive-timeout");
  const problem = portNameProblem(name);
  if (problem) throw new UsageError(problem);
  let body: Uint8Array | ReadableStream<Uint8Array>;
  if (data !== undefined) body = new TextEncoder().encode(data);
  else if (file !== undefined) body = (await Deno.open(file)).readable;
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
