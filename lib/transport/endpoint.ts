/**
 * The endpoint: a name's lock, its socket and the accept loop, written once for all that
 * listens (the broker, ports, vendors, notification inboxes, monitors). Each accepted socket
 * goes to the caller as it is, to wrap in whatever it speaks.
 *
 * @module
 */

import { NameTakenError } from "../errors.ts";
import { sleep } from "../_timer.ts";
import { NameLock } from "./name_lock.ts";
import { checkSocketPath } from "./runtime_dir.ts";

/** Options of {@linkcode openEndpoint}. */
export interface EndpointOptions {
  /**
   * The lock file whose `flock` owns the name: the socket is bound only once it is held, and a
   * socket a dead owner left is then taken over. Without one, the path must be the caller's
   * alone (a fresh random name). @default {undefined}
   */
  lock?: string;
  /** Milliseconds to wait for a live holder of the lock to let go; 0 tries once. @default {0} */
  lockWaitMs?: number;
  /** Runs once the name is held, before the socket is bound. @default {undefined} */
  onClaimed?: () => unknown;
  /** The error thrown when another live process holds the name. @default {a NameTakenError} */
  taken?: () => Error | Promise<Error>;
}

/** A bound socket, the name's lock if it has one, and its accept loop; see {@linkcode openEndpoint}. */
export class Endpoint {
  #listener: Deno.UnixListener;
  #lock: NameLock | undefined;
  #closed = false;
  #accepting: Promise<void> = Promise.resolve();
  #closing: Promise<void> | undefined;
  /** The socket's path. */
  readonly path: string;

  /** @internal Use {@linkcode openEndpoint}. */
  constructor(path: string, listener: Deno.UnixListener, lock: NameLock | undefined) {
    this.path = path;
    this.#listener = listener;
    this.#lock = lock;
  }

  /** Whether it stopped accepting. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /**
   * Starts accepting: `onAccept` takes each socket as it comes, until {@linkcode close}.
   * Clients that connect before this wait in the socket's backlog.
   */
  accept(onAccept: (conn: Deno.UnixConn) => void): void {
    this.#accepting = this.#acceptLoop(onAccept);
  }

  async #acceptLoop(onAccept: (conn: Deno.UnixConn) => void): Promise<void> {
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
      if (this.#closed) {
        conn.close();
        return;
      }
      onAccept(conn);
    }
  }

  /**
   * Stops accepting and removes the socket; the name stays held until {@linkcode release}, so
   * its owner can finish what the next owner must find. Resolves once the accept loop ended.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#closed = true;
    try {
      // An unref'd listener's pending accept would not keep the process alive until it
      // settles: waiting for the accept loop could then end the program instead.
      this.#listener.ref();
      this.#listener.close();
    } catch { /* closed already */ }
    // Deno unlinks a Unix listener's socket once its pending accept has settled: wait for that
    // before the name is let go, or it could unlink the next owner's socket.
    await this.#accepting;
    try {
      await Deno.remove(this.path);
    } catch { /* gone already */ }
  }

  /** Lets go of the name (after {@linkcode close}); without a lock, does nothing. */
  release(): void {
    this.#lock?.release();
  }

  /** Closes and lets go of the name at the end of an `await using` scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
    this.release();
  }

  /** Lets the endpoint keep the process alive (the default), or not. */
  ref(wanted = true): void {
    if (wanted) this.#listener.ref();
    else this.#listener.unref();
  }
}

/**
 * Takes the name (when `lock` is given) and binds a Unix socket at `path`, replacing a socket
 * file left there; call {@linkcode Endpoint.accept} to start accepting.
 *
 * @throws {NameTakenError} (or what `taken` returns) when another live process holds the name.
 *
 * @example
 * ```ts
 * import { openEndpoint } from "./endpoint.ts";
 * const dir = await Deno.makeTempDir();
 * await using endpoint = await openEndpoint(`${dir}/x.sock`, { lock: `${dir}/x.lock` });
 * endpoint.accept((conn) => conn.close());
 * ```
 */
export async function openEndpoint(
  path: string,
  options: EndpointOptions = {},
): Promise<Endpoint> {
  checkSocketPath(path);
  let lock: NameLock | undefined;
  if (options.lock !== undefined) {
    lock = await NameLock.acquire(options.lock, options.lockWaitMs ?? 0) ?? undefined;
    if (!lock) {
      throw options.taken
        ? await options.taken()
        : new NameTakenError(`another process serves ${path}; stop it first`);
    }
  }
  try {
    await options.onClaimed?.();
    try {
      const info = await Deno.lstat(path);
      if (info.isDirectory) {
        throw new Deno.errors.AlreadyExists(
          `${path} is a directory where a socket goes; remove it (rmdir ${path}) and try again`,
        );
      }
      await Deno.remove(path); // a socket left by a dead owner: ours now
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return new Endpoint(path, Deno.listen({ transport: "unix", path }), lock);
  } catch (error) {
    lock?.release();
    throw error;
  }
}
