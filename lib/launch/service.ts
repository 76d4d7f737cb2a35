/**
 * The broker's launch service (`launch.*`): loads service definitions (the services directory
 * at start, and what `services load` added, kept in `launch/loaded.json`), starts services on
 * demand — the first `send` to a port one declares asks `launch.demand` and is answered once
 * the service serves it — and at load (`runAtLoad`, `keepAlive`), restarts them per
 * `keepAlive`, and stops them all when the broker stops. While a loaded service has a trigger
 * or runs, the broker does not go idle.
 *
 * @module
 */

import { fileErrorReason, RemoteError } from "../errors.ts";
import type { Service, ServiceContext } from "../broker/service.ts";
import { portPaths } from "../ports/names.ts";
import { settlesWithin, startTimer } from "../_timer.ts";
import { type Dictionary, isDictionary, type Value } from "../wire/value.ts";
import { readDefinition } from "./definition.ts";
import { isDefinitionFile, portMarker, servicesDir } from "../broker/demand.ts";
import { Job, type JobHost } from "./job.ts";
import {
  DECLARED_PORTS_DIR,
  DEFAULT_IDLE_TIMEOUT,
  type JobInfo,
  LAUNCH_DIR,
  LAUNCH_ERRORS,
  LAUNCH_EVENTS,
  LAUNCH_METHODS,
  LOADED_FILE,
  type LoadReply,
  SERVICE_EVENTS,
} from "./protocol.ts";
import { describeStatus } from "./supervisor.ts";
import { hasOwnTriggers, Triggers } from "./triggers.ts";
import { eventValue, HELD_EVENTS_LIMIT, LaunchEvents } from "./events.ts";
import { ActivityBook, type ActivityCriteria } from "./activities.ts";
import type { Connection } from "../transport/connection.ts";
import type { Notification } from "../notifications/mod.ts";
import { NameMatcher } from "../_glob.ts";
import { readTextNoFollow, writeFileReplacing } from "../transport/no_follow.ts";
import { type Clock, shiftedClock, SYSTEM_CLOCK } from "./schedule.ts";

/** What `loaded.json` keeps. */
interface LoadedRecord {
  /** Files loaded with `services load`, besides the services directory. */
  files: string[];
  /** Labels unloaded with `services unload` (so the services directory does not bring them back). */
  unloaded: string[];
}

/** The file in a service's directory that names the boot it last ran at load in. */
const RUN_AT_LOAD_BOOT = "run_at_load_boot";

/** How often a waiting sender's port is tried besides when its directory changes. */
const PORT_POLL_MS = 50;

/** The launch service of a broker. */
export class LaunchService implements Service {
  /** The method prefix. */
  readonly name = "launch";
  #context: ServiceContext;
  #dir: string;
  #jobs = new Map<string, Job>();
  #ports = new Map<string, Job>();
  #portWaits = new Map<string, Promise<void>>();
  #record: LoadedRecord = { files: [], unloaded: [] };
  #triggers = new Map<string, Triggers>();
  #events: LaunchEvents;
  /** Launch events waiting for their service to check in, by label. */
  #held = new Map<string, Dictionary[]>();
  /** Launch events waiting for an observer in their service, by label. */
  #heldForObservers = new Map<string, Dictionary[]>();
  /** What the observers in each service's current run observe (those events are not held). */
  #observed = new Map<string, { run: number; matches: ((event: Dictionary) => boolean)[] }>();
  /** The connection each checked-in service keeps, by label. */
  #checkedIn = new Map<string, Connection>();
  /** Open transactions of each checked-in service, by label. */
  #transactions = new Map<string, number>();
  /** Open client connections of each checked-in service's ports, by label. */
  #clients = new Map<string, number>();
  /** The pressured-exit timers, by label. */
  #idleTimers = new Map<string, () => void>();
  /** Each service's activities, by label. */
  #activities = new Map<string, ActivityBook>();
  #clock: Clock;
  #ready: Promise<void>;
  #closing = false;
  /** The kernel's boot id, read when the first service loads. */
  #bootId = "";

  /** Makes the service and loads the definitions in the background. */
  constructor(context: ServiceContext) {
    this.#context = context;
    this.#dir = `${context.runtimeDir}/${LAUNCH_DIR}`;
    this.#clock = launchClock();
    this.#events = new LaunchEvents(
      context.runtimeDir,
      context.log,
      (label, note) => this.#launchEvent(label, note),
    );
    this.#ready = this.#start().catch((error) => {
      context.log.error(`launch: cannot load the services: ${(error as Error).message}`);
    });
  }

  /** Answers a `launch.*` request. */
  async handle(method: string, body: Value, connection: Connection): Promise<Value> {
    await this.#ready;
    const args = isDictionary(body) ? body : {};
    switch (method) {
      case LAUNCH_METHODS.load:
        return await this.#load(stringList(args.paths), true) as unknown as Value;
      case LAUNCH_METHODS.unload:
        await this.#unload(this.#job(args.label));
        return null;
      case LAUNCH_METHODS.list:
        return [...this.#jobs.values()].map((job) => job.summary()) as unknown as Value;
      case LAUNCH_METHODS.print: {
        const job = this.#job(args.label);
        const next = this.#triggers.get(job.label)?.nextRun ?? null;
        const info: JobInfo = {
          ...await job.info(),
          transactions: this.#transactions.get(job.label) ?? null,
          clients: this.#clients.get(job.label) ?? null,
          activities: this.#activities.get(job.label)?.info() ?? [],
          nextRun: next === null ? null : new Date(next).toISOString(),
        };
        return info as unknown as Value;
      }
      case LAUNCH_METHODS.start: {
        const job = this.#job(args.label);
        await job.start();
        return job.summary() as unknown as Value;
      }
      case LAUNCH_METHODS.stop: {
        const job = this.#job(args.label);
        await job.stop();
        return job.summary() as unknown as Value;
      }
      case LAUNCH_METHODS.kickstart: {
        const job = this.#job(args.label);
        if (args.kill === true) await job.stop();
        await job.start();
        return job.summary() as unknown as Value;
      }
      case LAUNCH_METHODS.demand:
        return await this.#demand(String(args.port), Number(args.timeoutMs ?? 0));
      case LAUNCH_METHODS.lookup:
        return { ports: this.#job(args.label).definition.ports ?? [] };
      case LAUNCH_METHODS.registerActivity: {
        const job = this.#job(args.label);
        if (this.#checkedIn.get(job.label) !== connection) {
          throw new RemoteError("not-checked-in", "register activities after checkIn()");
        }
        const criteria = isDictionary(args.criteria) ? args.criteria : {};
        await this.#activities.get(job.label)!.register(
          String(args.id),
          activityCriteria(criteria),
        );
        return null;
      }
      case LAUNCH_METHODS.takeEvents:
        return this.#takeEvents(this.#job(args.label), args);
      case LAUNCH_METHODS.checkIn: {
        const job = this.#job(args.label);
        this.#context.log.info(`service ${job.label}: checked in (pid ${String(args.pid)})`);
        this.#checkedIn.set(job.label, connection);
        this.#transactions.set(job.label, 0);
        this.#clients.set(job.label, 0);
        this.#armIdle(job);
        const events = this.#held.get(job.label) ?? [];
        this.#held.delete(job.label);
        return { ports: job.definition.ports ?? [], events };
      }
    }
    throw new RemoteError("unknown-method", `the broker has no method ${method}`);
  }

  /** Whether the broker must stay: a service runs, waits to restart, or has a trigger. */
  busy(): boolean {
    for (const job of this.#jobs.values()) {
      if (job.running || job.waiting) return true;
      if (job.definition.ports?.length || job.definition.keepAlive) return true;
      if (hasOwnTriggers(job.definition) || job.definition.launchEvents) return true;
      if (this.#activities.get(job.label)?.scheduled) return true;
    }
    return false;
  }

  /** A client went away: a checked-in service's connection among them. */
  disconnected(connection: Connection): void {
    for (const [label, c] of this.#checkedIn) {
      if (c !== connection) continue;
      this.#checkedIn.delete(label);
      this.#transactions.delete(label);
      this.#clients.delete(label);
      this.#idleTimers.get(label)?.();
      this.#idleTimers.delete(label);
      this.#activities.get(label)?.disconnected();
    }
  }

  /** A checked-in service's one-way news: its open transactions and client connections. */
  event(method: string, body: Value, connection: Connection): void {
    if (!isDictionary(body)) return;
    const job = typeof body.label === "string" ? this.#jobs.get(body.label) : undefined;
    if (!job || this.#checkedIn.get(job.label) !== connection) return;
    if (method === SERVICE_EVENTS.transactions) {
      this.#transactions.set(job.label, Number(body.open) || 0);
      this.#clients.set(job.label, Number(body.clients) || 0);
      this.#armIdle(job);
    } else if (method === SERVICE_EVENTS.activityDone) {
      this.#activities.get(job.label)?.done(String(body.id), body.deferred === true);
    }
  }

  /**
   * With `enablePressuredExit`, a checked-in service with no open transaction and no client
   * connected is stopped after its `idleTimeout`; a transaction opened or a client connected
   * meanwhile keeps it.
   */
  #armIdle(job: Job): void {
    this.#idleTimers.get(job.label)?.();
    this.#idleTimers.delete(job.label);
    if (!job.definition.enablePressuredExit || !this.#idle(job.label)) return;
    const seconds = job.definition.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
    this.#idleTimers.set(
      job.label,
      startTimer(seconds * 1000, () => {
        this.#idleTimers.delete(job.label);
        if (!this.#idle(job.label) || !job.running) return;
        this.#context.log.info(
          `service ${job.label}: no open transaction and no client for ${seconds} s: pressured exit`,
        );
        job.stop().catch((error) =>
          this.#context.log.error(`service ${job.label}: ${(error as Error).message}`)
        );
      }),
    );
  }

  /** Whether a checked-in service has no open transaction and no client connected. */
  #idle(label: string): boolean {
    return this.#transactions.get(label) === 0 && this.#clients.get(label) === 0;
  }

  /** The broker is about to stop: the launch events' center lets go of it first. */
  async stopping(): Promise<void> {
    this.#closing = true;
    await this.#events.close();
  }

  /** A launch event: to the checked-in service, else held for it while it starts. */
  #launchEvent(label: string, note: Notification): void {
    const job = this.#jobs.get(label);
    if (!job || this.#closing) return;
    const event = eventValue(note);
    const connection = this.#checkedIn.get(label);
    if (connection && !connection.isClosed && job.running) {
      connection.notify(LAUNCH_EVENTS.event, event).catch(() => {});
      return;
    }
    let held = this.#held.get(label);
    if (!held) this.#held.set(label, held = []);
    if (held.length >= HELD_EVENTS_LIMIT) held.shift();
    held.push(event);
    const observed = this.#observed.get(label);
    if (!(observed?.run === job.runs && observed.matches.some((match) => match(event)))) {
      let forObservers = this.#heldForObservers.get(label);
      if (!forObservers) this.#heldForObservers.set(label, forObservers = []);
      if (forObservers.length >= HELD_EVENTS_LIMIT) forObservers.shift();
      forObservers.push(event);
    }
    this.#context.log.info(`service ${label}: start for the launch event ${note.name}`);
    job.start({ throttled: true }).catch((error) =>
      this.#context.log.error(`service ${label}: ${(error as Error).message}`)
    );
  }

  /**
   * An observer in the service registers: hands it the held launch events it observes (those
   * posted before it was registered: later ones reach it as any notification does), and holds
   * no more of them for the service's observers during this run.
   */
  #takeEvents(job: Job, args: Dictionary): Value {
    const names = stringList(args.n);
    const object = typeof args.o === "string" ? args.o : null;
    const pattern = new NameMatcher(names);
    const match = (event: Dictionary) =>
      pattern.matches(String(event.name)) && (object === null || event.object === object);
    let observed = this.#observed.get(job.label);
    if (observed?.run !== job.runs) {
      this.#observed.set(job.label, observed = { run: job.runs, matches: [] });
    }
    observed.matches.push(match);
    const before = typeof args.before === "number" ? args.before : Date.now();
    const held = this.#heldForObservers.get(job.label) ?? [];
    const taken = held.filter((event) =>
      match(event) && event.time instanceof Date && event.time.getTime() < before
    );
    const kept = held.filter((event) => !taken.includes(event));
    if (kept.length) this.#heldForObservers.set(job.label, kept);
    else this.#heldForObservers.delete(job.label);
    return taken;
  }

  /** The broker is stopping: stop every service (each by its `exitTimeout`). */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#ready;
    for (const triggers of this.#triggers.values()) triggers.stop();
    for (const book of this.#activities.values()) book.close();
    await Promise.all([...this.#jobs.values()].map((job) => job.stop({ keep: true })));
  }

  #job(label: Value | undefined): Job {
    const job = typeof label === "string" ? this.#jobs.get(label) : undefined;
    if (!job) {
      throw new RemoteError(
        LAUNCH_ERRORS.noSuchService,
        `no service "${String(label)}" is loaded; see: ipckit services list`,
      );
    }
    return job;
  }

  #host(): JobHost {
    return {
      runtimeDir: this.#context.runtimeDir,
      log: this.#context.log,
      changed: () => this.#context.busyChanged?.(),
      bootId: this.#bootId,
    };
  }

  /** Loads the services directory and the files loaded before; starts what must run. */
  async #start(): Promise<void> {
    await Deno.mkdir(`${this.#dir}/${DECLARED_PORTS_DIR}`, { recursive: true, mode: 0o700 });
    try {
      this.#record = JSON.parse(await readTextNoFollow(`${this.#dir}/${LOADED_FILE}`));
    } catch { /* nothing loaded yet */ }
    // The markers are rewritten from what loads now.
    for await (const entry of Deno.readDir(`${this.#dir}/${DECLARED_PORTS_DIR}`)) {
      await Deno.remove(`${this.#dir}/${DECLARED_PORTS_DIR}/${entry.name}`).catch(() => {});
    }
    const reply = await this.#load([servicesDir(), ...this.#record.files], false);
    for (const error of reply.errors) this.#context.log.error(`launch: ${error}`);
    for (const job of this.#jobs.values()) {
      if (job.running) continue;
      const atBoot = job.definition.runAtLoad === true && await this.#firstLoadThisBoot(job);
      if (job.wantedAtStart || atBoot) {
        await job.start({ throttled: true }).catch((error) =>
          this.#context.log.error(`service ${job.label}: ${(error as Error).message}`)
        );
      }
    }
    this.#context.busyChanged?.();
  }

  /**
   * Whether a `runAtLoad` service is loaded for the first time since the machine booted (the
   * kernel's boot id, kept per service): it then runs; a later broker of the same boot leaves
   * it alone.
   */
  async #firstLoadThisBoot(job: Job): Promise<boolean> {
    if (!this.#bootId) {
      this.#context.log.error("launch: cannot read the boot id; runAtLoad runs only on load");
      return false;
    }
    const path = `${job.dir}/${RUN_AT_LOAD_BOOT}`;
    const seen = await readTextNoFollow(path).then((t) => t.trim(), () => "");
    if (seen === this.#bootId) return false;
    await writeFileReplacing(path, this.#bootId);
    return true;
  }

  /**
   * Loads definition files and directories. With `explicit` (`services load`), the files are
   * remembered for the next broker and `runAtLoad` services start.
   */
  async #load(paths: string[], explicit: boolean): Promise<LoadReply> {
    const reply: LoadReply = { loaded: [], errors: [] };
    const services = servicesDir();
    for (const path of paths) {
      let files: string[];
      try {
        files = await definitionFiles(path);
      } catch (error) {
        if (!explicit && error instanceof Deno.errors.NotFound) continue;
        reply.errors.push(`cannot read ${path}: ${fileErrorReason(error)}`);
        continue;
      }
      for (const file of files) {
        const result = await readDefinition(file).catch((error) => error as Error);
        if (result instanceof Error) {
          reply.errors.push(`cannot read ${file}: ${fileErrorReason(result)}`);
          continue;
        }
        if (!result.ok) {
          reply.errors.push(...result.errors.map((e) => `${e.message}; not loaded`));
          continue;
        }
        const definition = result.definition;
        const label = definition.label;
        if (!explicit && this.#record.unloaded.includes(label)) continue;
        const existing = this.#jobs.get(label);
        if (existing) {
          if (existing.file === file) reply.loaded.push({ label, file });
          else {
            reply.errors.push(
              `${file}: the label "${label}" is already loaded from ${existing.file}; unload it first (ipckit services unload ${label})`,
            );
          }
          continue;
        }
        const taken = (definition.ports ?? []).find((port) => this.#ports.has(port));
        if (taken) {
          reply.errors.push(
            `${file}: the port "${taken}" is already declared by ${
              this.#ports.get(taken)!.label
            }; not loaded`,
          );
          continue;
        }
        // Read once a service is loaded (a subprocess: a broker with none need not pay it).
        this.#bootId ||= await bootId();
        const job = await Job.load(this.#host(), definition, file);
        this.#jobs.set(label, job);
        this.#activities.set(
          label,
          await ActivityBook.load(label, job.dir, this.#context.log, {
            connection: () => this.#checkedIn.get(label),
            transactions: () => this.#transactions.get(label) ?? 0,
            start: () =>
              job.start({ throttled: true }).catch((error) =>
                this.#context.log.error(`service ${label}: ${(error as Error).message}`)
              ),
          }),
        );
        for (const port of definition.ports ?? []) {
          this.#ports.set(port, job);
          await writeFileReplacing(await this.#marker(port), "");
        }
        if (hasOwnTriggers(definition)) {
          const triggers = new Triggers(job, definition, {
            log: this.#context.log,
            clock: this.#clock,
            base: file.slice(0, file.lastIndexOf("/")) || "/",
          });
          this.#triggers.set(label, triggers);
          await triggers.ready;
        }
        if (definition.launchEvents) {
          try {
            await this.#events.watch(label, definition.launchEvents);
          } catch (error) {
            reply.errors.push(
              `${file}: cannot observe its launch events: ${(error as Error).message}`,
            );
          }
        }
        reply.loaded.push({ label, file });
        this.#context.log.info(`launch: loaded ${label} from ${file}`);
        if (explicit) {
          this.#record.unloaded = this.#record.unloaded.filter((l) => l !== label);
          if (!file.startsWith(`${services}/`) && !this.#record.files.includes(file)) {
            this.#record.files.push(file);
          }
          if (definition.runAtLoad) await this.#firstLoadThisBoot(job);
          if (definition.runAtLoad || definition.keepAlive) await job.start();
        }
      }
    }
    if (explicit) await this.#saveRecord();
    this.#context.busyChanged?.();
    return reply;
  }

  async #unload(job: Job): Promise<void> {
    this.#triggers.get(job.label)?.stop();
    this.#triggers.delete(job.label);
    if (job.definition.launchEvents) await this.#events.unwatch(job.label);
    this.#held.delete(job.label);
    this.#heldForObservers.delete(job.label);
    this.#observed.delete(job.label);
    this.#activities.get(job.label)?.close();
    this.#activities.delete(job.label);
    await job.unload();
    this.#jobs.delete(job.label);
    for (const port of job.definition.ports ?? []) {
      this.#ports.delete(port);
      await Deno.remove(await this.#marker(port)).catch(() => {});
    }
    this.#record.files = this.#record.files.filter((f) => f !== job.file);
    if (job.file.startsWith(`${servicesDir()}/`)) this.#record.unloaded.push(job.label);
    await this.#saveRecord();
    this.#context.log.info(`launch: unloaded ${job.label}`);
    this.#context.busyChanged?.();
  }

  /** The marker file that says a loaded service declares `port`: named as its socket is. */
  async #marker(port: string): Promise<string> {
    const runtimeDir = this.#context.runtimeDir;
    return portMarker((await portPaths(port, { runtimeDir })).socket, runtimeDir);
  }

  async #saveRecord(): Promise<void> {
    const path = `${this.#dir}/${LOADED_FILE}`;
    await writeFileReplacing(path, JSON.stringify(this.#record));
  }

  /** Starts the service that declares `port` unless it runs, and answers once it serves it. */
  async #demand(port: string, timeoutMs: number): Promise<Value> {
    const job = this.#ports.get(port);
    if (!job || this.#closing) {
      throw new RemoteError(LAUNCH_ERRORS.notDeclared, `no loaded service declares "${port}"`);
    }
    let wait = this.#portWaits.get(port);
    if (!wait) {
      wait = this.#waitForPort(job, port).finally(() => this.#portWaits.delete(port));
      this.#portWaits.set(port, wait);
    }
    if (timeoutMs > 0 && !(await settlesWithin(wait, timeoutMs))) {
      throw new RemoteError(
        LAUNCH_ERRORS.timeout,
        `the service ${job.label} did not serve the port "${port}" within ${
          timeoutMs / 1000
        } s; see: ipckit services print ${job.label}`,
      );
    }
    await wait; // settled by now, unless it has no time limit: its failure is the answer
    return { label: job.label };
  }

  async #waitForPort(job: Job, port: string): Promise<void> {
    const { socket, dir } = await portPaths(port, { runtimeDir: this.#context.runtimeDir });
    if (await connectable(socket)) return;
    let wake = () => {};
    let failure: RemoteError | undefined;
    const fail = (error: RemoteError) => {
      failure ??= error;
      wake();
    };
    // A run that was already going when the sender found no port may be the one that just
    // died (its exit not yet seen): its end calls for a new run, not a failure.
    const dying = job.running ? job.runs : -1;
    const unsubscribe = job.onExit((status) => {
      if (job.unloaded) {
        return fail(
          new RemoteError(
            LAUNCH_ERRORS.failed,
            `the service ${job.label} was unloaded before it served the port "${port}"`,
          ),
        );
      }
      if (job.runs !== dying) {
        return fail(
          new RemoteError(
            LAUNCH_ERRORS.failed,
            `the service ${job.label} ended (${
              describeStatus(status)
            }) before it served the port "${port}"; see: ipckit services print ${job.label}`,
          ),
        );
      }
      job.start({ throttled: true }).catch((error) =>
        this.#context.log.error(`service ${job.label}: ${(error as Error).message}`)
      );
    });
    // Started first: the watcher is set up while the supervisor starts, off the waiting
    // sender's way (the loop's first look covers a port served before the watcher was).
    job.start({ throttled: true }).catch((error) =>
      fail(
        new RemoteError(
          LAUNCH_ERRORS.failed,
          `the service ${job.label} could not start: ${(error as Error).message}`,
        ),
      )
    );
    let watcher: Deno.FsWatcher | undefined;
    let seen = false;
    try {
      // Watched, not polled: a broker that wakes every millisecond takes CPU from the very
      // service it waits for. A slow poll covers an event missed between bind and listen.
      await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
      const events = watcher = Deno.watchFs(dir, { recursive: false });
      (async () => {
        try {
          for await (const event of events) {
            if (!event.paths.includes(socket)) continue;
            seen = true;
            wake();
          }
        } catch { /* closed */ }
      })();
      for (;;) {
        if (await connectable(socket)) return;
        if (failure) throw failure;
        if (!job.running && !job.waiting) {
          throw new RemoteError(
            LAUNCH_ERRORS.failed,
            `the service ${job.label} was stopped before it served the port "${port}"`,
          );
        }
        // Once the socket is there, it listens within moments (bind comes just before listen).
        await new Promise<void>((resolve) => {
          const cancel = startTimer(seen ? 1 : PORT_POLL_MS, () => resolve());
          wake = () => {
            cancel();
            resolve();
          };
        });
      }
    } finally {
      unsubscribe();
      try {
        watcher?.close();
      } catch { /* closed */ }
    }
  }
}

/**
 * The clock of the time triggers: the system's, or for tests one that starts at
 * `IPCKIT_LAUNCH_CLOCK` (an ISO 8601 time) and runs at the real pace.
 */
function launchClock(): Clock {
  const text = Deno.env.get("IPCKIT_LAUNCH_CLOCK");
  const start = text ? Date.parse(text) : NaN;
  return Number.isFinite(start) ? shiftedClock(start) : SYSTEM_CLOCK;
}

/** The kernel's boot id, `""` when it cannot be read (Deno reads /proc/sys only with --allow-all; cat may). */
async function bootId(): Promise<string> {
  try {
    const out = await new Deno.Command("cat", {
      args: ["/proc/sys/kernel/random/boot_id"],
      stdin: "null",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return "";
  }
}

/** An activity's criteria from a request: the known numbers and flags only. */
function activityCriteria(body: Dictionary): ActivityCriteria {
  const criteria: ActivityCriteria = {};
  for (const key of ["delay", "interval", "gracePeriod"] as const) {
    const value = body[key];
    if (typeof value === "number" && Number.isFinite(value) && value >= 0) criteria[key] = value;
  }
  if (body.repeating === true) criteria.repeating = true;
  return criteria;
}

/** The launch service, for the broker's list of services. */
export function launchService(context: ServiceContext): Service {
  return new LaunchService(context);
}

/** The definition files of a path: the file itself, or a directory's `.yaml`/`.yml` files. */
async function definitionFiles(path: string): Promise<string[]> {
  const info = await Deno.stat(path);
  if (!info.isDirectory) return [path];
  const files: string[] = [];
  for await (const entry of Deno.readDir(path)) {
    if (entry.isFile && isDefinitionFile(entry.name)) files.push(`${path}/${entry.name}`);
  }
  return files.sort();
}

/** Whether something accepts connections on the socket. */
async function connectable(socket: string): Promise<boolean> {
  try {
    const conn = await Deno.connect({ transport: "unix", path: socket });
    conn.close();
    return true;
  } catch {
    return false;
  }
}

function stringList(value: Value | undefined): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}
