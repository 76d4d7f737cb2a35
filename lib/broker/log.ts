/**
 * The broker's log: `broker.log` in the runtime directory, one timestamped line per event,
 * also on standard error when the broker runs in the foreground. A log over 1 MiB at start is
 * moved aside to `broker.log.1`. A link planted at `broker.log` is replaced, never appended
 * through.
 *
 * @module
 */

import { openAppendSync } from "../transport/no_follow.ts";

/** Writes log lines. */
export interface Logger {
  /** Logs an ordinary event. */
  info(message: string): void;
  /** Logs a failure. */
  error(message: string): void;
  /** Closes the log file. */
  close(): void;
}

const MAX_LOG_BYTES = 1024 * 1024;

/**
 * Opens the log file for appending.
 *
 * @param path the log file.
 * @param toStderr whether lines also go to standard error. @default {false}
 */
export function openLog(path: string, toStderr = false): Logger {
  try {
    if (Deno.lstatSync(path).size > MAX_LOG_BYTES) Deno.renameSync(path, `${path}.1`);
  } catch { /* no log yet */ }
  const file = openAppendSync(path);
  const encoder = new TextEncoder();
  let open = true;
  function write(level: string, message: string): void {
    const line = encoder.encode(
      `${new Date().toISOString()} [${Deno.pid}] ${level} ${message}\n`,
    );
    if (open) {
      try {
        file.writeSync(line);
      } catch { /* a full disk must not take the broker down */ }
    }
    if (toStderr) {
      try {
        Deno.stderr.writeSync(line);
      } catch { /* no stderr */ }
    }
  }
  return {
    info: (message) => write("info", message),
    error: (message) => write("error", message),
    close() {
      if (!open) return;
      open = false;
      file.close();
    },
  };
}
