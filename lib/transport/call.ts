/**
 * One request on a connection of its own: connect, send the hello and the request in one
 * write, read the peer's hello and the answer, close. For a program that asks one thing and
 * exits (the command line's `post`, `state`, `paste`…), this is the whole exchange: no
 * {@linkcode Connection} object, no second round trip for the handshake, and only the code
 * the exchange needs, which is what a command's start-up pays for.
 *
 * It speaks the same protocol as a {@linkcode Connection}, checks the same things (the peer's
 * hello first, its version, the frame and value limits) and fails with the same errors.
 *
 * @module
 */

import {
  ConnectionClosedError,
  NotFoundError,
  ProtocolError,
  RemoteError,
  RuntimeDirError,
  TimeoutError,
} from "../errors.ts";
import { startWatchdog } from "../_timer.ts";
import { encodeMessage, encodeMessageParts, FrameDecoder, SEPARATE_BYTES } from "../wire/frame.ts";
import { DEFAULT_LIMITS, type Limits } from "../wire/limits.ts";
import type { Value } from "../wire/value.ts";
import { checkSocketPath } from "./runtime_dir.ts";
import { byeError, clientMismatch, helloMessage, readMessage } from "./message.ts";
import { PROTOCOL_VERSION } from "./protocol.ts";

/** Options of {@linkcode callOnce}. */
export interface CallOptions {
  /** Milliseconds to wait for the answer once the peer said hello; 0 waits forever. @default {0} */
  timeoutMs?: number;
  /** Milliseconds to wait for the peer's hello. @default {5000} */
  helloTimeoutMs?: number;
  /** Frame and value limits. @default {DEFAULT_LIMITS} */
  limits?: Limits;
  /** The protocol version this side speaks (tests change it). @default {PROTOCOL_VERSION} */
  protocolVersion?: number;
}

/**
 * Connects to the socket at `path`, sends one request and returns its answer.
 *
 * @throws {NotFoundError} when nothing listens there.
 * @throws {RemoteError} when the peer answered with an error.
 * @throws {TimeoutError} when the hello or the answer did not come in time.
 * @throws {ProtocolError} when the peer speaks another protocol version, or not ipckit.
 * @throws {ConnectionClosedError} when the connection closed before the answer.
 */
export async function callOnce(
  path: string,
  method: string,
  body: Value = null,
  options: CallOptions = {},
): Promise<Value> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  const version = options.protocolVersion ?? PROTOCOL_VERSION;
  // Encoding errors are the caller's, before anything is opened.
  const request = encodeMessageParts({ t: "req", id: 1, m: method, b: body }, limits);
  const hello = encodeMessage(helloMessage(version), limits);
  const conn = await openSocket(path);
  let late: TimeoutError | undefined;
  const expire = (what: string, ms: number) => () => {
    late = new TimeoutError(`no ${what} within ${ms / 1000} s`);
    if (!greeted) silent.add(late);
    conn.close();
  };
  const helloMs = options.helloTimeoutMs ?? 5000;
  let cancel = startWatchdog(helloMs, expire("hello from the other side", helloMs));
  let greeted = false;
  try {
    const head = request[0].length < SEPARATE_BYTES ? request.shift()! : new Uint8Array(0);
    const first = new Uint8Array(hello.length + head.length);
    first.set(hello);
    first.set(head, hello.length);
    for (const data of [first, ...request]) {
      for (let written = 0; written < data.length;) {
        written += await conn.write(data.subarray(written));
      }
    }
    const decoder = new FrameDecoder(limits.maxFrameBytes);
    for (;;) {
      const n = await conn.read(decoder.space());
      if (n === null) {
        const half = decoder.pending > 0 ? " in the middle of a frame" : "";
        const error = new ConnectionClosedError(`the other side closed the connection${half}`);
        if (!greeted) unheard.add(error);
        throw error;
      }
      decoder.commit(n);
      for (let frame = decoder.next(); frame !== undefined; frame = decoder.next()) {
        const message = readMessage(frame, limits);
        if (message.t === "bye") throw byeError(message);
        if (!greeted) {
          if (message.t !== "hello") {
            throw new ProtocolError(`expected a hello first, got "${message.t}"`);
          }
          if (message.v !== version) throw new ProtocolError(clientMismatch(message, version));
          greeted = true;
          cancel();
          const ms = options.timeoutMs ?? 0;
          cancel = ms > 0 ? startWatchdog(ms, expire(`reply to ${method}`, ms)) : () => {};
          continue;
        }
        if (message.t === "res" && message.id === 1) return message.b ?? null;
        if (message.t === "err" && message.id === 1) {
          throw new RemoteError(String(message.code ?? "failed"), String(message.msg ?? "failed"));
        }
        if (message.t === "req") {
          // This side serves nothing: say so, as a Connection without a handler does.
          await conn.write(encodeMessage({
            t: "err",
            id: message.id ?? null,
            code: "unknown-method",
            msg: `unknown method ${String(message.m)}`,
          }));
        }
        // Events, and answers to nothing we asked, are not ours to act on.
      }
    }
  } catch (error) {
    if (late) throw late;
    if (error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) {
      throw new ConnectionClosedError("the connection was closed", { cause: error });
    }
    if (error instanceof Deno.errors.BrokenPipe || error instanceof Deno.errors.ConnectionReset) {
      const broke = new ConnectionClosedError(`the connection broke: ${error.message}`, {
        cause: error,
      });
      // Reset before its hello (a broker being killed just then): the request went unheard.
      if (!greeted) unheard.add(broke);
      throw broke;
    }
    throw error;
  } finally {
    cancel();
    try {
      conn.close();
    } catch { /* closed by the watchdog */ }
  }
}

const unheard = new WeakSet<Error>();
const silent = new WeakSet<Error>();

/**
 * Whether `error`, from {@linkcode callOnce}, means that the other side accepted the connection
 * but did not say hello in time (a stopped or stuck process): the request went unheard.
 */
export function silentBeforeHello(error: unknown): boolean {
  return error instanceof Error && silent.has(error);
}

/**
 * Whether `error`, from {@linkcode callOnce}, means that the other side closed before its
 * hello: it handled no request, so trying again cannot do anything twice.
 */
export function closedBeforeHello(error: unknown): boolean {
  return error instanceof Error && unheard.has(error);
}

/**
 * Opens a Unix socket connection to `path`.
 *
 * @throws {NotFoundError} when nothing listens there.
 * @throws {ConnectionClosedError} when it cannot connect for another reason.
 */
export async function openSocket(path: string): Promise<Deno.UnixConn> {
  checkSocketPath(path);
  // A link planted where a socket goes would take the request to any socket it points at.
  let info: Deno.FileInfo | undefined;
  try {
    info = Deno.lstatSync(path); // synchronous: on every one-shot call, cold
  } catch { /* not there: connecting says so */ }
  if (info?.isSymlink) {
    throw new RuntimeDirError(
      `refusing ${path}: it is a symbolic link where ipckit's own socket goes (a link could point anywhere); remove it and try again`,
    );
  }
  try {
    return await Deno.connect({ transport: "unix", path });
  } catch (error) {
    if (
      error instanceof Deno.errors.NotFound || error instanceof Deno.errors.ConnectionRefused
    ) {
      throw new NotFoundError(`nothing listens on ${path}`, { cause: error });
    }
    throw new ConnectionClosedError(`cannot connect to ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
