/**
 * Named message ports, as `CFMessagePort` has them: a process serves a name with
 * {@linkcode createLocalPort}, others send to it with {@linkcode sendOnce} or a
 * {@linkcode connectPort} connection, and get a reply.
 *
 * @example Serve a port and ask it
 * ```ts
 * import { createLocalPort, sendOnce } from "ipckit/ports/mod.ts";
 * await using port = await createLocalPort("com.example.echo", (_msgid, data) => data);
 * const reply = await sendOnce("com.example.echo", 1, "hi");
 * console.log(new TextDecoder().decode(reply!)); // hi
 * ```
 *
 * @module
 */

export {
  connectPort,
  type ConnectPortOptions,
  createLocalPort,
  createStreamingLocalPort,
  listPorts,
  LocalPort,
  type LocalPortOptions,
  MAX_PORT_NAME,
  type PortCallback,
  type PortInfo,
  portNameProblem,
  type PortPaths,
  portPaths,
  type PortReply,
  RemotePort,
  type RequestInfo as PortRequestInfo,
  sendOnce,
  type SendOnceOptions,
  type SendRequestOptions,
  type StreamingPortCallback,
} from "./ports.ts";
