/**
 * Whether a process lives, for the code that ends or adopts processes (the service manager)
 * and for the tests and attack scripts that watch them.
 *
 * @module
 */

/**
 * Whether a process with this pid exists (a negative pid: a process group). Asks with SIGCONT,
 * which is harmless to a running process (Deno has no signal 0).
 *
 * @example
 * ```ts
 * import { processAlive } from "./_process.ts";
 * console.log(processAlive(Deno.pid)); // true
 * ```
 */
export function processAlive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}
