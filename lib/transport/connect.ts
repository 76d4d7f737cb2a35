/**
 * The connecting side: opens a Unix socket and shakes hands.
 *
 * @module
 */

import { ConnectionClosedError, NotFoundError } from "../errors.ts";
import { Connection, type ConnectionOptions } from "./connection.ts";
import { checkSocketPath } from "./runtime_dir.ts";

/**
 * Connects to the socket at `path` and completes the hello handshake.
 *
 * @throws {NotFoundError} when nothing listens there.
 * @throws {ProtocolError} when the other side speaks another protocol version.
 */
export async function connectTo(
  path: string,
  options: ConnectionOptions = {},
): Promise<Connection> {
  checkSocketPath(path);
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path });
  } catch (error) {
    if (
      error instanceof Deno.errors.NotFound || error instanceof Deno.errors.ConnectionRefused
    ) {
      throw new NotFoundError(`nothing listens on ${path}`, { cause: error });
    }
    throw new ConnectionClosedError(`cannot connect to ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const connection = new Connection(conn, false, options);
  await connection.ready;
  return connection;
}
