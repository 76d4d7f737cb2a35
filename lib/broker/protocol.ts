/**
 * The broker's own protocol: the methods its core answers (`daemon.*`, `monitor.*`), its
 * status, the files it keeps in the runtime directory, its idle time, the monitors' files and
 * the on-demand start of a service by its port; the one place the core, its clients and the
 * capabilities plugged into it take them from. Services' methods are in their own `protocol.ts`.
 *
 * @module
 */

/** The methods the broker's core answers itself (every other prefix goes to a service). */
export const BROKER_METHODS = {
  /** `null` → `"pong"`. */
  ping: "daemon.ping",
  /** `null` → {@linkcode BrokerStatus}. */
  status: "daemon.status",
  /** `null` → `{ pid }`, then the broker stops. */
  stop: "daemon.stop",
  /**
   * `{ inbox }` → `{ attached }`: attach a monitor (`ipckit monitor`) until its connection
   * ends; `inbox` is a socket in the runtime directory's monitor folder.
   */
  monitorAttach: "monitor.attach",
} as const;

/** The events the broker's core sends its clients. */
export const BROKER_EVENTS = {
  /** `{ method, size, reply, ms, event, time, error?, dropped? }`: one call it handled, to a monitor. */
  monitorCall: "monitor.broker",
} as const;

/** The broker's answer to `daemon.status`. */
export interface BrokerStatus {
  /** The broker's process id. */
  pid: number;
  /** Seconds since it started. */
  uptimeSeconds: number;
  /** How many clients are connected (the asking one included). */
  connections: number;
  /** The runtime directory it serves. */
  runtimeDir: string;
  /** Its log file. */
  logFile: string;
  /** The protocol version it speaks. */
  protocolVersion: number;
  /** Its ipckit version. */
  version: string;
  /** Seconds of idleness after which it exits (0: never). */
  idleTimeoutSeconds: number;
}

/** The broker's files, relative to the runtime directory. */
export const BROKER_FILES = {
  /** The socket it listens on. */
  socket: "broker.sock",
  /** Held (`flock`) by the running broker for its lifetime: who owns the socket. */
  lock: "broker.lock",
  /** Held by a client while it starts a broker, so that one starts. */
  startLock: "broker.start.lock",
  /** Its log. */
  log: "broker.log",
  /** Written by `daemon stop`, removed by the next broker: clients that lost it wait. */
  stopped: "broker.stopped",
} as const;

/** The default idle time before the broker exits, in seconds (`IPCKIT_IDLE_TIMEOUT`). */
export const DEFAULT_IDLE_TIMEOUT_SECONDS = 300;

// ---------------------------------------------------------------------------------------------
// Monitors (`ipckit monitor`)

/** The file in the runtime directory that lists the attached monitors' inboxes, one a line. */
export const MONITORS_FILE = "monitors";

/** The folder in the runtime directory where monitors listen. */
export const MONITORS_DIR = "monitor";

/** Whether `path` names a file directly in `runtimeDir`'s monitor folder (no `..`, no NUL). */
export function isInboxPath(path: string, runtimeDir: string): boolean {
  const folder = `${runtimeDir}/${MONITORS_DIR}/`;
  if (!path.startsWith(folder)) return false;
  const name = path.slice(folder.length);
  return name !== "" && name !== "." && name !== ".." && !/[/\0\n]/.test(name);
}

// ---------------------------------------------------------------------------------------------
// On-demand start of a service by its port (the launch service answers it)

/**
 * `{ port, timeoutMs }` → `{ label }` once the loaded service that declares `port` serves it.
 * Errors: {@linkcode DEMAND_ERRORS}.
 */
export const DEMAND_METHOD = "launch.demand";

/** The error codes of {@linkcode DEMAND_METHOD}'s replies. */
export const DEMAND_ERRORS = {
  /** No loaded service declares this port. */
  notDeclared: "not-declared",
  /** The service exited or could not be started before it served the port. */
  failed: "failed",
  /** The service did not serve the port in time. */
  timeout: "timeout",
} as const;

/** The directory of the service manager under the runtime directory. */
export const LAUNCH_DIR = "launch";

/**
 * Where markers of declared ports are, under {@linkcode LAUNCH_DIR}: one empty file per port a
 * loaded service declares, named as the port's socket is (without `.sock`), so a sender that
 * finds no port can tell, without a broker, that asking one would help.
 */
export const DECLARED_PORTS_DIR = "ports";
