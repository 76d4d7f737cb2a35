/**
 * Reading and making the messages of {@linkcode ./protocol.ts}, for both ways of speaking it:
 * a {@linkcode ./connection.ts Connection} and a one-shot {@linkcode ./call.ts callOnce}.
 *
 * @module
 */

import { ConnectionClosedError, type IpcError, ProtocolError } from "../errors.ts";
import type { Limits } from "../wire/limits.ts";
import { decodeValue } from "../wire/msgpack.ts";
import { type Dictionary, isDictionary } from "../wire/value.ts";
import { IPCKIT_VERSION, PROTOCOL_VERSION } from "./protocol.ts";

/** The first frame this side sends: its protocol version and who it is. */
export function helloMessage(version: number = PROTOCOL_VERSION, extra?: Dictionary): Dictionary {
  return { t: "hello", v: version, name: `ipckit ${IPCKIT_VERSION}`, pid: Deno.pid, ...extra };
}

/** A message: a dictionary whose `t` says what it is. */
export type Message = Dictionary & { t: string };

/**
 * Decodes a frame body into a message.
 *
 * @throws {ProtocolError} when it is not an ipckit message.
 * @throws {LimitError} when it breaks a limit.
 */
export function readMessage(body: Uint8Array, limits: Limits): Message {
  const message = decodeValue(body, limits);
  if (!isDictionary(message) || typeof message.t !== "string") {
    throw new ProtocolError("a frame that is not an ipckit message (no type)");
  }
  return message as Message;
}

/** Why the other side said `bye`, as the error a waiting caller gets. */
export function byeError(bye: Dictionary): IpcError {
  const text = String(bye.msg ?? "closed");
  return bye.code === "version"
    ? new ProtocolError(text)
    : new ConnectionClosedError(`the other side closed the connection: ${text}`);
}

/** What a client says when the server's hello names another protocol version than `own`. */
export function clientMismatch(hello: Dictionary, own: number): string {
  return `protocol mismatch: the other side speaks ipckit protocol ${String(hello.v)} (${
    String(hello.name)
  }, pid ${
    String(hello.pid)
  }), this ipckit speaks ${own}; run "ipckit daemon stop" so the broker restarts with this version`;
}
