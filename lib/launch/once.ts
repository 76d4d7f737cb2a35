/**
 * The one-shot calls of the service manager: what `ipckit services …` asks the broker. (What a
 * sender that finds no port asks is the broker core's `demandPort`, in `../broker/demand.ts`.)
 *
 * @module
 */

import { callBroker } from "../broker/once.ts";
import { NotFoundError, RemoteError } from "../errors.ts";
import type { RuntimeDirOptions } from "../transport/runtime_dir.ts";
import type { Value } from "../wire/value.ts";
import { LAUNCH_ERRORS } from "./protocol.ts";

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
