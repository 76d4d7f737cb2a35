/**
 * Reaching the broker: connect to it, starting it first when none runs (the way D-Bus
 * autolaunch and launchd's on-demand start work), ask its status, stop it.
 *
 * The broker is started detached (`deno run <permissions> lib/broker/main.ts`, null stdio,
 * unref'd); the client waits for its socket with a deadline, and a broker that fails to start
 * is a {@linkcode BrokerStartError} carrying the end of `broker.log`, never a hang. Concurrent
 * clients serialize their start attempts on `broker.start.lock`, so exactly one broker starts.
 *
 * @module
 */

import type { BrokerStatus } from "./broker/broker.ts";
import { BrokerStartError, ConnectionClosedError, NotFoundError, ProtocolError } from "./errors.ts";
import { PERMISSIONS } from "./permissions.ts";
import { brokerCommandOverride } from "./_broker_command.ts";
export { setBrokerCommand } from "./_broker_command.ts";
import { settlesWithin, sleep } from "./_timer.ts";
import { type ConnectOptions, connectTo } from "./transport/connect.ts";
import type { Connection } from "./transport/connection.ts";
import { NameLock } from "./transport/name_lock.ts";
import { ensureRuntimeDir } from "./transport/runtime_dir.ts";

export type { BrokerStatus };

/** Options of {@linkcode connectBroker} and the other broker calls. */
export interface BrokerClientOptions {
  /** The runtime directory. @default {IPCKIT_RUNTIME_DIR, else XDG_RUNTIME_DIR/ipckit, else /tmp/ipckit-UID} */
  runtimeDir?: string;
  /** Start a broker when none runs. @default {true} */
  autostart?: boolean;
  /** How long to wait for a starting broker's socket, in milliseconds. @default {10000} */
  startTimeoutMs?: number;
  /** Options for the connection (handlers for the broker's requests and events, limits). */
  connection?: ConnectOptions;
}

function brokerCommand(runtimeDir: string): string[] {
  const entry = brokerCommandOverride() ?? [new URL("./broker/main.ts", import.meta.url).href];
  return ["run", "--quiet", "--no-config", ...PERMISSIONS, ...entry, "--runtime-dir", runtimeDir];
}

function socketPath(dir: string): string {
  return `${dir}/broker.sock`;
}

/**
 * Connects to the broker of the runtime directory, starting one when none runs (unless
 * `autostart` is false). The connection does not keep the program alive while idle.
 *
 * @throws {NotFoundError} when none runs and `autostart` is false.
 * @throws {BrokerStartError} when one could not be started; the message carries its log.
 * @throws {ProtocolError} when the broker speaks another protocol version.
 */
export async function connectBroker(options: BrokerClientOptions = {}): Promise<Connection> {
  const dir = await ensureRuntimeDir({ runtimeDir: options.runtimeDir });
  const connectionOptions: ConnectOptions = { unrefWhenIdle: true, ...options.connection };
  for (let attempt = 0;; attempt++) {
    try {
      return await connectTo(socketPath(dir), connectionOptions);
    } catch (error) {
      // A broker that exits just as we connect closes on us: retry once, through a start.
      const retry = error instanceof NotFoundError ||
        (error instanceof ConnectionClosedError && attempt === 0);
      if (!retry || error instanceof ProtocolError) throw error;
      if (options.autostart === false) {
        throw new NotFoundError(`no broker is running (runtime directory ${dir})`, {
          cause: error,
        });
      }
      if (attempt > 0) throw error;
    }
    await startBroker(dir, options.startTimeoutMs ?? 10_000);
  }
}

/**
 * Starts a broker in `dir` unless one runs, and waits until it accepts connections.
 *
 * @throws {BrokerStartError} with the log's tail when it does not come up in time.
 */
async function startBroker(dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const startLock = await NameLock.acquire(`${dir}/broker.start.lock`, timeoutMs);
  if (!startLock) {
    throw new BrokerStartError(
      `another client has been starting the broker in ${dir} for over ${timeoutMs} ms; see ${dir}/broker.log`,
    );
  }
  try {
    if (await answers(dir)) return; // someone else started it while we waited
    const logPath = `${dir}/broker.log`;
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
    return (await Deno.stat(path)).size;
  } catch {
    return 0;
  }
}

async function logTail(path: string, from: number): Promise<string> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch {
    return `; it wrote no log (${path})`;
  }
  const fresh = new TextDecoder().decode(new TextEncoder().encode(text).subarray(from)).trim();
  const lines = (fresh || text.trim()).split("\n").slice(-10);
  return `; the end of ${path}:\n${lines.join("\n")}`;
}

/** Connects to the running broker, or returns `null` when none runs (never starts one). */
async function connectRunning(options: BrokerClientOptions): Promise<Connection | null> {
  try {
    return await connectBroker({ ...options, autostart: false });
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}

/**
 * The status of the running broker, or `null` when none runs (this never starts one).
 *
 * @example
 * ```ts
 * import { brokerStatus } from "./daemon.ts";
 * const status = await brokerStatus();
 * console.log(status ? `broker pid ${status.pid}` : "no broker");
 * ```
 */
export async function brokerStatus(
  options: BrokerClientOptions = {},
): Promise<BrokerStatus | null> {
  const connection = await connectRunning(options);
  if (!connection) return null;
  try {
    return await connection.request("daemon.status", null, {
      timeoutMs: 5000,
    }) as unknown as BrokerStatus;
  } finally {
    await connection.close();
  }
}

/**
 * Stops the running broker and waits until it has let go of its socket.
 *
 * @returns the stopped broker's process id, or `null` when none ran.
 */
export async function stopBroker(options: BrokerClientOptions = {}): Promise<number | null> {
  const connection = await connectRunning(options);
  if (!connection) return null;
  const reply = await connection.request("daemon.stop", null, { timeoutMs: 5000 });
  await settlesWithin(connection.closed, 5000);
  await connection.close();
  const dir = await ensureRuntimeDir({ runtimeDir: options.runtimeDir });
  // The socket goes before the name lock; wait for the lock so a new broker can start at once.
  const lock = await NameLock.acquire(`${dir}/broker.lock`, 5000);
  lock?.release();
  return (reply as { pid: number }).pid;
}
