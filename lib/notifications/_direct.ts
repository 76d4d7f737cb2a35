/**
 * Notifications that go straight from their poster to their observers' process, skipping the
 * broker's hop (see `service.ts` for the whole scheme):
 *
 * - {@linkcode Inbox}: the socket a center that observes listens on, and what it knows of the
 *   posters that write to it;
 * - {@linkcode Gates}: per observer, what keeps each poster's notifications in order when they
 *   change between the straight way and the broker's relay;
 * - {@linkcode Routes}: a poster's table of observers, its connections to their inboxes, and
 *   the straight writes.
 *
 * @module
 */

import { connectTo } from "../transport/connect.ts";
import type { Connection } from "../transport/connection.ts";
import { listen, type Listener } from "../transport/listener.ts";
import { ensureDirSync } from "../transport/no_follow.ts";
import { checkSocketPath } from "../transport/runtime_dir.ts";
import { encodeMessage } from "../wire/frame.ts";
import { encodeStraight } from "./_frames.ts";
import { startWatchdog } from "../_timer.ts";
import { NameMatcher } from "../_glob.ts";
import { INBOX_EVENTS, MAX_NAME_LENGTH } from "./protocol.ts";
import { type Dictionary, isDictionary, type Value } from "../wire/value.ts";

/** A notification as it reaches an observer's queue. */
export interface LocalNote {
  readonly name: string;
  readonly object: string | null;
  /** The encoded userInfo, decoded only when handed to the reader. */
  readonly userInfo: Uint8Array | null;
  /** When it was posted (the poster's clock when straight, the broker's when relayed). */
  readonly time: number;
  /** Its name and object: what `coalesce` keeps one of. */
  readonly key: string;
  /** Its poster's id. */
  readonly p: number;
  /** Its number among its poster's posts. */
  readonly q: number;
}

/** What an observer did not get while the broker could not write to its process. */
export interface LostRecord {
  readonly count: number;
  /** When the first and the last of them were posted. */
  readonly from: number;
  readonly to: number;
  /** Per poster: `[poster, first number, last number, count]`. */
  readonly ranges: readonly (readonly [number, number, number, number])[];
}

/** The latest time a `Date` can hold (ms). */
const MAX_TIME = 8.64e15;

/** Whether `value` is a poster id or a post's number: a positive safe integer. */
function isSequence(value: Value | undefined): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}

/**
 * Makes a {@linkcode LocalNote} of a delivery's fields (`n`, `o`, `u`, `t`, `q`; `p` from the
 * fields or given), or says what is wrong with them.
 */
export function localNote(body: Dictionary, p: Value | undefined = body.p): LocalNote | string {
  const { n, o, u, t, q } = body;
  if (typeof n !== "string" || n === "" || n.length > MAX_NAME_LENGTH) return "a bad name";
  if (o !== undefined && o !== null && typeof o !== "string") return "a bad object";
  if (u !== undefined && u !== null && !(u instanceof Uint8Array)) return "a bad userInfo";
  if (typeof t !== "number" || !(Math.abs(t) <= MAX_TIME)) return "a bad time";
  if (!isSequence(p) || !isSequence(q)) return "no poster or number";
  const object = typeof o === "string" ? o : null;
  return {
    name: n,
    object,
    userInfo: u instanceof Uint8Array ? u : null,
    time: t,
    key: `${n}\0${object ?? ""}`,
    p,
    q,
  };
}

let rejectedCount = 0;
let rejectedSince = 0;

/**
 * A frame an observer's center will not take (malformed, or for an observer that did not ask
 * for it: an inbox is a socket any process of the user can write to): dropped, and said on
 * standard error, at most once a second (with how many since).
 */
export function rejectFrame(poster: number | undefined, why: string): void {
  rejectedCount++;
  const now = Date.now();
  if (now - rejectedSince < 1000) return;
  const more = rejectedCount > 1 ? ` (${rejectedCount} frames dropped since the last line)` : "";
  rejectedSince = now;
  rejectedCount = 0;
  const from = poster === undefined ? "the broker" : `poster ${poster}`;
  try {
    Deno.stderr.writeSync(
      new TextEncoder().encode(
        `ipckit: dropped a notification frame from ${from}: ${why}${more}\n`,
      ),
    );
  } catch { /* no stderr */ }
}

/** Makes a {@linkcode LostRecord} of a `notify.lost` event's fields, or undefined when bad. */
export function lostRecord(body: Dictionary): LostRecord | undefined {
  const { c, f, t, r } = body;
  if (!isSequence(c) || typeof f !== "number" || typeof t !== "number" || !Array.isArray(r)) {
    return undefined;
  }
  const ranges: [number, number, number, number][] = [];
  for (const range of r) {
    if (Array.isArray(range) && range.length === 4 && range.every(isSequence)) {
      ranges.push(range as [number, number, number, number]);
    }
  }
  return { count: c, from: f, to: t, ranges };
}

/** How many bytes may wait for a slow inbox before a poster relays through the broker. */
const CONGESTED_BYTES = 256 * 1024;
/** How long a write to an inbox may make no progress before its link counts as stalled. */
const STALL_MS = 20;
/** How long a poster waits before trying an inbox it could not reach again. */
const RETRY_MS = 1000;
/** The straight frame's event name. */
const STRAIGHT = INBOX_EVENTS.straight;
/** The event that ends a poster's writing on a link (it lost the broker). */
const END = INBOX_EVENTS.end;

// --- the observer's side --------------------------------------------------------------------

interface Poster {
  /** The sequence number of the last straight notification read from it. */
  seq: number;
  /** How many of its links are open. */
  links: number;
}

/** An observing center's inbox socket, and the posters writing to it. */
export class Inbox {
  readonly path: string;
  #listener: Listener;
  #posters = new Map<number, Poster>();
  /** The open links, counted in their poster's `links`. */
  #links = new Set<Connection>();
  /** Called whenever a link closes. */
  onUnlinked: (() => void) | undefined;

  /** The links open now. */
  get links(): ReadonlySet<Connection> {
    return this.#links;
  }
  /** Gates with relayed notifications held for a poster's straight ones. */
  #waiting = new Set<Gates>();
  /**
   * Per poster the broker said is gone while its links were open: the gates that release
   * what waits for its markers once the links have closed too.
   */
  #ending = new Map<number, Set<Gates>>();

  #straight: (p: number, body: Dictionary, link: Connection) => void;

  private constructor(
    path: string,
    listener: Listener,
    straight: (p: number, body: Dictionary, link: Connection) => void,
  ) {
    this.path = path;
    this.#listener = listener;
    this.#straight = straight;
  }

  /**
   * Takes an event from a link: a straight notification from the poster at its other end, or
   * its end (`notify.end`: the poster lost the broker and writes no more on this link).
   */
  receive(method: string, body: Value, connection: Connection): void {
    const p = posterOf(connection);
    if (p === undefined) return;
    if (method === END) return this.#unlinked(p, connection);
    if (method !== STRAIGHT || !isDictionary(body)) return;
    // A frame right behind the hello comes before onConnect's promise.
    this.#linked(p, connection);
    this.#straight(p, body, connection);
    if (typeof body.q === "number") this.#read(p, body.q);
  }

  /** A link closed: what its poster sent over it has all been read. */
  unlinked(connection: Connection): void {
    const p = posterOf(connection);
    if (p !== undefined) this.#unlinked(p, connection);
  }

  /**
   * Opens an inbox under the runtime directory; undefined when it cannot (the path would be too
   * long for a socket, or the directory is not writable): the center then gets everything
   * through the broker.
   *
   * @param straight takes a straight notification's fields from poster `p`, read on `link`.
   */
  static async open(
    runtimeDir: string,
    links: Links,
    straight: (p: number, body: Dictionary, link: Connection) => void,
  ): Promise<Inbox | undefined> {
    const dir = `${runtimeDir}/notify-inbox`;
    const random = crypto.getRandomValues(new Uint8Array(6));
    const path = `${dir}/${Deno.pid}-${[...random].map((b) => b.toString(16)).join("")}.sock`;
    try {
      checkSocketPath(path);
      ensureDirSync(dir);
    } catch {
      return undefined;
    }
    let inbox: Inbox | undefined = undefined;
    try {
      const listener = await listen(path, {
        unrefWhenIdle: true,
        hello: { p: links.pid, x: path },
        onEvent: (method, body, connection) => inbox!.receive(method, body, connection),
        onConnect: (connection) => {
          const p = posterOf(connection);
          if (p !== undefined) inbox!.#linked(p, connection);
          // This center posts back to the other over the same connection.
          const x = connection.peerHello?.x;
          if (typeof x === "string") links.adopt(x, connection);
        },
        onDisconnect: (connection) => inbox!.unlinked(connection),
      });
      listener.unref();
      inbox = new Inbox(path, listener, straight);
      links.inbox = inbox;
      return inbox;
    } catch {
      return undefined;
    }
  }

  /** Whether poster `p`'s straight notifications up to `q` have been read (or never will be). */
  hasRead(p: number, q: number): boolean {
    const poster = this.#posters.get(p);
    return poster !== undefined && (poster.seq >= q || poster.links === 0);
  }

  /** Holds `gates`' relayed notifications until {@linkcode hasRead} says otherwise. */
  wait(gates: Gates): void {
    this.#waiting.add(gates);
  }

  /**
   * The broker said poster `p` is gone (every marker of it came before): `gates` hands over
   * what waits for its markers now, or, while a link of it is open (straight ones may still
   * be on it), once its links have closed.
   */
  posterGone(p: number, gates: Gates): void {
    if ((this.#posters.get(p)?.links ?? 0) === 0) return gates.releasePoster(p);
    let ending = this.#ending.get(p);
    if (!ending) this.#ending.set(p, ending = new Set());
    ending.add(gates);
  }

  /** Stops listening; the socket file goes. */
  async close(): Promise<void> {
    this.#ending.clear();
    await this.#listener.close();
  }

  #linked(p: number, connection: Connection): void {
    if (this.#links.has(connection)) return;
    this.#links.add(connection);
    const poster = this.#posters.get(p);
    if (poster) poster.links++;
    else this.#posters.set(p, { seq: 0, links: 1 });
  }

  #unlinked(p: number, connection: Connection): void {
    if (!this.#links.delete(connection)) return;
    this.onUnlinked?.();
    const poster = this.#posters.get(p);
    if (!poster || --poster.links > 0) return;
    this.#wake();
    // Its markers may never come (it died between its straight write and its post to the
    // broker): what waits for them is handed over once the broker says the poster is gone
    // (behind everything it relayed of it), never on a timer, which a loaded broker outlasts.
    const ending = this.#ending.get(p);
    this.#ending.delete(p);
    for (const gates of ending ?? []) gates.releasePoster(p);
  }

  #read(p: number, q: number): void {
    const poster = this.#posters.get(p)!;
    if (q > poster.seq) poster.seq = q;
    if (this.#waiting.size > 0) this.#wake();
  }

  #wake(): void {
    for (const gates of [...this.#waiting]) {
      this.#waiting.delete(gates);
      gates.posterRead();
    }
  }
}

function posterOf(connection: Connection): number | undefined {
  const p = connection.peerHello?.p;
  return typeof p === "number" ? p : undefined;
}

/** A notification on its way through the gates. */
export interface Item {
  note: LocalNote;
  immediate: boolean;
  /** Where it stands to a lost broker; see {@linkcode Phase}. */
  phase?: Phase;
}

interface Held {
  /** Flagged straight ones whose marker has not come yet. */
  awaiting: Set<number>;
  /** Markers that came before their straight one. */
  early: Set<number>;
  items: { item: Item; flag?: number }[];
}

/**
 * Where a notification stands to a lost broker (see `NotificationCenter`):
 *
 * - `during`: written before its poster lost the broker too, but it waited for the lost
 *   broker's marker, behind what that broker relayed: a gap record goes before it;
 * - `new`: from the new broker, or on a link opened since. Taken when the observer is handed
 *   it: before the observers are registered again, it is left out, inside the gap (its poster
 *   may not have known of them yet, so holes may follow it); once they are, it follows the
 *   re-registration's gap record. (The broker relays nothing to an observer before every
 *   poster knows of it.)
 */
export type Phase = "during" | "new";

/** What the broker relays to an observer, in its order. */
export type Relayed =
  | { kind: "note"; item: Item }
  | { kind: "lost"; record: LostRecord; phase?: Phase }
  | { kind: "marker"; p: number; q: number }
  | { kind: "gate"; p: number; q: number }
  /** Poster `p`'s broker connection is gone: every marker of it came before this. */
  | { kind: "gone"; p: number };

/**
 * One observer's order keeping: straight notifications of a poster wait for the broker's
 * marker when they follow relayed ones; relayed ones wait behind a gate for the poster's
 * straight ones before them.
 */
export class Gates {
  #offer: (item: Item) => void;
  #lost: (record: LostRecord, phase: Phase | undefined) => void;
  #inbox: () => Inbox | undefined;
  #held = new Map<number, Held>();
  #gate: { p: number; q: number } | undefined;
  #behind: Relayed[] = [];

  /**
   * @param offer hands a notification to the observer's queue.
   * @param inbox the center's inbox, for what it has read.
   * @param lost hands a record of what the broker could not relay to the observer's queue.
   */
  constructor(
    offer: (item: Item) => void,
    inbox: () => Inbox | undefined,
    lost: (record: LostRecord, phase: Phase | undefined) => void = () => {},
  ) {
    this.#offer = offer;
    this.#lost = lost;
    this.#inbox = inbox;
  }

  /** A straight notification from poster `p`, its `q`th; `flagged` when it needs a marker. */
  straight(p: number, q: number, flagged: boolean, item: Item): void {
    let held = this.#held.get(p);
    let flag: number | undefined;
    if (flagged) {
      if (held?.early.delete(q)) { /* its marker came first: nothing to wait for */ }
      else {
        held ??= this.#newHeld(p);
        held.awaiting.add(q);
        flag = q;
      }
    }
    if (held && (held.items.length > 0 || flag !== undefined)) {
      held.items.push({ item, flag });
      return;
    }
    this.#offer(item);
  }

  /** What the broker relayed, in its order. */
  relayed(relayed: Relayed): void {
    if (this.#gate) this.#behind.push(relayed);
    else this.#take(relayed);
  }

  /** The inbox read more of a poster's straight ones: a gate may open. */
  posterRead(): void {
    const gate = this.#gate;
    if (!gate) return;
    if (!this.#inbox()?.hasRead(gate.p, gate.q)) {
      this.#inbox()?.wait(this);
      return;
    }
    this.#gate = undefined;
    const behind = this.#behind;
    this.#behind = [];
    for (let k = 0; k < behind.length; k++) {
      if (this.#gate) {
        this.#behind.push(...behind.slice(k));
        return;
      }
      this.#take(behind[k]);
    }
  }

  /** A poster's markers will not come: what waits for them is handed over. */
  releasePoster(p: number): void {
    const held = this.#held.get(p);
    if (!held) return;
    held.awaiting.clear();
    this.#release(p, held);
  }

  /** Whether straight notifications wait for a marker (see {@linkcode brokerLost}). */
  get holding(): boolean {
    for (const held of this.#held.values()) if (held.items.length > 0) return true;
    return false;
  }

  /**
   * The broker connection was lost: no marker will come, so straight ones held for one are
   * handed over (what they waited for was in the lost broker: the center puts a gap record
   * before them). A gate stays: what it waits for comes straight, broker or not.
   */
  brokerLost(): void {
    for (const held of this.#held.values()) {
      for (const { item } of held.items) item.phase ??= "during";
    }
    for (const p of [...this.#held.keys()]) this.releasePoster(p);
    this.#held.clear();
  }

  #newHeld(p: number): Held {
    const held: Held = { awaiting: new Set(), early: new Set(), items: [] };
    this.#held.set(p, held);
    return held;
  }

  #take(relayed: Relayed): void {
    switch (relayed.kind) {
      case "note":
        this.#offer(relayed.item);
        return;
      case "lost":
        this.#lost(relayed.record, relayed.phase);
        return;
      case "marker": {
        const held = this.#held.get(relayed.p);
        if (held?.awaiting.delete(relayed.q)) this.#release(relayed.p, held);
        else (held ?? this.#newHeld(relayed.p)).early.add(relayed.q);
        return;
      }
      case "gone": {
        const inbox = this.#inbox();
        if (inbox) inbox.posterGone(relayed.p, this);
        else this.releasePoster(relayed.p);
        return;
      }
      case "gate": {
        const inbox = this.#inbox();
        if (!inbox || inbox.hasRead(relayed.p, relayed.q)) return;
        this.#gate = { p: relayed.p, q: relayed.q };
        inbox.wait(this);
        return;
      }
    }
  }

  /** Hands over a poster's held ones up to the first that still waits for its marker. */
  #release(p: number, held: Held): void {
    let k = 0;
    for (; k < held.items.length; k++) {
      const { item, flag } = held.items[k];
      if (flag !== undefined && held.awaiting.has(flag)) break;
      this.#offer(item);
    }
    held.items.splice(0, k);
    if (held.items.length === 0 && held.awaiting.size === 0 && held.early.size === 0) {
      this.#held.delete(p);
    }
  }
}

// --- the poster's side ----------------------------------------------------------------------

/** An observer as a poster knows it: what it matches, and how the last match reached it. */
interface Route {
  readonly i: number;
  /** Its names and globs (every name when it gave none). */
  readonly match: NameMatcher;
  readonly object: string | null;
  /** Whether the last notification it matched went straight, and that one's number. */
  straight: boolean;
  lastQ: number;
}

interface RouteCenter {
  readonly c: number;
  /** Its inbox; null when it has none (everything for it is relayed). */
  readonly inbox: string | null;
  readonly observers: Map<number, Route>;
}

interface Link {
  connection?: Connection;
  connecting?: boolean;
  failedAt?: number;
  /** Writes not yet done, and how many finished (to tell a stalled link from a busy one). */
  pending: number;
  finished: number;
  /** Set when writes made no progress for {@linkcode STALL_MS}: relay until they drain. */
  stalled: boolean;
  /** The posts waiting for their write (let go when the link is found stalled). */
  waiting: Set<() => void>;
  watching: boolean;
}

/**
 * A poster's links to inboxes: kept across its broker connections (an inbox outlives a broker
 * restart), closed with its center.
 */
export class Links {
  /** The poster's id, in its links' hello and its routes request. */
  readonly pid: number = 1 + Math.floor(Math.random() * 2 ** 48);
  /** The last sequence number given to a post: it only grows, across broker connections. */
  seq = 0;
  /**
   * The center's own inbox, once it observes: named in each link's hello, so that the other
   * center posts back over the same connection (one socket each way costs a wake-up more per
   * notification), and taking what comes back over a link.
   */
  inbox: Inbox | undefined;
  #links = new Map<string, Link>();
  /** Connections this center opened but does not write to (the other center's is used). */
  #spare = new Set<Connection>();

  /** An open link to `inbox` that is not behind, or undefined (and one is made for later). */
  ready(inbox: string): Link | undefined {
    const link = this.#link(inbox);
    const connection = link.connection;
    if (connection && !connection.isClosed) {
      return link.stalled || connection.queuedBytes > CONGESTED_BYTES ? undefined : link;
    }
    if (
      !link.connecting && (link.failedAt === undefined || Date.now() - link.failedAt > RETRY_MS)
    ) {
      this.#connect(inbox, link);
    }
    return undefined;
  }

  /**
   * Takes a connection that the center of `inbox` opened to this center's inbox as the link to
   * it, unless there is one already.
   */
  adopt(inbox: string, connection: Connection): void {
    const link = this.#link(inbox);
    if (link.connection && !link.connection.isClosed) return;
    this.#use(link, connection);
  }

  /**
   * Writes a frame on a link from {@linkcode ready}. Resolves once it is written, or once the
   * link is found stalled (a process that stopped reading): a poster never waits on an observer.
   */
  write(link: Link, frame: Uint8Array): Promise<void> {
    link.pending++;
    const written = link.connection!.sendEncoded(frame);
    if (!link.watching) this.#watch(link, link.finished);
    return new Promise<void>((resolve) => {
      link.waiting.add(resolve);
      const done = () => {
        link.pending--;
        link.finished++;
        if (link.pending === 0) link.stalled = false;
        link.waiting.delete(resolve);
        resolve();
      };
      written.then(done, done);
    });
  }

  /** Checks every {@linkcode STALL_MS} while writes are pending that some finished. */
  #watch(link: Link, finished: number): void {
    link.watching = true;
    startWatchdog(STALL_MS, () => {
      link.watching = false;
      if (link.pending === 0) return;
      if (link.finished === finished) {
        link.stalled = true;
        for (const resolve of link.waiting) resolve();
        link.waiting.clear();
      }
      this.#watch(link, link.finished);
    });
  }

  #link(inbox: string): Link {
    let link = this.#links.get(inbox);
    if (!link) {
      link = { pending: 0, finished: 0, stalled: false, waiting: new Set(), watching: false };
      this.#links.set(inbox, link);
    }
    return link;
  }

  /** Forgets an inbox whose center went away (its link ends when the socket does). */
  forget(inbox: string): void {
    const link = this.#links.get(inbox);
    if (link && !link.connection && !link.connecting) this.#links.delete(inbox);
  }

  /**
   * The broker was lost: ends writing on every link (each gets `notify.end` behind what it
   * carries, so its other end knows when it has read everything) and makes new ones from the
   * next post on. The old connections stay open, for what the other centers write on them.
   */
  end(): void {
    for (const link of this.#links.values()) {
      const connection = link.connection;
      if (!connection || connection.isClosed) continue;
      connection.notify(END, null).catch(() => {});
      this.#spare.add(connection);
      connection.closed.then(() => this.#spare.delete(connection));
    }
    this.#links.clear();
  }

  /** Closes every link. */
  async close(): Promise<void> {
    const links = [...this.#links.values()];
    this.#links.clear();
    const spare = [...this.#spare];
    this.#spare.clear();
    await Promise.all([
      ...links.map((link) => link.connection?.close()),
      ...spare.map((connection) => connection.close()),
    ]);
  }

  #connect(inbox: string, link: Link): void {
    link.connecting = true;
    connectTo(inbox, {
      hello: { p: this.pid, x: this.inbox?.path ?? null },
      unrefWhenIdle: true,
      onEvent: (method, body, connection) => this.inbox?.receive(method, body, connection),
    }).then(
      (connection) => {
        link.connecting = false;
        if (this.#links.get(inbox) !== link || (link.connection && !link.connection.isClosed)) {
          // Forgotten, or the other center's connection was adopted meanwhile. The other center
          // may have adopted this one and be writing to it: keep it open to read, unused here.
          this.#spare.add(connection);
          connection.closed.then(() => {
            this.#spare.delete(connection);
            this.inbox?.unlinked(connection);
          });
          return;
        }
        this.#use(link, connection);
      },
      () => {
        link.connecting = false;
        link.failedAt = Date.now();
      },
    );
  }

  #use(link: Link, connection: Connection): void {
    link.connection = connection;
    connection.closed.then(() => {
      this.inbox?.unlinked(connection);
      if (link.connection !== connection) return;
      link.connection = undefined;
      link.failedAt = Date.now();
    });
  }
}

/**
 * A poster's table of every observer, on one broker connection (from `notify.routes`, kept
 * up to date by `notify.r`), and its lease on it (`notify.lease`): while the lease holds, the
 * table is complete, and a post that reached every matching observer straight needs no broker.
 */
export class Routes {
  #links: Links;
  #own = 0;
  #centers = new Map<number, RouteCenter>();
  /** Changes that came before the table (an event is handled before a reply's promise). */
  #early: Value[] | undefined = [];
  /** When the lease ends (Date.now()). */
  #until = 0;

  /** @param links the center's links (and its poster id and sequence). */
  constructor(links: Links) {
    this.#links = links;
  }

  /** Whether the table came: until then, posts are relayed. */
  get loaded(): boolean {
    return this.#early === undefined;
  }

  /** Takes the reply to `notify.routes`. */
  load(reply: Value): void {
    const early = this.#early;
    if (!isDictionary(reply) || !early) return;
    this.#early = undefined;
    this.#own = typeof reply.c === "number" ? reply.c : 0;
    if (Array.isArray(reply.r)) {
      for (const route of reply.r) this.change(route);
    }
    for (const change of early) this.change(change);
    this.lease(reply.e);
  }

  /** Takes a `notify.lease`: the new end of the lease. */
  lease(end: Value | undefined): void {
    if (typeof end === "number") this.#until = end;
  }

  /**
   * Takes a `notify.r` change: an observer added or replaced, gone, or a whole center gone.
   *
   * @returns the change's barrier number, for the center to acknowledge once applied.
   */
  change(body: Value): number | undefined {
    if (!isDictionary(body)) return undefined;
    const k = typeof body.k === "number" ? body.k : undefined;
    if (this.#early) {
      // Not loaded, every post goes to the broker: acknowledging now is safe.
      this.#early.push(body);
      return k;
    }
    if (typeof body.c !== "number") return k;
    const c = body.c;
    if (body.gone === true) {
      const center = this.#centers.get(c);
      if (center?.inbox) this.#links.forget(center.inbox);
      this.#centers.delete(c);
      return k;
    }
    if (typeof body.i !== "number") return k;
    if (body.del === true) {
      this.#centers.get(c)?.observers.delete(body.i);
      return k;
    }
    const inbox = typeof body.x === "string" ? body.x : null;
    let center = this.#centers.get(c);
    if (!center || center.inbox !== inbox) {
      center = { c, inbox, observers: center?.observers ?? new Map() };
      this.#centers.set(c, center);
    }
    const patterns = body.a === true ? [] : [...strings(body.n), ...strings(body.gl)];
    let match: NameMatcher;
    try {
      match = new NameMatcher(patterns);
    } catch {
      return k; // the broker took it, so this cannot be; relayed, it is still delivered
    }
    center.observers.set(body.i, {
      i: body.i,
      match,
      object: typeof body.o === "string" ? body.o : null,
      straight: false,
      lastQ: 0,
    });
    return k;
  }

  /**
   * Writes a post (numbered by its center: `body.q`) straight to the inboxes of the other centers whose
   * observers it matches (unless `straight` is false: then all of it is relayed). Lists in
   * `body.d` whom it reached, in `body.f` whom for the first time after relayed ones, and in
   * `body.g` whom it reached before but not now, with the number of the last straight one.
   *
   * @returns the last straight write when the broker need not hear of the post at all (the
   * lease holds, and every match was reached straight, none for the first time); else
   * undefined: send the post to the broker.
   */
  send(body: Dictionary, straight: boolean): Promise<void> | undefined {
    const q = body.q as number; // numbered by the center
    const name = body.n as string;
    const object = (body.o ?? null) as string | null;
    const now = Date.now();
    let needed = !straight || now >= this.#until;
    let reached: number[][] | undefined, flagged: number[][] | undefined;
    let gated: number[][] | undefined;
    let written: Promise<void> = Promise.resolve();
    for (const center of this.#centers.values()) {
      let ids: number[] | undefined, flags: number[] | undefined, gates: number[] | undefined;
      let link: Link | undefined | null = null; // null: not looked up yet
      for (const route of center.observers.values()) {
        if (!matches(route, name, object)) continue;
        if (link === null) {
          link = straight && center.c !== this.#own && center.inbox !== null
            ? this.#links.ready(center.inbox)
            : undefined;
        }
        if (!link) {
          needed = true;
          if (route.straight) {
            (gates ??= []).push(route.i, route.lastQ);
            route.straight = false;
          }
          continue;
        }
        (ids ??= []).push(route.i);
        if (!route.straight) (flags ??= []).push(route.i);
      }
      if (ids && link) {
        const u = (body.u ?? null) as Uint8Array | null;
        try {
          let frame: Uint8Array;
          if (!flags && body.i !== true) frame = encodeStraight(q, name, object, u, now, ids);
          else {
            const b: Dictionary = { q, n: name, o: object, u, t: now, i: ids };
            if (flags) b.f = flags;
            if (body.i === true) b.m = true;
            frame = encodeMessage({ t: "evt", m: STRAIGHT, b });
          }
          // A link that breaks took its center with it (its observers are gone): not the
          // poster's failure.
          written = this.#links.write(link, frame);
          for (const i of ids) {
            const route = center.observers.get(i)!;
            route.straight = true;
            route.lastQ = q;
          }
          (reached ??= []).push([center.c, ...ids]);
          if (flags) {
            needed = true;
            (flagged ??= []).push([center.c, ...flags]);
          }
        } catch {
          // Too large for a frame with its own fields: the broker relays it to these too.
          needed = true;
          for (const i of ids) {
            const route = center.observers.get(i)!;
            if (route.straight) (gates ??= []).push(i, route.lastQ);
            route.straight = false;
          }
        }
      }
      if (gates) (gated ??= []).push([center.c, ...gates]);
    }
    if (!needed) return written;
    if (reached) body.d = reached;
    if (flagged) body.f = flagged;
    if (gated) body.g = gated;
    return undefined;
  }
}

function matches(route: Route, name: string, object: string | null): boolean {
  if (route.object !== null && route.object !== object) return false;
  return route.match.matches(name);
}

function strings(value: Value | undefined): string[] {
  return Array.isArray(value) ? value.filter((n): n is string => typeof n === "string") : [];
}
