/**
 * The notification center: one connection to the broker for posts, observers and states,
 * re-established (the observers registered again) whenever the broker goes away; it writes
 * posts straight to the observers' inboxes where it can. Also the functions over the shared
 * center of a runtime directory ({@linkcode postNotification}, {@linkcode observeNotifications},
 * {@linkcode getState}, {@linkcode setState}).
 *
 * @module
 */

import { connectBroker, stoppedOnPurpose, waitWhileStopped } from "../broker/client.ts";
import { ConnectionClosedError, ProtocolError, RemoteError, RuntimeDirError } from "../errors.ts";
import { debug } from "../_debug.ts";
import { sleep, startWatchdog } from "../_timer.ts";
import {
  checkName,
  NOTIFY_EVENTS,
  NOTIFY_METHODS,
  postBody,
  type PostFields,
  stateGetBody,
  stateOf,
  stateSetBody,
  toUInt64,
} from "./protocol.ts";
import { encodePostEvent } from "./_frames.ts";
import {
  DEFAULT_QUEUE_LIMIT,
  HOLD_LIMIT,
  SUSPENSION_BEHAVIORS,
  type SuspensionBehavior,
} from "./_queue.ts";
import {
  Inbox,
  type Item,
  Links,
  localNote,
  lostRecord,
  type Phase,
  rejectFrame,
  type Relayed,
  Routes,
} from "./_direct.ts";
import { NotificationObserver, type ObserverSpec } from "./observer.ts";
import type { Connection } from "../transport/connection.ts";
import { resolveRuntimeDir } from "../transport/runtime_dir.ts";
import { type Dictionary, isDictionary, type Value } from "../wire/value.ts";

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

/**
 * A connection to the broker's notification center: posts, observers and state over one
 * connection, re-established (and the observers re-registered) whenever the broker goes away.
 * Once it has posted, it also writes its posts straight to the centers that observe them (their
 * inboxes), and once it observes, it takes posts straight into an inbox of its own.
 *
 * @example Post many over one connection
 * ```ts
 * import { NotificationCenter } from "./center.ts";
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
  /** The links open when the broker was lost: what comes on them goes before the gap record. */
  #oldLinks = new WeakSet<Connection>();
  /**
   * From a lost broker until the gap record is out: what comes since is marked with its
   * {@linkcode Phase} (see {@linkcode #phase}).
   */
  #gapPending = false;
  /** Ends a wait for a broker stopped on purpose, when the center closes. */
  #stopWaiting = new AbortController();

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
   * (re)connects, wait for the broker's answer. A post whose connection broke before the
   * broker had it is sent again (same number: observers drop a repeat); it rejects only when
   * no broker can be reached then, having reached no observer but those it wrote to directly.
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
    // Every post is numbered: observers name what they miss by poster and number, and drop a
    // post sent again.
    if (body.q === undefined) {
      body.p = this.#links.pid;
      body.q = ++this.#links.seq;
    }
    // With the routes, its observers' ways are kept track of; one way, it goes straight to
    // whom it can, and to the broker only when someone is left.
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
      const end = connection!.enqueuedBytes + frame.length;
      return connection!.sendEncoded(frame).then(undefined, (error) => {
        // Written whole before the connection broke on a later frame: the broker has it.
        if (connection!.writtenBytes >= end) return;
        return this.#postAgain(body, error);
      });
    }
    return this.request(NOTIFY_METHODS.post, body).then(
      ignore,
      (error) => this.#postAgain(body, error),
    );
  }

  /**
   * A post whose connection broke before the broker had it whole is sent once more, on a new
   * connection (starting a broker when none runs), with the same number: an observer that got
   * it already (straight, or from a broker that took it and died) drops the repeat. It fails
   * only when that fails too.
   */
  #postAgain(body: Dictionary, error: unknown): Promise<void> {
    if (!(error instanceof ConnectionClosedError) || this.#closed) return Promise.reject(error);
    // Whom it reached straight is in the old broker's numbers: the new one relays to everyone.
    delete body.d;
    delete body.f;
    delete body.g;
    debug("notifications", `sending post ${body.q} again: ${error.message}`);
    return this.#requestSlowly(NOTIFY_METHODS.post, body).then(ignore);
  }

  /** Registers an observer; it receives what is posted from the moment this resolves. */
  async observe(options: ObserveOptions = {}): Promise<NotificationObserver> {
    const spec = observerSpec(options);
    const observer = new NotificationObserver(
      (observer) => this.unregister(observer),
      this.#nextId++,
      spec,
      () => this.#inbox,
    );
    this.#observers.set(observer.id, observer);
    this.#holdWhileObserving();
    try {
      const connection = await this.#ensure();
      await this.#openInbox(connection);
      const registered = await connection.request(
        NOTIFY_METHODS.observe,
        this.#observeBody(observer),
      );
      observer.start();
      const label = serviceLabel();
      if (label) await this.#launchEvents(connection, observer, label, registered);
    } catch (error) {
      this.#observers.delete(observer.id);
      this.#holdWhileObserving();
      throw error;
    }
    return observer;
  }

  /** The 64-bit state of a name (0 when never set). */
  async getState(name: string): Promise<bigint> {
    return stateOf(await this.request(NOTIFY_METHODS.stateGet, stateGetBody(name)));
  }

  /** Sets the 64-bit state of a name; it is saved before this resolves. */
  async setState(name: string, value: bigint | number): Promise<void> {
    await this.request(NOTIFY_METHODS.stateSet, stateSetBody(name, value));
  }

  /** Whether {@linkcode close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Closes every observer, the links to other centers' inboxes, its own inbox and the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#stopWaiting.abort();
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
    if (this.#observers.size === 0) {
      // Nothing left to recover: a wait for a broker stopped on purpose ends.
      this.#stopWaiting.abort();
      this.#stopWaiting = new AbortController();
    }
    const connection = this.#connection;
    if (connection && !connection.isClosed) {
      // A broker that does not answer (stopped) does not hold a close up for long.
      const answered = connection.request(NOTIFY_METHODS.cancel, { i: observer.id }, {
        timeoutMs: 2000,
      });
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

  /**
   * In a launched service: the launch events the manager held for it that this observer
   * observes (the notification that started the service among them) come first, as launchd
   * hands a service the event that launched it. A broker without the service manager, or a
   * label it does not know, just has none.
   */
  async #launchEvents(
    connection: Connection,
    observer: NotificationObserver,
    label: string,
    registered: Value,
  ): Promise<void> {
    const before = isDictionary(registered) && typeof registered.t === "number"
      ? registered.t
      : Date.now();
    let held: Value;
    try {
      held = await connection.request(TAKE_LAUNCH_EVENTS, { label, ...observer.match, before });
    } catch {
      return;
    }
    if (!Array.isArray(held)) return;
    observer.prepend(
      held.filter(isDictionary).map((event) => ({
        type: "notification" as const,
        name: String(event.name),
        object: typeof event.object === "string" ? event.object : null,
        userInfo: isDictionary(event.userInfo) ? event.userInfo : null,
        time: event.time instanceof Date ? event.time : new Date(),
        poster: typeof event.poster === "number" ? event.poster : 0,
        seq: typeof event.seq === "number" ? event.seq : 0,
      })),
    );
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
      (p, body, link) => this.#straight(p, body, link),
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
    connection.request(NOTIFY_METHODS.routes, { p: this.#links.pid }).then(
      (reply) => routes.load(reply),
      () => {},
    );
    return undefined;
  }

  /**
   * A notification written straight to the inbox by poster `p` on `link`. Checked first: a
   * frame that is malformed, or names an observer that did not ask for it, is dropped with a
   * line on standard error.
   */
  #straight(p: number, body: Dictionary, link: Connection): void {
    const note = localNote(body, p);
    if (typeof note === "string") return rejectFrame(p, note);
    if (!Array.isArray(body.i) || body.i.length === 0) return rejectFrame(p, "no observers");
    const flags = Array.isArray(body.f) ? body.f : undefined;
    // After a lost broker, what comes on links opened since follows the gap record; what comes
    // on the old ones (written before their poster lost the broker too) goes before it.
    const old = this.#gapPending && this.#oldLinks.has(link);
    const item: Item = { note, immediate: body.m === true, phase: old ? undefined : this.#phase() };
    const q = note.q;
    for (const id of body.i) {
      if (typeof id !== "number") return rejectFrame(p, "a bad observer id");
      const observer = this.#observers.get(id);
      if (!observer) continue; // closed since its poster last heard of it
      if (!observer.wants(note.name, note.object)) {
        rejectFrame(p, `${JSON.stringify(note.name)} for an observer that did not ask for it`);
        continue;
      }
      const flagged = flags?.includes(id) ?? false;
      if (flagged && old) {
        // Its marker was to come from the lost broker, behind what it relayed before: that may
        // be lost, so a gap record goes first ("during"), and it needs no marker.
        observer.gates.straight(p, q, false, { ...item, phase: "during" });
      } else observer.gates.straight(p, q, flagged, item);
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
      case NOTIFY_EVENTS.delivery: {
        const observer = this.#observers.get(body.i as number);
        if (!observer) return;
        const note = localNote(body);
        if (typeof note === "string") return rejectFrame(undefined, note);
        // Relayed since the broker was lost (by a new one): it follows the gap record.
        const item: Item = { note, immediate: body.m === true, phase: this.#phase() };
        this.#relay(observer, { kind: "note", item });
        return;
      }
      case NOTIFY_EVENTS.lost: {
        const observer = this.#observers.get(body.i as number);
        const record = lostRecord(body);
        if (observer && record) {
          this.#relay(observer, { kind: "lost", record, phase: this.#phase() });
        }
        return;
      }
      case NOTIFY_EVENTS.marker:
      case NOTIFY_EVENTS.gate: {
        const observer = this.#observers.get(body.i as number);
        if (!observer || typeof body.p !== "number" || typeof body.q !== "number") return;
        this.#relay(observer, {
          kind: method === NOTIFY_EVENTS.marker ? "marker" : "gate",
          p: body.p,
          q: body.q,
        });
        return;
      }
      case NOTIFY_EVENTS.posterGone: {
        const observer = this.#observers.get(body.i as number);
        if (observer && typeof body.p === "number") {
          this.#relay(observer, { kind: "gone", p: body.p });
        }
        return;
      }
      case NOTIFY_EVENTS.route: {
        if (connection !== this.#routesFor) return;
        const k = this.#routes?.change(body);
        // Applied: the broker answers an observe once every poster has said so.
        if (k !== undefined) connection.notify(NOTIFY_METHODS.routesApplied, { k }).catch(() => {});
        return;
      }
      case NOTIFY_EVENTS.lease:
        if (connection === this.#routesFor) this.#routes?.lease(body.e);
        return;
      case NOTIFY_EVENTS.error:
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
    this.#gapPending = false;
    for (const observer of this.#observers.values()) observer.gap(to);
  }

  /** What comes now from the new broker, or on a link opened since: `new` after a loss. */
  #phase(): Phase | undefined {
    return this.#gapPending ? "new" : undefined;
  }

  /** No gap record will come (no observer is left to recover): what waits for it goes on. */
  #abandonGap(): void {
    this.#gapPending = false;
    this.#gapTo = undefined;
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
    // Old links are those open at the first loss: a link opened since (to a poster of a new
    // broker, whose connection then failed too) is new until the gap record is out.
    if (links && links.size > 0 && !this.#draining && !this.#gapPending) {
      this.#draining = [...links];
      for (const link of links) this.#oldLinks.add(link);
      this.#cancelDrain = startWatchdog(DRAIN_MS, () => this.#drain(true));
    }
    // No marker will come of the lost broker: hand over what waits for one.
    const now = new Date();
    for (const observer of this.#observers.values()) {
      observer.lost(now);
      // What waits for the lost broker's marker follows notifications lost in it: "during".
      observer.gates.brokerLost();
    }
    if (this.#observers.size === 0) return;
    this.#gapPending = true;
    // One recovery at a time: a fresh connection that dies while it runs (a broker still
    // exiting accepts, then breaks) is replaced by the same recovery, which reports one gap.
    this.#recovering ??= this.#recover().finally(() => this.#recovering = undefined);
  }

  async #recover(): Promise<void> {
    const trace = (message: string) => debug("notifications", message);
    const dir = resolveRuntimeDir({ runtimeDir: this.#options.runtimeDir });
    for (let delay = 10;; delay = Math.min(delay * 2, 500)) {
      if (this.#closed || this.#observers.size === 0) return this.#abandonGap();
      let fresh: Connection | undefined;
      try {
        // A broker stopped on purpose (`daemon stop`) is not started again from here: wait
        // until a new command starts one (as reconnectBroker in daemon.ts does). A post from
        // this center is such a command.
        if (stoppedOnPurpose(dir)) {
          trace("the broker was stopped on purpose (ipckit daemon stop): waiting for a new one");
          await waitWhileStopped(dir, { signal: this.#stopWaiting.signal });
          if (this.#closed || this.#observers.size === 0) return this.#abandonGap();
        }
        fresh = await this.#ensure();
        trace("reconnected; registering the observers again");
        const observers = [...this.#observers.values()];
        // A broker that never answers must not hold the observers forever: give up on this
        // connection after a while and try a new one.
        const answers = await Promise.all(
          observers.map((o) =>
            fresh!.request(NOTIFY_METHODS.observe, this.#observeBody(o), { timeoutMs: OBSERVE_MS })
          ),
        );
        if (fresh.isClosed) throw new ConnectionClosedError("the new connection closed at once");
        trace("observers registered again");
        for (const [k, observer] of observers.entries()) observer.register(answers[k]);
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
          return this.#abandonGap();
        }
        if (fresh && !fresh.isClosed) await fresh.close(); // #ensure() then makes a new one
        await sleep(delay);
      }
    }
  }
}

function ignore(): void {}

/**
 * How long re-registering waits for the broker's answer before it tries a new connection (the
 * broker answers once every poster applied the observer, or its lease ran out: seconds under
 * a flood).
 */
const OBSERVE_MS = 30_000;

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

/**
 * The launch service's method that hands a service's observer its held launch events
 * (`LAUNCH_METHODS.takeEvents` in `launch/protocol.ts`: this layer does not import that one).
 */
const TAKE_LAUNCH_EVENTS = "launch.events.take";

/** The label of the launched service this process is (`IPCKIT_SERVICE_LABEL`), if any. */
function serviceLabel(): string | undefined {
  const variable = "IPCKIT_SERVICE_LABEL";
  // Read only where allowed: a library user's narrower --allow-env must not prompt or throw.
  if (Deno.permissions.querySync({ name: "env", variable }).state !== "granted") return undefined;
  return Deno.env.get(variable) || undefined;
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
 * import { postNotification } from "./center.ts";
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
 * import { observeNotifications } from "./center.ts";
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
