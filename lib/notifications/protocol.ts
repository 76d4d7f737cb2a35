/**
 * The broker's `notify.*` protocol: its methods and events, each body's fields and their
 * builders and readers, and the limits; the one place both ends (the client library, the
 * command line's one-shot calls, the broker's service) take them from. The hot frames are
 * written by hand in `_frames.ts`.
 *
 * @module
 */

import { ProtocolError } from "../errors.ts";
import { encodeValue } from "../wire/msgpack.ts";
import { type Dictionary, isDictionary, UInt64, UINT64_MAX, type Value } from "../wire/value.ts";

/** The requests of the `notify` service (client → broker). */
export const NOTIFY_METHODS = {
  /**
   * {@linkcode postBody} `{ n, o, u, i?, s? }`, numbered by a center `{ p, q }`, with whom it
   * reached straight `{ d?, f?, g? }` → how many observers it was offered to. Also a one-way
   * event, answered only by a {@linkcode NOTIFY_EVENTS.error} when refused.
   */
  post: "notify.post",
  /** `{ i, n, o, x }` (observer id, names and globs, object, inbox) → `{ t, s }` once every poster knows of it. */
  observe: "notify.observe",
  /** `{ i }` → `null`: the observer goes. */
  cancel: "notify.cancel",
  /** `{ p }` (the poster's id) → `{ c, r, e }`: its center number, every route, its lease's end. */
  routes: "notify.routes",
  /** {@linkcode stateGetBody} `{ n }` → the uint64 state ({@linkcode stateOf}). */
  stateGet: "notify.state.get",
  /** {@linkcode stateSetBody} `{ n, v }` → `null`, once the state is saved. */
  stateSet: "notify.state.set",
  /** `null` → `[{ name, state }]` ({@linkcode readStateList}). */
  stateList: "notify.state.list",
  /** `null` → `{ observers }`. */
  status: "notify.status",
  /** `{ k }`, a one-way event: a poster applied the route change `k`. */
  routesApplied: "notify.rok",
} as const;

/** The events the `notify` service sends its clients (broker → client). */
export const NOTIFY_EVENTS = {
  /** `{ i, n, o, u, t, p, q, m? }`: a notification relayed to observer `i` (`m`: immediate). */
  delivery: "notify.d",
  /** `{ i, p, q }`: straight notifications of poster `p` from `q` on come after what was relayed. */
  marker: "notify.m",
  /** `{ i, p, q }`: what is relayed next waits for poster `p`'s straight ones up to `q`. */
  gate: "notify.g",
  /** `{ i, p, q }`: poster `p`, which had markers sent to observer `i`, is gone. */
  posterGone: "notify.pgone",
  /**
   * A route change, `{ k?, c, … }`: center `c` gone (`gone`), its observer `i` gone (`del`), or
   * observer `i` added (`x`, `a`, `gl`, `n`, `o`); `k` asks for a {@linkcode NOTIFY_METHODS.routesApplied}.
   */
  route: "notify.r",
  /** `{ e }`: the poster's routes hold until `e` (ms since the epoch). */
  lease: "notify.lease",
  /** `{ i, c, f, t, r }`: observer `i` lost `c` notifications, posted from `f` to `t`; per poster `r`. */
  lost: "notify.lost",
  /** `{ m, n, code, msg }`: a one-way post of `n` was refused. */
  error: "notify.error",
} as const;

/** The events a poster writes on a link to another center's inbox (poster → observer). */
export const INBOX_EVENTS = {
  /** `{ q, n, o, u, t, i, f?, m? }`: a straight notification for the observers `i`. */
  straight: "notify.x",
  /** `null`: the poster lost the broker and writes no more on this link. */
  end: "notify.end",
} as const;

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

/** The most names and globs one observer may give. */
export const MAX_NAMES = 1024;

/**
 * Why `name` is not a notification name (1 to 1,024 characters), or `undefined` when it is one:
 * the one rule both ends check, each with its own kind of error.
 */
export function nameProblem(name: unknown): string | undefined {
  if (typeof name !== "string" || name === "") {
    return "a notification name must be a non-empty string";
  }
  if (name.length > MAX_NAME_LENGTH) {
    return `a notification name is at most ${MAX_NAME_LENGTH} characters`;
  }
  return undefined;
}

/** Throws a `TypeError` unless `name` is a notification name (1 to 1,024 characters). */
export function checkName(name: string): void {
  const problem = nameProblem(name);
  if (problem !== undefined) throw new TypeError(problem);
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

/** The body of a `notify.state.get` request. */
export function stateGetBody(name: string): Dictionary {
  checkName(name);
  return { n: name };
}

/** The body of a `notify.state.set` request; a `RangeError` when the value is out of range. */
export function stateSetBody(name: string, value: bigint | number | UInt64): Dictionary {
  const v = toUInt64(value);
  checkName(name);
  return { n: name, v };
}

/** A notification name with the state it was given, as `notify.state.list` answers. */
export interface NameState {
  /** The notification name. */
  name: string;
  /** Its 64-bit state. */
  state: bigint;
}

/** The states in the answer to `notify.state.list`. */
export function readStateList(reply: Value): NameState[] {
  if (!Array.isArray(reply)) throw new ProtocolError("the broker answered no list of states");
  return reply.filter(isDictionary).map((x) => ({ name: String(x.name), state: stateOf(x.state) }));
}

/** The state in the answer to `notify.state.get`. */
export function stateOf(reply: Value): bigint {
  if (!(reply instanceof UInt64)) throw new ProtocolError("the broker answered no uint64 state");
  return reply.value;
}
