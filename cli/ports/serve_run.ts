/**
 * The work of `ipckit serve` (declared in `serve.ts`), kept apart so that other commands do
 * not load it.
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { spec } from "./serve.ts";
import { UsageError } from "../_errors.ts";
import { onInterrupt, writeReadyFile, writeStderr, writeStdout } from "../_io.ts";
import { concatBytes } from "../../lib/wire/bytes.ts";
import { checkCommand } from "../_exec.ts";

const TAIL_BYTES = 2000;

/** The --exec commands running now: stopped with the port. */
const running = new Set<Deno.ChildProcess>();

function stopCommands(): void {
  for (const child of running) {
    try {
      child.kill("SIGTERM");
    } catch { /* ended meanwhile */ }
  }
}

/** Runs the command for one request; its output is the reply, a failure throws. */
async function runCommand(
  exec: string[],
  port: string,
  msgid: number,
  request: ReadableStream<Uint8Array>,
  oneway: boolean,
): Promise<ReadableStream<Uint8Array> | Uint8Array> {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(exec[0], {
      args: exec.slice(1),
      env: { IPCKIT_MSGID: String(msgid), IPCKIT_PORT: port },
      stdin: "piped",
      stdout: oneway ? "null" : "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    await request.cancel().catch(() => {});
    throw new Error(`cannot run ${exec[0]}: ${(error as Error).message}`);
  }
  running.add(child);
  child.status.finally(() => running.delete(child));
  // Feed the request; a command that does not read all of it is its own business.
  const feeding = request.pipeTo(child.stdin).catch(() => request.cancel().catch(() => {}));
  let tail: Uint8Array = new Uint8Array(0);
  const collecting = (async () => {
    for await (const chunk of child.stderr) {
      const joined = concatBytes([tail, chunk]);
      tail = joined.subarray(Math.max(0, joined.length - TAIL_BYTES));
    }
  })();
  const failed = async (code: number, signal: string | null): Promise<Error> => {
    await collecting.catch(() => {});
    const text = new TextDecoder().decode(tail).trim().split("\n").slice(-5).join(" | ");
    const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
    const message = `${exec[0]} ${how}${text ? `: ${text}` : ""}`;
    writeStderr(`ipckit serve: request ${msgid}: ${message}`);
    return new Error(message);
  };
  if (oneway) {
    const status = await child.status;
    await feeding;
    if (!status.success) throw await failed(status.code, status.signal);
    return new Uint8Array(0);
  }
  // Small replies are collected whole, so a command that fails after printing a little still
  // gives a clean "handler failed"; a large one is streamed as it comes.
  const reader = child.stdout.getReader();
  const head: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    head.push(value);
    size += value.length;
    if (size >= 1024 * 1024) {
      return new ReadableStream<Uint8Array>({
        start(controller) {
          for (const part of head) controller.enqueue(part);
        },
        async pull(controller) {
          const { done, value } = await reader.read();
          if (!done) return controller.enqueue(value);
          const status = await child.status;
          await feeding;
          if (!status.success) controller.error(await failed(status.code, status.signal));
          else controller.close();
        },
        cancel() {
          reader.cancel().catch(() => {});
        },
      });
    }
  }
  const status = await child.status;
  await feeding;
  if (!status.success) throw await failed(status.code, status.signal);
  return concatBytes(head, size);
}

const PRINT_LIMIT = 64 * 1024;

/** Prints a request for people: the text when it is short text, else its size. */
async function printRequest(msgid: number, data: ReadableStream<Uint8Array>): Promise<void> {
  const kept: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of data) {
    size += chunk.length;
    if (size <= PRINT_LIMIT) kept.push(chunk);
  }
  let text: string | undefined;
  if (size <= PRINT_LIMIT) {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(concatBytes(kept, size));
    } catch { /* binary */ }
  }
  // deno-lint-ignore no-control-regex
  if (text !== undefined && !/[\x00-\x08\x0e-\x1f\x7f]/.test(text)) {
    await writeStdout(`[${msgid}] ${text}${text.endsWith("\n") ? "" : "\n"}`);
  } else {
    const what = size <= PRINT_LIMIT ? "binary data" : "data";
    await writeStdout(`[${msgid}] ${size} bytes of ${what}\n`);
  }
}

/** Runs `ipckit serve` until Ctrl-C (or one request with `--once`). */
export async function run(invocation: InvocationOf<typeof spec>): Promise<number> {
  const name = invocation.args[0];
  const options = invocation.options;
  const { concurrency } = options;
  const { createStreamingLocalPort, portNameProblem } = await import("../../lib/ports/mod.ts");
  const problem = portNameProblem(name);
  if (problem) throw new UsageError(problem);
  const exec = invocation.exec;
  if (exec) await checkCommand(`serve ${name}`, exec[0]);
  const once = options.once === true;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => finish = resolve);
  let answered = false;
  const port = await createStreamingLocalPort(name, async (msgid, data, info) => {
    if (once && answered) throw new Error("this port answers one request only (--once)");
    answered = true;
    try {
      if (exec) return await runCommand(exec, name, msgid, data, info.oneway);
      await printRequest(msgid, data);
      return null;
    } finally {
      if (once) queueMicrotask(() => finish());
    }
  }, {
    runtimeDir: invocation.runtimeDir,
    concurrency: once ? 1 : concurrency,
    onInvalidate: () => finish(),
  });
  const stopCleanup = onInterrupt(async () => {
    stopCommands();
    await port.invalidate();
  });
  if (options.readyFile) {
    try {
      await writeReadyFile(options.readyFile);
    } catch (error) {
      // The port goes with the command: no socket is left behind for senders to find.
      stopCleanup();
      await port.invalidate();
      throw error;
    }
  }
  await finished;
  if (once) {
    // Let the reply go out before the port goes away.
    await port.drained();
  }
  stopCleanup();
  stopCommands();
  await port.invalidate();
  return 0;
}
