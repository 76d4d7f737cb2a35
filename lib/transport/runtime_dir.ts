/**
 * The runtime directory: where the broker's socket, the ports' sockets, the lock files and the
 * state files live. `$IPCKIT_RUNTIME_DIR`, else `$XDG_RUNTIME_DIR/ipckit`, else `/tmp/ipckit-<uid>`.
 * It must be a real directory (not a symlink), owned by this user, with no access for group or
 * others, in a parent no other user can write to (unless the parent is sticky, as `/tmp` is:
 * then others cannot rename or replace what is ours); ipckit refuses anything else and says
 * how to fix it. Inside it, files are never opened through links ({@linkcode ./no_follow.ts}).
 *
 * @module
 */

import { fileErrorReason, RuntimeDirError } from "../errors.ts";

/** Options of {@linkcode resolveRuntimeDir} and {@linkcode ensureRuntimeDir}. */
export interface RuntimeDirOptions {
  /** An explicit directory (`--runtime-dir`); wins over the environment. @default {undefined} */
  runtimeDir?: string;
}

/** Where the runtime directory is, without touching the file system. */
export function resolveRuntimeDir(options: RuntimeDirOptions = {}): string {
  if (options.runtimeDir) return options.runtimeDir;
  const env = Deno.env.get("IPCKIT_RUNTIME_DIR");
  if (env) return env;
  const xdg = Deno.env.get("XDG_RUNTIME_DIR");
  if (xdg) return `${xdg}/ipckit`;
  return `/tmp/ipckit-${Deno.uid() ?? "user"}`;
}

/**
 * Resolves the runtime directory, creates it with mode 0700 when missing, and checks it.
 *
 * @returns its path.
 * @throws {RuntimeDirError} when it is a symlink, not a directory, not ours, or open to others.
 */
export async function ensureRuntimeDir(options: RuntimeDirOptions = {}): Promise<string> {
  const dir = resolveRuntimeDir(options);
  let info: Deno.FileInfo | undefined;
  try {
    // Synchronous: every command does this first, and a cold async call costs twice as much.
    info = Deno.lstatSync(dir);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw refusedRuntimeDir(dir, error);
  }
  if (!info) {
    await createPrivate(dir);
    info = await Deno.lstat(dir);
  }
  checkInfo(dir, info);
  return dir;
}

async function createPrivate(dir: string): Promise<void> {
  try {
    await Deno.mkdir(dir, { mode: 0o700 });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return; // a racing process made it
    if (!(error instanceof Deno.errors.NotFound)) throw cannotCreate(dir, error);
    // A missing parent: create the parents as usual, the directory itself private.
    const parent = dir.replace(/\/[^/]+\/?$/, "");
    try {
      if (parent && parent !== dir) await Deno.mkdir(parent, { recursive: true });
      await Deno.mkdir(dir, { mode: 0o700 });
    } catch (again) {
      if (!(again instanceof Deno.errors.AlreadyExists)) throw cannotCreate(dir, again);
    }
  }
}

/**
 * The error for a runtime directory that could not be used at all (lstat, mkdir or a socket in
 * it failed): what is wrong with it, and to set another.
 *
 * @param error the file system's error, kept as `cause`.
 */
export function refusedRuntimeDir(dir: string, error: unknown): RuntimeDirError {
  return new RuntimeDirError(
    `cannot use the runtime directory ${dir}: ${
      fileErrorReason(error)
    }; set IPCKIT_RUNTIME_DIR or --runtime-dir to a private directory of yours`,
    { cause: error },
  );
}

function cannotCreate(dir: string, error: unknown): RuntimeDirError {
  return new RuntimeDirError(
    `cannot create the runtime directory ${dir}: ${
      fileErrorReason(error)
    }; set IPCKIT_RUNTIME_DIR or --runtime-dir to a directory you own`,
    { cause: error },
  );
}

/**
 * Checks an existing runtime directory with `lstat`: a directory, not a symlink, owned by this
 * user, mode without group or other bits.
 *
 * @throws {RuntimeDirError} saying what is wrong and how to fix it.
 */
export async function checkRuntimeDir(dir: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(dir);
  } catch (error) {
    throw refusedRuntimeDir(dir, error);
  }
  checkInfo(dir, info);
}

/**
 * {@linkcode checkRuntimeDir} for a command that only connects (a sender, `tell`): in a
 * directory another user owns, that user could serve any name and read what is sent. One that
 * is not there holds nobody to connect to, which connecting then says.
 *
 * @throws {RuntimeDirError} saying what is wrong and how to fix it.
 */
export async function checkRuntimeDirIfThere(dir: string): Promise<void> {
  try {
    await checkRuntimeDir(dir);
  } catch (error) {
    if (!((error as Error).cause instanceof Deno.errors.NotFound)) throw error;
  }
}

function checkInfo(dir: string, info: Deno.FileInfo): void {
  const fix = "or set IPCKIT_RUNTIME_DIR to a private directory of yours";
  if (info.isSymlink) {
    throw new RuntimeDirError(
      `refusing the runtime directory ${dir}: it is a symlink (someone could point it anywhere); remove it (rm ${dir}) ${fix}`,
    );
  }
  if (!info.isDirectory) {
    throw new RuntimeDirError(
      `refusing the runtime directory ${dir}: it is not a directory; remove it ${fix}`,
    );
  }
  const uid = Deno.uid();
  if (uid !== null && info.uid !== uid) {
    throw new RuntimeDirError(
      `refusing the runtime directory ${dir}: it belongs to uid ${info.uid}, not to you (uid ${uid}); ${
        fix.replace(/^or /, "")
      }`,
    );
  }
  const mode = (info.mode ?? 0) & 0o777;
  if (mode & 0o077) {
    throw new RuntimeDirError(
      `refusing the runtime directory ${dir}: its mode is ${
        mode.toString(8).padStart(3, "0")
      }, open to other users; run chmod 700 ${dir} ${fix}`,
    );
  }
  checkParent(dir, uid, fix);
}

/**
 * Checks the runtime directory's parent: whoever can write to it can rename the runtime
 * directory away and put one of their own (with links in it) in its place. It must belong to
 * this user or root, and be writable by no one else unless it is sticky (like `/tmp`).
 */
function checkParent(dir: string, uid: number | null, fix: string): void {
  const trimmed = dir.replace(/\/+$/, "");
  const at = trimmed.lastIndexOf("/");
  const parent = at < 0 ? "." : at === 0 ? "/" : trimmed.slice(0, at);
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(parent);
  } catch (error) {
    throw refusedRuntimeDir(dir, error);
  }
  const mode = info.mode ?? 0;
  const sticky = (mode & 0o1000) !== 0;
  if (uid !== null && info.uid !== uid && info.uid !== 0) {
    throw new RuntimeDirError(
      `refusing the runtime directory ${dir}: its parent ${parent} belongs to uid ${info.uid}, who could replace it; ${
        fix.replace(/^or /, "")
      }`,
    );
  }
  if ((mode & 0o022) !== 0 && !sticky) {
    throw new RuntimeDirError(
      `refusing the runtime directory ${dir}: its parent ${parent} (mode ${
        (mode & 0o777).toString(8).padStart(3, "0")
      }) can be written by other users, who could replace it; run chmod go-w ${parent} (or chmod +t ${parent}) ${fix}`,
    );
  }
}

/** The longest Unix socket path Linux accepts (108 bytes including the terminating NUL). */
export const MAX_SOCKET_PATH = 107;

/**
 * Checks that a socket path fits the kernel's limit.
 *
 * @throws {RuntimeDirError} naming the limit and the way out.
 */
export function checkSocketPath(path: string): void {
  const bytes = new TextEncoder().encode(path).length;
  if (bytes > MAX_SOCKET_PATH) {
    throw new RuntimeDirError(
      `the socket path ${path} is ${bytes} bytes, over the ${MAX_SOCKET_PATH} that Unix sockets allow; use a shorter runtime directory (IPCKIT_RUNTIME_DIR)`,
    );
  }
}
