/**
 * The client side of a launched service, with XPC's connection semantics:
 * {@linkcode connectService} gives a {@linkcode ServiceConnection} whose messages start the
 * service on demand. When the service dies, the connection says `interrupted`
 * (`XPC_ERROR_CONNECTION_INTERRUPTED`) and stays usable: the next message launches it again.
 * When the service is unloaded or cannot start, it says `invalidated`
 * (`XPC_ERROR_CONNECTION_INVALID`) and every message fails from then on.
 *
 * @module
 */

import { callBroker } from "../broker/once.ts";
import {
  NotFoundError,
  PORT_STATUS,
  PortError,
  RemoteError,
  ServiceInvalidError,
} from "../errors.ts";
import { connectPort, type RemotePort } from "../ports/mod.ts";
import type { RuntimeDirOptions } from "../transport/runtime_dir.ts";
import { decodeValue, encodeValue } from "../wire/msgpack.ts";
import type { Value } from "../wire/value.ts";
import { LAUNCH_METHODS, VALUE_MSGID } from "./protocol.ts";

/** Options of {@linkcode connectService}. */
export interface ConnectServiceOptions extends RuntimeDirOptions {
  /** Which of the service's ports to talk to. @default {its first} */
  port?: string;
  /** Seconds a message may wait for the service to start and take it. @default {10} */
  sendTimeout?: number;
}

/** Options of {@linkcode ServiceConnection.send}. */
export interface ServiceSendOptions {
  /** Seconds to wait for the reply once sent; 0 waits forever. @default {0} */
  receiveTimeout?: number;
}

/**
 * A connection to a launched service. Events: `interrupted` (the service died; the next
 * message relaunches it), `invalidated` (it was unloaded or cannot start; nothing works again).
 */
export class ServiceConnection extends EventTarget {
  /** The service's label. */
  readonly label: string;
  #options: ConnectServiceOptions;
  #port: Promise<RemotePort> | undefined;
  #invalid: ServiceInvalidError | undefined;
  #closed = false;

  /** @internal Made by {@linkcode connectService}. */
  constructor(label: string, options: ConnectServiceOptions) {
    super();
    this.label = label;
    this.#options = options;
  }

  /** Whether the connection was invalidated (or closed). */
  get invalidated(): boolean {
    return this.#invalid !== undefined;
  }

  /**
   * Sends a message and resolves with the service's reply, starting the service first when it
   * does not run.
   *
   * @throws {ServiceInvalidError} when the connection is (or becomes) invalid.
   * @throws {PortError} when the service died during the message (status -5; the connection
   *   is interrupted, the next message relaunches it), or the handler failed.
   */
  async send(message: Value, options: ServiceSendOptions = {}): Promise<Value> {
    const bytes = encodeValue(message);
    for (let attempt = 0;; attempt++) {
      if (this.#invalid) throw this.#invalid;
      const port = await (this.#port ??= this.#open());
      try {
        const reply = await port.sendRequest(VALUE_MSGID, bytes, {
          receiveTimeout: options.receiveTimeout ?? 0,
        });
        return decodeValue(reply!);
      } catch (error) {
        // A service that died just then can still take a connection it never answers (its
        // socket goes last): without its hello, it never read the message; send it again.
        const unread = error instanceof PortError &&
          error.status === PORT_STATUS.becameInvalid && port.serverPid === undefined;
        if (!unread || attempt >= 3) throw error;
      }
    }
  }

  /** Closes the connection; it is invalid from then on (no event). */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#invalid ??= new ServiceInvalidError(`the connection to ${this.label} was closed`);
    this.#port?.then((port) => port.invalidate(), () => {});
  }

  async #open(): Promise<RemotePort> {
    try {
      const name = this.#options.port ?? await this.#firstPort();
      const port = await connectPort(name, {
        runtimeDir: this.#options.runtimeDir,
        demandTimeoutMs: (this.#options.sendTimeout ?? 10) * 1000,
      });
      port.onInvalidate(() => {
        this.#port = undefined;
        // Only a service that had answered can be interrupted (see the retry in send()).
        if (!this.#closed && port.serverPid !== undefined) {
          this.dispatchEvent(new Event("interrupted"));
        }
      });
      return port;
    } catch (error) {
      this.#port = undefined;
      if (error instanceof NotFoundError) this.#invalidate(error);
      throw this.#invalid ?? error;
    }
  }

  async #firstPort(): Promise<string> {
    let reply: Value;
    try {
      reply = await callBroker(LAUNCH_METHODS.lookup, { label: this.label }, {
        runtimeDir: this.#options.runtimeDir,
      });
    } catch (error) {
      if (error instanceof RemoteError) throw new NotFoundError(error.message, { cause: error });
      throw error;
    }
    const ports = (reply as { ports: string[] }).ports;
    if (ports.length === 0) {
      throw new NotFoundError(`the service ${this.label} declares no port to connect to`);
    }
    return ports[0];
  }

  #invalidate(cause: Error): void {
    if (this.#invalid) return;
    this.#invalid = new ServiceInvalidError(
      `the connection to ${this.label} is invalid: ${cause.message}`,
      { cause },
    );
    this.dispatchEvent(new Event("invalidated"));
  }
}

/**
 * Connects to a loaded service by label (`xpc_connection_create_mach_service`). Nothing is
 * started until the first message.
 *
 * @example
 * ```ts ignore
 * import { connectService } from "./mod.ts";
 * const service = connectService("com.example.length");
 * service.addEventListener("interrupted", () => console.error("it died; the next message restarts it"));
 * service.addEventListener("invalidated", () => console.error("it cannot run"));
 * console.log(await service.send({ text: "hello" })); // { length: 5 }
 * service.close();
 * ```
 */
export function connectService(
  label: string,
  options: ConnectServiceOptions = {},
): ServiceConnection {
  return new ServiceConnection(label, options);
}
