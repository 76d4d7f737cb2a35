/**
 * The errors that ipckit's library raises for callers to catch. Bad arguments are plain
 * `TypeError`/`RangeError`; bad input text is a `SyntaxError` subclass with a position; everything
 * that goes wrong talking to another process is an {@linkcode IpcError}. The underlying error, when
 * there is one, is in `cause`.
 *
 * @module
 */

/** The root of every error about inter-process communication. */
export class IpcError extends Error {
  /**
   * Creates the error.
   *
   * @param message what failed, why, and what to do.
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A name (a port, an app, a pasteboard type, a broker) has no live owner. */
export class NotFoundError extends IpcError {}

/** An operation did not complete before its deadline. */
export class TimeoutError extends IpcError {}

/** The connection to the other side was closed or broke while it was in use. */
export class ConnectionClosedError extends IpcError {}

/** The other side spoke something that is not the ipckit protocol, or another version of it. */
export class ProtocolError extends IpcError {}

/** A frame or value broke a limit (frame size, nesting depth, string length). */
export class LimitError extends IpcError {}

/** The runtime directory is missing, unsafe, or not ours; the message says how to fix it. */
export class RuntimeDirError extends IpcError {}

/** A name is already owned by another live process. */
export class NameTakenError extends IpcError {}

/** The broker could not be started; the message carries the tail of its log. */
export class BrokerStartError extends IpcError {}

/** Options of a {@linkcode RemoteError}. */
export interface RemoteErrorOptions extends ErrorOptions {
  /** The class name of the exception on the other side. @default {undefined} */
  remoteName?: string;
  /** The exception's stack on the other side. @default {undefined} */
  remoteStack?: string;
}

/** The other side received the request and answered with an error. */
export class RemoteError extends IpcError {
  /** A short machine-readable code from the other side, such as `"unknown-method"`. */
  readonly code: string;
  /** The class name of the exception thrown on the other side (`"TypeError"`), when it said. */
  readonly remoteName: string | undefined;
  /** The stack of the exception on the other side, when it said. */
  readonly remoteStack: string | undefined;
  /**
   * Creates the error from the other side's answer.
   *
   * @param code machine-readable error code sent by the other side.
   * @param message the other side's message.
   */
  constructor(code: string, message: string, options?: RemoteErrorOptions) {
    super(message, options);
    this.code = code;
    this.remoteName = options?.remoteName;
    this.remoteStack = options?.remoteStack;
  }
}

/**
 * A connection to a vended object ended (its vendor exited or closed it, or the connection
 * was closed here): calls waiting on it fail with this error, and so do later calls through
 * its proxies.
 */
export class ConnectionInvalidError extends IpcError {}

/**
 * A connection to a launched service (`connectService`) can never work again: the service was
 * unloaded, or it cannot start. Every message on it fails with this error.
 */
export class ServiceInvalidError extends IpcError {}

/**
 * The status codes of message port requests, as `CFMessagePortSendRequest` returns them:
 * 0 success, -1 send timeout, -2 receive timeout, -3 the port is invalid, -4 transport error,
 * -5 the port became invalid during the request.
 */
export const PORT_STATUS: Readonly<{
  success: 0;
  sendTimeout: -1;
  receiveTimeout: -2;
  isInvalid: -3;
  transportError: -4;
  becameInvalid: -5;
}> = Object.freeze({
  success: 0,
  sendTimeout: -1,
  receiveTimeout: -2,
  isInvalid: -3,
  transportError: -4,
  becameInvalid: -5,
});

/** A message port request failed; `status` is its CF status code ({@linkcode PORT_STATUS}). */
export class PortError extends IpcError {
  /** The CF status code: -3 invalid, -4 transport error (or handler failed), -5 became invalid. */
  readonly status: number;
  /**
   * Creates the error.
   *
   * @param status the CF status code.
   * @param message what failed, why, and what to do.
   */
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/** A message port request timed out: status -1 (sending) or -2 (waiting for the reply). */
export class PortTimeoutError extends TimeoutError {
  /** The CF status code: -1 send timeout, -2 receive timeout. */
  readonly status: number;
  /**
   * Creates the error.
   *
   * @param status the CF status code.
   * @param message what timed out.
   */
  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/**
 * The port's callback failed (it threw, or `serve --exec`'s command exited non-zero); the
 * message is the callback's. CF has no code of its own for it: its status is -4.
 */
export class PortHandlerError extends PortError {}

/**
 * Why a file system call failed, in a few words for a one-line message: `"no such file or
 * directory"`, `"permission denied"`, … — never Deno's raw text, which names the system call
 * and, for `/proc`, `/sys` and `/dev`, advises a flag the user of a command cannot give.
 *
 * @example A one-line message
 * ```ts
 * import { fileErrorReason } from "./errors.ts";
 * try {
 *   await Deno.readFile("/nonexistent");
 * } catch (error) {
 *   console.log(`cannot read /nonexistent: ${fileErrorReason(error)}`); // …: no such file or directory
 * }
 * ```
 */
export function fileErrorReason(error: unknown): string {
  const errors = Deno.errors;
  if (error instanceof errors.NotFound) return "no such file or directory";
  if (error instanceof errors.PermissionDenied) return "permission denied";
  if (error instanceof errors.IsADirectory) return "it is a directory";
  if (error instanceof errors.NotADirectory) return "a part of the path is not a directory";
  if (error instanceof errors.AlreadyExists) return "it already exists";
  if (error instanceof errors.NotCapable) {
    return "it is in /proc, /sys or /dev, where ipckit reads and writes no files";
  }
  const message = error instanceof Error ? error.message : String(error);
  // "Read-only file system (os error 30): mkdir '/x'" → "read-only file system"
  const text = message.replace(/ \(os error \d+\).*$/, "");
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** What an {@linkcode AppleEventError} carries besides its number and message. */
export interface AppleEventErrorDetails {
  /** The object the error is about (a specifier, or the value that would not coerce): a wire Value. */
  offendingObject?: unknown;
  /** The type a value should have had (a four-character type code). */
  expectedType?: string;
  /** What had been done before the error, when part of a command succeeded. */
  partialResult?: unknown;
}

/**
 * A scriptable app answered an event with an AppleEvent error (or the event could not reach
 * it): `number` is AppleScript's error number (-1728 no such object, -1708 not handled, -609
 * connection invalid, -1712 timed out…) and the message is in AppleScript's words.
 *
 * @example
 * ```ts
 * import { AppleEventError } from "./errors.ts";
 * const e = new AppleEventError(-1728, "Can’t get note \"x\".");
 * console.log(`${e.message} (${e.number})`);
 * ```
 */
export class AppleEventError extends IpcError {
  /** The error number. */
  readonly number: number;
  /** The object the error is about. */
  readonly offendingObject?: unknown;
  /** The expected type's code. */
  readonly expectedType?: string;
  /** The partial result. */
  readonly partialResult?: unknown;
  /**
   * Creates the error.
   *
   * @param number the AppleEvent error number.
   * @param message the message, in AppleScript's words.
   * @param details the offending object, expected type and partial result.
   */
  constructor(
    number: number,
    message: string,
    details: AppleEventErrorDetails = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.number = number;
    if (details.offendingObject !== undefined) this.offendingObject = details.offendingObject;
    if (details.expectedType !== undefined) this.expectedType = details.expectedType;
    if (details.partialResult !== undefined) this.partialResult = details.partialResult;
  }
}

/**
 * An app's error as a bridge raises it: an {@linkcode AppleEventError} whose message is the one
 * `tell` prints (`Orchard got an error: Can’t get tree 9.`), whose `offendingObject` and
 * `partialResult` are bridge values (a reference where the app named an object) and whose
 * `expectedType` is the type's term where the app's terminology has it.
 *
 * @example
 * ```ts
 * import { ScriptingError } from "./errors.ts";
 * const e = new ScriptingError(-1728, "Orchard got an error: Can’t get tree 9.");
 * console.log(e.number); // -1728
 * ```
 */
export class ScriptingError extends AppleEventError {}
