/**
 * Timers for programs over ipckit (its command line among them): the ones its own paths use,
 * which load none of Node's timer modules and take delays beyond the 24.8 days of a plain timer.
 *
 * @example Stop waiting after five seconds
 * ```ts
 * import { sleep, startTimer } from "./timer.ts";
 * const cancel = startTimer(5000, () => console.log("gave up"));
 * await sleep(10);
 * cancel();
 * ```
 *
 * @module
 */

export { sleep, startTimer } from "./_timer.ts";
