/**
 * The scripting protocol: what a client and a scriptable app say to each other, the one place
 * both ends take it from.
 *
 * An app serves a message port named after its bundle id ({@linkcode appPortName}); the broker
 * is not on the path. Each request is one port message whose message id says what it is
 * ({@linkcode MSG}) and whose body is a MessagePack Value:
 *
 * - **an event** ({@linkcode ScriptingEvent}): `{e: "coregetd", p: {"----": …}, s: subject,
 *   t: seconds}` — the 8-character code, the parameters by four-character code (`----` the
 *   direct parameter), the subject attribute (the tell target; `null` for the application) and
 *   the timeout;
 * - **a definition request**: an empty body, answered with `{sdef: "<xml>", terminology:
 *   "<json>", title, name, bundleId}` (the XML with includes expanded, the terminology table);
 * - the **reply** to an event ({@linkcode ScriptingReply}): `{v: value}`, or an error
 *   `{n: number, m: message, o: offending object, x: expected type, r: partial result}`.
 *
 * Values are the wire Values, with the scripting descriptors (object specifiers, insertion
 * locations, type codes, enumerator constants, tests). Records are dictionaries keyed by the
 * four-character codes of their properties (`{pnam: "x"}`); `missing value` is `null`;
 * integers are int64 (`bigint`), reals doubles. In a test, `it` itself (the object being
 * examined, not one of its properties) is the type code `exmn`.
 *
 * @module
 */

import { type Dictionary, isDictionary, type Value } from "../wire/value.ts";

/** The message ids of the port requests. */
export const MSG: Readonly<{ event: 1; definition: 2 }> = Object.freeze({
  event: 1,
  definition: 2,
});

/** The port an app serves: its bundle id. */
export function appPortName(bundleId: string): string {
  return bundleId;
}

/** The directory, under the runtime directory, of the files that describe running apps. */
export const APPS_DIR = "apps";

/** What an app's file in {@linkcode APPS_DIR} holds (JSON). */
export interface AppRecord {
  /** The display name (`Notes`). */
  name: string;
  /** The bundle id (`com.example.Notes`), also its port's name. */
  bundleId: string;
  /** The serving process. */
  pid: number;
  /** The definition's title, if it has one. */
  title?: string;
  /** When it started (ISO 8601). */
  since: string;
}

/** An event: an AppleEvent's code, parameters, subject and timeout. */
export interface ScriptingEvent {
  /** The 8-character event code: event class and id (`coregetd`). */
  code: string;
  /** The parameters by four-character code; `----` is the direct parameter. @default {{}} */
  params?: Record<string, Value>;
  /** The subject attribute: the tell target (`null`: the application). @default {null} */
  subject?: Value;
  /** Seconds the sender waits for the reply. @default {120} (AppleScript's default) */
  timeout?: number;
}

/** The reply to an event: a value, or an error. */
export type ScriptingReply =
  | { ok: true; value: Value }
  | {
    ok: false;
    number: number;
    message: string;
    offendingObject?: Value;
    expectedType?: string;
    partialResult?: Value;
  };

/** The default timeout of an event, in seconds (AppleScript's). */
export const DEFAULT_TIMEOUT = 120;

/** The longest timeout of an event, in seconds (the longest a timer waits: 2³¹ − 1 ms). */
export const MAX_TIMEOUT = 2_147_483;

/** The parameter code of the direct parameter. */
export const DIRECT = "----";

/** The event codes of the standard suite and the required suite. */
export const EVENTS: Readonly<Record<string, string>> = Object.freeze({
  get: "coregetd",
  set: "coresetd",
  count: "corecnte",
  exists: "coredoex",
  make: "corecrel",
  delete: "coredelo",
  duplicate: "coreclon",
  move: "coremove",
  open: "aevtodoc",
  close: "coreclos",
  save: "coresave",
  print: "aevtpdoc",
  quit: "aevtquit",
});

/** Parameter codes of the standard suite. */
export const PARAMS: Readonly<Record<string, string>> = Object.freeze({
  /** set's `to`, make's `with data` */
  data: "data",
  /** count's `each`, make's `new` */
  class: "kocl",
  /** make's `at`, duplicate's and move's `to` */
  location: "insh",
  /** make's and duplicate's `with properties` */
  properties: "prdt",
  /** close's `saving` */
  saving: "savo",
});

/** Property codes the runtime itself answers. */
export const PROPERTY: Readonly<Record<string, string>> = Object.freeze({
  name: "pnam",
  id: "ID  ",
  class: "pcls",
  properties: "pALL",
});

/** The AppleEvent error numbers the runtime answers with. */
export const ERRORS: Readonly<{
  parameterError: -50;
  connectionInvalid: -609;
  cannotCoerce: -1700;
  missingParameter: -1701;
  notHandled: -1708;
  timedOut: -1712;
  unknownParameter: -1715;
  invalidIndex: -1719;
  invalidRange: -1720;
  noSuchObject: -1728;
  handlerFailed: -10000;
  notModifiable: -10003;
  cannotSet: -10006;
  notAnElement: -10008;
  cannotMakeClass: -10010;
  notSingleObject: -10014;
  cannotPutThere: -10024;
}> = Object.freeze({
  parameterError: -50,
  connectionInvalid: -609,
  cannotCoerce: -1700,
  missingParameter: -1701,
  notHandled: -1708,
  timedOut: -1712,
  unknownParameter: -1715,
  invalidIndex: -1719,
  invalidRange: -1720,
  noSuchObject: -1728,
  handlerFailed: -10000,
  notModifiable: -10003,
  cannotSet: -10006,
  notAnElement: -10008,
  cannotMakeClass: -10010,
  notSingleObject: -10014,
  cannotPutThere: -10024,
});

/** Encodes an event as the Value a request carries. */
export function eventToValue(event: ScriptingEvent): Dictionary {
  const out: Dictionary = { e: event.code, p: event.params ?? {} };
  if (event.subject !== undefined) out.s = event.subject;
  if (event.timeout !== undefined) out.t = event.timeout;
  return out;
}

/**
 * Reads an event from a request's Value.
 *
 * @throws {TypeError} saying what is wrong with it.
 */
export function eventFromValue(value: Value): ScriptingEvent {
  if (!isDictionary(value)) throw new TypeError("an event is a dictionary {e, p, s, t}");
  const code = value.e;
  if (typeof code !== "string" || code.length !== 8) {
    throw new TypeError(`an event's code (e) is 8 characters, such as "coregetd"`);
  }
  const params = value.p ?? {};
  if (!isDictionary(params)) throw new TypeError("an event's parameters (p) are a dictionary");
  for (const key of Object.keys(params)) {
    if (key.length !== 4) {
      throw new TypeError(`parameter codes have four characters, not ${JSON.stringify(key)}`);
    }
  }
  const timeout = value.t;
  if (
    timeout !== undefined && timeout !== null &&
    (typeof timeout !== "number" || !(timeout > 0 && timeout <= MAX_TIMEOUT))
  ) {
    throw new TypeError(
      `an event's timeout (t) is a number of seconds above 0 and at most ${MAX_TIMEOUT}`,
    );
  }
  const event: ScriptingEvent = { code, params };
  if (value.s !== undefined) event.subject = value.s;
  if (typeof timeout === "number") event.timeout = timeout;
  return event;
}

/** Encodes a reply as the Value the port's reply carries. */
export function replyToValue(reply: ScriptingReply): Dictionary {
  if (reply.ok) return { v: reply.value };
  const out: Dictionary = { n: BigInt(reply.number), m: reply.message };
  if (reply.offendingObject !== undefined) out.o = reply.offendingObject;
  if (reply.expectedType !== undefined) out.x = reply.expectedType;
  if (reply.partialResult !== undefined) out.r = reply.partialResult;
  return out;
}

/**
 * Reads a reply from the Value a port's reply carried.
 *
 * @throws {TypeError} when it is not a reply.
 */
export function replyFromValue(value: Value): ScriptingReply {
  if (!isDictionary(value)) throw new TypeError("a reply is a dictionary");
  if ("v" in value) return { ok: true, value: value.v };
  const n = value.n;
  if (typeof n !== "bigint" || typeof value.m !== "string") {
    throw new TypeError("a reply is {v} or an error {n, m}");
  }
  const reply: ScriptingReply = { ok: false, number: Number(n), message: value.m };
  if (value.o !== undefined) reply.offendingObject = value.o;
  if (typeof value.x === "string") reply.expectedType = value.x;
  if (value.r !== undefined) reply.partialResult = value.r;
  return reply;
}
