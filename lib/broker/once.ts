/**
 * The one-shot calls to the broker: one request on a connection of its own
 * ({@linkcode callBroker}), its status, and starting it when none runs. What a command that
 * asks one thing and exits (`post`, `state`, `daemon status`) loads, instead of the connection
 * machinery of {@linkcode ./client.ts}.
 *
 * @module
 */

import { BROKER_FILES, BROKER_METHODS, type BrokerStatus } from "./protocol.ts";
import { BrokerStartError, NotFoundError, TimeoutError } from "../errors.ts";
import { PERMISSIONS } from "../permissions.ts";
import { brokerCommandOverride } from "./command.ts";
import { sleep } from "../_timer.ts";
import { callOnce, closedBeforeHello, silentBeforeHello } from "../transport/call.ts";
import { lockHolder, NameLock } from "../transport/name_lock.ts";
import { readFileNoFollow } from "../transport/no_follow.ts";
import { ensureRuntimeDir } from "../transport/runtime_dir.ts";
import type { Value } from "../wire/value.ts";

function brokerCommand(runtimeDir: string): string[] {
  const entry = brokerCommandOverride() ?? [new URL("../daemon/main.ts", import.meta.url).href];
  return ["run", "--quiet", "--no-config", ...PERMISSIONS, ...entry, "--runtime-dir", runtimeDir];
}

/** The broker's socket in the runtime directory `dir`. */
export function socketPath(dir: string): string {
  return `${dir}/${BROKER_FILES.socket}`;
}

/** Milliseconds a broker has to say hello before a one-shot call gives up on it. */
const HELLO_TIMEOUT_MS = 5000;

/**
 * The error for a broker that took the connection but did not say hello within `ms`
 * milliseconds (stopped, stuck): which broker, and what to do.
 */
export function silentBroker(dir: string, ms: number, cause: unknown): TimeoutError {
  const pid = lockHolder(`${dir}/${BROKER_FILES.lock}`);
  const which = pid === undefined ? "the broker" : `the broker (pid ${pid})`;
  const resume = pid === undefined ? "kill -CONT" : `kill -CONT ${pid}`;
  return new TimeoutError(
    `${which} in ${dir} did not answer within ${
      ms / 1000
    } s: it is stopped or stuck; resume it (${resume}) or end it (ipckit daemon stop), and the next command starts a new one`,
    { cause },
  );
}

/** Options of {@linkcode callBroker}. */
export interface BrokerCallOptions {
  /** The runtime directory. @default {IPCKIT_RUNTIME_DIR, else XDG_RUNTIME_DIR/ipckit, else /tmp/ipckit-UID} */
  runtimeDir?: string;
  /** Start a broker when none runs. @default {true} */
  autostart?: boolean;
  /** How long to wait for a starting broker's socket, in milliseconds. @default {10000} */
  startTimeoutMs?: number;
  /** Milliseconds to wait for the answer; 0 waits forever. @default {0} */
  timeoutMs?: number;
}

/**
 * Sends one request to the broker on a connection of its own, opened and closed around it,
 * starting the broker when none runs (unless `autostart` is false). For a program that asks
 * one thing and exits, this is quicker than {@linkcode connectBroker}: one round trip and no
 * connection object; for several requests, keep a connection instead.
 *
 * @throws {NotFoundError} when none runs and `autostart` is false.
 * @throws {RemoteError} when the broker answered with an error.
 * @throws {BrokerStartError} when one could not be started; the message carries its log.
 */
export async function callBroker(
  method: string,
  body: Value = null,
  options: BrokerCallOptions = {},
): Promise<Value> {
  const dir = await ensureRuntimeDir({ runtimeDir: options.runtimeDir });
  return await reachBroker(dir, options, async () => {
    try {
      return await callOnce(socketPath(dir), method, body, {
        timeoutMs: options.timeoutMs,
        helloTimeoutMs: HELLO_TIMEOUT_MS,
      });
    } catch (error) {
      if (silentBeforeHello(error)) throw silentBroker(dir, HELLO_TIMEOUT_MS, error);
      throw error;
    }
  }, (error) =>
    // As in connectBroker: nothing listens, or a broker exiting just then closed on us
    // before it said hello, so before it could handle the request.
    error instanceof NotFoundError || closedBeforeHello(error));
}

/**
 * Runs `attempt` on the broker of `dir`; when it fails as `absent` says one fails with no
 * broker there, starts one (unless `autostart` is false: a {@linkcode NotFoundError}) and runs
 * it once more. The start-and-retry of {@linkcode callBroker} and
 * {@linkcode ./client.ts connectBroker}.
 *
 * @internal
 */
export async function reachBroker<T>(
  dir: string,
  options: { autostart?: boolean; startTimeoutMs?: number },
  attempt: () => Promise<T>,
  absent: (error: unknown) => boolean,
): Promise<T> {
  for (let tries = 0;; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (!absent(error) || tries > 0) throw error;
      if (options.autostart === false) {
        throw new NotFoundError(`no broker is running (runtime directory ${dir})`, {
          cause: error,
        });
      }
    }
    await startBroker(dir, options.startTimeoutMs ?? 10_000);
  }
}

/**
 * Starts a broker in `dir` unless one runs (for {@linkcode ./client.ts connectBroker} too), and
 * waits until it accepts connections. It starts detached (`deno run <permissions>
 * lib/daemon/main.ts`, null stdio, unref'd); concurrent clients serialize on
 * `broker.start.lock`, so exactly one starts.
 *
 * @throws {BrokerStartError} with the log's tail when it does not come up in time.
 */
export async function startBroker(dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const startLock = await NameLock.acquire(`${dir}/${BROKER_FILES.startLock}`, timeoutMs);
  if (!startLock) {
    throw new BrokerStartError(
      `another client has been starting the broker in ${dir} for over ${timeoutMs} ms; see ${dir}/${BROKER_FILES.log}`,
    );
  }
  try {
    if (await answers(dir)) return; // someone else started it while we waited
    const logPath = `${dir}/${BROKER_FILES.log}`;
    const logStart = await fileSize(logPath);
    const child = new Deno.Command(Deno.execPath(), {
      args: brokerCommand(dir),
      cwd: "/",
      stdin: "null",
      stdout: "null",
      stderr: "null",
      detached: true,
    }).spawn();
    child.unref();
    let exited: Deno.CommandStatus | undefined;
    child.status.then((status) => exited = status);
    for (let delay = 5;; delay = Math.min(delay * 2, 50)) {
      if (await answers(dir)) return;
      if (exited && !(await answers(dir))) {
        throw new BrokerStartError(
          `the broker exited with code ${exited.code} while starting${await logTail(
            logPath,
            logStart,
          )}`,
        );
      }
      if (Date.now() > deadline) {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
        throw new BrokerStartError(
          `the broker did not start within ${timeoutMs} ms${await logTail(logPath, logStart)}`,
        );
      }
      await sleep(delay);
    }
  } finally {
    startLock.release();
  }
}

async function answers(dir: string): Promise<boolean> {
  try {
    const conn = await Deno.connect({ transport: "unix", path: socketPath(dir) });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await Deno.lstat(path)).size;
  } catch {
    return 0;
  }
}

async function logTail(path: string, from: number): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await readFileNoFollow(path);
  } catch {
    return `; it wrote no log (${path})`;
  }
  const decoder = new TextDecoder();
  const fresh = decoder.decode(bytes.subarray(from)).trim();
  const lines = (fresh || decoder.decode(bytes).trim()).split("\n").slice(-10);
  return `; the end of ${path}:\n${lines.join("\n")}`;
}

/**
 * The status of the running broker, or `null` when none runs (this never starts one).
 *
 * @example
 * ```ts
 * import { brokerStatus } from "./client.ts";
 * const status = await brokerStatus();
 * console.log(status ? `broker pid ${status.pid}` : "no broker");
 * ```
 */
export async function brokerStatus(
  options: { runtimeDir?: string } = {},
): Promise<BrokerStatus | null> {
  try {
    return await callBroker(BROKER_METHODS.status, null, {
      runtimeDir: options.runtimeDir,
      autostart: false,
      timeoutMs: 5000,
    }) as unknown as BrokerStatus;
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}
