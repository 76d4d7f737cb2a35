/**
 * The broker's side of notifications (the `notify` service): who observes what, the routes
 * posters write straight to their observers' inboxes by, the relay for what does not go
 * straight (in order per poster, with markers and gates), and the 64-bit state of each name,
 * kept in files so that it outlives the broker. The methods and bodies are in `protocol.ts`.
 *
 * @module
 */

import { RemoteError } from "../errors.ts";
import type { Connection } from "../transport/connection.ts";
import { encodeDelivery } from "./_frames.ts";
import { MAX_NAMES, nameProblem, NOTIFY_EVENTS, NOTIFY_METHODS } from "./protocol.ts";
import { encodeMessage } from "../wire/frame.ts";
import { startWatchdog } from "../_timer.ts";
import { NameMatcher } from "../_glob.ts";
import { decodeValue } from "../wire/msgpack.ts";
import {
  ensureDirSync,
  readFileNoFollowSync,
  writeFileReplacingSync,
} from "../transport/no_follow.ts";
import { type Dictionary, isDictionary, UInt64, type Value } from "../wire/value.ts";
import type { Service, ServiceContext } from "../broker/service.ts";

/** Where state files go, under the runtime directory. */
export const STATE_DIR = "notify-state";

interface Note {
  readonly name: string;
  readonly object: string | null;
  readonly userInfo: Uint8Array | null;
  readonly time: number;
  /** Its poster's id and its number among that poster's posts. */
  readonly p: number;
  readonly q: number;
  /**
   * The `notify.d` frame last encoded for it, and the observer id it names: observers on
   * different connections mostly have the same id, so one encoding serves them all. With
   * several ids (processes with several observers each), a frame per id.
   */
  frame?: Uint8Array;
  frameId?: number;
  frames?: Map<number, Uint8Array>;
}

/** The write promises a `.catch` is on already (one per flush, not one per frame). */
const caught = new WeakSet<Promise<void>>();

/** Queues a frame; a failed write is the connection's end, seen by `disconnected`. */
function send(connection: Connection, frame: Uint8Array): void {
  const written = connection.sendEncoded(frame);
  if (caught.has(written)) return;
  caught.add(written);
  written.catch(() => {});
}

/** One client connection, as the notification center knows it. */
interface Center {
  /** Its number in routes and in posters' lists. */
  readonly c: number;
  readonly connection: Connection;
  /** Its inbox socket, once an observe named one. */
  inbox: string | null;
  /** The poster id it gave when it asked for the routes. */
  poster: number | null;
  observers: Map<number, Observer>;
  /** The id and last number of its posts when they come without (one-shot posts). */
  anonymous?: { p: number; q: number };
  /** Its last post handled: its poster id and number. */
  last?: { p: number; q: number };
  /**
   * While more than {@linkcode RELAY_BOUND} bytes wait to be written to it, what would be
   * relayed to its observers is counted here instead, per observer, and sent as a
   * `notify.lost` record once it reads again.
   */
  lost?: Map<number, Lost>;
  /**
   * The observers it (as a poster) had a marker sent to: each is told when it goes
   * (`notify.pgone`), behind every marker, so that what waits for one is let go then.
   */
  marked?: Set<Observer>;
}

/** What one observer did not get while its connection was behind (see `Center.lost`). */
interface Lost {
  count: number;
  /** When the first and the last were posted. */
  from: number;
  to: number;
  /** Per poster: the first and last number lost, and how many. */
  ranges: Map<number, [number, number, number]>;
}

/**
 * How many bytes may wait to be written to one client before the broker stops relaying to it
 * (and counts what it does not relay): the broker's memory per client stays bounded.
 */
export const RELAY_BOUND = 4 * 1024 * 1024;
/** Relaying starts again once what waits is under this. */
const RELAY_RESUME = RELAY_BOUND / 4;
/** How often a client that is behind is looked at (ms). */
const LAG_CHECK_MS = 20;
/** The most posters a lost record names; past that, they are counted only. */
const MAX_RANGES = 4096;

/** How long a poster's routes hold without news from the broker (ms). */
export const LEASE_MS = 3000;
/** How often leases are renewed (ms). */
const RENEW_MS = 1000;

/** A route change that posters must have applied before an observe is answered. */
interface Barrier {
  /** The posters that have not acknowledged it, with the end of their lease. */
  waiting: Set<Connection>;
  done: () => void;
  cancelTimer: () => void;
}

/** One observer, as the broker keeps it: what it matches, and where it is. */
class Observer {
  readonly center: Center;
  readonly id: number;
  readonly object: string | null;
  /** What it matches by name when it has globs (else it is filed by name, or takes all). */
  readonly pattern: NameMatcher | undefined;
  /** The exact names it is filed under (none when it matches by pattern or takes all). */
  names: string[] = [];
  /** What posters are told of it (`notify.r`). */
  readonly route: Dictionary;
  /**
   * Until every poster holding the routes knows of it (its observe is answered), nothing is
   * relayed to it (markers and gates are): what was would be followed by holes where a poster
   * that did not know of it yet posted.
   */
  pending = true;

  constructor(
    center: Center,
    id: number,
    object: string | null,
    pattern: NameMatcher | undefined,
    route: Dictionary,
  ) {
    this.center = center;
    this.id = id;
    this.object = object;
    this.pattern = pattern;
    this.route = route;
  }

  /** Relays a notification, or counts it when the connection is behind. */
  deliver(note: Note, immediate: boolean): void {
    const center = this.center, connection = center.connection;
    if (center.lost !== undefined || connection.queuedBytes > RELAY_BOUND) {
      this.#lose(note);
      return;
    }
    if (immediate) {
      const { name: n, object: o, userInfo: u, time: t, p, q } = note;
      connection.notify(NOTIFY_EVENTS.delivery, { i: this.id, n, o, u, t, p, q, m: true }).catch(
        () => {},
      );
      return;
    }
    let frame = note.frameId === this.id ? note.frame : note.frames?.get(this.id);
    if (frame === undefined) {
      try {
        frame = encodeDelivery(
          this.id,
          note.name,
          note.object,
          note.userInfo,
          note.time,
          note.p,
          note.q,
        );
      } catch {
        return; // over the frame limit with the delivery's own fields: it cannot go
      }
      if (note.frame !== undefined) (note.frames ??= new Map()).set(this.id, frame);
      else {
        note.frame = frame;
        note.frameId = this.id;
      }
    }
    // The same bytes go to every connection: nothing writes to a frame once it is queued.
    send(connection, frame);
  }

  /**
   * Sends a marker (`notify.m`) or a gate (`notify.g`) for poster `p` at sequence `q`, or
   * that poster `p` is gone (`notify.pgone`, `q` unused).
   */
  control(
    method:
      | typeof NOTIFY_EVENTS.marker
      | typeof NOTIFY_EVENTS.gate
      | typeof NOTIFY_EVENTS.posterGone,
    p: number,
    q: number,
  ): void {
    // What was lost before it comes first, in its place.
    this.flushLost();
    this.center.connection.notify(method, { i: this.id, p, q }).catch(() => {});
  }

  /** Sends the record of what this observer lost while its connection was behind, if any. */
  flushLost(): void {
    const lost = this.center.lost?.get(this.id);
    if (!lost) return;
    this.center.lost!.delete(this.id);
    const r: number[][] = [];
    for (const [p, [first, last, count]] of lost.ranges) r.push([p, first, last, count]);
    this.center.connection.notify(NOTIFY_EVENTS.lost, {
      i: this.id,
      c: lost.count,
      f: lost.from,
      t: lost.to,
      r,
    }).catch(() => {});
  }

  #lose(note: Note): void {
    const center = this.center;
    if (center.lost === undefined) {
      center.lost = new Map();
      watchLag(center);
    }
    let lost = center.lost.get(this.id);
    if (!lost) {
      lost = { count: 0, from: note.time, to: note.time, ranges: new Map() };
      center.lost.set(this.id, lost);
    }
    lost.count++;
    lost.from = Math.min(lost.from, note.time);
    lost.to = Math.max(lost.to, note.time);
    const range = lost.ranges.get(note.p);
    if (range) {
      range[0] = Math.min(range[0], note.q);
      range[1] = Math.max(range[1], note.q);
      range[2]++;
    } else if (lost.ranges.size < MAX_RANGES) lost.ranges.set(note.p, [note.q, note.q, 1]);
  }
}

function badRequest(message: string): RemoteError {
  return new RemoteError("bad-request", message);
}

/** The name in a request, checked by the protocol's rule; a bad request otherwise. */
function checkName(name: unknown): string {
  const problem = nameProblem(name);
  if (problem !== undefined) throw badRequest(problem);
  return name as string;
}

function field(body: Value, method: string): Dictionary {
  if (!isDictionary(body)) throw badRequest(`${method} takes a dictionary`);
  return body;
}

function optionalString(value: Value | undefined, what: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") throw badRequest(`${what} must be a string`);
  return value;
}

/** The state of every name, in memory and in one small file per name. */
class StateStore {
  #dir: string;
  #values = new Map<string, bigint>();
  #log: ServiceContext["log"];

  constructor(dir: string, log: ServiceContext["log"]) {
    this.#dir = dir;
    this.#log = log;
    this.#load();
  }

  get(name: string): bigint {
    return this.#values.get(name) ?? 0n;
  }

  /** Every name that has a state, sorted, with its state. */
  list(): { name: string; state: bigint }[] {
    return [...this.#values].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0)
      .map(([name, state]) => ({ name, state }));
  }

  /**
   * Sets and writes through (a new file made exclusively, then renamed: never half-written,
   * never written through a link).
   */
  set(name: string, value: bigint): void {
    if (this.#values.get(name) === value) return;
    const path = `${this.#dir}/${stateFileName(name)}`;
    try {
      ensureDirSync(this.#dir);
      writeFileReplacingSync(path, JSON.stringify({ name, value: value.toString() }) + "\n");
    } catch (error) {
      throw new RemoteError(
        "state-not-saved",
        `cannot save the state of ${name} in ${this.#dir}: ${(error as Error).message}`,
      );
    }
    this.#values.set(name, value);
  }

  #load(): void {
    let entries: Deno.DirEntry[];
    try {
      if (!Deno.lstatSync(this.#dir).isDirectory) {
        this.#log.error(`ignoring ${this.#dir}: not a directory (a link is never followed)`);
        return;
      }
      entries = [...Deno.readDirSync(this.#dir)];
    } catch {
      return; // nothing saved yet
    }
    for (const entry of entries) {
      if (!entry.isFile || entry.name.endsWith(".tmp")) continue;
      try {
        const saved = JSON.parse(
          new TextDecoder().decode(readFileNoFollowSync(`${this.#dir}/${entry.name}`)),
        );
        const value = BigInt(saved.value);
        if (typeof saved.name !== "string" || value < 0n || value >= 2n ** 64n) throw 0;
        this.#values.set(saved.name, value);
      } catch {
        this.#log.error(`ignoring the unreadable state file ${this.#dir}/${entry.name}`);
      }
    }
  }
}

/**
 * The file name of a name's state: the name itself where it is plain and short, else a hash
 * (the file holds the real name either way).
 */
export function stateFileName(name: string): string {
  if (/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/.test(name)) return name;
  // FNV-1a, 64 bits, over the UTF-16 code units: stable and dependency-free.
  let hash = 0xcbf29ce484222325n;
  for (let i = 0; i < name.length; i++) {
    hash ^= BigInt(name.charCodeAt(i));
    hash = (hash * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return `~${hash.toString(16).padStart(16, "0")}-${name.length}`;
}

/**
 * Looks at a center that is behind every {@linkcode LAG_CHECK_MS}: once it reads again (under
 * {@linkcode RELAY_RESUME} bytes wait), each observer gets its lost record and relaying goes on.
 */
function watchLag(center: Center): void {
  startWatchdog(LAG_CHECK_MS, () => {
    if (center.connection.isClosed) return;
    if (center.connection.queuedBytes > RELAY_RESUME) return watchLag(center);
    for (const observer of center.observers.values()) observer.flushLost();
    center.lost = undefined;
  });
}

/** The notification center service. */
export class NotificationService implements Service {
  readonly name = "notify";
  #byName = new Map<string, Set<Observer>>();
  #wild = new Set<Observer>();
  #centers = new Map<Connection, Center>();
  #nextCenter = 1;
  /** The connections that asked for the routes, with the end of their lease (Date.now()). */
  #watchers = new Map<Connection, number>();
  #barriers = new Map<number, Barrier>();
  #nextBarrier = 1;
  #cancelRenewal: (() => void) | undefined;
  #state: StateStore;

  /** @param context the broker's runtime directory and log. */
  constructor(context: ServiceContext) {
    this.#state = new StateStore(`${context.runtimeDir}/${STATE_DIR}`, context.log);
  }

  /** How many observers are registered (for status and tests). */
  get observerCount(): number {
    let n = 0;
    for (const center of this.#centers.values()) n += center.observers.size;
    return n;
  }

  handle(method: string, body: Value, connection: Connection): Value | Promise<Value> {
    switch (method) {
      case NOTIFY_METHODS.post:
        return this.#post(field(body, method), connection);
      case NOTIFY_METHODS.observe:
        return this.#observe(field(body, method), connection);
      case NOTIFY_METHODS.cancel:
        this.#cancel(connection, field(body, method).i);
        return null;
      case NOTIFY_METHODS.routes:
        return this.#routes(field(body, method), connection);
      case NOTIFY_METHODS.stateGet:
        return new UInt64(this.#state.get(checkName(field(body, method).n)));
      case NOTIFY_METHODS.stateSet: {
        const b = field(body, method);
        if (!(b.v instanceof UInt64)) throw badRequest("a state is a uint64");
        this.#state.set(checkName(b.n), b.v.value);
        return null;
      }
      case NOTIFY_METHODS.stateList:
        return this.#state.list().map(({ name, state }) => ({ name, state: new UInt64(state) }));
      case NOTIFY_METHODS.status:
        return { observers: this.observerCount };
    }
    throw new RemoteError("unknown-method", `the broker has no method ${method}`);
  }

  /**
   * Takes a one-way `notify.post` (what the library sends when the poster needs no answer) or
   * `notify.rok` (a poster applied a route change). A failure goes back on the connection as a
   * `notify.error` event naming the post.
   */
  event(method: string, body: Value, connection: Connection): void {
    try {
      if (method === NOTIFY_METHODS.routesApplied) {
        const k = field(body, method).k;
        if (typeof k === "number") this.#acknowledged(this.#barriers.get(k), connection);
        return;
      }
      if (method !== NOTIFY_METHODS.post) {
        throw new RemoteError("unknown-method", `the broker takes no event ${method}`);
      }
      this.#post(field(body, method), connection);
    } catch (error) {
      if (connection.isClosed) return;
      const name = isDictionary(body) && typeof body.n === "string" ? body.n : null;
      connection.notify(NOTIFY_EVENTS.error, {
        m: method,
        n: name,
        code: error instanceof RemoteError ? error.code : "failed",
        msg: (error as Error).message ?? String(error),
      }).catch(() => {});
    }
  }

  /** A client went away: its observers go with it, and posters forget them. */
  disconnected(connection: Connection): void {
    if (this.#watchers.delete(connection)) {
      for (const barrier of [...this.#barriers.values()]) this.#acknowledged(barrier, connection);
    }
    const center = this.#centers.get(connection);
    if (!center) return;
    for (const observer of center.marked ?? []) {
      // Still registered: its center may hold straight ones for a marker that never comes.
      if (observer.center.observers.get(observer.id) !== observer) continue;
      observer.control(NOTIFY_EVENTS.posterGone, center.poster!, 0);
    }
    for (const observer of center.observers.values()) this.#unlink(observer);
    this.#centers.delete(connection);
    if (center.observers.size > 0) this.#tell({ c: center.c, gone: true });
  }

  #center(connection: Connection): Center {
    let center = this.#centers.get(connection);
    if (!center) {
      center = {
        c: this.#nextCenter++,
        connection,
        inbox: null,
        poster: null,
        observers: new Map(),
      };
      this.#centers.set(connection, center);
    }
    return center;
  }

  /**
   * Tells every poster that asked for the routes about a change. With `barrier`, resolves once
   * each has applied it (or its lease ran out, or it went away).
   */
  #tell(change: Dictionary, barrier = false): Promise<void> | undefined {
    if (this.#watchers.size === 0) return undefined;
    let done: Promise<void> | undefined;
    if (barrier) {
      const k = this.#nextBarrier++;
      change = { ...change, k };
      const waiting = new Set(this.#watchers.keys());
      let latest = 0;
      for (const end of this.#watchers.values()) latest = Math.max(latest, end);
      done = new Promise<void>((resolve) => {
        const entry: Barrier = {
          waiting,
          done: () => {
            this.#barriers.delete(k);
            entry.cancelTimer();
            resolve();
          },
          // Past the last lease, a poster that did not answer sends every post here.
          cancelTimer: startWatchdog(Math.max(0, latest - Date.now()) + 1, () => entry.done()),
        };
        this.#barriers.set(k, entry);
      });
    }
    const frame = encodeMessage({ t: "evt", m: NOTIFY_EVENTS.route, b: change });
    for (const watcher of this.#watchers.keys()) watcher.sendEncoded(frame).catch(() => {});
    return done;
  }

  #acknowledged(barrier: Barrier | undefined, connection: Connection): void {
    if (barrier?.waiting.delete(connection) && barrier.waiting.size === 0) barrier.done();
  }

  #routes(b: Dictionary, connection: Connection): Value {
    if (typeof b.p !== "number" || !Number.isSafeInteger(b.p) || b.p <= 0) {
      throw badRequest("a poster id is a positive integer");
    }
    const center = this.#center(connection);
    center.poster = b.p;
    const end = Date.now() + LEASE_MS;
    this.#watchers.set(connection, end);
    this.#renewLeases();
    const routes: Value[] = [];
    for (const other of this.#centers.values()) {
      for (const observer of other.observers.values()) routes.push(observer.route);
    }
    return { c: center.c, r: routes, e: end };
  }

  /** Renews every poster's lease each second while there are posters. */
  #renewLeases(): void {
    if (this.#cancelRenewal) return;
    this.#cancelRenewal = startWatchdog(RENEW_MS, () => {
      this.#cancelRenewal = undefined;
      if (this.#watchers.size === 0) return;
      const end = Date.now() + LEASE_MS;
      const frame = encodeMessage({ t: "evt", m: NOTIFY_EVENTS.lease, b: { e: end } });
      for (const watcher of this.#watchers.keys()) {
        this.#watchers.set(watcher, end);
        watcher.sendEncoded(frame).catch(() => {});
      }
      this.#renewLeases();
    });
  }

  #post(b: Dictionary, connection: Connection): Value {
    const name = checkName(b.n);
    const object = optionalString(b.o, "the object");
    let userInfo: Uint8Array | null = null;
    if (b.u !== undefined && b.u !== null) {
      if (!(b.u instanceof Uint8Array)) throw badRequest("userInfo travels as encoded bytes");
      let decoded: Value;
      try {
        decoded = decodeValue(b.u);
      } catch (error) {
        throw badRequest(`userInfo is not a valid value: ${(error as Error).message}`);
      }
      if (!isDictionary(decoded)) throw badRequest("userInfo must be a dictionary");
      userInfo = b.u;
    }
    if (b.s !== undefined && b.s !== null) {
      if (!(b.s instanceof UInt64)) throw badRequest("a state is a uint64");
      this.#state.set(name, b.s.value);
    }
    const center = this.#center(connection);
    let p: number, q: number;
    if (isSequence(b.p) && isSequence(b.q)) [p, q] = [b.p, b.q];
    else {
      center.anonymous ??= { p: 2 ** 52 + Math.floor(Math.random() * 2 ** 51), q: 0 };
      [p, q] = [center.anonymous.p, ++center.anonymous.q];
    }
    if (center.last) {
      center.last.p = p;
      center.last.q = q;
    } else center.last = { p, q };
    const note: Note = { name, object, userInfo, time: Date.now(), p, q };
    const immediate = b.i === true;
    // A poster with the routes numbers its posts and lists whom it reached straight (`d`),
    // whom for the first time after relayed ones (`f`: a marker each), and whom it reached
    // straight before but not now (`g`: a gate each, at its last straight one).
    const poster = typeof b.q === "number" ? center.poster : null;
    const straight = poster === null ? undefined : listed(b.d);
    const flagged = poster === null ? undefined : listed(b.f);
    const gated = poster === null ? undefined : listed(b.g);
    let count = 0;
    const offer = (observer: Observer) => {
      count++;
      if (poster !== null) {
        const c = observer.center.c, i = observer.id;
        if (straight?.get(c)?.includes(i)) {
          if (flagged?.get(c)?.includes(i)) {
            observer.control(NOTIFY_EVENTS.marker, poster, b.q as number);
            (center.marked ??= new Set()).add(observer);
          }
          return;
        }
        const gate = gated?.get(c);
        if (gate) {
          for (let k = 0; k + 1 < gate.length; k += 2) {
            if (gate[k] === i) observer.control(NOTIFY_EVENTS.gate, poster, gate[k + 1]);
          }
        }
      }
      // Before every poster knows of it, what is relayed could be followed by holes.
      if (!observer.pending) observer.deliver(note, immediate);
    };
    const exact = this.#byName.get(name);
    if (exact) {
      for (const observer of exact) {
        if (observer.object === null || observer.object === object) offer(observer);
      }
    }
    for (const observer of this.#wild) {
      if (observer.pattern && !observer.pattern.matches(name)) continue;
      if (observer.object === null || observer.object === object) offer(observer);
    }
    return count;
  }

  #observe(b: Dictionary, connection: Connection): Value | Promise<Value> {
    const id = b.i;
    if (typeof id !== "number" || !Number.isInteger(id)) {
      throw badRequest("an observer needs an id");
    }
    const names = typeof b.n === "string"
      ? [checkName(b.n)]
      : Array.isArray(b.n)
      ? b.n.map(checkName)
      : [];
    // The queue and its behaviour are the observer's own, in its process: checked there.
    const inbox = optionalString(b.x, "the inbox");
    if (names.length > MAX_NAMES) {
      throw badRequest(`an observer takes at most ${MAX_NAMES} names and globs`);
    }
    let matcher: NameMatcher;
    try {
      matcher = new NameMatcher(names);
    } catch (error) {
      throw badRequest((error as Error).message);
    }
    const all = matcher.all;
    const exact = [...matcher.names];
    const globs = matcher.globs.map((g) => g.source);
    const pattern = !all && globs.length > 0 ? matcher : undefined;
    const center = this.#center(connection);
    if (inbox !== null) center.inbox = inbox;
    const previous = center.observers.get(id);
    if (previous) this.#remove(previous);
    const object = optionalString(b.o, "the object");
    const observer = new Observer(center, id, object, pattern, {
      c: center.c,
      x: center.inbox,
      i: id,
      a: all,
      gl: all ? [] : globs,
      n: all ? [] : exact,
      o: object,
    });
    center.observers.set(id, observer);
    if (all || pattern) this.#wild.add(observer);
    else {
      observer.names = exact;
      for (const name of observer.names) {
        let set = this.#byName.get(name);
        if (!set) this.#byName.set(name, set = new Set());
        set.add(observer);
      }
    }
    // Answered once every poster holding the routes knows of it: from then on, whatever is
    // posted reaches it, straight or relayed.
    const known = this.#tell(observer.route, true);
    if (!known) {
      observer.pending = false;
      return { t: Date.now(), s: this.#seen() };
    }
    return known.then(() => {
      observer.pending = false;
      return { t: Date.now(), s: this.#seen() };
    });
  }

  /**
   * Per poster, the number of the last post handled (`[[p, q], …]`): what an observe answers
   * with. Everything a poster posted up to there may have missed the observer (relayed before
   * it was answered, or not meant for it by a poster that did not know of it yet), everything
   * after reaches it: its center leaves out the former, whichever way it comes.
   */
  #seen(): number[][] {
    const seen: number[][] = [];
    for (const center of this.#centers.values()) {
      if (center.last) seen.push([center.last.p, center.last.q]);
    }
    return seen;
  }

  #cancel(connection: Connection, id: Value | undefined): void {
    const observer = this.#centers.get(connection)?.observers.get(id as number);
    if (observer) this.#remove(observer);
  }

  /** An observer goes: unfiled, forgotten by its center, and by the posters. */
  #remove(observer: Observer): void {
    this.#unlink(observer);
    observer.center.observers.delete(observer.id);
    this.#tell({ c: observer.center.c, i: observer.id, del: true });
  }

  #unlink(observer: Observer): void {
    this.#wild.delete(observer);
    for (const name of observer.names) {
      const set = this.#byName.get(name);
      if (set?.delete(observer) && set.size === 0) this.#byName.delete(name);
    }
  }
}

/** Whether `value` is a poster id or a post's number: a positive safe integer. */
function isSequence(value: Value | undefined): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

/** A post's `d`, `f` or `g` (`[[center, …], …]`) as a map from center to the rest. */
function listed(value: Value | undefined): Map<number, number[]> | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const map = new Map<number, number[]>();
  for (const entry of value) {
    if (!Array.isArray(entry) || typeof entry[0] !== "number") continue;
    map.set(entry[0], entry.slice(1).filter((n) => typeof n === "number") as number[]);
  }
  return map;
}

/** Makes the notification service, for the broker's service list. */
export function notificationService(context: ServiceContext): Service {
  return new NotificationService(context);
}
