/**
 * The accepting side: an {@linkcode Endpoint} whose sockets speak the transport's connection;
 * it shakes hands with every client and keeps track of the live connections.
 *
 * @module
 */

import { Connection, type ConnectionOptions } from "./connection.ts";
import { type Endpoint, type EndpointOptions, openEndpoint } from "./endpoint.ts";

/** Options of {@linkcode listen}. */
export interface ListenOptions extends ConnectionOptions, EndpointOptions {
  /** Called for each connection once its hello arrived. @default {undefined} */
  onConnect?: (connection: Connection) => void;
  /** Called when a connection closed, for whatever reason. @default {undefined} */
  onDisconnect?: (connection: Connection) => void;
}

/** A listening socket and its connections. */
export class Listener {
  #endpoint: Endpoint;
  #options: ListenOptions;
  #connections = new Set<Connection>();
  #closing: Promise<void> | undefined;
  /** The socket's path. */
  readonly path: string;

  /** Serves the endpoint's connections; use {@linkcode listen} to make one. */
  constructor(endpoint: Endpoint, options: ListenOptions) {
    this.path = endpoint.path;
    this.#endpoint = endpoint;
    this.#options = options;
    endpoint.accept((conn) => this.#accepted(conn));
  }

  /** The live connections. */
  get connections(): ReadonlySet<Connection> {
    return this.#connections;
  }

  #accepted(conn: Deno.UnixConn): void {
    const connection = new Connection(conn, true, this.#options);
    this.#connections.add(connection);
    const helloSeen = connection.ready.then(() => true, () => false);
    helloSeen.then((ok) => {
      if (ok) this.#options.onConnect?.(connection);
    });
    connection.closed.then(async () => {
      this.#connections.delete(connection);
      if (await helloSeen) this.#options.onDisconnect?.(connection);
    });
  }

  /**
   * Stops accepting, says goodbye to every connection, and removes the socket file. A name
   * taken with `lock` stays held until {@linkcode release}.
   */
  close(reason = "the server is shutting down"): Promise<void> {
    this.#closing ??= (async () => {
      const stopped = this.#endpoint.close();
      await Promise.all(
        [...this.#connections].map((c) => c.close({ code: "shutdown", message: reason })),
      );
      await stopped;
    })();
    return this.#closing;
  }

  /** Lets go of the name taken with `lock` (after {@linkcode close}). */
  release(): void {
    this.#endpoint.release();
  }

  /** Closes the listener and lets go of its name at the end of an `await using` scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
    this.release();
  }

  /** Lets the listener stop keeping the process alive (connections still do while held). */
  unref(): void {
    this.#endpoint.ref(false);
  }
}

/**
 * Listens on a Unix socket at `path` ({@linkcode openEndpoint}: with `lock`, once the name is
 * held; a socket file left there is replaced) and speaks the transport's connection on each
 * accepted socket.
 *
 * @throws {NameTakenError} when `lock` is given and another live process holds the name.
 */
export async function listen(path: string, options: ListenOptions = {}): Promise<Listener> {
  return new Listener(await openEndpoint(path, options), options);
}
