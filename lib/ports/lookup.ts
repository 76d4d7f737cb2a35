/**
 * Looking a port up by name and connecting to its socket ({@linkcode openPortSocket}), which
 * the one-shot send, the remote port and Distributed Objects share; when nobody serves the
 * name but a loaded service declares it, the broker is asked to start that service first.
 *
 * @module
 */

import { type IpcError, NotFoundError, PORT_STATUS, PortError } from "../errors.ts";
import {
  checkRuntimeDirIfThere,
  refusedRuntimeDir,
  resolveRuntimeDir,
  type RuntimeDirOptions,
} from "../transport/runtime_dir.ts";
import { portPaths } from "./names.ts";

/** A connection to a port's socket, as {@linkcode openPortSocket} opens it. */
export interface PortSocket {
  /** The connection. */
  conn: Deno.UnixConn;
  /** The socket's path. */
  socket: string;
}

/** Options of {@linkcode openPortSocket}. */
export interface OpenPortOptions extends RuntimeDirOptions {
  /**
   * Milliseconds to wait for a loaded service that declares the port to start and serve it;
   * 0 waits forever. @default {10000}
   */
  demandTimeoutMs?: number;
}

/**
 * Looks up port `name` and connects to its socket; when nobody serves it but a loaded service
 * declares it, asks the broker to start that service and connects once it serves the port.
 *
 * @throws {NotFoundError} when no live process serves the name (and no service came up for it).
 * @throws {PortTimeoutError} status -1 when a service started for it did not serve it in time.
 * @throws {PortError} status -4 when connecting failed for another reason.
 */
export async function openPortSocket(
  name: string,
  options: OpenPortOptions = {},
): Promise<PortSocket> {
  await checkRuntimeDirIfThere(resolveRuntimeDir(options));
  const { socket } = await portPaths(name, options);
  await refuseLink(name, socket);
  try {
    return { conn: await Deno.connect({ transport: "unix", path: socket }), socket };
  } catch (error) {
    const failure = cannotConnect(name, options, error);
    if (!(failure instanceof NotFoundError) || !(await demandService(name, socket, options))) {
      throw failure;
    }
  }
  try {
    return { conn: await Deno.connect({ transport: "unix", path: socket }), socket };
  } catch (error) {
    throw cannotConnect(name, options, error);
  }
}

/**
 * The launch hook: when a loaded service declares the port, the broker starts it and answers
 * once it serves the port (loaded only then, so a plain `send` pays nothing for it).
 *
 * @returns whether the port is now served.
 */
async function demandService(
  name: string,
  socket: string,
  options: OpenPortOptions,
): Promise<boolean> {
  const { demandPort } = await import("../broker/demand.ts");
  return await demandPort(name, socket, {
    runtimeDir: options.runtimeDir,
    timeoutMs: options.demandTimeoutMs ?? 10_000,
  });
}

/**
 * Refuses a link planted where the port's socket goes: connecting would follow it to any
 * socket at all (another user's, the broker's) and hand it the request.
 */
async function refuseLink(name: string, socket: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.lstat(socket);
  } catch {
    return; // not there: connecting says so
  }
  if (info.isSymlink) {
    throw new PortError(
      PORT_STATUS.transportError,
      `refusing the port "${name}": ${socket} is a symbolic link where only a port's own socket goes (a link could point anywhere); remove it and try again`,
    );
  }
}

function cannotConnect(name: string, options: RuntimeDirOptions, error: unknown): IpcError {
  if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.ConnectionRefused) {
    return new NotFoundError(
      `no port "${name}" is being served (runtime directory ${
        resolveRuntimeDir(options)
      }); start one with: ipckit serve ${name.includes(" ") ? JSON.stringify(name) : name}`,
      { cause: error },
    );
  }
  // Deno refuses paths in /proc, /sys and /dev, and a file in the path is no directory: say
  // what is wrong with the directory (not which Deno flag would allow it).
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.NotADirectory) {
    return refusedRuntimeDir(resolveRuntimeDir(options), error);
  }
  return new PortError(
    PORT_STATUS.transportError,
    `cannot connect to the port "${name}": ${(error as Error).message}`,
    { cause: error },
  );
}
