/**
 * Distributed notifications, the macOS way (`CFNotificationCenterGetDistributedCenter` and
 * notify(3)): post a notification by name, with an object and a typed `userInfo`; observe by
 * name, several names, a glob or everything, and by object; suspend and resume observers, each
 * with its suspension behaviour; and keep a 64-bit state per name that outlives the broker.
 *
 * A poster never waits for observers. Each observer has a bounded queue in its own process;
 * what it misses while suspended or too slow is reported in its stream as a
 * {@linkcode DroppedRecord}, and the time it could not hear while the broker restarted as a
 * {@linkcode GapRecord}: nothing is lost silently. Observers re-register by themselves after
 * the broker restarts.
 *
 * A center that posts writes its notifications straight to the processes of the observers it
 * knows of (the broker tells it who observes what), and the broker relays them to the rest: one
 * hop instead of two for a long-lived poster, in the order posted either way.
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

import { callBroker, connectBroker } from "./daemon.ts";
import {
  ConnectionClosedError,
  NotFoundError,
  ProtocolError,
  RemoteError,
  RuntimeDirError,
} from "./errors.ts";
import { debug } from "./_debug.ts";
import { sleep, startWatchdog } from "./_timer.ts";
import {
  checkName,
  postBody,
  type PostFields,
  stateOf,
  toUInt64,
} from "./_notifications_protocol.ts";
import { encodePostEvent } from "./_notifications_frames.ts";
import {
  DEFAULT_QUEUE_LIMIT,
  HOLD_LIMIT,
  ObserverQueue,
  SUSPENSION_BEHAVIORS,
  type SuspensionBehavior,
} from "./_notifications_queue.ts";
import {
  Gates,
  Inbox,
  Links,
  type LocalNote,
  localNote,
  type Relayed,
  Routes,
} from "./_notifications_direct.ts";
import type { Connection } from "./transport/connection.ts";
import { resolveRuntimeDir } from "./transport/runtime_dir.ts";
import { decodeValue } from "./wire/msgpack.ts";
import { type Dictionary, isDictionary, type Value } from "./wire/value.ts";

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
  /** What the observer's queue does while it is suspended or full. @default {"coalesce"} */
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
  /** When it was posted (by the poster's clock when it came straight, else the broker's). */
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

/**
 * A time the observer could not hear because the broker was gone; it has re-registered. It
 * comes once the observer is registered again: what arrived before it may have holes, what
 * comes after it is whole.
 */
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
  /** Whether it came through the queue (a notification or a dropped record, not a gap). */
  queued: boolean;
}

/** An observer's options, checked. */
interface ObserverSpec {
  /** What the broker matches: names and object. */
  match: Dictionary;
  behavior: SuspensionBehavior;
  limit: number;
  suspended: boolean;
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
  #queue: ObserverQueue<LocalNote>;
  #started = false;
  /** @internal the observer's id on its connection. */
  readonly id: number;
  /** @internal what the broker registers: names and object. */
  readonly match: Dictionary;
  /** @internal keeps each poster's notifications in order between the two ways. */
  readonly gates: Gates;

  /** @internal made by {@linkcode NotificationCenter.observe}. */
  constructor(
    center: NotificationCenter,
    id: number,
    spec: ObserverSpec,
    inbox: () => Inbox | undefined,
  ) {
    this.#center = center;
    this.id = id;
    this.match = spec.match;
    this.#queue = new ObserverQueue<LocalNote>(spec.behavior, spec.limit, spec.suspended, {
      deliver: (note) => this.#push({ event: notification(note), queued: true }),
      dropped: (count, from, to) =>
        this.#push({
          event: { type: "dropped", count, from: new Date(from), to: new Date(to) },
          queued: true,
        }),
    });
    this.gates = new Gates((note, immediate) => {
      if (this.#started) this.#queue.offer(note, immediate);
    }, inbox);
  }

  /**
   * @internal registered: from now on it takes what comes. What came before (relayed before
   * every poster knew of it) would start its stream with holes, so it is left out.
   */
  start(): void {
    this.#started = true;
  }

  /** Whether {@linkcode close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Suspends the observer: from now on, what arrives goes through its suspension behaviour
   * until {@linkcode resume}. What it was already handed can still be read.
   */
  suspend(): Promise<void> {
    this.#queue.setSuspended(true);
    return Promise.resolve();
  }

  /** Resumes the observer: what its behaviour kept is handed over, in order. */
  resume(): Promise<void> {
    this.#queue.setSuspended(false);
    return Promise.resolve();
  }

  /**
   * Stops observing; the iteration ends at once. Resolves once the broker has let go of the
   * observer (never rejects: a broker that went away has let go of it too).
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    const unregistered = this.#center.unregister(this);
    this.#waiter?.({ value: undefined, done: true });
    this.#waiter = this.#failWaiter = undefined;
    return unregistered;
  }

  /** Stops observing at the end of an `await using` scope ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
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
      if (item.queued) this.#queue.taken();
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
      return: async () => {
        await this.close();
        return { value: undefined, done: true };
      },
    };
  }

  /** @internal since when the broker could not be heard, until the gap record is out. */
  gapFrom: Date | undefined;

  /** @internal the broker could not be heard from {@linkcode gapFrom} until `to`. */
  gap(to: Date): void {
    const from = this.gapFrom;
    if (!from) return;
    this.gapFrom = undefined;
    this.#push({ event: { type: "gap", from, to }, queued: false });
  }

  /** @internal the observer cannot go on. */
  fail(error: Error): void {
    if (this.#closed) return;
    this.#error = error;
    this.#failWaiter?.(error);
    this.#waiter = this.#failWaiter = undefined;
    this.#closed = true;
  }

  #push(item: Buffered): void {
    if (this.#closed) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = this.#failWaiter = undefined;
      if (item.queued) this.#queue.taken();
      waiter({ value: item.event, done: false });
    } else this.#buffer.push(item);
  }
}

/** A notification for the reader, its userInfo decoded. */
function notification(note: LocalNote): Notification {
  let userInfo: Dictionary | null = null;
  if (note.userInfo) {
    try {
      const decoded = decodeValue(note.userInfo);
      if (isDictionary(decoded)) userInfo = decoded;
    } catch { /* the broker or the poster checked it; nothing better to do than leave it out */ }
  }
  return {
    type: "notification",
    name: note.name,
    object: note.object,
    userInfo,
    time: new Date(note.time),
  };
}

/**
 * A connection to the broker's notification center: posts, observers and state over one
 * connection, re-established (and the observers re-registered) whenever the broker goes away.
 * Once it has posted, it also writes its posts straight to the centers that observe them (their
 * inboxes), and once it observes, it takes posts straight into an inbox of its own.
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
  /** The poster's side of straight posts: its id, sequence and links to inboxes. */
  #links = new Links();
  /** The routes on the current connection (asked for on its first one-way post). */
  #routes: Routes | undefined;
  #routesFor: Connection | undefined;
  /** Where posters write to this center's observers, once it observes. */
  #inbox: Inbox | undefined;
  #inboxOpening: Promise<Inbox | undefined> | undefined;
  /** After a lost broker connection: the links open then, and what waits for them to end. */
  #draining: Connection[] | undefined;
  #drained: (() => void)[] = [];
  #cancelDrain: (() => void) | undefined;
  /** When the observers were registered again, until the gap record is out. */
  #gapTo: Date | undefined;

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
   * Posts a notification; resolves once it is on its way (never waiting for observers: an
   * observer whose process stops reading gets it through the broker). Posts from one center
   * reach observers in the order posted. A post is one way once connected:
   * nobody answers it, and should the broker refuse one, the next post rejects with that
   * {@linkcode RemoteError}. A post that sets a state, and a post made while the center
   * (re)connects, wait for the broker's answer.
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
    const live = connection !== undefined && connection.peerHello?.events === true &&
      !connection.isClosed && !this.#closed;
    const oneWay = live && body.s === undefined;
    // With the routes, every post is numbered and its observers' ways kept track of; one way,
    // it goes straight to whom it can, and to the broker only when someone is left.
    if (live) {
      const done = this.#routesOn(connection!)?.send(body, oneWay);
      if (done) return done;
    }
    if (oneWay) {
      let frame: Uint8Array;
      try {
        frame = encodePostEvent(body);
      } catch (error) {
        return Promise.reject(error);
      }
      return connection!.sendEncoded(frame);
    }
    return this.request("notify.post", body).then(ignore);
  }

  /** Registers an observer; it receives what is posted from the moment this resolves. */
  async observe(options: ObserveOptions = {}): Promise<NotificationObserver> {
    const spec = observerSpec(options);
    const observer = new NotificationObserver(this, this.#nextId++, spec, () => this.#inbox);
    this.#observers.set(observer.id, observer);
    this.#holdWhileObserving();
    try {
      const connection = await this.#ensure();
      await this.#openInbox(connection);
      await connection.request("notify.observe", this.#observeBody(observer));
      observer.start();
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

  /** Closes every observer, the links to other centers' inboxes, its own inbox and the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    forget(this);
    for (const observer of [...this.#observers.values()]) void observer.close();
    await Promise.all([
      this.#connection?.close(),
      this.#links.close(),
      this.#inboxOpening?.then((inbox) => inbox?.close()),
    ]);
  }

  /** Closes the center at the end of an `await using` scope ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
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
  unregister(observer: NotificationObserver): Promise<void> {
    if (!this.#observers.delete(observer.id)) return Promise.resolve();
    this.#holdWhileObserving();
    const connection = this.#connection;
    if (connection && !connection.isClosed) {
      // A broker that does not answer (stopped) does not hold a close up for long.
      const answered = connection.request("notify.cancel", { i: observer.id }, { timeoutMs: 2000 });
      return answered.then(ignore, ignore);
    }
    return Promise.resolve();
  }

  #holdWhileObserving(): void {
    if (this.#observers.size > 0 && !this.#release && this.#connection) {
      this.#release = this.#connection.hold();
    } else if (this.#observers.size === 0 && this.#release) {
      this.#release();
      this.#release = undefined;
    }
  }

  #observeBody(observer: NotificationObserver): Dictionary {
    return { i: observer.id, ...observer.match, x: this.#inbox?.path ?? null };
  }

  /** Opens the inbox on the first observe (a broker that takes one-way posts knows of them). */
  async #openInbox(connection: Connection): Promise<void> {
    if (this.#inboxOpening) {
      await this.#inboxOpening;
      return;
    }
    await connection.ready;
    if (connection.peerHello?.events !== true || this.#closed) return;
    this.#inboxOpening ??= Inbox.open(
      resolveRuntimeDir({ runtimeDir: this.#options.runtimeDir }),
      this.#links,
      (p, body) => this.#straight(p, body),
      () => [...this.#observers.values()].map((o) => o.gates),
    ).then((inbox) => {
      if (inbox) inbox.onUnlinked = () => this.#drain();
      return this.#inbox = inbox;
    });
    await this.#inboxOpening;
  }

  /** The routes of `connection`, once loaded; the first call asks for them. */
  #routesOn(connection: Connection): Routes | undefined {
    if (this.#routesFor === connection) return this.#routes?.loaded ? this.#routes : undefined;
    this.#routesFor = connection;
    const routes = this.#routes = new Routes(this.#links);
    connection.request("notify.routes", { p: this.#links.pid }).then(
      (reply) => routes.load(reply),
      () => {},
    );
    return undefined;
  }

  /** A notification written straight to the inbox by poster `p`. */
  #straight(p: number, body: Dictionary): void {
    const note = localNote(body);
    if (!note || typeof body.q !== "number" || !Array.isArray(body.i)) return;
    const flags = Array.isArray(body.f) ? body.f : undefined;
    const item = { note, immediate: body.m === true };
    for (const id of body.i) {
      const observer = this.#observers.get(id as number);
      observer?.gates.straight(p, body.q, flags?.includes(id) ?? false, item);
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
        onEvent: (method, body, connection) => this.#event(method, body, connection),
      },
    });
    this.#connection = connection;
    this.#release = undefined;
    this.#holdWhileObserving();
    connection.closed.then(() => this.#lost(connection));
    return connection;
  }

  #event(method: string, body: Value, connection: Connection): void {
    if (!isDictionary(body)) return;
    switch (method) {
      case "notify.d": {
        const note = localNote(body);
        const observer = this.#observers.get(body.i as number);
        if (!note || !observer) return;
        this.#relay(observer, { kind: "note", item: { note, immediate: body.m === true } });
        return;
      }
      case "notify.m":
      case "notify.g": {
        const observer = this.#observers.get(body.i as number);
        if (!observer || typeof body.p !== "number" || typeof body.q !== "number") return;
        this.#relay(observer, {
          kind: method === "notify.m" ? "marker" : "gate",
          p: body.p,
          q: body.q,
        });
        return;
      }
      case "notify.r": {
        if (connection !== this.#routesFor) return;
        const k = this.#routes?.change(body);
        // Applied: the broker answers an observe once every poster has said so.
        if (k !== undefined) connection.notify("notify.rok", { k }).catch(() => {});
        return;
      }
      case "notify.lease":
        if (connection === this.#routesFor) this.#routes?.lease(body.e);
        return;
      case "notify.error":
        this.#refused = new RemoteError(
          String(body.code ?? "failed"),
          `the broker refused a post${typeof body.n === "string" ? ` of ${body.n}` : ""}: ${
            String(body.msg ?? "failed")
          }`,
        );
        debug("notifications", this.#refused.message);
        return;
    }
  }

  /**
   * Hands what the broker relayed to the observer's gates; after a lost broker connection,
   * only once every link open then has ended (their posters end them when they lose the broker
   * too) or closed: what a poster wrote straight before comes before what it posts after.
   */
  #relay(observer: NotificationObserver, relayed: Relayed): void {
    if (this.#draining) this.#drained.push(() => observer.gates.relayed(relayed));
    else observer.gates.relayed(relayed);
  }

  /** Ends the wait for the links open when the broker was lost, once they closed or in time. */
  #drain(force = false): void {
    const draining = this.#draining;
    if (!draining) return;
    if (!force) {
      const open = this.#inbox?.links;
      for (const link of draining) if (!link.isClosed && open?.has(link)) return;
    }
    this.#draining = undefined;
    this.#cancelDrain?.();
    this.#cancelDrain = undefined;
    const drained = this.#drained;
    this.#drained = [];
    for (const relay of drained) relay();
    this.#endGap();
  }

  /**
   * Puts the gap record into each observer's stream once the observers are registered again
   * and what waited for the old links has been handed over: what came before it may have holes,
   * what comes after it is whole.
   */
  #endGap(): void {
    const to = this.#gapTo;
    if (!to || this.#draining) return;
    this.#gapTo = undefined;
    for (const observer of this.#observers.values()) observer.gap(to);
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
    this.#routes = this.#routesFor = undefined;
    // Writing on the links ends too (their other ends wait for that; see #relay); new ones are
    // made from the next post on.
    this.#links.end();
    const links = this.#inbox?.links;
    if (links && links.size > 0 && !this.#draining) {
      this.#draining = [...links];
      this.#cancelDrain = startWatchdog(DRAIN_MS, () => this.#drain(true));
    }
    // No marker will come of the lost broker: hand over what waits for one.
    const from = new Date();
    for (const observer of this.#observers.values()) {
      observer.gates.brokerLost();
      observer.gapFrom ??= from;
    }
    if (this.#observers.size === 0) return;
    // One recovery at a time: a fresh connection that dies while it runs (a broker still
    // exiting accepts, then breaks) is replaced by the same recovery, which reports one gap.
    this.#recovering ??= this.#recover().finally(() => this.#recovering = undefined);
  }

  async #recover(): Promise<void> {
    const trace = (message: string) => debug("notifications", message);
    for (let delay = 10;; delay = Math.min(delay * 2, 500)) {
      if (this.#closed || this.#observers.size === 0) return;
      let fresh: Connection | undefined;
      try {
        fresh = await this.#ensure();
        trace("reconnected; registering the observers again");
        const observers = [...this.#observers.values()];
        // A broker that never answers must not hold the observers forever: give up on this
        // connection after a while and try a new one.
        await Promise.all(
          observers.map((o) =>
            fresh!.request("notify.observe", this.#observeBody(o), { timeoutMs: 5000 })
          ),
        );
        if (fresh.isClosed) throw new ConnectionClosedError("the new connection closed at once");
        trace("observers registered again");
        this.#gapTo = new Date();
        this.#endGap();
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

/** How long relayed notifications wait, after a lost broker, for the links open then to close. */
const DRAIN_MS = 2000;

function observerSpec(options: ObserveOptions): ObserverSpec {
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
    match: { n: names, o: options.object ?? null },
    behavior,
    limit,
    suspended: options.suspended === true,
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
  observerSpec(options); // bad options are the caller's mistake: say so before connecting
  return await (await defaultCenter(options)).observe(options);
}

/** The 64-bit state of a notification name (`notify_get_state`); 0 when never set. */
export async function getState(name: string, options: CenterOptions = {}): Promise<bigint> {
  checkName(name);
  return await (await defaultCenter(options)).getState(name);
}

/** A notification name with the state it was given, as {@linkcode listStates} answers. */
export interface NameState {
  /** The notification name. */
  name: string;
  /** Its 64-bit state. */
  state: bigint;
}

/**
 * Lists every notification name that has a state (was given one with
 * {@linkcode setState}), sorted by name. A broker is never started just to look: with none
 * running, the list is empty.
 *
 * @example
 * ```ts ignore
 * import { listStates } from "./notifications.ts";
 * for (const { name, state } of await listStates()) console.log(name, state);
 * ```
 *
 * @throws {ProtocolError} when the broker answers something else than a list.
 */
export async function listStates(options: { runtimeDir?: string } = {}): Promise<NameState[]> {
  let reply: Value;
  try {
    reply = await callBroker("notify.state.list", null, {
      runtimeDir: options.runtimeDir,
      autostart: false,
    });
  } catch (error) {
    if (error instanceof NotFoundError) return [];
    throw error;
  }
  if (!Array.isArray(reply)) throw new ProtocolError("the broker answered no list of states");
  return reply.filter(isDictionary).map((x) => ({ name: String(x.name), state: stateOf(x.state) }));
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
