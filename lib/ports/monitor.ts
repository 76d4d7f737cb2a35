/**
 * Ports' side of `ipckit monitor`. A monitor attaches to the broker with an inbox socket of its
 * own; the broker lists the attached monitors' inboxes in the runtime directory's `monitors`
 * file and tells every live port of each change with a `monitor` control frame on its socket.
 * A port reads the file once when it is created and takes those frames as they come, so it
 * learns of monitors without ever asking the broker; with none attached it reports nothing and
 * pays nothing per message. With one attached, it writes one small record per message to each
 * inbox ({@linkcode PortReporter}): never waiting for a monitor, dropping records (and counting
 * them) when one does not keep up.
 *
 * A port loads this module only once a monitor is attached; the broker's daemon plugs
 * {@linkcode tellPorts} into the broker core, to tell the live ports of each change.
 *
 * @module
 */

import { startTimer } from "../_timer.ts";
import { concatBytes } from "../wire/bytes.ts";
import { encodeMessage } from "../wire/frame.ts";
import type { Dictionary } from "../wire/value.ts";
import { MONITORS_DIR } from "../broker/protocol.ts";
import { recordedPorts } from "./names.ts";
import { controlFrame, helloFrame } from "./protocol.ts";

/** Records a slow monitor may have waiting before more are dropped. */
const MAX_QUEUED = 1024;

/** One message a port handled, as it reports it. */
export interface PortRecord {
  /** The port's name. */
  port: string;
  /** The message id. */
  msgid: number;
  /** The request's length in bytes (-1: streamed without saying). */
  size: number;
  /** The reply's length in bytes (-1: streamed or none, for a one-way request). */
  reply: number;
  /** Milliseconds from the request's arrival to its reply (or its end, one-way). */
  ms: number;
  /** Whether it was one-way. */
  oneway: boolean;
  /** The callback's failure, if it failed. */
  error?: string;
}

/** An inbox and the writing to it. */
interface Inbox {
  path: string;
  conn?: Deno.UnixConn;
  connecting?: Promise<void>;
  queue: Uint8Array[];
  writing: boolean;
  dropped: number;
  dead: boolean;
}

/** Writes a port's records to the attached monitors' inboxes. */
export class PortReporter {
  #inboxes = new Map<string, Inbox>();
  #folder: string;

  /**
   * @param paths the inboxes to report to.
   * @param runtimeDir the port's runtime directory: only inboxes in its monitor folder count.
   */
  constructor(paths: readonly string[], runtimeDir: string) {
    this.#folder = `${runtimeDir}/${MONITORS_DIR}`;
    this.set(paths);
  }

  /** Whether there is anyone to report to. */
  get active(): boolean {
    return this.#inboxes.size > 0;
  }

  /** The inboxes now attached (others are let go of). */
  set(paths: readonly string[]): void {
    for (const [path, inbox] of this.#inboxes) {
      if (!paths.includes(path)) {
        this.#inboxes.delete(path);
        this.#shut(inbox);
      }
    }
    for (const path of paths) {
      if (!this.#inboxes.has(path)) {
        this.#inboxes.set(path, { path, queue: [], writing: false, dropped: 0, dead: false });
      }
    }
  }

  /** Sends a record to every inbox, without waiting. */
  report(record: PortRecord): void {
    const body: Dictionary = {
      type: "port",
      time: Date.now(),
      pid: Deno.pid,
      port: record.port,
      msgid: record.msgid,
      size: record.size,
      reply: record.reply,
      ms: record.ms,
      oneway: record.oneway,
    };
    if (record.error !== undefined) body.error = record.error;
    for (const inbox of this.#inboxes.values()) {
      if (inbox.dead) continue;
      if (inbox.queue.length >= MAX_QUEUED) {
        inbox.dropped++;
        continue;
      }
      const withDropped = inbox.dropped > 0 ? { ...body, dropped: inbox.dropped } : body;
      inbox.dropped = 0;
      inbox.queue.push(encodeMessage(withDropped));
      this.#pump(inbox);
    }
  }

  /** Lets go of every inbox. */
  close(): void {
    for (const inbox of this.#inboxes.values()) this.#shut(inbox);
    this.#inboxes.clear();
  }

  async #pump(inbox: Inbox): Promise<void> {
    if (inbox.writing) return;
    inbox.writing = true;
    try {
      if (!inbox.conn) {
        // A monitor listens on a socket of its own in this runtime directory's monitor folder
        // (however its path is spelt); a link planted there or in the folder's place, or a
        // path elsewhere, would send this port's traffic to whoever listens there.
        const folder = inbox.path.slice(0, inbox.path.lastIndexOf("/"));
        const [ours, parent, socket] = await Promise.all([
          Deno.lstat(this.#folder),
          Deno.lstat(folder),
          Deno.lstat(inbox.path),
        ]);
        if (
          !ours.isDirectory || ours.dev !== parent.dev || ours.ino !== parent.ino ||
          !socket.isSocket
        ) {
          throw new Error("not a monitor's socket");
        }
        inbox.conn = await Deno.connect({ transport: "unix", path: inbox.path });
        // A monitor never keeps a port's program alive.
        inbox.conn.unref();
      }
      while (inbox.queue.length > 0 && !inbox.dead) {
        const bytes = concatBytes(inbox.queue.splice(0));
        for (let written = 0; written < bytes.length;) {
          written += await inbox.conn.write(bytes.subarray(written));
        }
      }
    } catch {
      // The monitor went away: nobody to tell. The broker will say when another attaches.
      this.#shut(inbox);
    } finally {
      inbox.writing = false;
    }
  }

  #shut(inbox: Inbox): void {
    inbox.dead = true;
    inbox.queue = [];
    try {
      inbox.conn?.close();
    } catch { /* closed already */ }
  }
}

/**
 * The inboxes in a `monitors` file's text or a `monitor` control frame's `to`: absolute paths
 * of sockets directly in a monitor folder (a {@linkcode PortReporter} then reports only to those
 * in its own runtime directory's).
 */
export function parseMonitors(text: string): string[] {
  return text.split("\n").filter((line) =>
    line.startsWith("/") && !/\/\.\.?(\/|$)|\0/.test(line) &&
    line.slice(0, line.lastIndexOf("/")).endsWith(`/${MONITORS_DIR}`)
  );
}

/** How long a port may take to take a change in (one that is stopped is not waited for). */
const TELL_DEADLINE_MS = 2000;

/**
 * Tells every live port of `runtimeDir` which monitors are attached (their `inboxes`) with a
 * `monitor` control frame on its socket, and resolves once they have taken it in: the broker
 * core's `TellPorts` hook, which the daemon plugs in.
 */
export async function tellPorts(runtimeDir: string, inboxes: readonly string[]): Promise<void> {
  const frames = concatBytes([
    helloFrame("ipckit.broker"),
    controlFrame({ t: "monitor", to: inboxes.join("\n") }),
  ]);
  const ports = await recordedPorts(runtimeDir);
  await Promise.all(ports.map(({ socket }) => tellPort(socket, frames)));
}

/**
 * Writes the frames to a port's socket and waits until the port has taken them in: it closes
 * the connection then (a port whose owner died is skipped).
 */
async function tellPort(socket: string, frames: Uint8Array): Promise<void> {
  let conn: Deno.UnixConn;
  try {
    conn = await Deno.connect({ transport: "unix", path: socket });
  } catch {
    return;
  }
  const cancel = startTimer(TELL_DEADLINE_MS, () => {
    try {
      conn.close();
    } catch { /* closed already */ }
  });
  try {
    for (let written = 0; written < frames.length;) {
      written += await conn.write(frames.subarray(written));
    }
    const buffer = new Uint8Array(1024);
    while (await conn.read(buffer) !== null) { /* its hello */ }
  } catch { /* gone meanwhile, or past the deadline */ }
  cancel();
  try {
    conn.close();
  } catch { /* closed already */ }
}
