/**
 * Activities (`xpc_activity`), the manager's side: a service registers work to be run later —
 * after a delay, once or every interval, within a grace period — and the manager runs it at
 * its time, starting the service when it does not run (it registers its activities again when
 * it checks in, as an XPC service does). The manager tells a run to defer while the service is
 * busy with its clients (open transactions); a deferred run is tried again a quarter of its
 * grace period later. Due times are kept in `activities.json` in the service's directory, so
 * a schedule outlives the broker and the service.
 *
 * @module
 */

import type { Logger } from "../broker/log.ts";
import type { Connection } from "../transport/connection.ts";
import { startTimer } from "../_timer.ts";
import { readTextNoFollow, writeFileReplacing } from "../transport/no_follow.ts";
import { type ActivityCriteria, type ActivityInfo, LAUNCH_EVENTS } from "./protocol.ts";

export type { ActivityCriteria, ActivityInfo };

interface Entry {
  criteria: ActivityCriteria;
  due: number;
  deferrals: number;
  runs: number;
}

/** What the book needs from the manager. */
export interface ActivityHost {
  /** The service's connection once it checked in, else `undefined`. */
  connection(): Connection | undefined;
  /** Its open transactions (0 when idle). */
  transactions(): number;
  /** Starts the service (it registers its activities when it checks in). */
  start(): void;
}

/** The default grace period, in seconds. */
const DEFAULT_GRACE = 60;

/** One service's activities. */
export class ActivityBook {
  #label: string;
  #file: string;
  #log: Logger;
  #host: ActivityHost;
  #entries = new Map<string, Entry>();
  /** The activities the service registered on its current connection. */
  #registered = new Set<string>();
  #running = new Set<string>();
  #timers = new Map<string, () => void>();
  #closed = false;

  private constructor(label: string, dir: string, log: Logger, host: ActivityHost) {
    this.#label = label;
    this.#file = `${dir}/activities.json`;
    this.#log = log;
    this.#host = host;
  }

  /** Loads a service's activities (kept from earlier brokers) and arms their timers. */
  static async load(
    label: string,
    dir: string,
    log: Logger,
    host: ActivityHost,
  ): Promise<ActivityBook> {
    const book = new ActivityBook(label, dir, log, host);
    try {
      const saved = JSON.parse(await readTextNoFollow(book.#file)) as Record<string, Entry>;
      for (const [id, entry] of Object.entries(saved)) book.#entries.set(id, entry);
    } catch { /* none yet */ }
    for (const id of book.#entries.keys()) book.#arm(id);
    return book;
  }

  /** Whether any activity is scheduled (the broker must stay up for it). */
  get scheduled(): boolean {
    return this.#entries.size > 0;
  }

  /** The activities, for `print`. */
  info(): ActivityInfo[] {
    return [...this.#entries].map(([id, e]) => ({
      id,
      due: new Date(e.due).toISOString(),
      repeating: e.criteria.repeating === true,
      running: this.#running.has(id),
      deferrals: e.deferrals,
      runs: e.runs,
    }));
  }

  /**
   * The service registered an activity on its connection. The same criteria as before keep the
   * due time (the schedule survives restarts); new ones start a new schedule.
   */
  async register(id: string, criteria: ActivityCriteria): Promise<void> {
    const now = Date.now();
    const known = this.#entries.get(id);
    if (!known || JSON.stringify(known.criteria) !== JSON.stringify(criteria)) {
      const first = criteria.delay ?? (criteria.repeating ? criteria.interval ?? 0 : 0);
      this.#entries.set(id, { criteria, due: now + first * 1000, deferrals: 0, runs: 0 });
      await this.#save();
    }
    this.#registered.add(id);
    this.#arm(id);
  }

  /** The service's connection went away: its registrations with it. */
  disconnected(): void {
    this.#registered.clear();
    this.#running.clear();
  }

  /** A run ended: deferred (try again soon), or done (the next one, or none). */
  async done(id: string, deferred: boolean): Promise<void> {
    const entry = this.#entries.get(id);
    this.#running.delete(id);
    if (!entry) return;
    const now = Date.now();
    const grace = entry.criteria.gracePeriod ?? DEFAULT_GRACE;
    if (deferred) {
      entry.deferrals++;
      entry.due = now + Math.min(Math.max(grace / 4, 0.1), 60) * 1000;
      this.#log.info(`service ${this.#label}: activity ${id} deferred`);
    } else {
      entry.runs++;
      if (entry.criteria.repeating && entry.criteria.interval) {
        entry.due = now + entry.criteria.interval * 1000;
      } else this.#entries.delete(id);
    }
    await this.#save();
    this.#arm(id);
  }

  /** Stops every timer. */
  close(): void {
    this.#closed = true;
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
  }

  #arm(id: string): void {
    this.#timers.get(id)?.();
    this.#timers.delete(id);
    const entry = this.#entries.get(id);
    if (!entry || this.#closed || this.#running.has(id)) return;
    this.#timers.set(
      id,
      startTimer(Math.max(0, entry.due - Date.now()), () => {
        this.#timers.delete(id);
        this.#due(id);
      }),
    );
  }

  /** An activity is due: run it in the service, or start the service so it registers it. */
  #due(id: string): void {
    const connection = this.#host.connection();
    if (!connection || connection.isClosed || !this.#registered.has(id)) {
      this.#log.info(`service ${this.#label}: start for its activity ${id}`);
      this.#host.start();
      return; // its registration arms the timer again
    }
    this.#running.add(id);
    const defer = this.#host.transactions() > 0;
    connection.notify(LAUNCH_EVENTS.activity, { id, defer }).catch(() => {
      this.#running.delete(id);
    });
  }

  async #save(): Promise<void> {
    try {
      await writeFileReplacing(this.#file, JSON.stringify(Object.fromEntries(this.#entries)));
    } catch (error) {
      this.#log.error(
        `service ${this.#label}: cannot save its activities: ${(error as Error).message}`,
      );
    }
  }
}
