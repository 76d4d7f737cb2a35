/**
 * The pieces every command shares: writing to standard output (a closed pipe ends the command
 * quietly), reading data from an argument, a file or standard input, `--ready-file`, splitting
 * the command line at `--exec`, and Ctrl-C cleanup.
 *
 * @module
 */

import { ExitError, UsageError } from "./_errors.ts";
import { fileErrorReason } from "../lib/errors.ts";
import { writeFileReplacing } from "../lib/transport/no_follow.ts";
import { concatBytes } from "../lib/wire/bytes.ts";

/** Thrown when standard output was closed by the reader (`ipckit … | head -1`). */
export class StdoutClosed extends Error {
  constructor() {
    super("standard output is closed");
    this.name = "StdoutClosed";
  }
}

const encoder = new TextEncoder();

/**
 * Writes text or bytes to standard output, all of it; a closed pipe throws
 * {@linkcode StdoutClosed}. Up to a pipe's worth (64 KiB) goes out with blocking calls: most
 * commands print that little, once, and a first asynchronous write costs a command about half a
 * millisecond of start-up; a standard output that would block falls back to waiting.
 */
export async function writeStdout(data: string | Uint8Array): Promise<void> {
  let bytes = typeof data === "string" ? encoder.encode(data) : data;
  try {
    if (bytes.length <= 64 * 1024) {
      try {
        while (bytes.length > 0) bytes = bytes.subarray(Deno.stdout.writeSync(bytes));
      } catch (error) {
        if (!(error instanceof Deno.errors.WouldBlock)) throw error;
      }
    }
    while (bytes.length > 0) bytes = bytes.subarray(await Deno.stdout.write(bytes));
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) throw new StdoutClosed();
    throw error;
  }
}

/** Writes one line to standard error (never throws). */
export function writeStderr(line: string): void {
  try {
    Deno.stderr.writeSync(encoder.encode(line.endsWith("\n") ? line : `${line}\n`));
  } catch { /* nowhere to say it */ }
}

/**
 * The most bytes a command reads whole, to parse (a typed value, a script, a definition): more
 * is an endless device or pipe (`/dev/zero`, `yes |`), which would fill the memory.
 */
export const MAX_WHOLE_INPUT = 64 * 1024 * 1024;

/** All of `readable`, or undefined once it holds more than {@linkcode MAX_WHOLE_INPUT} bytes. */
async function readWhole(readable: ReadableStream<Uint8Array>): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of readable) {
    size += chunk.length;
    if (size > MAX_WHOLE_INPUT) return undefined; // leaving the loop cancels the stream
    chunks.push(chunk);
  }
  return concatBytes(chunks, size);
}

const TOO_LARGE = `it holds over ${
  MAX_WHOLE_INPUT / 1024 / 1024
} MiB, more than ipckit reads whole`;

/**
 * Reads all of standard input, to parse.
 *
 * @throws {ExitError} exit 1 past {@linkcode MAX_WHOLE_INPUT} bytes.
 */
export async function readStdin(): Promise<Uint8Array> {
  const whole = await readWhole(Deno.stdin.readable);
  if (whole) return whole;
  throw new ExitError(1, `cannot read standard input: ${TOO_LARGE}; give a smaller one`);
}

/**
 * Opens a file for reading, refusing a directory (which `Deno.open` opens without complaint).
 *
 * @throws what `Deno.open` throws, or `Deno.errors.IsADirectory`.
 */
export async function openForReading(path: string): Promise<Deno.FsFile> {
  const file = await Deno.open(path, { read: true });
  try {
    if ((await file.stat()).isDirectory) throw new Deno.errors.IsADirectory(path);
    return file;
  } catch (error) {
    file.close();
    throw error;
  }
}

/**
 * Opens a file the user named on the command line, for reading. Every command opens the files
 * it is given through this (or {@linkcode readUserFile}), so they all fail the same way: one
 * line that names the option and the file and says why, as
 * `cannot read --user-info-yaml config.yaml: no such file or directory`.
 *
 * @param path the file, as given.
 * @param what the option or argument that named it, as `"--file"`.
 * @throws {ExitError} exit 1 with that line when it cannot be opened or is a directory.
 */
export async function openUserFile(path: string, what: string): Promise<Deno.FsFile> {
  try {
    return await openForReading(path);
  } catch (error) {
    throw new ExitError(1, `cannot read ${what} ${path}: ${fileErrorReason(error)}`);
  }
}

/**
 * Reads all of an open file, up to {@linkcode MAX_WHOLE_INPUT} bytes.
 *
 * @param failure what the error line starts with, as `"cannot send data.json"`.
 * @throws {ExitError} exit 1, `failure: it holds over 64 MiB…`, past that.
 */
export async function readWholeFile(file: Deno.FsFile, failure: string): Promise<Uint8Array> {
  const whole = await readWhole(file.readable);
  if (whole) return whole;
  throw new ExitError(1, `${failure}: ${TOO_LARGE} (an endless device?)`);
}

/**
 * Reads all of a file the user named on the command line; `-` is standard input. Fails as
 * {@linkcode openUserFile} does.
 *
 * @param path the file, as given, or `-`.
 * @param what the option or argument that named it, as `"--user-info-yaml"`.
 */
export async function readUserFile(path: string, what: string): Promise<Uint8Array> {
  if (path === "-") return await readStdin();
  const file = await openUserFile(path, what);
  let whole: Uint8Array | undefined;
  try {
    whole = await readWhole(file.readable);
  } catch (error) {
    throw new ExitError(1, `cannot read ${what} ${path}: ${fileErrorReason(error)}`);
  }
  if (whole) return whole;
  throw new ExitError(1, `cannot read ${what} ${path}: ${TOO_LARGE} (an endless device?)`);
}

/**
 * Creates the `--ready-file`: written whole to a new file made exclusively under an
 * unpredictable name beside it (mode 0600) and renamed, so a script that waits for it never
 * sees it half-written, and a link planted at either name (in a shared `/tmp`) is replaced,
 * never written through. It holds the process id.
 *
 * @throws {ExitError} exit 1 with one line saying why it cannot be written.
 */
export async function writeReadyFile(path: string): Promise<void> {
  try {
    await writeFileReplacing(path, `${Deno.pid}\n`);
  } catch (error) {
    throw new ExitError(1, `cannot write --ready-file ${path}: ${fileErrorReason(error)}`);
  }
}

/**
 * Splits a command line at the first `--exec`: what comes before, and the command after it
 * (dashes included, like `find -exec`). Nothing is split after a `--`.
 *
 * @throws {UsageError} when `--exec` has no command after it.
 */
export function splitExec(argv: string[]): { argv: string[]; exec?: string[] } {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--") break;
    if (argv[i] === "--exec") {
      const exec = argv.slice(i + 1);
      if (exec.length === 0) {
        throw new UsageError("--exec needs a command after it, as in --exec jq .");
      }
      return { argv: argv.slice(0, i), exec };
    }
  }
  return { argv };
}

const cleanups = new Set<() => unknown>();
const signalHandlers: [Deno.Signal, () => void][] = [];

async function interrupted(code: number): Promise<never> {
  for (const cleanup of [...cleanups]) {
    try {
      await cleanup();
    } catch { /* keep cleaning */ }
  }
  Deno.exit(code);
}

/**
 * Runs `cleanup` if the user presses Ctrl-C (SIGINT) or the command is sent SIGTERM, then exits
 * with 130 (143 for SIGTERM). Returns a function that unregisters it; with nothing registered,
 * the signals have their default effect again.
 */
export function onInterrupt(cleanup: () => unknown): () => void {
  cleanups.add(cleanup);
  if (signalHandlers.length === 0) {
    signalHandlers.push(["SIGINT", () => interrupted(130)], ["SIGTERM", () => interrupted(143)]);
    for (const [signal, handler] of signalHandlers) Deno.addSignalListener(signal, handler);
  }
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size > 0) return;
    for (const [signal, handler] of signalHandlers.splice(0)) {
      Deno.removeSignalListener(signal, handler);
    }
  };
}
