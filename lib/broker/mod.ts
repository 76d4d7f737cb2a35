/**
 * The per-user broker daemon: names, notifications, pasteboards, launching. Its entry point is
 * `main.ts`; programs embed it with {@linkcode runBroker}.
 *
 * @module
 */

export * from "./broker.ts";
export * from "./log.ts";
export * from "./run.ts";
export * from "./service.ts";
export { brokerMain } from "./main.ts";
