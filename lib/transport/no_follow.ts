/**
 * Files in the runtime directory (and a `--ready-file`), opened and written without following
 * symbolic links, wherever a link comes from. Deno has no `O_NOFOLLOW`, so:
 *
 * - a file is written whole to a new file created exclusively under a random name beside it
 *   (`O_CREAT|O_EXCL`, mode 0600: never through a link, never someone else's file), then renamed
 *   into place (a rename replaces a link there, it does not follow it);
 * - an existing file is checked with `lstat` before it is opened (a regular file, not a link, so
 *   opening cannot block on a FIFO or reach a device) and after (the opened file's device and
 *   inode are those `lstat` finds at the path, which differ when a link was swapped in);
 * - a directory is checked with `lstat`: a real directory, not a link to one.
 *
 * A link where ipckit's own file or directory should be is refused with a
 * {@linkcode RuntimeDirError} that names it and says to remove it.
 *
 * @module
 */

import { RuntimeDirError } from "../errors.ts";

/** Options of {@linkcode writeFileReplacing} and {@linkcode writeFileReplacingSync}. */
export interface WriteReplacingOptions {
  /** Where the temporary file is made; it must be on the same file system. @default {the file's directory} */
  tempDir?: string;
  /** The new file's mode. @default {0o600} */
  mode?: number;
}

/** The directory part of a path (`.` for a bare name). */
function dirOf(path: string): string {
  const at = path.lastIndexOf("/");
  return at < 0 ? "." : at === 0 ? "/" : path.slice(0, at);
}

function refused(path: string, found: string, wanted = "file"): RuntimeDirError {
  return new RuntimeDirError(
    `refusing ${path}: it is ${found} where ipckit keeps a ${wanted} of its own (a link could point anywhere); remove it and try again`,
  );
}

/** Checks what `lstat` says is at `path` before it is opened as a file. */
function checkFileInfo(path: string, info: Deno.FileInfo): void {
  if (info.isSymlink) throw refused(path, "a symbolic link");
  if (!info.isFile) throw refused(path, info.isDirectory ? "a directory" : "a special file");
}

/** Checks that `file`, opened at `path`, is what is at `path` now; closes it otherwise. */
function checkOpened(path: string, file: Deno.FsFile, opened: Deno.FileInfo): Deno.FsFile {
  let now: Deno.FileInfo;
  try {
    now = Deno.lstatSync(path);
  } catch (error) {
    file.close();
    throw error;
  }
  if (now.isSymlink || now.ino !== opened.ino || now.dev !== opened.dev) {
    file.close();
    throw refused(path, "a symbolic link");
  }
  return file;
}

/** Checks a file just opened at `path` (see {@linkcode checkOpened}). */
function verifySync(path: string, file: Deno.FsFile): Deno.FsFile {
  let opened: Deno.FileInfo;
  try {
    opened = file.statSync();
  } catch (error) {
    file.close();
    throw error;
  }
  return checkOpened(path, file, opened);
}

/**
 * Makes the directory `path` (mode 0700; its parent must exist) unless it is there, and checks
 * it is a real directory, not a link to one.
 *
 * @throws {RuntimeDirError} when a link or a file is there.
 */
export function ensureDirSync(path: string): void {
  try {
    Deno.mkdirSync(path, { mode: 0o700 });
    return;
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  const info = Deno.lstatSync(path);
  if (info.isSymlink) throw refused(path, "a symbolic link", "directory");
  if (!info.isDirectory) throw refused(path, "not a directory", "directory");
}

/**
 * Opens an existing regular file for reading, never through a link.
 *
 * @throws {Deno.errors.NotFound} when there is nothing at `path`.
 * @throws {RuntimeDirError} when a link or anything but a regular file is there.
 */
export function openReadSync(path: string): Deno.FsFile {
  checkFileInfo(path, Deno.lstatSync(path));
  const file = Deno.openSync(path, { read: true });
  return verifySync(path, file);
}

/** {@linkcode openReadSync}, without blocking on the open. */
export async function openRead(path: string): Promise<Deno.FsFile> {
  checkFileInfo(path, Deno.lstatSync(path));
  const file = await Deno.open(path, { read: true });
  let opened: Deno.FileInfo;
  try {
    opened = await file.stat();
  } catch (error) {
    file.close();
    throw error;
  }
  return checkOpened(path, file, opened);
}

/** Reads a whole regular file, never through a link (see {@linkcode openRead}). */
export async function readFileNoFollow(path: string): Promise<Uint8Array> {
  using file = await openRead(path);
  return new Uint8Array(await new Response(file.readable).arrayBuffer());
}

/** Reads a whole regular file as UTF-8 text, never through a link (see {@linkcode openRead}). */
export async function readTextNoFollow(path: string): Promise<string> {
  return new TextDecoder().decode(await readFileNoFollow(path));
}

/** Reads a whole regular file synchronously, never through a link. */
export function readFileNoFollowSync(path: string): Uint8Array {
  using file = openReadSync(path);
  const size = file.statSync().size;
  const out = new Uint8Array(size);
  let got = 0;
  while (got < size) {
    const n = file.readSync(out.subarray(got));
    if (n === null) break;
    got += n;
  }
  return got === size ? out : out.subarray(0, got);
}

/**
 * Creates a new file exclusively (`O_CREAT|O_EXCL`: never through a link, never an existing
 * file) under a random name in `dir`.
 *
 * @returns its path and the open file (for writing).
 */
function createExclusiveSync(
  dir: string,
  suffix = ".tmp",
  mode = 0o600,
): { path: string; file: Deno.FsFile } {
  for (let attempt = 0;; attempt++) {
    const path = `${dir}/.${crypto.randomUUID()}${suffix}`;
    try {
      return { path, file: Deno.openSync(path, { write: true, createNew: true, mode }) };
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists) || attempt > 8) throw error;
    }
  }
}

/**
 * Writes `data` to a new file made exclusively under a random name in `dir` (see
 * {@linkcode createExclusiveSync}); removes it again when the write fails (a full disk).
 *
 * @returns its path.
 */
export function writeExclusiveSync(
  dir: string,
  data: Uint8Array,
  suffix = ".tmp",
  mode = 0o600,
): string {
  const { path, file } = createExclusiveSync(dir, suffix, mode);
  try {
    try {
      for (let at = 0; at < data.length;) at += file.writeSync(data.subarray(at));
    } finally {
      file.close();
    }
  } catch (error) {
    try {
      Deno.removeSync(path);
    } catch { /* not there */ }
    throw error;
  }
  return path;
}

function bytesOf(data: Uint8Array | string): Uint8Array {
  return typeof data === "string" ? new TextEncoder().encode(data) : data;
}

/**
 * Writes `path` whole: to a new file made exclusively beside it (or in `tempDir`), then renamed
 * over `path`. Whatever was at `path`, a link included, is replaced, never written through; a
 * reader never sees a half-written file.
 */
export function writeFileReplacingSync(
  path: string,
  data: Uint8Array | string,
  options: WriteReplacingOptions = {},
): void {
  const temp = writeExclusiveSync(
    options.tempDir ?? dirOf(path),
    bytesOf(data),
    ".tmp",
    options.mode,
  );
  try {
    Deno.renameSync(temp, path);
  } catch (error) {
    try {
      Deno.removeSync(temp);
    } catch { /* not there */ }
    throw error;
  }
}

/** {@linkcode writeFileReplacingSync}, with the data written without blocking. */
export async function writeFileReplacing(
  path: string,
  data: Uint8Array | string,
  options: WriteReplacingOptions = {},
): Promise<void> {
  const temp = `${options.tempDir ?? dirOf(path)}/.${crypto.randomUUID()}.tmp`;
  await writeNewFile(temp, bytesOf(data), options.mode);
  try {
    await Deno.rename(temp, path);
  } catch (error) {
    await Deno.remove(temp).catch(() => {});
    throw error;
  }
}

/**
 * Opens a file for appending (a log), never through a link: made exclusively when missing; a
 * link or anything but a regular file found there is replaced by a new empty file (renamed over
 * it, so whatever it pointed at is untouched).
 */
export function openAppendSync(path: string): Deno.FsFile {
  try {
    return Deno.openSync(path, { append: true, createNew: true, mode: 0o600 });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  const info = Deno.lstatSync(path);
  if (!info.isFile) writeFileReplacingSync(path, new Uint8Array());
  const file = Deno.openSync(path, { append: true });
  return verifySync(path, file);
}

/**
 * Writes a new file at `path`, which must not exist (`O_CREAT|O_EXCL`: never through a link);
 * removes it again when the write fails (a full disk).
 */
export async function writeNewFile(path: string, data: Uint8Array, mode = 0o600): Promise<void> {
  const file = await Deno.open(path, { write: true, createNew: true, mode });
  try {
    try {
      for (let at = 0; at < data.length;) at += await file.write(data.subarray(at));
    } finally {
      file.close();
    }
  } catch (error) {
    await Deno.remove(path).catch(() => {});
    throw error;
  }
}

/**
 * Checks that `path` is a regular file itself, not a link to one (before it is hard-linked or
 * handed to another process to open).
 *
 * @throws {RuntimeDirError} when a link or anything but a regular file is there.
 */
export function checkRegularFileSync(path: string): Deno.FileInfo {
  const info = Deno.lstatSync(path);
  checkFileInfo(path, info);
  return info;
}

/**
 * Opens a file for reading and writing (a lock file), never through a link: made exclusively
 * when missing, else checked before and after opening as {@linkcode openReadSync} does.
 *
 * @throws {RuntimeDirError} when a link or anything but a regular file is there.
 */
export function openOrCreateSync(path: string): Deno.FsFile {
  try {
    return Deno.openSync(path, { read: true, write: true, createNew: true, mode: 0o600 });
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  checkFileInfo(path, Deno.lstatSync(path));
  const file = Deno.openSync(path, { read: true, write: true });
  return verifySync(path, file);
}
