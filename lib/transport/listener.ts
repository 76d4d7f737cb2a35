/**
 * The accepting side: a Unix-socket listener that shakes hands with every client and keeps
 * track of the live connections. Whoever calls {@linkcode listen} must own the name (hold its
 * {@linkcode NameLock}), since it removes a socket file left behind at the path.
 *
 * @module
 */

import { sleep } from "../_timer.ts";

import { Connection, type ConnectionOptions } from "./connection.ts";
import { checkSocketPath } from "./runtime_dir.ts";

/** Options of {@linkcode listen}. */
export interface ListenOptions extends ConnectionOptions {
  /** Called for each connection once its hello arrived. @default {undefined} */
  onConnect?: (connection: Connection) => void;
  /** Called when a connection closed, for whatever reason. @default {undefined} */
  onDisconnect?: (connection: Connection) => void;
}

/** A listening socket and its connections. */
export class Listener {
  #listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>;
  #options: ListenOptions;
  #connections = new Set<Connection>();
  #closed = false;
  /** The socket's path. */
  readonly path: string;
  /** Resolves when the accept loop has ended. */
  readonly finished: Promise<void>;

  /** Wraps a bound Unix listener; use {@linkcode listen} to make one. */
  constructor(
    path: string,
    listener: Deno.Listener<Deno.UnixConn, Deno.UnixAddr>,
    options: ListenOptions,
  ) {
    this.path = path;
    this.#listener = listener;
    this.#options = options;
    this.finished = this.#acceptLoop();
  }

  /** The live connections. */
  get connections(): ReadonlySet<Connection> {
    return this.#connections;
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      let conn: Deno.UnixConn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (this.#closed || error instanceof Deno.errors.BadResource) return;
        // EMFILE and friends: back off briefly rather than spin or die.
        await sleep(50);
        continue;
      }
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
  }

  /** Stops accepting, says goodbye to every connection, and removes the socket file. */
  async close(reason = "the server is shutting down"): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      // An unref'd listener's pending accept would not keep the process alive until it settles:
      // waiting for the accept loop below could then end the program instead.
      this.#listener.ref();
      this.#listener.close();
    } catch { /* already closed */ }
    await Promise.all(
      [...this.#connections].map((c) => c.close({ code: "shutdown", message: reason })),
    );
    try {
      await Deno.remove(this.path);
    } catch { /* gone already */ }
    await this.finished;
  }

  /** Closes the listener at the end of an `await using` scope ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Lets the listener stop keeping the process alive (connections still do while held). */
  unref(): void {
    this.#listener.unref();
  }
}

/**
 * Listens on a Unix socket at `path`, replacing a socket file left there by a dead owner.
 * The caller must own the name.
 */
export async function listen(path: string, options: ListenOptions = {}): Promise<Listener> {
  checkSocketPath(path);
  try {
    const info = await Deno.lstat(path);
    if (info.isDirectory) {
      throw new Deno.errors.AlreadyExists(`${path} is a directory, not a socket`);
    }
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  const listener = Deno.listen({ transport: "unix", path });
  return new Listener(path, listener, options);
}
