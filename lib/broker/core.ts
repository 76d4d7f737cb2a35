/**
 * The per-user broker: owns `broker.sock` in the runtime directory (by holding `broker.lock`),
 * answers `daemon.*` requests itself and routes every other request to its service by method
 * prefix, and exits after `IPCKIT_IDLE_TIMEOUT` seconds with no client and no busy service.
 *
 * @module
 */

import { NameTakenError, RemoteError } from "../errors.ts";
import { startTimer } from "../_timer.ts";
import type { Connection } from "../transport/connection.ts";
import { listen, type Listener } from "../transport/listener.ts";
import { IPCKIT_VERSION, PROTOCOL_VERSION } from "../transport/protocol.ts";
import { ensureRuntimeDir } from "../transport/runtime_dir.ts";
import type { Value } from "../wire/value.ts";
import { type Logger, openLog } from "./log.ts";
import type { Service, ServiceContext } from "./service.ts";
import { forgetEarlierMonitors, Monitors } from "./monitors.ts";
import {
  BROKER_FILES,
  BROKER_METHODS,
  type BrokerStatus,
  DEFAULT_IDLE_TIMEOUT_SECONDS,
} from "./protocol.ts";

/** Options of {@linkcode startBroker}. */
export interface BrokerOptions {
  /** The runtime directory. @default {resolved as usual} */
  runtimeDir?: string;
  /**
   * Seconds without clients before the broker exits; 0 never exits.
   * @default {IPCKIT_IDLE_TIMEOUT, else 300}
   */
  idleTimeoutSeconds?: number;
  /** Also log to standard error (foreground mode). @default {false} */
  logToStderr?: boolean;
  /** Services besides the built-in `daemon` one. @default {[]} */
  services?: ((context: ServiceContext) => Service)[];
  /** How long to wait for a broker that is exiting to let go of the name. @default {2000} */
  lockWaitMs?: number;
  /**
   * Tells the live ports when monitors attach or detach (`monitors.ts`'s `TellPorts`; the
   * daemon plugs in the ports' own). @default {undefined: ports learn of monitors on opening}
   */
  tellPorts?: (runtimeDir: string, inboxes: readonly string[]) => Promise<void>;
}

/** A running broker. */
export class Broker {
  #listener: Listener;
  #log: Logger;
  #services = new Map<string, Service>();
  #started = Date.now();
  #idleTimeoutMs: number;
  /** Cancels the idle timer (one of {@linkcode startTimer}: an idle time past 24.8 days too). */
  #idleTimer: (() => void) | undefined;
  #stopping: Promise<void> | undefined;
  #resolveDone!: (reason: string) => void;
  /** The attached monitors (`ipckit monitor`), which see every request while attached. */
  #monitors: Monitors;
  /** The runtime directory. */
  readonly runtimeDir: string;
  /** Resolves with the reason once the broker has stopped. */
  readonly done: Promise<string>;

  private constructor(
    runtimeDir: string,
    log: Logger,
    idleTimeoutSeconds: number,
    listener: Listener,
    tellPorts: BrokerOptions["tellPorts"],
  ) {
    this.runtimeDir = runtimeDir;
    this.#log = log;
    this.#idleTimeoutMs = idleTimeoutSeconds * 1000;
    this.#listener = listener;
    this.#monitors = new Monitors(runtimeDir, log, tellPorts);
    this.done = new Promise((resolve) => this.#resolveDone = resolve);
  }

  /**
   * Takes the broker name in the runtime directory and starts serving.
   *
   * @throws {NameTakenError} when another live broker holds it.
   */
  static async start(options: BrokerOptions = {}): Promise<Broker> {
    const runtimeDir = await ensureRuntimeDir({ runtimeDir: options.runtimeDir });
    const idle = options.idleTimeoutSeconds ?? idleTimeoutFromEnv();
    const log = openLog(`${runtimeDir}/${BROKER_FILES.log}`, options.logToStderr);
    // Requests cannot arrive before `broker` is set: accepting needs a turn of the event loop.
    // deno-lint-ignore prefer-const
    let broker: Broker | undefined;
    let listener: Listener;
    try {
      listener = await listen(`${runtimeDir}/${BROKER_FILES.socket}`, {
        lock: `${runtimeDir}/${BROKER_FILES.lock}`,
        lockWaitMs: options.lockWaitMs ?? 2000,
        taken: () => new NameTakenError(`a broker already runs in ${runtimeDir}`),
        onClaimed: () => forgetEarlierMonitors(runtimeDir),
        onRequest: (method, body, connection) =>
          broker!.#monitors.attached
            ? broker!.#monitored(method, body, connection)
            : broker!.#dispatch(method, body, connection),
        onEvent: (method, body, connection) => {
          if (!broker!.#monitors.attached) return broker!.#event(method, body, connection);
          const start = performance.now();
          broker!.#event(method, body, connection);
          const ms = performance.now() - start;
          broker!.#monitors.report(method, body, undefined, ms, undefined, true);
        },
        // Tells clients that one-way events reach the services (an older broker drops them).
        hello: { events: true },
        onConnect: () => broker!.#clientsChanged(),
        onDisconnect: (connection) => broker!.#disconnected(connection),
      });
    } catch (error) {
      if (!(error instanceof NameTakenError)) {
        log.error(
          `cannot listen on ${runtimeDir}/${BROKER_FILES.socket}: ${(error as Error).message}`,
        );
      }
      log.close();
      throw error;
    }
    broker = new Broker(runtimeDir, log, idle, listener, options.tellPorts);
    // Stopped on purpose no longer: clients waiting for a broker (reconnectBroker) come back.
    try {
      Deno.removeSync(`${runtimeDir}/${BROKER_FILES.stopped}`);
    } catch { /* none */ }
    const context: ServiceContext = {
      runtimeDir,
      log,
      busyChanged: () => broker!.#clientsChanged(),
    };
    for (const make of options.services ?? []) {
      const service = make(context);
      broker.#services.set(service.name, service);
    }
    log.info(
      `broker ${IPCKIT_VERSION} (protocol ${PROTOCOL_VERSION}) serving ${runtimeDir}, idle timeout ${idle} s`,
    );
    broker.#clientsChanged();
    return broker;
  }

  /** The status, as `daemon.status` reports it. */
  status(): BrokerStatus {
    return {
      pid: Deno.pid,
      uptimeSeconds: Math.round((Date.now() - this.#started) / 100) / 10,
      connections: this.#listener.connections.size,
      runtimeDir: this.runtimeDir,
      logFile: `${this.runtimeDir}/${BROKER_FILES.log}`,
      protocolVersion: PROTOCOL_VERSION,
      version: IPCKIT_VERSION,
      idleTimeoutSeconds: this.#idleTimeoutMs / 1000,
    };
  }

  /** Stops: says goodbye to every client, lets services persist, removes the socket, lets go of the name. */
  stop(reason: string): Promise<void> {
    this.#stopping ??= (async () => {
      this.#idleTimer?.();
      this.#log.info(`stopping: ${reason}`);
      for (const service of this.#services.values()) {
        try {
          await service.stopping?.();
        } catch (error) {
          this.#log.error(`service ${service.name} failed to stop: ${(error as Error).message}`);
        }
      }
      await this.#listener.close(`the broker is stopping (${reason})`);
      for (const service of this.#services.values()) {
        try {
          await service.close?.();
        } catch (error) {
          this.#log.error(`service ${service.name} failed to close: ${(error as Error).message}`);
        }
      }
      this.#listener.release();
      this.#log.info("stopped");
      this.#log.close();
      this.#resolveDone(reason);
    })();
    return this.#stopping;
  }

  /** Stops the broker: {@linkcode stop}, under the name every long-lived object has. */
  close(): Promise<void> {
    return this.stop("closed");
  }

  /** Stops the broker at the end of an `await using` scope ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** A request handled while a monitor is attached: measured and reported. */
  async #monitored(method: string, body: Value, connection: Connection): Promise<Value> {
    const start = performance.now();
    try {
      const reply = await this.#dispatch(method, body, connection);
      this.#monitors.report(method, body, reply, performance.now() - start, undefined);
      return reply;
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      this.#monitors.report(method, body, undefined, performance.now() - start, message);
      throw error;
    }
  }

  async #dispatch(method: string, body: Value, connection: Connection): Promise<Value> {
    const dot = method.indexOf(".");
    const prefix = dot < 0 ? method : method.slice(0, dot);
    if (prefix === "daemon") return this.#daemon(method);
    if (prefix === "monitor") return await this.#monitors.handle(method, body, connection);
    const service = this.#services.get(prefix);
    if (!service) throw new RemoteError("unknown-method", `the broker has no method ${method}`);
    return await service.handle(method, body, connection);
  }

  /** A client's one-way event goes to the service that answers its prefix (if it takes events). */
  #event(method: string, body: Value, connection: Connection): void {
    const dot = method.indexOf(".");
    this.#services.get(dot < 0 ? method : method.slice(0, dot))?.event?.(method, body, connection);
  }

  #daemon(method: string): Value {
    switch (method) {
      case BROKER_METHODS.ping:
        return "pong";
      case BROKER_METHODS.status: {
        const s = this.status();
        return { ...s };
      }
      case BROKER_METHODS.stop:
        // Answer first, then stop, so the caller hears that it worked.
        setTimeout(() => this.stop("asked to stop"), 0);
        return { pid: Deno.pid };
    }
    throw new RemoteError("unknown-method", `the broker has no method ${method}`);
  }

  #disconnected(connection: Connection): void {
    this.#monitors.disconnected(connection);
    for (const service of this.#services.values()) {
      try {
        service.disconnected?.(connection);
      } catch (error) {
        this.#log.error(`service ${service.name}: ${(error as Error).message}`);
      }
    }
    this.#clientsChanged();
  }

  #clientsChanged(): void {
    this.#idleTimer?.();
    this.#idleTimer = undefined;
    if (this.#stopping || this.#idleTimeoutMs <= 0) return;
    if (this.#listener.connections.size > 0) return;
    if ([...this.#services.values()].some((s) => s.busy?.())) return;
    this.#idleTimer = startTimer(this.#idleTimeoutMs, () => {
      if (this.#listener.connections.size === 0) this.stop("idle");
      else this.#clientsChanged();
    });
  }
}

/** `IPCKIT_IDLE_TIMEOUT` in seconds, or the default. */
export function idleTimeoutFromEnv(): number {
  const text = Deno.env.get("IPCKIT_IDLE_TIMEOUT");
  if (text === undefined || text === "") return DEFAULT_IDLE_TIMEOUT_SECONDS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new RangeError(
      `IPCKIT_IDLE_TIMEOUT must be a number of seconds (0 never exits), not "${text}"`,
    );
  }
  return seconds;
}
