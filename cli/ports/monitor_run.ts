/**
 * The work of `ipckit monitor` (declared in `monitor.ts`), loaded only when it runs.
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { spec } from "./monitor.ts";
import { ExitError } from "../_errors.ts";
import { onInterrupt, writeReadyFile, writeStdout } from "../_io.ts";
import { attachMonitor, type MonitorEvent } from "../../lib/monitor/mod.ts";
import type { Dictionary, Value } from "../../lib/wire/value.ts";

/** One event as a line for people. */
export function formatEvent(event: MonitorEvent): string {
  const time = event.time.toISOString().slice(11, 23);
  const ms = (value: number) => value < 0 ? "-" : `${value.toFixed(value < 10 ? 2 : 1)} ms`;
  const bytes = (value: number) => value < 0 ? "-" : `${value} B`;
  switch (event.type) {
    case "notification":
      return `${time}  notify  ${event.name}${
        event.object === null ? "" : `  object ${event.object}`
      }  ${bytes(event.size)}  latency ${event.latencyMs} ms`;
    case "broker":
      return `${time}  broker  ${event.method}  ${bytes(event.size)} → ${
        event.event
          ? "(event)"
          : event.error !== undefined
          ? `error: ${event.error}`
          : bytes(event.replySize)
      }  ${ms(event.ms)}${event.dropped ? `  (${event.dropped} dropped before)` : ""}`;
    case "port":
      return `${time}  port    ${event.port}  id ${event.msgid}  ${bytes(event.size)} → ${
        event.oneway
          ? "(one-way)"
          : event.error !== undefined
          ? `error: ${event.error}`
          : bytes(event.replySize)
      }  ${ms(event.ms)}  pid ${event.pid}${
        event.dropped ? `  (${event.dropped} dropped before)` : ""
      }`;
  }
}

/** One event as a JSON line: plain JSON, its time in ISO 8601. */
function eventJson(event: MonitorEvent): string {
  return JSON.stringify({ ...event, time: event.time.toISOString() });
}

/** One event as a YAML document: its time a timestamp, whole numbers as integers. */
async function eventYaml(event: MonitorEvent): Promise<string> {
  const { toYaml } = await import("../../lib/wire/yaml.ts");
  const doc: Dictionary = {};
  for (const [key, value] of Object.entries(event)) {
    if (value === undefined) continue;
    doc[key] = typeof value === "number" && Number.isInteger(value) && key !== "ms"
      ? BigInt(value)
      : value as Value;
  }
  return `---\n${await toYaml(doc)}`;
}

/** Runs `ipckit monitor` until Ctrl-C, or `--count` events. */
export async function run(invocation: InvocationOf<typeof spec>): Promise<number> {
  const options = invocation.options;
  const { count } = options;
  const monitor = await attachMonitor({ runtimeDir: invocation.runtimeDir });
  let interrupted = false;
  const stopCleanup = onInterrupt(() => {
    interrupted = true; // the loop ends as it closes: exit as interrupted, not done
    return monitor.close();
  });
  try {
    if (options.readyFile) await writeReadyFile(options.readyFile);
    let seen = 0;
    for await (const event of monitor) {
      await writeStdout(
        options.json
          ? `${eventJson(event)}\n`
          : options.yaml
          ? await eventYaml(event)
          : `${formatEvent(event)}\n`,
      );
      if (count !== undefined && ++seen >= count) break;
    }
  } finally {
    if (!interrupted) stopCleanup();
    await monitor.close();
  }
  if (interrupted) throw new ExitError(130, "");
  return 0;
}
