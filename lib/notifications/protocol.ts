/**
 * The bodies of the broker's `notify.*` requests, shared by the client library
 * ({@linkcode ./notifications.ts}) and the command line's one-shot calls, which load only this.
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";
import { encodeValue } from "../wire/msgpack.ts";
import { type Dictionary, isDictionary, UInt64, UINT64_MAX, type Value } from "../wire/value.ts";

/** What a posted notification carries besides its name. */
export interface PostFields {
  /** The object: observers that name one get only notifications for it. @default {null} */
  object?: string | null;
  /** Typed values that travel with the notification. @default {null} */
  userInfo?: Dictionary | null;
  /**
   * Deliver even to suspended or full observers, flushing what they hold first (as
   * `CFNotificationCenterPostNotification`'s `deliverImmediately`). @default {false}
   */
  deliverImmediately?: boolean;
  /** Also set the name's state to this value first (`notifyutil -s` then `-p`). @default {undefined} */
  state?: bigint | number;
}

/** The longest notification name, in characters. */
export const MAX_NAME_LENGTH = 1024;

/** Throws a `TypeError` unless `name` is a notification name (1 to 1,024 characters). */
export function checkName(name: string): void {
  if (typeof name !== "string" || name === "") {
    throw new TypeError("a notification name must be a non-empty string");
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new TypeError(`a notification name is at most ${MAX_NAME_LENGTH} characters`);
  }
}

/** A state value as the wire's uint64; a `RangeError` when it is out of range. */
export function toUInt64(value: bigint | number | UInt64): UInt64 {
  if (value instanceof UInt64) return value;
  if (typeof value === "number" && !Number.isSafeInteger(value)) {
    throw new RangeError(`a state is an integer in 0…${UINT64_MAX}, not ${value}`);
  }
  const big = BigInt(value);
  if (big < 0n || big > UINT64_MAX) {
    throw new RangeError(`a state is an integer in 0…${UINT64_MAX}, not ${big}`);
  }
  return new UInt64(big);
}

/** The body of a `notify.post` request. */
export function postBody(name: string, options: PostFields): Dictionary {
  checkName(name);
  const body: Dictionary = { n: name, o: options.object ?? null, u: null };
  if (options.userInfo !== undefined && options.userInfo !== null) {
    if (!isDictionary(options.userInfo)) {
      throw new TypeError("userInfo must be a dictionary (a plain object of Values)");
    }
    body.u = encodeValue(options.userInfo);
  }
  if (options.deliverImmediately) body.i = true;
  if (options.state !== undefined) body.s = toUInt64(options.state);
  return body;
}

/** The state in the answer to `notify.state.get`. */
export function stateOf(reply: Value): bigint {
  if (!(reply instanceof UInt64)) throw new ProtocolError("the broker answered no uint64 state");
  return reply.value;
}
