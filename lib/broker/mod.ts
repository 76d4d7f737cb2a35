/**
 * The broker's core: reaching the per-user broker ({@linkcode connectBroker},
 * {@linkcode callBroker}), its protocol and status, and the {@linkcode Broker} that routes
 * requests to the services plugged into it. The per-user process that composes the services
 * is `lib/daemon/`.
 *
 * @module
 */

export * from "./client.ts";
export * from "./core.ts";
export * from "./log.ts";
export * from "./protocol.ts";
export * from "./service.ts";
