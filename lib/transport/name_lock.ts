/**
 * Name ownership by `flock`: a name (the broker, a port) belongs to the process that holds an
 * exclusive lock on its lock file. The kernel drops the lock when the process dies, `kill -9`
 * included, so a socket left behind is taken over safely, and of many processes racing for a
 * name exactly one wins.
 *
 * @module
 */

import { sleep } from "../_timer.ts";
import { openOrCreateSync } from "./no_follow.ts";

/** A held name: release it (or exit) to let someone else take it. */
export class NameLock {
  #file: Deno.FsFile;
  #released = false;
  /** The lock file's path. */
  readonly path: string;

  private constructor(path: string, file: Deno.FsFile) {
    this.path = path;
    this.#file = file;
  }

  /**
   * Tries to take the name whose lock file is `path`, without waiting.
   *
   * @returns the held lock, or `null` when another live process holds it.
   */
  static async tryAcquire(path: string): Promise<NameLock | null> {
    // Never through a link (a lock file is in the runtime directory): made exclusively or checked.
    const file = openOrCreateSync(path);
    let locked = false;
    try {
      locked = await file.tryLock(true);
    } finally {
      if (!locked) file.close();
    }
    return locked ? new NameLock(path, file) : null;
  }

  /**
   * Takes the name, waiting up to `timeoutMs` for the holder to let go.
   *
   * @returns the held lock, or `null` at the deadline.
   */
  static async acquire(path: string, timeoutMs: number): Promise<NameLock | null> {
    const deadline = Date.now() + timeoutMs;
    for (let delay = 2;; delay = Math.min(delay * 2, 50)) {
      const lock = await NameLock.tryAcquire(path);
      if (lock || Date.now() >= deadline) return lock;
      await sleep(delay);
    }
  }

  /** Whether the lock is still held by this process. */
  get held(): boolean {
    return !this.#released;
  }

  /** Lets go of the name (the lock file stays, so the next owner locks the same inode). */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    try {
      this.#file.unlockSync();
    } catch { /* closing releases it too */ }
    this.#file.close();
  }

  /** Lets go of the name: {@linkcode release}, under the name every long-lived object has. */
  close(): Promise<void> {
    this.release();
    return Promise.resolve();
  }

  /** Lets go of the name at the end of an `await using` scope ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** `/proc/locks`; through `cat` where Deno's permissions keep `/proc` from being read. */
function readProcLocks(): string {
  try {
    return Deno.readTextFileSync("/proc/locks");
  } catch (error) {
    if (!(error instanceof Deno.errors.NotCapable)) throw error;
  }
  const out = new Deno.Command("cat", { args: ["/proc/locks"], stderr: "null" }).outputSync();
  return new TextDecoder().decode(out.stdout);
}

/**
 * The process that holds the `flock` on `lockPath` (a name's owner: the broker holds
 * `broker.lock` for its lifetime), from the kernel's `/proc/locks`; `undefined` when none does,
 * the file is a link, or this system has no `/proc/locks`.
 */
export function lockHolder(lockPath: string): number | undefined {
  let inode: number | null;
  let text: string;
  try {
    const info = Deno.lstatSync(lockPath);
    if (!info.isFile) return undefined;
    inode = info.ino;
    text = readProcLocks();
  } catch {
    return undefined;
  }
  // "1: FLOCK  ADVISORY  WRITE 1234 00:2a:56789 0 EOF"; a waiter's line has "->" before FLOCK.
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] !== "FLOCK") continue;
    if (Number(fields[5]?.split(":")[2]) === inode) return Number(fields[4]);
  }
  return undefined;
}
