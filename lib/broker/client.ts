/**
 * Reaching the broker with a connection that stays: connect to it, starting it first when
 * none runs; reconnect after losing it; stop it.
 *
 * @module
 */

import { BROKER_FILES, BROKER_METHODS } from "./protocol.ts";
export type { BrokerStatus } from "./protocol.ts";
import { ConnectionClosedError, NotFoundError, TimeoutError } from "../errors.ts";
export { setBrokerCommand } from "./command.ts";
import { reachBroker, silentBroker, socketPath } from "./once.ts";
export { type BrokerCallOptions, brokerStatus, callBroker } from "./once.ts";
import { settlesWithin, sleep } from "../_timer.ts";
import { type ConnectOptions, connectTo } from "../transport/connect.ts";
import type { Connection } from "../transport/connection.ts";
import { lockHolder, NameLock } from "../transport/name_lock.ts";
import { ensureRuntimeDir } from "../transport/runtime_dir.ts";
import type { Value } from "../wire/value.ts";

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
  return await reachBroker(dir, options, async () => {
    try {
      return await connectTo(socketPath(dir), connectionOptions);
    } catch (error) {
      // Waiting for its hello is the only timer here: the broker took the connection, silent.
      if (error instanceof TimeoutError) {
        throw silentBroker(dir, connectionOptions.helloTimeoutMs ?? 5000, error);
      }
      throw error;
    }
  }, (error) =>
    // A broker that exits just as we connect closes on us: retry once, through a start.
    error instanceof NotFoundError || error instanceof ConnectionClosedError);
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
 * The marker `daemon stop` leaves in the runtime directory: the broker was stopped on purpose,
 * and clients that lost it do not start it again; the next broker to start removes it.
 */
const STOPPED = BROKER_FILES.stopped;

/** Whether the broker of runtime directory `dir` was stopped on purpose and none started since. */
export function stoppedOnPurpose(dir: string): boolean {
  try {
    Deno.lstatSync(`${dir}/${STOPPED}`);
    return true;
  } catch {
    return false;
  }
}

/** Options of {@linkcode reconnectBroker} and {@linkcode waitWhileStopped}. */
export interface ReconnectOptions extends BrokerClientOptions {
  /** Gives up waiting (the wait then ends, and reconnectBroker rejects). @default {never} */
  signal?: AbortSignal;
  /** How often to look for a new broker while waiting, in milliseconds. @default {100} */
  pollMs?: number;
}

/**
 * Waits while the broker of `dir` is stopped on purpose (`ipckit daemon stop`): until some
 * other command starts a broker (which removes the marker) or `signal` aborts. Returns at once
 * when it was not stopped on purpose.
 */
export async function waitWhileStopped(
  dir: string,
  options: { signal?: AbortSignal; pollMs?: number } = {},
): Promise<void> {
  while (stoppedOnPurpose(dir) && !options.signal?.aborted) await sleep(options.pollMs ?? 100);
}

/**
 * Connects again for a long-lived client that lost its broker (observers and `listen`, `paste
 * --watch`): the one reconnect path they share. A broker that crashed or exited is started
 * again, as {@linkcode connectBroker} does; a broker stopped on purpose (`ipckit daemon stop`)
 * is not: this waits until a new command has started one, then connects to it. The caller
 * then registers again what it had and reports the gap.
 *
 * @throws {ConnectionClosedError} when `signal` aborted the wait.
 */
export async function reconnectBroker(options: ReconnectOptions = {}): Promise<Connection> {
  const dir = await ensureRuntimeDir({ runtimeDir: options.runtimeDir });
  for (;;) {
    await waitWhileStopped(dir, options);
    if (options.signal?.aborted) throw new ConnectionClosedError("gave up waiting for a broker");
    try {
      // Stopped again just now: connecting must not start it.
      return await connectBroker({ ...options, autostart: !stoppedOnPurpose(dir) });
    } catch (error) {
      if (!(error instanceof NotFoundError) || !stoppedOnPurpose(dir)) throw error;
    }
  }
}

/** Marks the broker of `dir` as stopped on purpose (a new file renamed over the marker). */
async function markStopped(dir: string): Promise<void> {
  const temp = await Deno.makeTempFile({ dir, prefix: `${STOPPED}.` });
  try {
    await Deno.rename(temp, `${dir}/${STOPPED}`);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/**
 * Stops the running broker and waits until it has let go of its socket. It stays stopped:
 * clients that lose it (observers, `listen`, `paste --watch`) wait for a broker instead of
 * starting one, until a new command starts one ({@linkcode reconnectBroker}). A broker that
 * does not answer (stopped, stuck) is ended by signals: SIGTERM, then SIGKILL after 5 s.
 *
 * @returns the stopped broker's process id, or `null` when none ran.
 */
export async function stopBroker(options: BrokerClientOptions = {}): Promise<number | null> {
  const dir = await ensureRuntimeDir({ runtimeDir: options.runtimeDir });
  let connection: Connection | null;
  try {
    connection = await connectRunning(options);
  } catch (error) {
    if (!(error instanceof TimeoutError)) throw error;
    // It took the connection but says nothing (stopped, stuck): end it as launchd ends a job
    // that does not exit, by SIGTERM, then SIGKILL.
    const pid = lockHolder(`${dir}/${BROKER_FILES.lock}`);
    if (pid === undefined || pid === Deno.pid) throw error;
    await markStopped(dir);
    await endProcess(pid, `${dir}/${BROKER_FILES.lock}`);
    return pid;
  }
  if (!connection) return null;
  // Before the broker goes, so that no client that sees it go starts it again.
  await markStopped(dir);
  let reply: Value;
  try {
    reply = await connection.request(BROKER_METHODS.stop, null, { timeoutMs: 5000 });
  } catch (error) {
    await Deno.remove(`${dir}/${STOPPED}`).catch(() => {});
    await connection.close();
    throw error;
  }
  await settlesWithin(connection.closed, 5000);
  await connection.close();
  // The socket goes before the name lock; wait for the lock so a new broker can start at once.
  const lock = await NameLock.acquire(`${dir}/${BROKER_FILES.lock}`, 5000);
  lock?.release();
  return (reply as { pid: number }).pid;
}

/**
 * Ends process `pid`, which holds `lockPath`: SIGTERM (and SIGCONT, so that a stopped process
 * gets it), then SIGKILL if it still holds the lock after 5 s; resolves once the lock is free.
 */
async function endProcess(pid: number, lockPath: string): Promise<void> {
  const signal = (name: Deno.Signal) => {
    try {
      Deno.kill(pid, name);
    } catch { /* gone already */ }
  };
  signal("SIGTERM");
  signal("SIGCONT");
  const lock = await NameLock.acquire(lockPath, 5000);
  if (lock) return lock.release();
  signal("SIGKILL");
  (await NameLock.acquire(lockPath, 5000))?.release();
}
