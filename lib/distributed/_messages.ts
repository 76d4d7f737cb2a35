/**
 * What a Distributed Objects connection sends and checks, apart from the connection itself:
 * frames holding one value, exceptions on the wire, the checks of what a peer sends, and the
 * paths that name a value the wire cannot carry.
 *
 * @module
 */

import { RemoteError } from "../errors.ts";
import { COALESCE, dataFrame, MAX_WHOLE } from "../ports/protocol.ts";
import { encodeValueWith } from "../wire/msgpack.ts";
import { DEFAULT_LIMITS, type Limits } from "../wire/limits.ts";
import { isDictionary, type Value } from "../wire/value.ts";
import { ERROR_CODES, type MethodTable, type RefPath } from "./protocol.ts";

/** Every message of a connection fits one port frame: larger data goes as a stream. */
export const LIMITS: Limits = { ...DEFAULT_LIMITS, maxFrameBytes: MAX_WHOLE };

const methodSets = new WeakMap<MethodTable, Set<string>>();

/** The methods of `table` as a set, made once per table. */
export function methodSet(table: MethodTable): Set<string> {
  let set = methodSets.get(table);
  if (!set) {
    set = new Set(table.methods);
    methodSets.set(table, set);
  }
  return set;
}

/** What a value is, for a message: `a Map`, `undefined`, `a function`. */
export function describe(value: unknown): string {
  if (value === undefined) return "undefined";
  if (typeof value === "symbol") return "a symbol";
  if (typeof value === "function") return "a function";
  const name = (value as object).constructor?.name;
  return name ? `a ${name}` : "an object without a prototype";
}

/** Whether `value` can be iterated with `for await`. */
export function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null &&
    typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function";
}

/** Whether `value` is a promise, or like one. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === "object" || typeof value === "function") && value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function";
}

/** The message of whatever was thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A place spelled for people: `argument 0.meta[2]`, `result.items[1]`. */
export function pathOf(root: string, at: RefPath): string {
  let path = root;
  at.forEach((step, i) => {
    if (i === 0 && root === "argument") path += ` ${step}`;
    else path += typeof step === "number" ? `[${step}]` : `.${step}`;
  });
  return path;
}

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
