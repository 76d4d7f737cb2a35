/**
 * The one-shot calls of notifications: each is one request to the broker on a connection of
 * its own, opened and closed around it (starting the broker when none runs), with none of the
 * center's machinery. What a command that posts or reads a state and exits loads (`ipckit
 * post`, `ipckit state`); a program that posts often keeps a {@linkcode ./center.ts
 * NotificationCenter} instead, whose posts are ordered and go straight to the observers.
 *
 * @module
 */

import { callBroker } from "../broker/once.ts";
import { NotFoundError } from "../errors.ts";
import type { Value } from "../wire/value.ts";
import {
  type NameState,
  NOTIFY_METHODS,
  postBody,
  type PostFields,
  readStateList,
  stateGetBody,
  stateOf,
  stateSetBody,
} from "./protocol.ts";

export type { NameState };

/** Options of the one-shot calls. */
export interface OnceOptions {
  /** The runtime directory. @default {IPCKIT_RUNTIME_DIR, else XDG_RUNTIME_DIR/ipckit, else /tmp/ipckit-UID} */
  runtimeDir?: string;
}

/** Options of {@linkcode postOnce}. */
export interface PostOnceOptions extends OnceOptions, PostFields {}

/**
 * Posts a distributed notification in one request of its own (`notifyutil -p`).
 *
 * @example
 * ```ts ignore
 * import { postOnce } from "./once.ts";
 * await postOnce("com.example.backup.done", { object: "nightly", userInfo: { files: 1200n } });
 * ```
 *
 * @throws {TypeError} when the name is empty or userInfo is not a dictionary of Values.
 * @throws {RangeError} when `state` is not in 0…2⁶⁴−1.
 */
export async function postOnce(name: string, options: PostOnceOptions = {}): Promise<void> {
  const body = postBody(name, options);
  await callBroker(NOTIFY_METHODS.post, body, { runtimeDir: options.runtimeDir });
}

/** The 64-bit state of a notification name, in one request of its own; 0 when never set. */
export async function getStateOnce(name: string, options: OnceOptions = {}): Promise<bigint> {
  const body = stateGetBody(name);
  return stateOf(
    await callBroker(NOTIFY_METHODS.stateGet, body, { runtimeDir: options.runtimeDir }),
  );
}

/**
 * Sets the 64-bit state of a notification name in one request of its own; it is saved under
 * the runtime directory before this resolves.
 *
 * @throws {RangeError} when the value is not in 0…2⁶⁴−1.
 */
export async function setStateOnce(
  name: string,
  value: bigint | number,
  options: OnceOptions = {},
): Promise<void> {
  const body = stateSetBody(name, value);
  await callBroker(NOTIFY_METHODS.stateSet, body, { runtimeDir: options.runtimeDir });
}

/**
 * Lists every notification name that has a state (was given one with
 * {@linkcode setStateOnce} or a center's `setState`), sorted by name. A broker is never started just to look: with none
 * running, the list is empty.
 *
 * @example
 * ```ts ignore
 * import { listStates } from "./once.ts";
 * for (const { name, state } of await listStates()) console.log(name, state);
 * ```
 *
 * @throws {ProtocolError} when the broker answers something else than a list.
 */
export async function listStates(options: OnceOptions = {}): Promise<NameState[]> {
  let reply: Value;
  try {
    reply = await callBroker(NOTIFY_METHODS.stateList, null, {
      runtimeDir: options.runtimeDir,
      autostart: false,
    });
  } catch (error) {
    if (error instanceof NotFoundError) return [];
    throw error;
  }
  return readStateList(reply);
}
