/**
 * The one-shot calls of the service manager: what `ipckit services …` asks the broker, and what
 * a sender does when it finds no port — asks the broker to start the service that declares it
 * ({@linkcode demandPort}), so the first `send` to a stopped service is delivered, not refused.
 *
 * @module
 */

import { callBroker } from "../broker/once.ts";
import {
  ConnectionClosedError,
  NotFoundError,
  PORT_STATUS,
  PortTimeoutError,
  RemoteError,
} from "../errors.ts";
import { resolveRuntimeDir, type RuntimeDirOptions } from "../transport/runtime_dir.ts";
import type { Value } from "../wire/value.ts";
import { LAUNCH_DIR, LAUNCH_ERRORS, LAUNCH_METHODS } from "./protocol.ts";
import { declaredPortMarker } from "./_markers.ts";
import { isDefinitionFile, servicesDir } from "./_paths.ts";

/** Options of {@linkcode demandPort}. */
export interface DemandOptions extends RuntimeDirOptions {
  /** Milliseconds to wait for the service to serve the port; 0 waits forever. @default {0} */
  timeoutMs?: number;
}

/**
 * Asks the broker to start the loaded service that declares port `name`, and waits until the
 * service serves it. Looks at the declared-port markers first, so a port nobody declares costs
 * one `lstat`, and no broker is started for it.
 *
 * @returns whether a service declares the port (and now serves it); false: nobody declares it.
 * @throws {NotFoundError} when the service ended or could not start before serving the port.
 * @throws {PortTimeoutError} status -1 when it did not serve the port within `timeoutMs`.
 */
export async function demandPort(name: string, options: DemandOptions = {}): Promise<boolean> {
  const runtimeDir = resolveRuntimeDir(options);
  if (!(await exists(await declaredPortMarker(name, runtimeDir)))) {
    // No broker has loaded the services here yet: one would, if the services directory has any.
    if (await exists(`${runtimeDir}/${LAUNCH_DIR}`) || !(await hasDefinitions())) return false;
  }
  const timeoutMs = options.timeoutMs ?? 0;
  const deadline = Date.now() + timeoutMs;
  try {
    for (let attempt = 0;; attempt++) {
      // Once more with the time left when the broker went away while the sender waited: the
      // next broker adopts the service the first one was starting.
      const left = timeoutMs > 0 ? Math.max(1, deadline - Date.now()) : 0;
      try {
        // The broker answers when the port is served, within timeoutMs; a little more for the
        // reply.
        await callBroker(LAUNCH_METHODS.demand, { port: name, timeoutMs: left }, {
          runtimeDir: options.runtimeDir,
          timeoutMs: left > 0 ? left + 1000 : 0,
        });
        return true;
      } catch (error) {
        if (!(error instanceof ConnectionClosedError) || attempt > 0) throw error;
      }
    }
  } catch (error) {
    if (!(error instanceof RemoteError)) throw error;
    switch (error.code) {
      case LAUNCH_ERRORS.notDeclared:
        return false;
      case LAUNCH_ERRORS.timeout:
        throw new PortTimeoutError(PORT_STATUS.sendTimeout, error.message, { cause: error });
      default:
        throw new NotFoundError(`no port "${name}": ${error.message}`, { cause: error });
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether the services directory holds a definition (`.yaml`, `.yml`). */
async function hasDefinitions(): Promise<boolean> {
  try {
    for await (const entry of Deno.readDir(servicesDir())) {
      if (isDefinitionFile(entry.name)) return true;
    }
  } catch { /* none */ }
  return false;
}

/** Options of {@linkcode launchCall}. */
export interface LaunchCallOptions extends RuntimeDirOptions {
  /** Milliseconds to wait for the answer; 0 waits forever. @default {0} */
  timeoutMs?: number;
}

/**
 * Sends one `launch.*` request to the broker (starting it when none runs).
 *
 * @throws {NotFoundError} for an unknown label.
 * @throws {RemoteError} for another failure the broker reports.
 */
export async function launchCall(
  method: string,
  body: Value,
  options: LaunchCallOptions = {},
): Promise<Value> {
  try {
    return await callBroker(method, body, options);
  } catch (error) {
    if (error instanceof RemoteError && error.code === LAUNCH_ERRORS.noSuchService) {
      throw new NotFoundError(error.message, { cause: error });
    }
    throw error;
  }
}
