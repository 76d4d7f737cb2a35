/**
 * The client side of the scripting protocol: finding a running app by bundle id or display
 * name (case-insensitively; `id "com.example.Notes"` names the bundle id only), sending it
 * events, asking for its definition, and listing the apps that run.
 *
 * @module
 */

import {
  AppleEventError,
  NotFoundError,
  PortError,
  PortHandlerError,
  PortTimeoutError,
} from "../errors.ts";
import { RemotePort } from "../ports/mod.ts";
import { portPaths } from "../ports/names.ts";
import {
  checkRuntimeDirIfThere,
  resolveRuntimeDir,
  type RuntimeDirOptions,
} from "../transport/runtime_dir.ts";
import { decodeValue, encodeValue } from "../wire/msgpack.ts";
import { isDictionary, type Value } from "../wire/value.ts";
import {
  appPortName,
  type AppRecord,
  APPS_DIR,
  DEFAULT_TIMEOUT,
  ERRORS,
  eventToValue,
  MAX_TIMEOUT,
  MSG,
  replyFromValue,
  type ScriptingEvent,
} from "./protocol.ts";

/** A running app, as {@linkcode listApps} finds it. */
export type AppInfo = AppRecord;

/**
 * The scriptable apps that run: those whose port answers, sorted by name.
 *
 * @example
 * ```ts
 * import { listApps } from "./client.ts";
 * for (const app of await listApps()) console.log(app.name, app.bundleId, app.pid);
 * ```
 */
export async function listApps(options: RuntimeDirOptions = {}): Promise<AppInfo[]> {
  const dir = `${resolveRuntimeDir(options)}/${APPS_DIR}`;
  const found: Promise<AppInfo | undefined>[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.endsWith(".json")) continue;
      found.push((async () => {
        try {
          const record = JSON.parse(await Deno.readTextFile(`${dir}/${entry.name}`));
          if (typeof record.bundleId !== "string" || typeof record.name !== "string") {
            return undefined;
          }
          const { socket } = await portPaths(appPortName(record.bundleId), options);
          const conn = await Deno.connect({ transport: "unix", path: socket });
          conn.close();
          return record as AppInfo;
        } catch {
          return undefined;
        }
      })());
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  const apps = (await Promise.all(found)).filter((a): a is AppInfo => a !== undefined);
  return apps.sort((a, b) => a.name.localeCompare(b.name) || a.bundleId.localeCompare(b.bundleId));
}

/**
 * Finds a running app by bundle id or display name, case-insensitively; `id "X"` names the
 * bundle id only.
 *
 * @throws {NotFoundError} when none runs.
 */
export async function findApp(nameOrId: string, options: RuntimeDirOptions = {}): Promise<AppInfo> {
  const { app, conn } = await openApp(nameOrId, options);
  conn.close();
  return app;
}

/**
 * The records that `nameOrId` names, not yet checked for life: bundle-id matches first, then
 * (unless it is `id "X"`) display-name matches, each in {@linkcode listApps}' order.
 */
function namedRecords(nameOrId: string, options: RuntimeDirOptions): AppInfo[] {
  const byId = /^id\s+"(.*)"$/i.exec(nameOrId.trim());
  const wanted = (byId ? byId[1] : nameOrId.trim()).toLowerCase();
  const dir = `${resolveRuntimeDir(options)}/${APPS_DIR}`;
  const ids: AppInfo[] = [];
  const names: AppInfo[] = [];
  // Synchronous reads: a few small files, and the async machinery costs more than they do at
  // the start of a one-shot command (`tell --app`).
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  for (const entry of entries) {
    if (!entry.isFile || !entry.name.endsWith(".json")) continue;
    try {
      const record = JSON.parse(Deno.readTextFileSync(`${dir}/${entry.name}`));
      if (typeof record.bundleId !== "string" || typeof record.name !== "string") continue;
      if (record.bundleId.toLowerCase() === wanted) ids.push(record);
      else if (!byId && record.name.toLowerCase() === wanted) names.push(record);
    } catch {
      // A record being written or removed: not an app to connect to.
    }
  }
  const order = (a: AppInfo, b: AppInfo) =>
    a.name.localeCompare(b.name) || a.bundleId.localeCompare(b.bundleId);
  return [...ids.sort(order), ...names.sort(order)];
}

/**
 * Connects straight to the socket of the first record `nameOrId` names whose app answers: one
 * connection, which is both the liveness check and the one events go over. A refused or
 * missing socket is an app that does not run (a record left by a killed app).
 *
 * @throws {NotFoundError} when none runs.
 */
async function openApp(
  nameOrId: string,
  options: RuntimeDirOptions,
): Promise<{ app: AppInfo; conn: Deno.UnixConn; socket: string }> {
  await checkRuntimeDirIfThere(resolveRuntimeDir(options));
  for (const app of namedRecords(nameOrId, options)) {
    const { socket } = await portPaths(appPortName(app.bundleId), options);
    try {
      return { app, conn: await Deno.connect({ transport: "unix", path: socket }), socket };
    } catch {
      // Not running: try the next record.
    }
  }
  throw new NotFoundError(
    `no scriptable app ${JSON.stringify(nameOrId)} is running (ipckit apps lists those that are)`,
  );
}

/** Options of {@linkcode AppConnection.send}. */
export interface SendEventOptions {
  /**
   * Seconds to wait for the reply (the app still holds its handler to the event's own timeout).
   * @default {the event's timeout, else 120}
   */
  timeout?: number;
}

/** What an app says about its definition. */
export interface AppDefinition {
  /** The XML, includes expanded. */
  sdef: string;
  /** The terminology table (names and codes), as `terminologyTable` makes it, in JSON. */
  terminology: string;
  /** The title. */
  title?: string;
  /** The app's name. */
  name: string;
  /** The bundle id. */
  bundleId: string;
}

/** A connection to a running app; see {@linkcode connectApp}. */
export class AppConnection {
  /** The app. */
  readonly app: AppInfo;
  #port: RemotePort;

  /** @internal Use {@linkcode connectApp}. */
  constructor(app: AppInfo, port: RemotePort) {
    this.app = app;
    this.#port = port;
  }

  /**
   * Sends an event and waits for its reply.
   *
   * @returns the reply's value.
   * @throws {AppleEventError} the app's error, or -609 when the app went away, -1712 when
   *   no reply came within the timeout.
   */
  send(event: ScriptingEvent, options: SendEventOptions = {}): Promise<Value> {
    const own = event.timeout;
    const timeout = options.timeout ?? own ?? DEFAULT_TIMEOUT;
    const bad = !(timeout > 0 && timeout <= MAX_TIMEOUT)
      ? timeout
      : own !== undefined && !(own > 0 && own <= MAX_TIMEOUT)
      ? own
      : undefined;
    if (bad !== undefined) {
      return Promise.reject(
        new RangeError(
          `a timeout is a number of seconds above 0 and at most ${MAX_TIMEOUT}, not ${bad}`,
        ),
      );
    }
    // The app gives its handlers the event's own timeout; the sender may wait longer. One
    // promise from the port to the caller: this is the path every get takes.
    let body: Uint8Array;
    try {
      const value = eventToValue(event);
      value.t = own ?? timeout;
      body = encodeValue(value);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#port.sendRequest(MSG.event, body, { receiveTimeout: timeout }).then(
      (bytes) => this.#reply(bytes ?? new Uint8Array(0)),
      (error) => {
        throw this.#failure(error, timeout);
      },
    );
  }

  #reply(bytes: Uint8Array): Value {
    let reply;
    try {
      reply = replyFromValue(decodeValue(bytes));
    } catch (error) {
      throw new AppleEventError(
        ERRORS.parameterError,
        `${this.app.name} answered something that is not a reply: ${(error as Error).message}`,
      );
    }
    if (reply.ok) return reply.value;
    throw new AppleEventError(reply.number, reply.message, {
      offendingObject: reply.offendingObject,
      expectedType: reply.expectedType,
      partialResult: reply.partialResult,
    });
  }

  /** The app's definition, includes expanded. */
  async definition(options: SendEventOptions = {}): Promise<AppDefinition> {
    const bytes = await this.#request(MSG.definition, new Uint8Array(0), options.timeout ?? 30);
    const value = decodeValue(bytes);
    if (!isDictionary(value) || typeof value.sdef !== "string") {
      throw new AppleEventError(ERRORS.parameterError, `${this.app.name} sent no definition`);
    }
    const out: AppDefinition = {
      sdef: value.sdef,
      terminology: typeof value.terminology === "string" ? value.terminology : "{}",
      name: this.app.name,
      bundleId: this.app.bundleId,
    };
    if (typeof value.title === "string") out.title = value.title;
    return out;
  }

  async #request(msgid: number, body: Uint8Array, timeout: number): Promise<Uint8Array> {
    try {
      const reply = await this.#port.sendRequest(msgid, body, { receiveTimeout: timeout });
      return reply ?? new Uint8Array(0);
    } catch (error) {
      throw this.#failure(error, timeout);
    }
  }

  /** A port's error as the AppleEvent error a sender of events gets. */
  #failure(error: unknown, timeout: number): unknown {
    if (error instanceof PortTimeoutError) {
      return new AppleEventError(
        ERRORS.timedOut,
        `AppleEvent timed out: no reply from ${this.app.name} within ${timeout} s.`,
        {},
        { cause: error },
      );
    }
    if (error instanceof PortHandlerError) {
      return new AppleEventError(ERRORS.handlerFailed, error.message, {}, { cause: error });
    }
    if (error instanceof PortError) {
      return new AppleEventError(
        ERRORS.connectionInvalid,
        `Connection is invalid: ${this.app.name} quit or went away during the event.`,
        {},
        { cause: error },
      );
    }
    return error;
  }

  /**
   * Closes the connection: events waiting on it fail with -609. Resolves once it is closed
   * (it works without `await` too); calling it again does nothing.
   */
  close(): Promise<void> {
    return this.#port.invalidate();
  }

  /** Closes the connection at the end of an `await using` scope ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Connects to a running app by bundle id or display name (case-insensitive).
 *
 * @example Get the name of the first note
 * ```ts ignore
 * import { connectApp } from "./client.ts";
 * import { ObjectSpecifier } from "../wire/value.ts";
 * const notes = await connectApp("Notes");
 * const note = new ObjectSpecifier("note", "application", "index", 1n);
 * const name = await notes.send({
 *   code: "coregetd",
 *   params: { "----": new ObjectSpecifier("prop", note, "property", "pnam") },
 * });
 * await notes.close();
 * ```
 *
 * @throws {NotFoundError} when no such app runs.
 */
export async function connectApp(
  nameOrId: string,
  options: RuntimeDirOptions = {},
): Promise<AppConnection> {
  const { app, conn, socket } = await openApp(nameOrId, options);
  return new AppConnection(app, new RemotePort(appPortName(app.bundleId), socket, conn, {}));
}
