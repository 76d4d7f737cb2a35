/**
 * Timers for the paths every command runs. In Deno 2.9 the global `setTimeout` is Node's and
 * its first use loads Node's timer modules, about 10 ms of start-up; a timeout `AbortSignal`
 * does not. Its timer keeps the process alive only while someone listens, so cancelling (taking
 * the listener away) lets a program end at once, as `clearTimeout` would.
 *
 * @module
 */

/**
 * Calls `fn` after `ms` milliseconds unless cancelled.
 *
 * @returns a function that cancels the timer.
 */
export function startTimer(ms: number, fn: () => void): () => void {
  const signal = AbortSignal.timeout(Math.max(0, ms));
  const listener = () => fn();
  signal.addEventListener("abort", listener, { once: true });
  return () => signal.removeEventListener("abort", listener);
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => startTimer(ms, resolve));
}

/**
 * Waits for `promise`, but at most `ms` milliseconds (the timer goes away as soon as the promise
 * settles, so it keeps nothing alive).
 *
 * @returns whether the promise settled in time.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let cancel = () => {};
  const timedOut = new Promise<boolean>((resolve) => cancel = startTimer(ms, () => resolve(false)));
  try {
    return await Promise.race([promise.then(() => true, () => true), timedOut]);
  } finally {
    cancel();
  }
}
