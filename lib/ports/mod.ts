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

export { MAX_PORT_NAME, portNameProblem, type PortPaths, portPaths } from "./names.ts";
export { sendOnce, type SendOnceOptions, type SendRequestOptions } from "./once.ts";
export {
  createLocalPort,
  createStreamingLocalPort,
  LocalPort,
  type LocalPortOptions,
  type PortCallback,
  type PortReply,
  type RequestInfo as PortRequestInfo,
  type StreamingPortCallback,
} from "./local_port.ts";
export { connectPort, type ConnectPortOptions, RemotePort } from "./remote_port.ts";
export { listPorts, type PortInfo } from "./list.ts";
