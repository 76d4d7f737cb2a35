/**
 * The broker's notification center (the `notify` service): distributed notifications by name
 * and object, per-observer bounded queues with the suspension behaviours, and the 64-bit state
 * of each name, kept in files so that it outlives the broker.
 *
 * Flow control: the broker sends an observer at most `limit` notifications that its client has
 * not yet taken (the client acknowledges what its reader took, in batches). While an observer is
 * suspended or has `limit` unacknowledged, what arrives for it goes through its suspension
 * behaviour into its queue in the broker:
 *
 * - `drop`: nothing is queued;
 * - `coalesce`: one notification per name and object is queued, the latest;
 * - `hold`: everything is queued, up to {@linkcode HOLD_LIMIT};
 * - `immediate`: the queue is flushed and the notification sent anyway (up to
 *   {@linkcode HOLD_LIMIT} unacknowledged).
 *
 * A post with `deliverImmediately` is treated as `immediate` by every observer. Whatever is not
 * delivered is counted, and the observer gets a `dropped` record in its stream at that place.
 * A poster never waits for an observer: posting only queues.
 *
 * Requests: `notify.post`, `notify.observe`, `notify.cancel`, `notify.suspend`,
 * `notify.resume`, `notify.ack` (batched: one per quarter of the limit), `notify.state.get`,
 * `notify.state.set`, `notify.status`; `notify.post` also as a one-way event (handled in the
 * same order as the requests around it). To clients it sends the events `notify.d` (a
 * notification, encoded once for all the observers with the same id), `notify.dropped` (a
 * record) and `notify.error` (a one-way post that failed).
 *
 * @module
 */

import { RemoteError } from "../errors.ts";
import type { Connection } from "../transport/connection.ts";
import { encodeDelivery } from "../_notifications_frames.ts";
import { decodeValue } from "../wire/msgpack.ts";
import { type Dictionary, isDictionary, UInt64, type Value } from "../wire/value.ts";
import type { Service, ServiceContext } from "./service.ts";

/** What an observer does with notifications while it is suspended or its queue is full. */
export type SuspensionBehavior = "drop" | "coalesce" | "hold" | "immediate";

/** The suspension behaviours, in the order `--help` lists them. */
export const SUSPENSION_BEHAVIORS: readonly SuspensionBehavior[] = [
  "drop",
  "coalesce",
  "hold",
  "immediate",
];

/** How many notifications an observer may have unacknowledged by default. */
export const DEFAULT_QUEUE_LIMIT = 1024;

/** The large bound of `hold` and `immediate`: notifications queued or unacknowledged at most. */
export const HOLD_LIMIT = 100_000;

/** The longest notification name, in characters. */
export const MAX_NAME_LENGTH = 1024;

/** Where state files go, under the runtime directory. */
export const STATE_DIR = "notify-state";

interface Note {
  readonly name: string;
  readonly object: string | null;
  readonly userInfo: Uint8Array | null;
  readonly time: number;
  readonly key: string;
  /**
   * The `notify.d` frame last encoded for it, and the observer id it names: observers on
   * different connections mostly have the same id, so one encoding serves them all.
   */
  frame?: Uint8Array;
  frameId?: number;
}

interface Queued {
  note?: Note;
  dead?: boolean;
  // A record instead: how many were dropped, between these times.
  dropped?: number;
  from?: number;
  to?: number;
}

/** One observer, as the broker keeps it. */
class Observer {
  readonly connection: Connection;
  readonly id: number;
  readonly object: string | null;
  readonly behavior: SuspensionBehavior;
  readonly limit: number;
  readonly pattern: RegExp | undefined;
  /** The exact names it is filed under (none when it matches by pattern). */
  names: string[] = [];
  suspended: boolean;
  inflight = 0;
  #queue: Queued[] = [];
  #head = 0;
  #live = 0;
  #byKey = new Map<string, Queued>();

  constructor(
    connection: Connection,
    id: number,
    spec: {
      object: string | null;
      behavior: SuspensionBehavior;
      limit: number;
      pattern?: RegExp;
      suspended: boolean;
    },
  ) {
    this.connection = connection;
    this.id = id;
    this.object = spec.object;
    this.behavior = spec.behavior;
    this.limit = spec.limit;
    this.pattern = spec.pattern;
    this.suspended = spec.suspended;
  }

  /** Takes one notification: sends it, queues it, or drops it, per the behaviour. */
  offer(note: Note, immediate: boolean): void {
    if (!this.suspended && this.#head === this.#queue.length && this.inflight < this.limit) {
      this.#send(note);
      return;
    }
    if (immediate || this.behavior === "immediate") {
      this.#flush();
      if (this.inflight < HOLD_LIMIT) this.#send(note);
      else this.#drop(note.time);
      return;
    }
    switch (this.behavior) {
      case "drop":
        this.#drop(note.time);
        return;
      case "coalesce": {
        const earlier = this.#byKey.get(note.key);
        if (earlier) {
          earlier.dead = true;
          this.#live--;
          this.#drop(earlier.note!.time, note.time);
        } else if (this.#live >= HOLD_LIMIT) {
          this.#drop(note.time);
          return;
        }
        this.#push(note);
        return;
      }
      case "hold":
        if (this.#live >= HOLD_LIMIT) this.#drop(note.time);
        else this.#push(note);
        return;
    }
  }

  /** The client took `count` of what was sent. */
  ack(count: number): void {
    this.inflight = Math.max(0, this.inflight - count);
    this.pump();
  }

  /** Sends what is queued while the observer has room. */
  pump(): void {
    if (this.suspended) return;
    while (this.#head < this.#queue.length && this.inflight < this.limit) this.#sendNext();
    this.#compact();
  }

  #flush(): void {
    while (this.#head < this.#queue.length) this.#sendNext();
    this.#compact();
  }

  #sendNext(): void {
    const item = this.#queue[this.#head];
    this.#queue[this.#head++] = undefined as unknown as Queued;
    if (item.dead) return;
    if (item.note) {
      this.#live--;
      if (this.#byKey.get(item.note.key) === item) this.#byKey.delete(item.note.key);
      this.#send(item.note);
    } else {
      this.inflight++;
      this.connection.notify("notify.dropped", {
        i: this.id,
        c: item.dropped!,
        f: item.from!,
        l: item.to!,
      }).catch(() => {});
    }
  }

  #compact(): void {
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    } else if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
  }

  #push(note: Note): void {
    const item: Queued = { note };
    this.#queue.push(item);
    this.#live++;
    if (this.behavior === "coalesce") this.#byKey.set(note.key, item);
  }

  /** Counts one drop into the record at the end of the queue, or starts a record there. */
  #drop(from: number, to = from): void {
    while (this.#queue.length > this.#head && this.#queue[this.#queue.length - 1].dead) {
      this.#queue.pop();
    }
    const last = this.#queue.length > this.#head ? this.#queue[this.#queue.length - 1] : undefined;
    if (last && last.dropped !== undefined) {
      last.dropped++;
      last.from = Math.min(last.from!, from);
      last.to = Math.max(last.to!, to);
    } else {
      this.#queue.push({ dropped: 1, from, to });
    }
  }

  #send(note: Note): void {
    this.inflight++;
    let frame = note.frame;
    if (frame === undefined || note.frameId !== this.id) {
      try {
        frame = encodeDelivery(this.id, note.name, note.object, note.userInfo, note.time);
      } catch {
        this.inflight--; // over the frame limit with the delivery's own fields: it cannot go
        return;
      }
      note.frame = frame;
      note.frameId = this.id;
    }
    // The same bytes go to every connection: nothing writes to a frame once it is queued.
    this.connection.sendEncoded(frame).catch(() => {});
  }
}

/**
 * Turns a glob into an anchored regular expression: `*` matches any run of characters, `?` one
 * character, `[…]` a class; everything else stands for itself.
 */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*") source += ".*";
    else if (c === "?") source += ".";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) source += "\\[";
      else {
        let body = glob.slice(i + 1, end).replace(/\\/g, "\\\\");
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        source += `[${body}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\\]]/g, "\\$&");
  }
  return new RegExp(`^${source}$`, "s");
}

/** Whether a name pattern is a glob rather than an exact name. */
export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

function badRequest(message: string): RemoteError {
  return new RemoteError("bad-request", message);
}

/** Checks a notification name. */
export function checkName(name: unknown): string {
  if (typeof name !== "string" || name === "") {
    throw badRequest("a notification name must be a non-empty string");
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw badRequest(`a notification name is at most ${MAX_NAME_LENGTH} characters`);
  }
  return name;
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

  /** Sets and writes through (temporary file and rename: never half-written). */
  set(name: string, value: bigint): void {
    if (this.#values.get(name) === value) return;
    const path = `${this.#dir}/${stateFileName(name)}`;
    const temp = `${path}.tmp`;
    try {
      Deno.mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
      Deno.writeTextFileSync(temp, JSON.stringify({ name, value: value.toString() }) + "\n", {
        mode: 0o600,
      });
      Deno.renameSync(temp, path);
    } catch (error) {
      try {
        Deno.removeSync(temp);
      } catch { /* not there */ }
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
      entries = [...Deno.readDirSync(this.#dir)];
    } catch {
      return; // nothing saved yet
    }
    for (const entry of entries) {
      if (!entry.isFile || entry.name.endsWith(".tmp")) continue;
      try {
        const saved = JSON.parse(Deno.readTextFileSync(`${this.#dir}/${entry.name}`));
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

/** The notification center service. */
export class NotificationService implements Service {
  readonly name = "notify";
  #byName = new Map<string, Set<Observer>>();
  #wild = new Set<Observer>();
  #byConnection = new Map<Connection, Map<number, Observer>>();
  #state: StateStore;

  /** @param context the broker's runtime directory and log. */
  constructor(context: ServiceContext) {
    this.#state = new StateStore(`${context.runtimeDir}/${STATE_DIR}`, context.log);
  }

  /** How many observers are registered (for status and tests). */
  get observerCount(): number {
    let n = 0;
    for (const observers of this.#byConnection.values()) n += observers.size;
    return n;
  }

  handle(method: string, body: Value, connection: Connection): Value {
    switch (method) {
      case "notify.post":
        return this.#post(field(body, method));
      case "notify.ack": {
        const b = field(body, method);
        this.#observer(connection, b.i, false)?.ack(Number(b.c) || 0);
        return null;
      }
      case "notify.observe":
        return this.#observe(field(body, method), connection);
      case "notify.cancel":
        this.#cancel(connection, field(body, method).i);
        return null;
      case "notify.suspend":
      case "notify.resume": {
        const observer = this.#observer(connection, field(body, method).i, true)!;
        observer.suspended = method === "notify.suspend";
        observer.pump();
        return null;
      }
      case "notify.state.get":
        return new UInt64(this.#state.get(checkName(field(body, method).n)));
      case "notify.state.set": {
        const b = field(body, method);
        if (!(b.v instanceof UInt64)) throw badRequest("a state is a uint64");
        this.#state.set(checkName(b.n), b.v.value);
        return null;
      }
      case "notify.status":
        return { observers: this.observerCount };
    }
    throw new RemoteError("unknown-method", `the broker has no method ${method}`);
  }

  /**
   * Takes a one-way `notify.post` (what the library sends when the poster needs no answer). A
   * failure goes back on the connection as a `notify.error` event naming the post.
   */
  event(method: string, body: Value, connection: Connection): void {
    try {
      if (method !== "notify.post") {
        throw new RemoteError("unknown-method", `the broker takes no event ${method}`);
      }
      this.#post(field(body, method));
    } catch (error) {
      if (connection.isClosed) return;
      const name = isDictionary(body) && typeof body.n === "string" ? body.n : null;
      connection.notify("notify.error", {
        m: method,
        n: name,
        code: error instanceof RemoteError ? error.code : "failed",
        msg: (error as Error).message ?? String(error),
      }).catch(() => {});
    }
  }

  /** A client went away: its observers go with it. */
  disconnected(connection: Connection): void {
    const observers = this.#byConnection.get(connection);
    if (!observers) return;
    for (const observer of observers.values()) this.#unlink(observer);
    this.#byConnection.delete(connection);
  }

  #post(b: Dictionary): Value {
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
    const time = Date.now();
    const note: Note = { name, object, userInfo, time, key: `${name}\0${object ?? ""}` };
    const immediate = b.i === true;
    const exact = this.#byName.get(name);
    let count = 0;
    if (exact) {
      for (const observer of exact) {
        if (observer.object === null || observer.object === object) {
          observer.offer(note, immediate);
          count++;
        }
      }
    }
    for (const observer of this.#wild) {
      if (observer.pattern && !observer.pattern.test(name)) continue;
      if (observer.object === null || observer.object === object) {
        observer.offer(note, immediate);
        count++;
      }
    }
    return count;
  }

  #observe(b: Dictionary, connection: Connection): Value {
    const id = b.i;
    if (typeof id !== "number" || !Number.isInteger(id)) {
      throw badRequest("an observer needs an id");
    }
    const names = typeof b.n === "string"
      ? [checkName(b.n)]
      : Array.isArray(b.n)
      ? b.n.map(checkName)
      : [];
    const behavior = (b.b ?? "coalesce") as SuspensionBehavior;
    if (!SUSPENSION_BEHAVIORS.includes(behavior)) {
      throw badRequest(`unknown suspension behaviour ${String(b.b)}`);
    }
    const limit = b.q === undefined || b.q === null ? DEFAULT_QUEUE_LIMIT : b.q;
    if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) {
      throw badRequest("the queue limit is a positive integer");
    }
    const exact = names.filter((n) => !isGlob(n));
    const globs = names.filter(isGlob);
    const all = names.length === 0 || globs.includes("*");
    let pattern: RegExp | undefined;
    if (!all && globs.length > 0) {
      const parts = [...globs.map((g) => globToRegExp(g).source), ...exact.map(escapeExact)];
      pattern = new RegExp(parts.join("|"), "s");
    }
    let observers = this.#byConnection.get(connection);
    if (!observers) this.#byConnection.set(connection, observers = new Map());
    const previous = observers.get(id);
    if (previous) this.#unlink(previous);
    const observer = new Observer(connection, id, {
      object: optionalString(b.o, "the object"),
      behavior,
      limit: Math.min(limit, HOLD_LIMIT),
      pattern,
      suspended: b.s === true,
    });
    observers.set(id, observer);
    if (all || pattern) this.#wild.add(observer);
    else {
      observer.names = [...new Set(exact)];
      for (const name of observer.names) {
        let set = this.#byName.get(name);
        if (!set) this.#byName.set(name, set = new Set());
        set.add(observer);
      }
    }
    return { t: Date.now() };
  }

  #cancel(connection: Connection, id: Value | undefined): void {
    const observers = this.#byConnection.get(connection);
    const observer = observers?.get(id as number);
    if (!observer) return;
    this.#unlink(observer);
    observers!.delete(observer.id);
  }

  #unlink(observer: Observer): void {
    this.#wild.delete(observer);
    for (const name of observer.names) {
      const set = this.#byName.get(name);
      if (set?.delete(observer) && set.size === 0) this.#byName.delete(name);
    }
  }

  #observer(
    connection: Connection,
    id: Value | undefined,
    required: boolean,
  ): Observer | undefined {
    const observer = this.#byConnection.get(connection)?.get(id as number);
    if (!observer && required) {
      throw new RemoteError("not-found", `no observer ${String(id)} on this connection`);
    }
    return observer;
  }
}

function escapeExact(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`;
}

/** Makes the notification service, for the broker's service list. */
export function notificationService(context: ServiceContext): Service {
  return new NotificationService(context);
}
