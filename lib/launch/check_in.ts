/**
 * The service side of a launched service: {@linkcode checkIn} takes the ports its definition
 * declares and answers value messages on them (what `connectService` sends), and keeps a
 * connection to the broker for the manager's bookkeeping.
 *
 * @module
 */

import { connectBroker } from "../broker/client.ts";
import { createLocalPort, type LocalPort } from "../ports/mod.ts";
import type { Connection } from "../transport/connection.ts";
import type { RuntimeDirOptions } from "../transport/runtime_dir.ts";
import { decodeValue, encodeValue } from "../wire/msgpack.ts";
import type { Dictionary, Value } from "../wire/value.ts";
import {
  type ActivityCriteria,
  LABEL_ENV,
  LAUNCH_EVENTS,
  LAUNCH_METHODS,
  SERVICE_EVENTS,
  VALUE_MSGID,
} from "./protocol.ts";

/** Answers one message from a client; what it returns (or resolves to) is the reply. */
export type MessageHandler = (message: Value, info: { port: string }) => Value | Promise<Value>;

/** A launch event as the service gets it: the notification that started it (or came since). */
export interface LaunchEventNotification {
  /** The notification's name. */
  name: string;
  /** Its object, or `null`. */
  object: string | null;
  /** Its typed values, or `null`. */
  userInfo: Dictionary | null;
  /** When it was posted. */
  time: Date;
}

/** A run of an activity, as its handler gets it (`xpc_activity_t`). */
export class Activity {
  /** The activity's identifier. */
  readonly id: string;
  #shouldDefer: boolean;
  #deferred = false;

  /** @internal Made for each run. */
  constructor(id: string, shouldDefer: boolean) {
    this.id = id;
    this.#shouldDefer = shouldDefer;
  }

  /**
   * Whether the manager would rather the work waited (`xpc_activity_should_defer`): the
   * service is busy with its clients (it has open transactions).
   */
  shouldDefer(): boolean {
    return this.#shouldDefer;
  }

  /** Gives up this run; the manager tries again later (`XPC_ACTIVITY_STATE_DEFER`). */
  defer(): void {
    this.#deferred = true;
  }

  /** Whether {@linkcode defer} was called. */
  get deferred(): boolean {
    return this.#deferred;
  }
}

/** Runs an activity; resolves when its work is done (or deferred). */
export type ActivityHandler = (activity: Activity) => void | Promise<void>;

/** Options of {@linkcode checkIn}. */
export interface CheckInOptions extends RuntimeDirOptions {
  /**
   * Gets the notifications among the service's `launchEvents`: those that came before it
   * checked in (the one that started it), then each one as it comes, in order
   * (`xpc_set_event_stream_handler`). @default {undefined: they are dropped}
   */
  onLaunchEvent?: (event: LaunchEventNotification) => void;
  /** The service's label. @default {IPCKIT_SERVICE_LABEL, which the manager sets} */
  label?: string;
  /** How many messages are handled at once on each port. @default {1} */
  concurrency?: number;
}

/** A checked-in service: its ports and its link to the manager. */
export class ServiceCheckIn {
  /** The service's label. */
  readonly label: string;
  /** The ports it serves, by name. */
  readonly ports: ReadonlyMap<string, LocalPort>;
  #broker: Connection;
  #open = 0;
  /** Open client connections, by port name. */
  #clients = new Map<string, number>();
  #activities = new Map<string, ActivityHandler>();

  /** @internal Made by {@linkcode checkIn}. */
  constructor(label: string, ports: Map<string, LocalPort>, broker: Connection) {
    this.label = label;
    this.ports = ports;
    this.#broker = broker;
  }

  /** How many transactions are open (messages being handled included). */
  get openTransactions(): number {
    return this.#open;
  }

  /** How many client connections are open to its ports (`connectService`'s, a sender's). */
  get clients(): number {
    let sum = 0;
    for (const count of this.#clients.values()) sum += count;
    return sum;
  }

  /** @internal A port's count of open connections changed. */
  connectionsChanged(port: string, count: number): void {
    const before = this.clients;
    this.#clients.set(port, count);
    if ((before === 0) !== (this.clients === 0)) this.#tell();
  }

  /**
   * Marks work in progress (`xpc_transaction_begin`): while a transaction is open (or a client
   * is connected), a service with `enablePressuredExit` is not stopped for being idle. A
   * message being handled is one.
   */
  beginTransaction(): void {
    if (++this.#open === 1) this.#tell();
  }

  /**
   * Ends a transaction begun with {@linkcode beginTransaction} (`xpc_transaction_end`).
   *
   * @throws {RangeError} when none is open.
   */
  endTransaction(): void {
    if (this.#open === 0) throw new RangeError("endTransaction() without an open transaction");
    if (--this.#open === 0) this.#tell();
  }

  /**
   * Registers an activity (`xpc_activity_register`): the manager runs `handler` after `delay`,
   * once or every `interval`, within `gracePeriod` (all in seconds), starting the service for
   * it when it does not run. Register again at each check-in; the same criteria keep the
   * schedule the manager has (it outlives the service and the broker).
   */
  async registerActivity(
    id: string,
    criteria: ActivityCriteria,
    handler: ActivityHandler,
  ): Promise<void> {
    this.#activities.set(id, handler);
    await this.#broker.request(LAUNCH_METHODS.registerActivity, {
      label: this.label,
      id,
      criteria: { ...criteria },
    });
  }

  /** @internal The manager says an activity is due. */
  async runActivity(id: string, defer: boolean): Promise<void> {
    const handler = this.#activities.get(id);
    const activity = new Activity(id, defer);
    try {
      await handler?.(activity);
    } catch (error) {
      console.error(`activity ${id} failed: ${(error as Error)?.message ?? error}`);
    }
    await this.#broker.notify(SERVICE_EVENTS.activityDone, {
      label: this.label,
      id,
      deferred: activity.deferred,
    }).catch(() => {});
  }

  #tell(): void {
    const news = { label: this.label, open: this.#open, clients: this.clients };
    this.#broker.notify(SERVICE_EVENTS.transactions, news)
      .catch(() => {});
  }

  /** The connection to the broker (kept while checked in). */
  get broker(): Connection {
    return this.#broker;
  }

  /** Stops serving: invalidates the ports and lets go of the broker. */
  async close(): Promise<void> {
    await Promise.all([...this.ports.values()].map((port) => port.invalidate()));
    await this.#broker.close();
  }
}

/**
 * Checks a launched service in: asks the manager for the ports its definition declares, serves
 * each (value messages go to `handler`; its result is the reply), and keeps a connection to
 * the broker. A sender waiting for the service to start is answered once the ports are served.
 *
 * @throws {TypeError} when no label is given and `IPCKIT_SERVICE_LABEL` is not set.
 * @throws {NotFoundError} when no loaded service has the label.
 *
 * @example A service that answers `{ text }` with `{ length }`
 * ```ts ignore
 * import { checkIn } from "./mod.ts";
 * await checkIn((message) => {
 *   const text = (message as { text?: string }).text ?? "";
 *   return { length: text.length };
 * });
 * ```
 */
export async function checkIn(
  handler: MessageHandler,
  options: CheckInOptions = {},
): Promise<ServiceCheckIn> {
  const label = options.label ?? Deno.env.get(LABEL_ENV);
  if (!label) {
    throw new TypeError(
      `checkIn() needs the service's label: the manager sets ${LABEL_ENV}; else pass { label }`,
    );
  }
  const onLaunchEvent = options.onLaunchEvent;
  // Events that come while the held ones are handed over wait behind them.
  let early: Value[] | undefined = [];
  const deliver = (body: Value) => {
    if (early) early.push(body);
    else onLaunchEvent?.(body as unknown as LaunchEventNotification);
  };
  // Set once checked in; activities cannot come before (they are registered after).
  // deno-lint-ignore prefer-const
  let checkedIn: ServiceCheckIn | undefined;
  const broker = await connectBroker({
    runtimeDir: options.runtimeDir,
    connection: {
      onEvent: (method, body) => {
        if (method === LAUNCH_EVENTS.event) deliver(body);
        if (method === LAUNCH_EVENTS.activity && checkedIn) {
          const { id, defer } = body as { id: string; defer: boolean };
          checkedIn.runActivity(id, defer === true);
        }
      },
    },
  });
  let reply: Value;
  try {
    reply = await broker.request(LAUNCH_METHODS.checkIn, { label, pid: Deno.pid });
  } catch (error) {
    await broker.close();
    const { NotFoundError, RemoteError } = await import("../errors.ts");
    if (error instanceof RemoteError) throw new NotFoundError(error.message, { cause: error });
    throw error;
  }
  const { ports: names, events } = reply as { ports: string[]; events?: Value[] };
  const ports = new Map<string, LocalPort>();
  checkedIn = new ServiceCheckIn(label, ports, broker);
  const service = checkedIn;
  for (const name of names) {
    const port = await createLocalPort(name, async (msgid, data) => {
      if (msgid !== VALUE_MSGID) {
        throw new Error(`message id ${msgid} is not a value message (${VALUE_MSGID})`);
      }
      service.beginTransaction();
      try {
        return encodeValue(await handler(decodeValue(data), { port: name }));
      } finally {
        service.endTransaction();
      }
    }, {
      runtimeDir: options.runtimeDir,
      concurrency: options.concurrency,
      onConnections: (count) => service.connectionsChanged(name, count),
    });
    ports.set(name, port);
  }
  const pending = [...(events ?? []), ...early];
  early = undefined;
  for (const body of pending) deliver(body);
  return service;
}
