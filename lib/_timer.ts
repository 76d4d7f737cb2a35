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
  // A timer's delay is a 32-bit number of milliseconds: a longer one would fire at once, so it
  // waits in steps. An infinite one never fires.
  if (!(ms < Infinity)) return () => {};
  const step = Math.min(Math.max(0, ms), MAX_TIMER_MS);
  const signal = AbortSignal.timeout(step);
  let cancelNext: (() => void) | undefined;
  const listener = () => {
    if (ms > MAX_TIMER_MS) cancelNext = startTimer(ms - MAX_TIMER_MS, fn);
    else fn();
  };
  signal.addEventListener("abort", listener, { once: true });
  return () => {
    signal.removeEventListener("abort", listener);
    cancelNext?.();
  };
}

/** The longest delay a timer takes in one step: 2^31 − 1 ms, about 24.8 days. */
const MAX_TIMER_MS = 2 ** 31 - 1;

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

/**
 * Calls `fn` after `ms` milliseconds unless cancelled, without keeping the process alive: for
 * deadlines on work that keeps it alive by itself (a socket read awaiting a reply). Built on
 * `Atomics.waitAsync`, whose timeout V8 keeps, so that a command's first timer costs
 * microseconds instead of the millisecond a timeout `AbortSignal` costs cold.
 *
 * @returns a function that cancels the timer.
 */
export function startWatchdog(ms: number, fn: () => void): () => void {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let live = true;
  const fire = (result: string) => {
    if (live && result === "timed-out") {
      live = false;
      fn();
    }
  };
  const wait = Atomics.waitAsync(cell, 0, 0, Math.max(0, ms));
  if (wait.async) wait.value.then(fire);
  else queueMicrotask(() => fire(wait.value)); // a zero timeout answers at once
  return () => {
    if (!live) return;
    live = false;
    Atomics.notify(cell, 0); // wakes the waiter so V8 drops the pending timeout
  };
}
