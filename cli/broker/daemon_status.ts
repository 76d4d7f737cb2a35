/**
 * The work of `ipckit daemon status` (see `daemon.ts`), loaded only when it runs.
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { statusSpec } from "./daemon.ts";
import { ExitError } from "../_errors.ts";
import { writeStdout } from "../_io.ts";
import { brokerStatus } from "../../lib/broker/once.ts";
import { resolveRuntimeDir } from "../../lib/transport/runtime_dir.ts";

/** Prints the broker's status; exit 3 when none runs. */
export async function status(
  invocation: InvocationOf<typeof statusSpec>,
): Promise<number> {
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
  } else if (invocation.options.yaml) {
    const { toYaml } = await import("../../lib/wire/yaml.ts");
    // Counts and ids are integers in YAML, as in the JSON; uptime stays a double.
    const doc = Object.fromEntries(
      Object.entries(status).map(([key, value]) => [
        key,
        Number.isSafeInteger(value) && key !== "uptimeSeconds" ? BigInt(value) : value,
      ]),
    );
    await writeStdout(await toYaml(doc));
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
