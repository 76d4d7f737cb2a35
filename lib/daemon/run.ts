/**
 * Runs a broker until it stops: starts it with every service, stops it cleanly on SIGTERM and
 * SIGINT, and returns the exit code.
 *
 * @module
 */

import { Broker, type BrokerOptions } from "../broker/core.ts";
import { notificationService } from "../notifications/service.ts";
import { pasteboardService } from "../pasteboard/service.ts";
import { launchService } from "../launch/service.ts";
import { tellPorts } from "../ports/monitor.ts";
import type { Service, ServiceContext } from "../broker/service.ts";

/** The services every broker runs; each feature adds its own here. */
export const SERVICES: ((context: ServiceContext) => Service)[] = [
  notificationService,
  pasteboardService,
  launchService,
];

/**
 * Starts a broker and waits until it stops (idle, `daemon stop`, SIGTERM or SIGINT).
 *
 * @param options where and how to run.
 * @param onStarted called once the broker accepts connections.
 * @returns the exit code: 0, or 130 after SIGINT.
 * @throws {NameTakenError} when another broker already runs there.
 */
export async function runBroker(
  options: BrokerOptions = {},
  onStarted?: (broker: Broker) => unknown,
): Promise<number> {
  const broker = await Broker.start({ services: SERVICES, tellPorts, ...options });
  await onStarted?.(broker);
  let code = 0;
  const handlers: [Deno.Signal, () => void][] = [
    ["SIGTERM", () => broker.stop("SIGTERM")],
    ["SIGINT", () => {
      code = 130;
      broker.stop("SIGINT");
    }],
  ];
  for (const [signal, handler] of handlers) Deno.addSignalListener(signal, handler);
  try {
    await broker.done;
  } finally {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  }
  return code;
}
