/**
 * The broker's side of `ipckit monitor`: the attached monitors, what the broker reports to them
 * (every request and event it handles: method, sizes, time taken), and the hook that tells ports.
 *
 * A monitor attaches with `monitor.attach {inbox}` on its connection and stays attached until
 * that connection ends. Each change is written to the runtime directory's `monitors` file (the
 * inboxes, one a line; no file when none is attached), which a port reads when it opens, and
 * handed to the {@linkcode TellPorts} hook, which tells every live port; ports then report
 * their messages straight to the inboxes. With no monitor attached, the broker measures and encodes
 * nothing, and ports do nothing per message.
 *
 * @module
 */

import { writeFileReplacing } from "../transport/no_follow.ts";
import { RemoteError } from "../errors.ts";
import type { Connection } from "../transport/connection.ts";
import { encodeValue } from "../wire/msgpack.ts";
import type { Dictionary, Value } from "../wire/value.ts";
import {
  BROKER_EVENTS,
  BROKER_METHODS,
  isInboxPath,
  MONITORS_DIR,
  MONITORS_FILE,
} from "./protocol.ts";
import type { Logger } from "./log.ts";

/**
 * Tells the live ports of `runtimeDir` which monitors are attached (`inboxes`), once the
 * `monitors` file says so; resolves once they have taken it in. The daemon plugs in the ports'
 * own (`../ports/monitor.ts`); without one, a port learns of monitors only when it opens.
 */
export type TellPorts = (runtimeDir: string, inboxes: readonly string[]) => Promise<void>;

/**
 * Bytes of records a monitor that does not read may have waiting on its connection before more
 * are dropped (and counted): the broker never holds much for one, as ports do not.
 */
const MAX_QUEUED_BYTES = 256 * 1024;

/** The attached monitors of one broker. */
export class Monitors {
  #runtimeDir: string;
  #log: Logger;
  #inboxes = new Map<Connection, string>();
  /** Records dropped for each monitor since the last one it was sent. */
  #dropped = new Map<Connection, number>();
  #publishing: Promise<void> = Promise.resolve();
  #tellPorts: TellPorts | undefined;

  /**
   * @param runtimeDir the broker's runtime directory.
   * @param tellPorts tells the live ports of each change.
   */
  constructor(runtimeDir: string, log: Logger, tellPorts?: TellPorts) {
    this.#runtimeDir = runtimeDir;
    this.#log = log;
    this.#tellPorts = tellPorts;
  }

  /** Whether any monitor is attached (only then is traffic measured). */
  get attached(): boolean {
    return this.#inboxes.size > 0;
  }

  /** Answers `monitor.*` requests. */
  async handle(method: string, body: Value, connection: Connection): Promise<Value> {
    if (method !== BROKER_METHODS.monitorAttach) {
      throw new RemoteError("unknown-method", `the broker has no method ${method}`);
    }
    const inbox = (body as Dictionary | null)?.inbox;
    const folder = `${this.#runtimeDir}/${MONITORS_DIR}/`;
    if (typeof inbox !== "string" || !isInboxPath(inbox, this.#runtimeDir)) {
      throw new RemoteError("bad-request", `a monitor's inbox is a socket in ${folder}`);
    }
    this.#inboxes.set(connection, inbox);
    this.#log.info(`monitor attached: ${inbox}`);
    await this.#publish();
    return { attached: this.#inboxes.size };
  }

  /** A client went away: when it was a monitor, ports are told. */
  disconnected(connection: Connection): void {
    const inbox = this.#inboxes.get(connection);
    if (inbox === undefined) return;
    this.#inboxes.delete(connection);
    this.#dropped.delete(connection);
    this.#log.info(`monitor detached: ${inbox}`);
    this.#publish().catch(() => {});
  }

  /**
   * Reports one request or event the broker handled to every monitor (not the monitors' own
   * `monitor.*` requests): its method, the sizes of its body and reply (-1: none, as for an
   * event or a failure), and the milliseconds it took. A monitor that does not keep up misses
   * records; the next one it gets says how many (`dropped`).
   */
  report(
    method: string,
    request: Value,
    reply: Value | undefined,
    ms: number,
    error: string | undefined,
    event = false,
  ): void {
    if (method.startsWith("monitor.")) return;
    const record: Dictionary = {
      method,
      size: sizeOf(request),
      reply: reply === undefined ? -1 : sizeOf(reply),
      ms,
      event,
      time: Date.now(),
    };
    if (error !== undefined) record.error = error;
    for (const connection of this.#inboxes.keys()) {
      const dropped = this.#dropped.get(connection) ?? 0;
      if (connection.queuedBytes > MAX_QUEUED_BYTES) {
        this.#dropped.set(connection, dropped + 1);
        continue;
      }
      this.#dropped.delete(connection);
      const body = dropped > 0 ? { ...record, dropped } : record;
      connection.notify(BROKER_EVENTS.monitorCall, body).catch(() => {});
    }
  }

  /** Writes the `monitors` file and tells every live port; one change at a time, in order. */
  #publish(): Promise<void> {
    const inboxes = [...new Set(this.#inboxes.values())];
    this.#publishing = this.#publishing.then(() => this.#tell(inboxes)).catch((error) => {
      this.#log.error(`cannot tell the ports of the monitors: ${(error as Error).message}`);
    });
    return this.#publishing;
  }

  async #tell(inboxes: string[]): Promise<void> {
    const file = `${this.#runtimeDir}/${MONITORS_FILE}`;
    if (inboxes.length === 0) {
      await Deno.remove(file).catch(() => {});
    } else {
      await writeFileReplacing(file, inboxes.map((i) => `${i}\n`).join(""));
    }
    // Every port that was listed before the file changed hears of it; one listed later read
    // the file when it opened.
    await this.#tellPorts?.(this.#runtimeDir, inboxes);
  }
}

/**
 * Forgets the monitors an earlier broker listed: none is attached to a broker that is starting
 * (those monitors ended with the earlier one).
 */
export async function forgetEarlierMonitors(runtimeDir: string): Promise<void> {
  await Deno.remove(`${runtimeDir}/${MONITORS_FILE}`).catch(() => {});
}

function sizeOf(value: Value): number {
  try {
    return encodeValue(value).length;
  } catch {
    return -1;
  }
}
