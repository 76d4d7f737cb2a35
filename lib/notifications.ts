/**
 * Distributed notifications, the macOS way (`CFNotificationCenterGetDistributedCenter` and
 * notify(3)): post a notification by name, with an object and a typed `userInfo`; observe by
 * name, several names, a glob or everything, and by object; suspend and resume observers, each
 * with its suspension behaviour; and keep a 64-bit state per name that outlives the broker.
 *
 * A poster never waits for observers. Each observer has a bounded queue in the broker; what it
 * misses while suspended or too slow is reported in its stream as a {@linkcode DroppedRecord},
 * and the time it could not hear while the broker restarted as a {@linkcode GapRecord}: nothing
 * is lost silently. Observers re-register by themselves after the broker restarts.
 *
 * @example Post and observe
 * ```ts
 * import { observeNotifications, postNotification } from "./notifications.ts";
 * const observer = await observeNotifications({ names: "com.example.*" });
 * await postNotification("com.example.ping", { object: "demo", userInfo: { n: 1n } });
 * for await (const event of observer) {
 *   if (event.type === "notification") console.log(event.name, event.userInfo);
 *   break;
 * }
 * observer.close();
 * ```
 *
 * @module
 */

import { connectBroker } from "./daemon.ts";
import { ConnectionClosedError, ProtocolError, RemoteError, RuntimeDirError } from "./errors.ts";
import { debug } from "./_debug.ts";
import { sleep } from "./_timer.ts";
import {
  checkName,
  postBody,
  type PostFields,
  stateOf,
  toUInt64,
} from "./_notifications_protocol.ts";
import { encodePostEvent } from "./_notifications_frames.ts";
import type { Connection } from "./transport/connection.ts";
import { resolveRuntimeDir } from "./transport/runtime_dir.ts";
import { decodeValue } from "./wire/msgpack.ts";
import { type Dictionary, isDictionary, type Value } from "./wire/value.ts";
import {
  DEFAULT_QUEUE_LIMIT,
  HOLD_LIMIT,
  SUSPENSION_BEHAVIORS,
  type SuspensionBehavior,
} from "./broker/notifications.ts";

export { DEFAULT_QUEUE_LIMIT, HOLD_LIMIT, SUSPENSION_BEHAVIORS, type SuspensionBehavior };

/** Options of {@linkcode NotificationCenter.connect} and of the functions that use one. */
export interface CenterOptions {
  /** The runtime directory. @default {IPCKIT_RUNTIME_DIR, else XDG_RUNTIME_DIR/ipckit, else /tmp/ipckit-UID} */
  runtimeDir?: string;
}

/** Options of {@linkcode postNotification}. */
export interface PostOptions extends CenterOptions, PostFields {}

export type { PostFields };

/** Options of {@linkcode observeNotifications}. */
export interface ObserveOptions extends CenterOptions {
  /**
   * The names to observe: one, several, or globs (`com.example.*`, `?`, `[…]`). None, or `*`,
   * observes every name. @default {every name}
   */
  names?: string | readonly string[];
  /** Only notifications for this object; without one, every object. @default {null} */
  object?: string | null;
  /** What the broker does while the observer is suspended or its queue is full. @default {"coalesce"} */
  suspensionBehavior?: SuspensionBehavior;
  /** How many notifications may be on their way to the observer before its queue counts as full. @default {1024} */
  queueLimit?: number;
  /** Start suspended. @default {false} */
  suspended?: boolean;
}

/** A notification as an observer receives it. */
export interface Notification {
  /** Tells it from the records. */
  readonly type: "notification";
  /** Its name. */
  readonly name: string;
  /** Its object, or `null`. */
  readonly object: string | null;
  /** Its typed values, or `null` when it had none. */
  readonly userInfo: Dictionary | null;
  /** When the broker received it. */
  readonly time: Date;
}

/** Notifications the observer did not get (suspended or too slow): how many, and when. */
export interface DroppedRecord {
  /** Tells it from a notification. */
  readonly type: "dropped";
  /** How many notifications were dropped (or coalesced away). */
  readonly count: number;
  /** When the first of them was posted. */
  readonly from: Date;
  /** When the last of them was posted. */
  readonly to: Date;
}

/** A time the observer could not hear because the broker was gone; it has re-registered. */
export interface GapRecord {
  /** Tells it from a notification. */
  readonly type: "gap";
  /** When the connection to the broker was lost. */
  readonly from: Date;
  /** When the observer was registered again. */
  readonly to: Date;
}

/** What an observer's stream yields. */
export type NotificationEvent = Notification | DroppedRecord | GapRecord;

interface Buffered {
  event: NotificationEvent;
  generation: number;
}

/**
 * An observer: an async iterable of {@linkcode NotificationEvent}s until {@linkcode close}.
 * It keeps the program alive while open.
 */
export class NotificationObserver implements AsyncIterable<NotificationEvent> {
  #center: NotificationCenter;
  #buffer: Buffered[] = [];
  #head = 0;
  #waiter: ((result: IteratorResult<NotificationEvent>) => void) | undefined;
  #failWaiter: ((error: Error) => void) | undefined;
  #error: Error | undefined;
  #closed = false;
  #taken = 0;
  #ackEvery: number;
  /** @internal the observer's id on its connection. */
  readonly id: number;
  /** @internal what the broker registers. */
  readonly spec: Dictionary;

  /** @internal made by {@linkcode NotificationCenter.observe}. */
  constructor(center: NotificationCenter, id: number, spec: Dictionary) {
    this.#center = center;
    this.id = id;
    this.spec = spec;
    this.#ackEvery = Math.max(1, Math.floor((spec.q as number) / 4));
  }

  /** Whether {@linkcode close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Suspends the observer: the broker applies its suspension behaviour to what arrives until
   * {@linkcode resume}. What was already on its way is still delivered.
   */
  async suspend(): Promise<void> {
    this.spec.s = true;
    await this.#center.request("notify.suspend", { i: this.id });
  }

  /** Resumes the observer: what the broker held for it is delivered, in order. */
  async resume(): Promise<void> {
    this.spec.s = false;
    await this.#center.request("notify.resume", { i: this.id });
  }

  /** Stops observing; the iteration ends. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#center.unregister(this);
    this.#waiter?.({ value: undefined, done: true });
    this.#waiter = this.#failWaiter = undefined;
  }

  /** The next event, or `done` once closed. */
  next(): Promise<IteratorResult<NotificationEvent>> {
    if (this.#head < this.#buffer.length) {
      const item = this.#buffer[this.#head];
      this.#buffer[this.#head++] = undefined as unknown as Buffered;
      if (this.#head === this.#buffer.length) {
        this.#buffer = [];
        this.#head = 0;
      }
      this.#took(item.generation);
      return Promise.resolve({ value: item.event, done: false });
    }
    if (this.#error) return Promise.reject(this.#error);
    if (this.#closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.#waiter = resolve;
      this.#failWaiter = reject;
    });
  }

  /** Iterates over the notifications and records as they arrive, until the observer closes. */
  [Symbol.asyncIterator](): AsyncIterator<NotificationEvent> {
    return {
      next: () => this.next(),
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }

  /** @internal an event arrived for this observer. */
  push(event: NotificationEvent, generation: number): void {
    if (this.#closed) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = this.#failWaiter = undefined;
      this.#took(generation);
      waiter({ value: event, done: false });
    } else this.#buffer.push({ event, generation });
  }

  /** @internal the observer cannot go on. */
  fail(error: Error): void {
    if (this.#closed) return;
    this.#error = error;
    this.#failWaiter?.(error);
    this.#waiter = this.#failWaiter = undefined;
    this.#closed = true;
  }

  /** @internal registered anew on a fresh connection: nothing of it is unacknowledged. */
  restart(): void {
    this.#taken = 0;
  }

  // Acknowledges in batches what the reader took, so that the broker sends more.
  #took(generation: number): void {
    if (generation !== this.#center.generation) return;
    if (++this.#taken < this.#ackEvery) return;
    const count = this.#taken;
    this.#taken = 0;
    this.#center.request("notify.ack", { i: this.id, c: count }).catch(() => {});
  }
}

/**
 * A connection to the broker's notification center: posts, observers and state over one
 * connection, re-established (and the observers re-registered) whenever the broker goes away.
 *
 * @example Post many over one connection
 * ```ts
 * import { NotificationCenter } from "./notifications.ts";
 * const center = await NotificationCenter.connect();
 * for (let i = 0; i < 10; i++) await center.post("com.example.tick", { userInfo: { i: BigInt(i) } });
 * await center.close();
 * ```
 */
export class NotificationCenter {
  #options: CenterOptions;
  #connection: Connection | undefined;
  #connecting: Promise<Connection> | undefined;
  #observers = new Map<number, NotificationObserver>();
  #nextId = 1;
  #release: (() => void) | undefined;
  #closed = false;
  #recovering: Promise<void> | undefined;
  // What the broker said about a one-way post it refused, for the next post to report.
  #refused: RemoteError | undefined;
  /** @internal bumped on every new connection. */
  generation = 0;

  private constructor(options: CenterOptions) {
    this.#options = options;
  }

  /**
   * Connects to the broker (starting it when none runs).
   *
   * @throws {BrokerStartError} when the broker cannot be started.
   */
  static async connect(options: CenterOptions = {}): Promise<NotificationCenter> {
    const center = new NotificationCenter(options);
    // Past the broker's hello, posts go one way from the first on (the hello says whether the
    // broker takes them so): no answer to wait for, so no more round trips than before.
    for (let attempt = 0;; attempt++) {
      const connection = await center.#ensure();
      try {
        await connection.ready;
        return center;
      } catch (error) {
        // A broker that was just exiting closed on us: once more, through a new connection.
        if (attempt > 0 || !(error instanceof ConnectionClosedError)) throw error;
      }
    }
  }

  /**
   * Posts a notification; resolves once it is on its way to the broker (never waiting for
   * observers). Posts from one center reach observers in the order posted. A post is one way
   * once connected: the broker does not answer it, and should it refuse one, the next post
   * rejects with that {@linkcode RemoteError}. A post that sets a state, and a post made while
   * the center (re)connects, wait for the broker's answer.
   */
  post(name: string, options: PostOptions = {}): Promise<void> {
    let body: Dictionary;
    try {
      body = postBody(name, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.postBody(body);
  }

  /** @internal posts a checked `notify.post` body; see {@linkcode post}. */
  postBody(body: Dictionary): Promise<void> {
    const refused = this.#refused;
    if (refused) {
      this.#refused = undefined;
      return Promise.reject(refused);
    }
    // Straight to the connection, with no promise hops of its own before the frame is written
    // and no reply to wait for (a post's latency is mostly hops and wake-ups).
    const connection = this.#connection;
    if (
      body.s === undefined && connection && connection.peerHello?.events === true &&
      !connection.isClosed && !this.#closed
    ) {
      let frame: Uint8Array;
      try {
        frame = encodePostEvent(body);
      } catch (error) {
        return Promise.reject(error);
      }
      return connection.sendEncoded(frame);
    }
    return this.request("notify.post", body).then(ignore);
  }

  /** Registers an observer; it receives what is posted from the moment this resolves. */
  async observe(options: ObserveOptions = {}): Promise<NotificationObserver> {
    const observer = new NotificationObserver(this, this.#nextId++, observeBody(options));
    this.#observers.set(observer.id, observer);
    this.#holdWhileObserving();
    try {
      const connection = await this.#ensure();
      await connection.request("notify.observe", { i: observer.id, ...observer.spec });
    } catch (error) {
      this.#observers.delete(observer.id);
      this.#holdWhileObserving();
      throw error;
    }
    return observer;
  }

  /** The 64-bit state of a name (0 when never set). */
  async getState(name: string): Promise<bigint> {
    checkName(name);
    return stateOf(await this.request("notify.state.get", { n: name }));
  }

  /** Sets the 64-bit state of a name; it is saved before this resolves. */
  async setState(name: string, value: bigint | number): Promise<void> {
    checkName(name);
    await this.request("notify.state.set", { n: name, v: toUInt64(value) });
  }

  /** Whether {@linkcode close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Closes every observer and the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    forget(this);
    for (const observer of [...this.#observers.values()]) observer.close();
    await this.#connection?.close();
  }

  /** @internal a request over the current connection, reconnecting first when needed. */
  request(method: string, body: Value): Promise<Value> {
    // The common case, connected and past the handshake, goes straight to the connection: no
    // promise hops of its own before the frame is written (a post's latency is mostly hops).
    const connection = this.#connection;
    if (connection && connection.peerHello && !connection.isClosed && !this.#closed) {
      return connection.request(method, body);
    }
    return this.#requestSlowly(method, body);
  }

  async #requestSlowly(method: string, body: Value): Promise<Value> {
    const connection = await this.#ensure();
    try {
      return await connection.request(method, body);
    } catch (error) {
      // The first request rides right behind the hello (no round trip spent on it): when a
      // broker that was just exiting closes on it, it never ran; go again through a new one.
      if (!(error instanceof ConnectionClosedError) || connection.peerHello) throw error;
      return await (await this.#ensure()).request(method, body);
    }
  }

  /** @internal an observer closed. */
  unregister(observer: NotificationObserver): void {
    if (!this.#observers.delete(observer.id)) return;
    this.#holdWhileObserving();
    const connection = this.#connection;
    if (connection && !connection.isClosed) {
      connection.request("notify.cancel", { i: observer.id }).catch(() => {});
    }
  }

  #holdWhileObserving(): void {
    if (this.#observers.size > 0 && !this.#release && this.#connection) {
      this.#release = this.#connection.hold();
    } else if (this.#observers.size === 0 && this.#release) {
      this.#release();
      this.#release = undefined;
    }
  }

  #ensure(): Promise<Connection> {
    if (this.#closed) return Promise.reject(new ConnectionClosedError("the center is closed"));
    const connection = this.#connection;
    if (connection && !connection.isClosed) return Promise.resolve(connection);
    return this.#connecting ??= this.#connect().finally(() => this.#connecting = undefined);
  }

  async #connect(): Promise<Connection> {
    const connection = await connectBroker({
      runtimeDir: this.#options.runtimeDir,
      connection: {
        waitForHello: false,
        onEvent: (method, body) => this.#event(method, body),
      },
    });
    this.#connection = connection;
    this.generation++;
    this.#release = undefined;
    this.#holdWhileObserving();
    connection.closed.then(() => this.#lost(connection));
    return connection;
  }

  #event(method: string, body: Value): void {
    if (!isDictionary(body)) return;
    if (method === "notify.error") {
      this.#refused = new RemoteError(
        String(body.code ?? "failed"),
        `the broker refused a post${typeof body.n === "string" ? ` of ${body.n}` : ""}: ${
          String(body.msg ?? "failed")
        }`,
      );
      debug("notifications", this.#refused.message);
      return;
    }
    const observer = this.#observers.get(body.i as number);
    if (!observer) return;
    if (method === "notify.d") {
      let userInfo: Dictionary | null = null;
      if (body.u instanceof Uint8Array) {
        try {
          const decoded = decodeValue(body.u);
          if (isDictionary(decoded)) userInfo = decoded;
        } catch { /* the broker checked it; nothing better to do than leave it out */ }
      }
      observer.push({
        type: "notification",
        name: String(body.n),
        object: typeof body.o === "string" ? body.o : null,
        userInfo,
        time: new Date(body.t as number),
      }, this.generation);
    } else if (method === "notify.dropped") {
      observer.push({
        type: "dropped",
        count: body.c as number,
        from: new Date(body.f as number),
        to: new Date(body.l as number),
      }, this.generation);
    }
  }

  /** The connection went away: with observers, reconnect now and tell them about the gap. */
  #lost(connection: Connection): void {
    debug(
      "notifications",
      `connection lost (${
        connection.closeReason?.message ?? "closed"
      }); ${this.#observers.size} observers`,
    );
    if (this.#closed || connection !== this.#connection) return;
    this.#release?.();
    this.#release = undefined;
    if (this.#observers.size === 0) return;
    // One recovery at a time: a fresh connection that dies while it runs (a broker still
    // exiting accepts, then breaks) is replaced by the same recovery, which reports one gap.
    this.#recovering ??= this.#recover().finally(() => this.#recovering = undefined);
  }

  async #recover(): Promise<void> {
    const trace = (message: string) => debug("notifications", message);
    const from = new Date();
    for (let delay = 10;; delay = Math.min(delay * 2, 500)) {
      if (this.#closed || this.#observers.size === 0) return;
      let fresh: Connection | undefined;
      try {
        fresh = await this.#ensure();
        trace("reconnected; registering the observers again");
        const observers = [...this.#observers.values()];
        for (const observer of observers) observer.restart();
        // A broker that never answers must not hold the observers forever: give up on this
        // connection after a while and try a new one.
        await Promise.all(
          observers.map((o) =>
            fresh!.request("notify.observe", { i: o.id, ...o.spec }, { timeoutMs: 5000 })
          ),
        );
        if (fresh.isClosed) throw new ConnectionClosedError("the new connection closed at once");
        const to = new Date();
        trace("observers registered again");
        for (const observer of observers) {
          observer.push({ type: "gap", from, to }, this.generation);
        }
        return;
      } catch (error) {
        trace(`reconnecting failed: ${(error as Error)?.name}: ${(error as Error)?.message}`);
        if (
          error instanceof ProtocolError || error instanceof RuntimeDirError ||
          error instanceof RemoteError
        ) {
          for (const observer of [...this.#observers.values()]) observer.fail(error);
          return;
        }
        if (fresh && !fresh.isClosed) await fresh.close(); // #ensure() then makes a new one
        await sleep(delay);
      }
    }
  }
}

function ignore(): void {}

function observeBody(options: ObserveOptions): Dictionary {
  const names = options.names === undefined
    ? []
    : typeof options.names === "string"
    ? [options.names]
    : [...options.names];
  for (const name of names) checkName(name);
  const behavior = options.suspensionBehavior ?? "coalesce";
  if (!SUSPENSION_BEHAVIORS.includes(behavior)) {
    throw new TypeError(
      `unknown suspension behaviour "${behavior}"; use one of ${SUSPENSION_BEHAVIORS.join(", ")}`,
    );
  }
  const limit = options.queueLimit ?? DEFAULT_QUEUE_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > HOLD_LIMIT) {
    throw new RangeError(`the queue limit is an integer in 1…${HOLD_LIMIT}, not ${limit}`);
  }
  return {
    n: names,
    o: options.object ?? null,
    b: behavior,
    q: limit,
    s: options.suspended === true,
  };
}

const centers = new Map<string, Promise<NotificationCenter>>();
const connected = new Map<string, NotificationCenter>();

/**
 * The shared center of a runtime directory, connected on first use (and again after it was
 * closed). Its connection does not keep the program alive unless an observer is open.
 */
export function defaultCenter(options: CenterOptions = {}): Promise<NotificationCenter> {
  const dir = resolveRuntimeDir({ runtimeDir: options.runtimeDir });
  let center = centers.get(dir);
  if (!center) {
    center = NotificationCenter.connect({ runtimeDir: dir });
    centers.set(dir, center);
    center.then((c) => connected.set(dir, c), () => centers.delete(dir));
  }
  return center;
}

function forget(center: NotificationCenter): void {
  for (const [dir, c] of connected) {
    if (c !== center) continue;
    connected.delete(dir);
    centers.delete(dir);
  }
}

/**
 * Posts a distributed notification (`CFNotificationCenterPostNotification`, `notify_post`).
 *
 * @example
 * ```ts
 * import { postNotification } from "./notifications.ts";
 * await postNotification("com.example.backup.done", {
 *   object: "nightly",
 *   userInfo: { files: 1200n, bytes: new Uint8Array([1, 2]), at: new Date() },
 * });
 * ```
 *
 * @param name the notification's name.
 * @param options object, userInfo, deliverImmediately, state, runtimeDir.
 * @throws {TypeError} when the name is empty or userInfo is not a dictionary of Values.
 */
export async function postNotification(name: string, options: PostOptions = {}): Promise<void> {
  const body = postBody(name, options);
  const center = await defaultCenter(options);
  await center.postBody(body);
}

/**
 * Observes distributed notifications: resolves once registered with an async iterable of
 * notifications and records, which ends when it is closed.
 *
 * @example Wait for one notification
 * ```ts
 * import { observeNotifications } from "./notifications.ts";
 * const observer = await observeNotifications({ names: ["com.example.ping"], object: "a" });
 * for await (const event of observer) {
 *   console.log(event);
 *   observer.close();
 * }
 * ```
 */
export async function observeNotifications(
  options: ObserveOptions = {},
): Promise<NotificationObserver> {
  observeBody(options); // bad options are the caller's mistake: say so before connecting
  return await (await defaultCenter(options)).observe(options);
}

/** The 64-bit state of a notification name (`notify_get_state`); 0 when never set. */
export async function getState(name: string, options: CenterOptions = {}): Promise<bigint> {
  checkName(name);
  return await (await defaultCenter(options)).getState(name);
}

/**
 * Sets the 64-bit state of a notification name (`notify_set_state`); it is saved under the
 * runtime directory before this resolves, and survives broker exits and crashes.
 *
 * @throws {RangeError} when the value is not in 0…2⁶⁴−1.
 */
export async function setState(
  name: string,
  value: bigint | number,
  options: CenterOptions = {},
): Promise<void> {
  const v = toUInt64(value);
  checkName(name);
  await (await defaultCenter(options)).setState(name, v.value);
}
