/**
 * Watching ipckit's traffic live, as `dbus-monitor` and `busctl monitor` do for D-Bus: every
 * notification posted (name, object, size of its userInfo, how long it took to arrive), every
 * request and event the broker handles (method, sizes, time taken) and every message the ports
 * handle (port, message id, sizes, time taken).
 *
 * A monitor observes all notifications, attaches to the broker (which then reports its traffic
 * and tells the ports), and listens on an inbox socket of its own where ports report their
 * messages (`ports/monitor.ts`). Nothing is measured or reported while no monitor is attached.
 * The broker must stay: when it goes away, the monitor ends with an error.
 *
 * @example
 * ```ts
 * import { attachMonitor } from "./monitor.ts";
 * await using monitor = await attachMonitor();
 * for await (const event of monitor) {
 *   console.log(event.type, event.time);
 *   break;
 * }
 * ```
 *
 * @module
 */

import { ConnectionClosedError, RuntimeDirError } from "../errors.ts";
import { connectBroker } from "../broker/client.ts";
import { BROKER_EVENTS, BROKER_METHODS } from "../broker/protocol.ts";
import { NotificationCenter, type NotificationObserver } from "../notifications/mod.ts";
import type { Connection } from "../transport/connection.ts";
import { type Endpoint, openEndpoint } from "../transport/endpoint.ts";
import { ensureRuntimeDir, type RuntimeDirOptions } from "../transport/runtime_dir.ts";
import { FrameDecoder } from "../wire/frame.ts";
import { decodeValue, encodeValue } from "../wire/msgpack.ts";
import type { Dictionary, Value } from "../wire/value.ts";
import { MONITORS_DIR } from "../broker/protocol.ts";

/** A notification, as a monitor sees it. */
export interface MonitorNotification {
  /** What it is. */
  type: "notification";
  /** When it arrived. */
  time: Date;
  /** Its name. */
  name: string;
  /** Its object, if any. */
  object: string | null;
  /** The size of its userInfo in MessagePack, in bytes (0 without one). */
  size: number;
  /** Milliseconds from its post to its arrival here. */
  latencyMs: number;
}

/** A request or event the broker handled. */
export interface MonitorBrokerCall {
  /** What it is. */
  type: "broker";
  /** When the broker handled it. */
  time: Date;
  /** Its method (`notify.post`, `pasteboard.write`…). */
  method: string;
  /** The size of its body in MessagePack, in bytes. */
  size: number;
  /** The size of its reply, in bytes; -1 for an event (one-way) or a failure. */
  replySize: number;
  /** Milliseconds the broker took. */
  ms: number;
  /** Whether it was a one-way event. */
  event: boolean;
  /** Why it failed, if it did. */
  error?: string;
  /** How many earlier records the broker dropped because this monitor did not keep up. */
  dropped?: number;
}

/** A message a port handled. */
export interface MonitorPortMessage {
  /** What it is. */
  type: "port";
  /** When the port answered it. */
  time: Date;
  /** The port's name. */
  port: string;
  /** The serving process. */
  pid: number;
  /** The message id. */
  msgid: number;
  /** The request's length in bytes (-1: streamed without saying). */
  size: number;
  /** The reply's length in bytes (-1: streamed, one-way, or failed). */
  replySize: number;
  /** Milliseconds from the request's arrival to its reply. */
  ms: number;
  /** Whether it was one-way. */
  oneway: boolean;
  /** The callback's failure, if it failed. */
  error?: string;
  /** How many earlier records the port dropped because this monitor did not keep up. */
  dropped?: number;
}

/** What a monitor sees. */
export type MonitorEvent = MonitorNotification | MonitorBrokerCall | MonitorPortMessage;

/** Options of {@linkcode attachMonitor}. */
export interface MonitorOptions extends RuntimeDirOptions {}

/** A monitor: an async iterable of {@linkcode MonitorEvent}s until closed. */
export class Monitor implements AsyncIterable<MonitorEvent> {
  #queue: MonitorEvent[] = [];
  #waiter: ((result: IteratorResult<MonitorEvent>) => void) | undefined;
  #failWaiter: ((error: Error) => void) | undefined;
  #error: Error | undefined;
  #closed = false;
  #endpoint: Endpoint;
  #inbox: string;
  #broker!: Connection;
  #center!: NotificationCenter;
  #observer!: NotificationObserver;
  #conns = new Set<Deno.UnixConn>();
  #closing: Promise<void> | undefined;

  /** @internal Use {@linkcode attachMonitor}. */
  constructor(endpoint: Endpoint) {
    this.#endpoint = endpoint;
    this.#inbox = endpoint.path;
    endpoint.accept((conn) => this.#read(conn));
  }

  /** @internal attaches: observes every notification, then tells the broker. */
  async start(runtimeDir: string): Promise<void> {
    this.#center = await NotificationCenter.connect({ runtimeDir });
    this.#observer = await this.#center.observe({ suspensionBehavior: "hold" });
    this.#watchNotifications();
    this.#broker = await connectBroker({
      runtimeDir,
      connection: {
        onEvent: (method, body) => {
          if (method === BROKER_EVENTS.monitorCall) this.#push(brokerCall(body as Dictionary));
        },
      },
    });
    this.#broker.hold();
    this.#broker.closed.then(() => {
      if (!this.#closed) {
        this.#fail(
          new ConnectionClosedError(
            "the broker went away (stopped or crashed), so the monitor ended; start it again to watch on",
          ),
        );
      }
    });
    await this.#broker.request(BROKER_METHODS.monitorAttach, { inbox: this.#inbox });
  }

  /** Whether it was closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The next event, or `done` once closed. */
  next(): Promise<IteratorResult<MonitorEvent>> {
    const event = this.#queue.shift();
    if (event) return Promise.resolve({ value: event, done: false });
    if (this.#error) return Promise.reject(this.#error);
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiter = resolve;
      this.#failWaiter = reject;
    });
  }

  /** Iterates over what happens until the monitor is closed. */
  [Symbol.asyncIterator](): AsyncIterator<MonitorEvent> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  /** Detaches: the broker and the ports stop reporting; the iteration ends. */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#closed = true;
    this.#waiter?.({ value: undefined, done: true });
    this.#waiter = this.#failWaiter = undefined;
    const stopped = this.#endpoint.close();
    for (const conn of this.#conns) {
      try {
        conn.close();
      } catch { /* closed already */ }
    }
    await stopped;
    await Promise.all([this.#broker?.close(), this.#observer?.close()]);
    await this.#center?.close();
  }

  /** Detaches at the end of an `await using` scope ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #push(event: MonitorEvent): void {
    if (this.#closed) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = this.#failWaiter = undefined;
      waiter({ value: event, done: false });
    } else this.#queue.push(event);
  }

  #fail(error: Error): void {
    if (this.#closed) return;
    this.#error = error;
    this.#closed = true;
    this.#failWaiter?.(error);
    this.#waiter = this.#failWaiter = undefined;
  }

  async #watchNotifications(): Promise<void> {
    try {
      for await (const event of this.#observer) {
        if (event.type !== "notification") continue;
        const now = new Date();
        this.#push({
          type: "notification",
          time: now,
          name: event.name,
          object: event.object,
          size: event.userInfo ? encodeValue(event.userInfo).length : 0,
          latencyMs: Math.max(0, now.getTime() - event.time.getTime()),
        });
      }
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  /** Reads one port's records. */
  async #read(conn: Deno.UnixConn): Promise<void> {
    this.#conns.add(conn);
    const decoder = new FrameDecoder(64 * 1024);
    try {
      for (;;) {
        const space = decoder.space(4096);
        const n = await conn.read(space);
        if (n === null) break;
        decoder.commit(n);
        for (let frame = decoder.next(); frame; frame = decoder.next()) {
          const record = decodeValue(frame) as Dictionary;
          if (record.type === "port") this.#push(portMessage(record));
        }
      }
    } catch { /* a port that breaks the format, or went away: its records end */ }
    this.#conns.delete(conn);
    try {
      conn.close();
    } catch { /* closed already */ }
  }
}

function num(value: Value | undefined): number {
  return typeof value === "bigint" ? Number(value) : typeof value === "number" ? value : -1;
}

/** Milliseconds to the microsecond (what `performance.now()` resolves). */
function milliseconds(value: Value | undefined): number {
  const ms = num(value);
  return ms < 0 ? ms : Math.round(ms * 1000) / 1000;
}

function brokerCall(body: Dictionary): MonitorBrokerCall {
  const call: MonitorBrokerCall = {
    type: "broker",
    time: new Date(num(body.time)),
    method: String(body.method),
    size: num(body.size),
    replySize: num(body.reply),
    ms: milliseconds(body.ms),
    event: body.event === true,
  };
  if (typeof body.error === "string") call.error = body.error;
  if (body.dropped !== undefined) call.dropped = num(body.dropped);
  return call;
}

function portMessage(record: Dictionary): MonitorPortMessage {
  const message: MonitorPortMessage = {
    type: "port",
    time: new Date(num(record.time)),
    port: String(record.port),
    pid: num(record.pid),
    msgid: num(record.msgid),
    size: num(record.size),
    replySize: num(record.reply),
    ms: milliseconds(record.ms),
    oneway: record.oneway === true,
  };
  if (typeof record.error === "string") message.error = record.error;
  if (record.dropped !== undefined) message.dropped = num(record.dropped);
  return message;
}

/**
 * Attaches a monitor (starting the broker when none runs): from when this resolves, it sees
 * every notification, every request the broker handles and every message a port handles.
 *
 * @throws {BrokerStartError} when the broker cannot be started.
 */
export async function attachMonitor(options: MonitorOptions = {}): Promise<Monitor> {
  const runtimeDir = await ensureRuntimeDir(options);
  const folder = `${runtimeDir}/${MONITORS_DIR}`;
  await Deno.mkdir(folder, { mode: 0o700, recursive: true });
  if (!(await Deno.lstat(folder)).isDirectory) {
    // Ports never report through a link: the monitor would wait for nothing.
    throw new RuntimeDirError(
      `cannot attach a monitor: ${folder} is not a directory (a link?); remove it and try again`,
    );
  }
  const inbox = `${folder}/${Deno.pid}-${crypto.randomUUID().slice(0, 8)}.sock`;
  const monitor = new Monitor(await openEndpoint(inbox));
  try {
    await monitor.start(runtimeDir);
  } catch (error) {
    await monitor.close();
    throw error;
  }
  return monitor;
}
