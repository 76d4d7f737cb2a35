/**
 * The transport: the runtime directory, name ownership, the endpoint (socket and accept loop),
 * Unix-socket listener and connection,
 * request/reply correlation and timeouts.
 *
 * @module
 */

export * from "./protocol.ts";
export * from "./runtime_dir.ts";
export * from "./name_lock.ts";
export * from "./connection.ts";
export * from "./endpoint.ts";
export * from "./listener.ts";
export * from "./connect.ts";
export * from "./call.ts";
