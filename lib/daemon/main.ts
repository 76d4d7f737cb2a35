/**
 * The broker process's entry point, as clients spawn it:
 * `deno run <permissions> lib/daemon/main.ts --runtime-dir DIR`. It loads the broker lazily
 * so that even a broker that fails to load says why in `broker.log`, where the client that
 * started it looks.
 *
 * @module
 */

import { NameTakenError } from "../errors.ts";
import { openAppendSync } from "../transport/no_follow.ts";
import { resolveRuntimeDir } from "../transport/runtime_dir.ts";
import { BROKER_FILES } from "../broker/protocol.ts";

/**
 * Runs the broker for a detached start: logs every failure to `broker.log` and returns the
 * exit code (0 as well when another broker won the race to start).
 *
 * @param args the command line: `[--runtime-dir DIR]`.
 */
export async function brokerMain(args: string[]): Promise<number> {
  const at = args.indexOf("--runtime-dir");
  const runtimeDir = resolveRuntimeDir({ runtimeDir: at >= 0 ? args[at + 1] : undefined });
  try {
    const { runBroker } = await import("./run.ts");
    return await runBroker({ runtimeDir });
  } catch (error) {
    if (error instanceof NameTakenError) return 0;
    const line = `${new Date().toISOString()} [${Deno.pid}] error the broker failed to start: ${
      (error as Error)?.message ?? error
    }\n`;
    try {
      using log = openAppendSync(`${runtimeDir}/${BROKER_FILES.log}`);
      log.writeSync(new TextEncoder().encode(line));
    } catch { /* nowhere left to say it; the client reports the exit code */ }
    return 1;
  }
}

if (import.meta.main) Deno.exit(await brokerMain(Deno.args));
