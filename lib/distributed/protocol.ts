/**
 * Distributed Objects on the wire: what both ends of a connection take from one place.
 *
 * A vended object is served on a message port (its name is a port name, and `ipckit ports`
 * lists it). A connection is one port connection, the frames of `../ports/protocol.ts`, used both
 * ways: either side sends requests (`q`), one-way requests (`o`) and replies (`r`), so the
 * vendor calls a caller's callbacks over the connection the caller opened. A data frame's
 * message id says what a request is ({@linkcode OP}) or how a reply ended ({@linkcode REPLY});
 * its payload is one MessagePack value:
 *
 * | op            | kind | payload                                          | reply            |
 * |---------------|------|--------------------------------------------------|------------------|
 * | `call`        | q/o  | `[target, method, args]` or `[…, refs]`          | see `REPLY`      |
 * | `table`       | q    | null                                             | the method table |
 * | `release`     | o    | `[[id, count], …]`                               | —                |
 * | `retain`      | q    | `[id, token]`: a third process takes a reference | `true` or thrown |
 * | `credit`      | o    | `[stream, items]`: the reader takes more items   | —                |
 * | `cancel`      | o    | `[stream]`: the reader stopped                   | —                |
 * | `item`        | o    | `[stream, item]` or `[…, refs]`                  | —                |
 * | `end`         | o    | `[stream]`, or `[stream, thrown]`                | —                |
 *
 * `target` is 0 for the vended object, else the id of an object the receiver handed out by
 * reference. Values go by copy as wire values (`../wire/value.ts`); where a message carries
 * references, `refs` lists each one's place (a path of array indexes and dictionary keys from
 * the payload's value: the arguments, the result, the item) and what it is
 * ({@linkcode RefDescriptor}); the value holds `null` there. So a user's dictionary can never be
 * mistaken for a reference.
 *
 * A request that is not one of these (`ipckit send` to a vended name) gets the ports' error
 * frame (`e`) saying so. Messages over one frame are never sent: large data goes as a stream.
 * Below the constants: how a message becomes a frame, how an exception travels, and the checks
 * of what a peer sends.
 *
 * @module
 */

import { RemoteError } from "../errors.ts";
import { COALESCE, dataFrame, MAX_WHOLE } from "../ports/protocol.ts";
import { encodeValueWith } from "../wire/msgpack.ts";
import { DEFAULT_LIMITS, type Limits } from "../wire/limits.ts";
import { isDictionary, type Value } from "../wire/value.ts";

/** The message ids of requests: what each asks. */
export const OP: Readonly<{
  call: 1;
  table: 2;
  release: 3;
  retain: 4;
  credit: 5;
  cancel: 6;
  item: 7;
  end: 8;
}> = Object.freeze({
  call: 1,
  table: 2,
  release: 3,
  retain: 4,
  credit: 5,
  cancel: 6,
  item: 7,
  end: 8,
});

/**
 * The message ids of replies: how the call ended. A `value` reply's payload is the value
 * itself; `refs`, `[value, refs]`; `thrown`, `{name, message, stack, code}`; `stream`,
 * `[stream]`.
 */
export const REPLY: Readonly<{ value: 0; thrown: 1; stream: 2; refs: 3 }> = Object.freeze({
  value: 0,
  thrown: 1,
  stream: 2,
  refs: 3,
});

/** The target of a call to the vended object itself. */
export const ROOT = 0;

/** The most arguments a call may have; a call with more is refused. */
export const MAX_ARGS = 256;

/**
 * The most calls a connection runs at once (those whose answer is not written yet included):
 * past it, it reads nothing more from the peer until one is over.
 */
export const MAX_RUNNING = 4096;

/** The most references one message may carry; a message with more is refused. */
export const MAX_REFS = 4096;

/**
 * The most streams a connection's peer may have open from this side (a call whose result is a
 * stream over it is an error).
 */
export const MAX_STREAMS = 1024;

/**
 * The most bytes of stream items a connection holds unwritten (its peer not reading): past it,
 * its streams take no more items until some are written.
 */
export const MAX_UNWRITTEN_ITEM_BYTES = 16 * 1024 * 1024;

/** How many items of a stream may be on their way or waiting to be read. */
export const STREAM_WINDOW = 1024;

/**
 * What a reference is, on the wire: `[OWNER_SENDER, id, kind, methods, oneway, token]` (an
 * object the sender owns; `methods` and `oneway` list what can be called, for a function `[]`;
 * `token` is the owner's secret for it), `[OWNER_RECEIVER, id]` (one of the receiver's own
 * objects coming back), or `[OWNER_NAMED, id, kind, methods, oneway, name, token]` (an object
 * owned by the vendor of port `name`: the receiver calls it there, after taking it with `retain`
 * and the token; ids are small counts anyone could guess, the token is not).
 */
export type RefDescriptor = unknown[];

/** A reference to an object the sender owns. */
export const OWNER_SENDER = 0;
/** A reference to one of the receiver's own objects. */
export const OWNER_RECEIVER = 1;
/** A reference to an object owned by a named vendor. */
export const OWNER_NAMED = 2;

/** A reference to an object with methods. */
export const KIND_OBJECT = 0;
/** A reference to a function. */
export const KIND_FUNCTION = 1;

/** A place in a value: array indexes (numbers) and dictionary keys (strings) from its root. */
export type RefPath = (string | number)[];

/** The method table of an object: what may be called, and which calls do not wait. */
export interface MethodTable {
  /** The methods that may be called. */
  methods: string[];
  /** Those among them that are one-way. */
  oneway: string[];
}

/** The codes of the errors a receiver answers malformed or refused requests with. */
export const ERROR_CODES: Readonly<{
  exception: "exception";
  unknownMethod: "unknown-method";
  unknownReference: "unknown-reference";
  badRequest: "bad-request";
}> = Object.freeze({
  exception: "exception",
  unknownMethod: "unknown-method",
  unknownReference: "unknown-reference",
  badRequest: "bad-request",
});

/** Every message of a connection fits one port frame: larger data goes as a stream. */
export const LIMITS: Limits = { ...DEFAULT_LIMITS, maxFrameBytes: MAX_WHOLE };

/** A refusal of a malformed or unwelcome request, answered with its code. */
export class Refusal extends Error {
  /** One of {@linkcode ERROR_CODES}. */
  readonly code: string;
  /** Creates it with its code and message. */
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * A data frame holding `message`, encoded straight into frame memory; a large one (which the
 * channel writes after its header) comes with its payload apart.
 */
export function frameOf(
  kind: number,
  id: number,
  msgid: number,
  message: Value,
): [Uint8Array, Uint8Array | undefined] {
  frameKind = kind;
  frameId = id;
  frameMsgid = msgid;
  return encodeValueWith(message, LIMITS, framed);
}

// The header of the frame being made: no closure to allocate for every message.
let frameKind = 0, frameId = 0, frameMsgid = 0;

function framed(bytes: Uint8Array): [Uint8Array, Uint8Array | undefined] {
  if (bytes.length <= COALESCE) {
    return [dataFrame(frameKind, frameId, frameMsgid, bytes.length, bytes), undefined];
  }
  const own = bytes.slice();
  return [dataFrame(frameKind, frameId, frameMsgid, own.length, own), own];
}

/** What an exception becomes on the wire: its class name, message, stack and code. */
export function thrownOf(error: unknown): Value {
  if (error instanceof Refusal) {
    return { name: "RemoteError", message: error.message, stack: "", code: error.code };
  }
  const e = error instanceof Error ? error : undefined;
  return {
    name: e ? (e.constructor?.name || e.name || "Error") : typeof error,
    message: e ? String(e.message) : String(error),
    stack: e?.stack ? String(e.stack) : "",
    code: error instanceof RemoteError ? error.code : ERROR_CODES.exception,
  };
}

/**
 * What a thrown body ({@linkcode thrownOf}) becomes at the caller: a `RemoteError`; its stack
 * names `what` was called (when given) in `label`, the other end.
 */
export function remoteErrorOf(message: Value, what: string, label: string): RemoteError {
  const fields = isDictionary(message) ? message : {};
  const text = typeof fields.message === "string" ? fields.message : "(no message)";
  const name = typeof fields.name === "string" ? fields.name : "Error";
  const code = typeof fields.code === "string" ? fields.code : ERROR_CODES.exception;
  const error = new RemoteError(code, text, {
    remoteName: name,
    remoteStack: typeof fields.stack === "string" ? fields.stack : undefined,
  });
  if (what && code === ERROR_CODES.exception) {
    error.stack = `RemoteError: ${name}: ${text}\n    at ${what} in ${label}`;
  }
  return error;
}

/** Whether `value` is an id or a count: a safe integer of 0 or more. */
export function isId(value: unknown): boolean {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Whether `value` is a list of names (of methods), not too long. */
export function isNames(value: unknown): boolean {
  return Array.isArray(value) && value.length <= 4096 &&
    value.every((name) => typeof name === "string");
}

/** Checks that `path` leads through `value` to a null that a reference may take. */
export function checkPlace(value: unknown, path: RefPath): void {
  const bad = () => new Refusal(ERROR_CODES.badRequest, "a reference in a place that is not null");
  if (path.length > LIMITS.maxDepth) throw bad();
  let here = value;
  for (const step of path) {
    if (Array.isArray(here)) {
      if (
        typeof step !== "number" || !Number.isInteger(step) || step < 0 || step >= here.length
      ) {
        throw bad();
      }
      here = here[step];
    } else if (isDictionary(here)) {
      if (typeof step !== "string" || step === "__proto__" || !Object.hasOwn(here, step)) {
        throw bad();
      }
      here = here[step];
    } else throw bad();
  }
  if (here !== null) throw bad();
}
