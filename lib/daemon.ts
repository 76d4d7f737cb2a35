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
import { ConnectionClosedError, NotFoundError, ProtocolError } from "./errors.ts";
export { setBrokerCommand } from "./_broker_command.ts";
import { socketPath, startBroker } from "./_broker_call.ts";
export { type BrokerCallOptions, brokerStatus, callBroker } from "./_broker_call.ts";
import { settlesWithin } from "./_timer.ts";
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
