/**
 * What a broker service looks like. The broker routes each request by the part of its method
 * before the first dot (`notify.post` goes to the `notify` service) and tells every service
 * when a client goes away, so it can drop that client's subscriptions and names.
 *
 * @module
 */

import type { Connection } from "../transport/connection.ts";
import type { Value } from "../wire/value.ts";
import type { Logger } from "./log.ts";

/** What the broker hands each service. */
export interface ServiceContext {
  /** The runtime directory (state files go under it). */
  readonly runtimeDir: string;
  /** The broker's log. */
  readonly log: Logger;
  /** Tells the broker that what {@linkcode Service.busy} answers may have changed. */
  readonly busyChanged?: () => void;
}

/** A broker service. */
export interface Service {
  /** The method prefix it answers (`"daemon"` answers `daemon.status`). */
  readonly name: string;
  /** Answers a request; throw a {@linkcode RemoteError} for an expected failure. */
  handle(method: string, body: Value, connection: Connection): Value | Promise<Value>;
  /**
   * Takes a client's one-way event (no reply; a failure is the service's to report, e.g. as an
   * event back on the connection).
   */
  event?(method: string, body: Value, connection: Connection): void;
  /** A client went away. */
  disconnected?(connection: Connection): void;
  /** Whether the service needs the broker to stay up even with no client connected. */
  busy?(): boolean;
  /**
   * The broker is about to stop, its clients still connected: let go of any connection the
   * service holds to the broker itself (it would reconnect, starting a new broker).
   */
  stopping?(): Promise<void> | void;
  /** The broker is stopping: persist what must survive. */
  close?(): Promise<void> | void;
}
