/**
 * Launch events: a loaded service's `launchEvents` are notification names (each with an
 * optional object) that start it when posted. The manager observes them like any other
 * observer — through a notification center of its own, connected to its own broker — so a
 * post reaches it whether it goes straight or through the broker. Each matching notification
 * starts the service and is held for it until it checks in, then handed over on its broker
 * connection (`launch.event`), as launchd hands a launch event to `xpc_set_event_stream_handler`.
 * It is also held for the service's plain observers: a notification center in the service
 * takes the held ones its observer observes as it registers (`launch.events.take`).
 *
 * @module
 */

import type { Logger } from "../broker/log.ts";
import type {
  Notification,
  NotificationCenter,
  NotificationObserver,
} from "../notifications/mod.ts";
import type { Dictionary } from "../wire/value.ts";
import type { LaunchEvent } from "./definition.ts";

/** How many notifications are held for one service that has not checked in yet. */
export const HELD_EVENTS_LIMIT = 100;

/** A notification as the service gets it: the {@linkcode Notification} fields as a dictionary. */
export function eventValue(note: Notification): Dictionary {
  return {
    name: note.name,
    object: note.object,
    userInfo: note.userInfo,
    time: note.time,
    poster: note.poster,
    seq: note.seq,
  };
}

/** What a matching notification does: start the service and hand it the notification. */
export type EventSink = (label: string, note: Notification) => void;

/** The manager's observers of launch events. */
export class LaunchEvents {
  #runtimeDir: string;
  #log: Logger;
  #sink: EventSink;
  #center: Promise<NotificationCenter> | undefined;
  #observers = new Map<string, NotificationObserver[]>();
  #closed = false;

  /**
   * Makes the observers' keeper; nothing connects before the first {@linkcode watch}.
   *
   * @param runtimeDir the broker's runtime directory.
   * @param sink called for each matching notification.
   */
  constructor(runtimeDir: string, log: Logger, sink: EventSink) {
    this.#runtimeDir = runtimeDir;
    this.#log = log;
    this.#sink = sink;
  }

  /** Observes a service's launch events; resolves once a post from anywhere reaches them. */
  async watch(label: string, events: LaunchEvent[]): Promise<void> {
    if (this.#closed) return;
    this.#center ??= import("../notifications/mod.ts").then(({ NotificationCenter }) =>
      NotificationCenter.connect({ runtimeDir: this.#runtimeDir })
    );
    const center = await this.#center;
    const observers: NotificationObserver[] = [];
    for (const event of events) {
      const observer = await center.observe({
        names: event.name,
        object: event.object ?? null,
        suspensionBehavior: "hold",
      });
      observers.push(observer);
      this.#pump(label, observer);
    }
    this.#observers.set(label, observers);
  }

  /** Stops observing a service's launch events; the center closes with the last. */
  async unwatch(label: string): Promise<void> {
    for (const observer of this.#observers.get(label) ?? []) observer.close();
    this.#observers.delete(label);
    if (this.#observers.size === 0 && this.#center) {
      const center = this.#center;
      this.#center = undefined;
      await (await center).close();
    }
  }

  /** Closes everything (before the broker stops: the center must not try to reconnect). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const label of [...this.#observers.keys()]) await this.unwatch(label);
  }

  async #pump(label: string, observer: NotificationObserver): Promise<void> {
    try {
      for await (const event of observer) {
        if (event.type === "notification") this.#sink(label, event);
      }
    } catch (error) {
      if (!this.#closed) {
        this.#log.error(`service ${label}: launch events: ${(error as Error).message}`);
      }
    }
  }
}
