/**
 * The work of `ipckit daemon status` (see `daemon.ts`), loaded only when it runs.
 *
 * @module
 */

import type { Invocation } from "./_spec.ts";
import { ExitError } from "./_errors.ts";
import { writeStdout } from "./_io.ts";
import { brokerStatus } from "../lib/_broker_call.ts";
import { resolveRuntimeDir } from "../lib/transport/runtime_dir.ts";

/** Prints the broker's status; exit 3 when none runs. */
export async function status(invocation: Invocation): Promise<number> {
  const status = await brokerStatus({ runtimeDir: invocation.runtimeDir });
  if (!status) {
    throw new ExitError(
      3,
      `no broker is running (runtime directory ${
        resolveRuntimeDir({ runtimeDir: invocation.runtimeDir })
      }); any command starts it, or run: ipckit daemon run`,
    );
  }
  if (invocation.options.json) {
    await writeStdout(JSON.stringify(status) + "\n");
  } else {
    await writeStdout(
      [
        `ipckit broker is running`,
        `  pid          ${status.pid}`,
        `  uptime       ${status.uptimeSeconds} s`,
        `  connections  ${status.connections} (this one included)`,
        `  runtime dir  ${status.runtimeDir}`,
        `  log          ${status.logFile}`,
        `  protocol     ${status.protocolVersion} (ipckit ${status.version})`,
        `  idle exit    ${
          status.idleTimeoutSeconds
            ? `after ${status.idleTimeoutSeconds} s without clients`
            : "never"
        }`,
        "",
      ].join("\n"),
    );
  }
  return 0;
}
