/**
 * The connecting side: opens a Unix socket and shakes hands.
 *
 * @module
 */

import { openSocket } from "./call.ts";
import { Connection, type ConnectionOptions } from "./connection.ts";

/** Options of {@linkcode connectTo}. */
export interface ConnectOptions extends ConnectionOptions {
  /**
   * Wait for the other side's hello before returning. Without waiting, the first requests go
   * out right behind our hello, saving a round trip; a version mismatch then fails them
   * instead of the connect. @default {true}
   */
  waitForHello?: boolean;
}

/**
 * Connects to the socket at `path` and completes the hello handshake.
 *
 * @throws {NotFoundError} when nothing listens there.
 * @throws {ProtocolError} when the other side speaks another protocol version.
 */
export async function connectTo(
  path: string,
  options: ConnectOptions = {},
): Promise<Connection> {
  const conn = await openSocket(path);
  const wait = options.waitForHello ?? true;
  // Not waiting, the caller's own request timeouts cover a silent peer: no extra timer.
  const connection = new Connection(
    conn,
    false,
    wait ? options : { helloTimeoutMs: 0, ...options },
  );
  if (wait) await connection.ready;
  return connection;
}
