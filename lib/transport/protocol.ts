/**
 * The messages on a connection. Every frame body is a MessagePack dictionary whose `t` says
 * what it is:
 *
 * | `t`     | fields                     | meaning                                           |
 * |---------|----------------------------|---------------------------------------------------|
 * | `hello` | `v`, `name`, `pid`, …      | first frame each way: protocol version and who   |
 * | `req`   | `id`, `m` (method), `b`    | a request; the answer carries the same `id`       |
 * | `res`   | `id`, `b`                  | the answer to a request                           |
 * | `err`   | `id`, `code`, `msg`        | a request failed                                  |
 * | `evt`   | `m`, `b`                   | a one-way message, no answer                      |
 * | `bye`   | `code`, `msg`              | the sender closes the connection, and why         |
 *
 * @module
 */

/** The protocol version spoken on every connection; bumped on any incompatible change. */
export const PROTOCOL_VERSION = 2;

/** The version of ipckit. */
export const IPCKIT_VERSION = "0.1.0";
