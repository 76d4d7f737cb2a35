/**
 * The per-user broker process: {@linkcode runBroker} composes the broker core with every
 * capability's service (notifications, pasteboards, the service manager); `main.ts` is the
 * process's entry point.
 *
 * @module
 */

export * from "./run.ts";
export { brokerMain } from "./main.ts";
