/**
 * Debug traces on standard error, when `IPCKIT_DEBUG` is set: for following what a long-running
 * client does when things go wrong (reconnects, retries). Silent otherwise.
 *
 * @module
 */

let enabled: boolean | undefined;
const encoder = new TextEncoder();

/** Writes one trace line to standard error when `IPCKIT_DEBUG` is set. */
export function debug(component: string, message: string): void {
  enabled ??= (() => {
    try {
      return !!Deno.env.get("IPCKIT_DEBUG");
    } catch {
      return false;
    }
  })();
  if (!enabled) return;
  try {
    Deno.stderr.writeSync(
      encoder.encode(`ipckit debug ${new Date().toISOString()} ${component}: ${message}\n`),
    );
  } catch { /* no stderr */ }
}
