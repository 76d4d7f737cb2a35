/**
 * One loaded service in the broker: starts it through the supervisor, learns of its exit,
 * restarts it per `keepAlive` no sooner than `throttleInterval` after its last start, stops its
 * whole process group (SIGTERM, then SIGKILL after `exitTimeout`), and keeps its record (runs,
 * last exit, whether it runs) in `state.json`, so that a broker started after this one crashed
 * finds a running service again instead of starting a second one.
 *
 * @module
 */

import type { Logger } from "../broker/log.ts";
import { sleep, startTimer } from "../_timer.ts";
import { processAlive } from "../_process.ts";
import type { ServiceDefinition } from "./definition.ts";
import { readTextNoFollow, writeFileReplacing } from "../transport/no_follow.ts";
import {
  DEFAULT_EXIT_TIMEOUT,
  DEFAULT_THROTTLE_INTERVAL,
  type JobInfo,
  JOBS_DIR,
  type JobState,
  type JobSummary,
  LABEL_ENV,
  LAUNCH_DIR,
} from "./protocol.ts";
import {
  describeStatus,
  isSignal,
  type ServiceCommand,
  serviceCommand,
  SUPERVISOR_NAME,
  supervisorCommand,
} from "./supervisor.ts";

/** What a job needs from the service that holds it. */
export interface JobHost {
  /** The runtime directory. */
  readonly runtimeDir: string;
  /** The broker's log. */
  readonly log: Logger;
  /** The job started or ended (the broker re-checks whether it may go idle). */
  changed(): void;
  /** The kernel's boot id (`""` when unknown): a pid from another boot names another process. */
  readonly bootId: string;
}

/** The record a job keeps in `state.json`. */
interface JobRecord {
  boot: string;
  running: boolean;
  stopRequested: boolean;
  wanted: boolean;
  supervisorPid: number | null;
  pid: number | null;
  runs: number;
  lastStart: number;
  lastExit: number | null;
  lastExitAt: number | null;
}

/** How often an adopted service (started by an earlier broker) is checked for its exit. */
const ADOPTED_POLL_MS = 100;

/** How often a service whose supervisor was killed is checked for its end once signalled. */
const ORPHAN_POLL_MS = 20;

/** A loaded service. */
export class Job {
  /** The definition. */
  readonly definition: ServiceDefinition;
  /** The definition's file. */
  readonly file: string;
  /** Its directory under the runtime directory (pid, status, state, default log). */
  readonly dir: string;
  #host: JobHost;
  #command: ServiceCommand;
  #state: JobState = "stopped";
  #supervisorPid: number | null = null;
  #pid: number | null = null;
  #runs = 0;
  #lastStart = 0;
  #lastExit: number | null = null;
  #lastExitAt: number | null = null;
  #nextAttempt: number | null = null;
  #cancelRetry = () => {};
  #wanted = false;
  #unloaded = false;
  /** Whether the last run ended because the manager stopped it. */
  #stopRequested = false;
  #ended: Promise<void> = Promise.resolve();
  #exitListeners = new Set<(status: number) => void>();

  private constructor(host: JobHost, definition: ServiceDefinition, file: string) {
    this.#host = host;
    this.definition = definition;
    this.file = file;
    this.dir = `${host.runtimeDir}/${LAUNCH_DIR}/${JOBS_DIR}/${definition.label}`;
    this.#command = serviceCommand(definition);
  }

  /**
   * Makes the job of a loaded definition and finds its service again when an earlier broker
   * started it and it still runs.
   */
  static async load(host: JobHost, definition: ServiceDefinition, file: string): Promise<Job> {
    const job = new Job(host, definition, file);
    await privateDir(job.dir);
    await job.#recover();
    return job;
  }

  /** The label. */
  get label(): string {
    return this.definition.label;
  }

  /** Whether its service runs (or is being stopped). */
  get running(): boolean {
    return this.#state === "running" || this.#state === "stopping";
  }

  /** Whether it was unloaded (it takes no more starts). */
  get unloaded(): boolean {
    return this.#unloaded;
  }

  /** How many times it was started. */
  get runs(): number {
    return this.#runs;
  }

  /** Whether a restart is being held back by `throttleInterval`. */
  get waiting(): boolean {
    return this.#state === "waiting";
  }

  /** Where its standard output goes. */
  get stdoutPath(): string {
    return this.definition.standardOutPath ?? `${this.dir}/log`;
  }

  /** Where its standard error goes. */
  get stderrPath(): string {
    return this.definition.standardErrorPath ?? this.stdoutPath;
  }

  /** Calls `listener` with the exit status when the current run ends; returns the unsubscriber. */
  onExit(listener: (status: number) => void): () => void {
    this.#exitListeners.add(listener);
    return () => this.#exitListeners.delete(listener);
  }

  /**
   * Starts the service unless it runs. With `throttled`, a start sooner than `throttleInterval`
   * after the last one waits until then (the state is `waiting`).
   */
  async start(options: { throttled?: boolean } = {}): Promise<void> {
    if (this.#unloaded || this.running) return;
    this.#wanted = true;
    // A run the manager stopped (stop, pressured exit) calls for no wait before the next.
    const wait = this.#stopRequested ? 0 : this.#lastStart + this.#throttleMs() - Date.now();
    if (options.throttled && wait > 0) return this.#retryIn(wait);
    this.#cancelRetry();
    this.#nextAttempt = null;
    await this.#spawn();
  }

  /**
   * Stops the service: SIGTERM to its process group, SIGKILL after `exitTimeout`. With `keep`
   * (the broker is stopping), its record still says whether it should run, for the next broker.
   */
  async stop(options: { keep?: boolean } = {}): Promise<void> {
    if (!options.keep) this.#wanted = false;
    this.#cancelRetry();
    this.#nextAttempt = null;
    if (this.#state === "waiting") this.#state = "stopped";
    if (!this.running) return;
    if (this.#state === "running") {
      this.#state = "stopping";
      // Just started: its pid comes from the supervisor within moments.
      for (let i = 0; this.#pid === null && this.#supervisorPid !== null && i < 400; i++) {
        this.#pid = await readNumber(`${this.dir}/pid`);
        if (this.#pid === null) await sleep(5);
      }
      const pid = this.#pid;
      if (pid !== null) {
        this.#host.log.info(`service ${this.label}: stopping (SIGTERM to process group ${pid})`);
        signalGroup(pid, "SIGTERM");
        const timeout = (this.definition.exitTimeout ?? DEFAULT_EXIT_TIMEOUT) * 1000;
        const cancel = startTimer(timeout, () => {
          this.#host.log.info(
            `service ${this.label}: still running ${timeout / 1000} s after SIGTERM; SIGKILL`,
          );
          signalGroup(pid, "SIGKILL");
        });
        this.#ended.finally(cancel);
      }
    }
    await this.#ended;
  }

  /** Stops the service and takes no more starts (the definition is being unloaded). */
  async unload(): Promise<void> {
    this.#unloaded = true;
    await this.stop();
  }

  /** The list line. */
  summary(): JobSummary {
    return {
      label: this.label,
      state: this.#state,
      pid: this.running ? this.#pid : null,
      lastExit: this.#lastExit === null ? null : describeStatus(this.#lastExit),
    };
  }

  /** Everything about it. */
  async info(): Promise<Omit<JobInfo, "nextRun" | "transactions" | "clients" | "activities">> {
    let logTail = "";
    if (this.#lastExit !== null && this.#lastExit !== 0) {
      logTail = await tail(this.stderrPath, 2048);
    }
    return {
      ...this.summary(),
      file: this.file,
      definition: { ...this.definition } as Record<string, unknown>,
      runs: this.#runs,
      lastExitAt: this.#lastExitAt === null ? null : new Date(this.#lastExitAt).toISOString(),
      nextAttempt: this.#nextAttempt === null ? null : new Date(this.#nextAttempt).toISOString(),
      stdoutPath: this.stdoutPath,
      stderrPath: this.stderrPath,
      command: this.#command.argv,
      notApplied: [...this.#command.notApplied, ...await this.#cgroupNotes()],
      logTail,
    };
  }

  /** What the supervisor said about the CPU weight of a background service, if it failed. */
  async #cgroupNotes(): Promise<string[]> {
    if (this.definition.processType !== "background") return [];
    const path = await readTextNoFollow(`${this.dir}/cgroup`).then((t) => t.trim(), () => null);
    if (path !== "") return [];
    return [
      "processType background: no writable cgroup with the cpu controller; CPU weight not lowered",
    ];
  }

  /** Removes the background service's cgroup once it ended (rmdir: Deno may not touch /sys). */
  async #removeCgroup(): Promise<void> {
    const path = await readTextNoFollow(`${this.dir}/cgroup`).then((t) => t.trim(), () => "");
    if (!path.startsWith("/sys/fs/cgroup/")) return;
    await new Deno.Command("rmdir", { args: [path], stdout: "null", stderr: "null" }).output()
      .catch(() => {});
  }

  #throttleMs(): number {
    return (this.definition.throttleInterval ?? DEFAULT_THROTTLE_INTERVAL) * 1000;
  }

  #retryIn(ms: number): void {
    if (this.running) return;
    this.#cancelRetry();
    this.#state = "waiting";
    this.#nextAttempt = Date.now() + ms;
    if (ms > 0) {
      this.#host.log.info(
        `service ${this.label}: next start in ${Math.ceil(ms / 100) / 10} s (throttleInterval)`,
      );
    }
    this.#cancelRetry = startTimer(ms, () => {
      if (this.running) return;
      this.#nextAttempt = null;
      this.#state = "stopped";
      this.#cancelRetry = () => {};
      if (this.#wanted && !this.#unloaded) {
        this.#spawn().catch((error) =>
          this.#host.log.error(`service ${this.label}: ${(error as Error).message}`)
        );
      }
    });
    this.#host.changed();
  }

  async #spawn(): Promise<void> {
    this.#state = "running";
    // Until this run has ended (or never began), stop() waits on it.
    let endRun!: () => void;
    this.#ended = new Promise<void>((resolve) => endRun = resolve);
    let child: Deno.ChildProcess;
    try {
      // At once, not one after another: this is on the way of a sender waiting for the port.
      await Promise.all([
        ...[...new Set([this.stdoutPath, this.stderrPath])].map(checkLog),
        ...["pid", "status", "cgroup"].map((f) => Deno.remove(`${this.dir}/${f}`).catch(() => {})),
      ]);
      if (this.#state !== "running") {
        // Stopped before it began.
        this.#state = "stopped";
        return endRun();
      }
      const [program, args] = supervisorCommand(
        this.dir,
        this.stdoutPath,
        this.stderrPath,
        this.definition.processType === "background" ? `ipckit-${this.label}` : "",
        this.#command.argv,
      );
      child = new Deno.Command(program, {
        args,
        cwd: this.definition.workingDirectory ??
          (this.file.slice(0, this.file.lastIndexOf("/")) || "/"),
        env: {
          ...this.definition.environment,
          [LABEL_ENV]: this.label,
          IPCKIT_RUNTIME_DIR: this.#host.runtimeDir,
        },
        stdin: "null",
        stdout: "null",
        stderr: "null",
        detached: true,
      }).spawn();
    } catch (error) {
      this.#state = "stopped";
      this.#wanted = false;
      endRun();
      this.#host.changed();
      const message = (error as Error).message;
      throw new Error(
        `the service ${this.label} cannot start: ${message}${
          message.includes("; ") ? "" : "; check its workingDirectory and log paths"
        }`,
        { cause: error },
      );
    }
    this.#supervisorPid = child.pid;
    this.#pid = null;
    this.#runs++;
    this.#lastStart = Date.now();
    this.#host.log.info(
      `service ${this.label}: started (supervisor ${child.pid}, run ${this.#runs})`,
    );
    const ended = child.status.then((status) => this.#exited(status.code)).then(endRun);
    this.#host.changed();
    // The service's pid (its process group) is what stop signals: wait for the supervisor to
    // say it, or for the supervisor to end first (the program could not start).
    let over = false;
    ended.then(() => over = true);
    for (let i = 0; !over && i < 1000; i++) {
      const pid = await readNumber(`${this.dir}/pid`);
      if (pid !== null) {
        if (this.#supervisorPid === child.pid) this.#pid = pid;
        break;
      }
      await sleep(i < 50 ? 1 : 5);
    }
    await this.#save();
  }

  /** The supervisor ended: the service's status is in its file. */
  async #exited(supervisorCode?: number): Promise<void> {
    // No status file: the supervisor itself failed (126: the log could not be opened), or it
    // was killed, and the service may run on with nobody to learn of its end.
    let status = await readNumber(`${this.dir}/status`);
    if (status === null) {
      await this.#endOrphan();
      status = await readNumber(`${this.dir}/status`) ?? supervisorCode ?? 127;
    }
    if (this.definition.processType === "background") await this.#removeCgroup();
    const stopping = this.#state === "stopping";
    this.#stopRequested = stopping;
    const restart = !stopping && this.#wanted && !this.#unloaded && this.#keepAlive(status);
    if (!stopping && !restart) this.#wanted = false;
    // Decided at once: nobody sees the service stopped when its restart is already due.
    this.#state = restart ? "waiting" : "stopped";
    this.#pid = null;
    this.#supervisorPid = null;
    this.#lastExit = status;
    this.#lastExitAt = Date.now();
    this.#host.log.info(`service ${this.label}: ${describeStatus(status)}`);
    if (restart) this.#retryIn(Math.max(0, this.#lastStart + this.#throttleMs() - Date.now()));
    for (const listener of [...this.#exitListeners]) listener(status);
    await this.#save();
    this.#host.changed();
  }

  /**
   * Ends what a supervisor that was killed left behind: a service that has not yet left the
   * supervisor's process group (between its fork and `setsid`), and the service's own process
   * group, known by the pid the supervisor wrote (SIGTERM, then SIGKILL after `exitTimeout`).
   */
  async #endOrphan(): Promise<void> {
    if (this.#supervisorPid !== null) signalGroup(this.#supervisorPid, "SIGKILL");
    const pid = this.#pid ?? await readNumber(`${this.dir}/pid`);
    if (pid === null || !groupAlive(pid)) return;
    this.#host.log.info(
      `service ${this.label}: its supervisor ended, the service did not; SIGTERM to process group ${pid}`,
    );
    signalGroup(pid, "SIGTERM");
    const timeout = (this.definition.exitTimeout ?? DEFAULT_EXIT_TIMEOUT) * 1000;
    const deadline = Date.now() + timeout;
    while (groupAlive(pid) && Date.now() < deadline) await sleep(ORPHAN_POLL_MS);
    if (!groupAlive(pid)) return;
    this.#host.log.info(
      `service ${this.label}: still running ${timeout / 1000} s after SIGTERM; SIGKILL`,
    );
    signalGroup(pid, "SIGKILL");
    // Ended by then, unless only zombies nobody reaps are left.
    for (let i = 0; i < 50 && groupAlive(pid); i++) await sleep(ORPHAN_POLL_MS);
  }

  #keepAlive(status: number): boolean {
    const keepAlive = this.definition.keepAlive;
    if (keepAlive === true) return true;
    if (!keepAlive) return false;
    if (isSignal(status)) return keepAlive.crashed === true;
    if (keepAlive.successfulExit === undefined) return false;
    return keepAlive.successfulExit === (status === 0);
  }

  /** Reads `state.json`: adopts a service an earlier broker started, or records its exit. */
  async #recover(): Promise<void> {
    let record: JobRecord;
    try {
      record = JSON.parse(await readTextNoFollow(`${this.dir}/state.json`));
    } catch {
      return;
    }
    this.#runs = record.runs ?? 0;
    this.#lastStart = record.lastStart ?? 0;
    this.#lastExit = record.lastExit ?? null;
    this.#lastExitAt = record.lastExitAt ?? null;
    this.#wanted = record.wanted ?? false;
    this.#stopRequested = record.stopRequested ?? false;
    if (!record.running || record.supervisorPid === null) return;
    const boot = record.boot ?? "";
    const sameBoot = boot === this.#host.bootId;
    if (sameBoot && await isSupervisor(record.supervisorPid, this.dir)) {
      const supervisor = record.supervisorPid;
      this.#state = "running";
      this.#supervisorPid = supervisor;
      this.#pid = record.pid ?? await readNumber(`${this.dir}/pid`);
      this.#wanted = true;
      this.#host.log.info(`service ${this.label}: found running (pid ${this.#pid}), adopted`);
      this.#ended = (async () => {
        while (processAlive(supervisor)) await sleep(ADOPTED_POLL_MS);
        await this.#exited();
      })();
      return;
    }
    // Its supervisor was killed and the service runs on: end it (and record that) now.
    const pid = record.pid ?? await readNumber(`${this.dir}/pid`);
    if (
      sameBoot && pid !== null && await readNumber(`${this.dir}/status`) === null && groupAlive(pid)
    ) {
      this.#state = "running";
      this.#supervisorPid = null;
      this.#pid = pid;
      this.#ended = this.#exited();
      return;
    }
    // It ended while no broker watched: its status is on file.
    const status = await readNumber(`${this.dir}/status`);
    this.#lastExit = status ?? this.#lastExit;
    this.#lastExitAt = status === null ? this.#lastExitAt : Date.now();
    if (status !== null && !this.#keepAlive(status)) this.#wanted = false;
    await this.#save();
  }

  /**
   * Whether it should be running when a broker starts: it has `keepAlive` and neither a
   * `services stop` nor its last exit (per `keepAlive`) said otherwise.
   */
  get wantedAtStart(): boolean {
    if (!this.definition.keepAlive || this.running) return false;
    return this.#wanted || this.#runs === 0;
  }

  async #save(): Promise<void> {
    const record: JobRecord = {
      boot: this.#host.bootId,
      running: this.running,
      stopRequested: this.#stopRequested,
      wanted: this.#wanted,
      supervisorPid: this.#supervisorPid,
      pid: this.#pid,
      runs: this.#runs,
      lastStart: this.#lastStart,
      lastExit: this.#lastExit,
      lastExitAt: this.#lastExitAt,
    };
    const path = `${this.dir}/state.json`;
    try {
      await writeFileReplacing(path, JSON.stringify(record));
    } catch (error) {
      this.#host.log.error(
        `service ${this.label}: cannot save its state: ${(error as Error).message}`,
      );
    }
  }
}

/** Sends a signal to a process group; a group that is gone already is no error. */
function signalGroup(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pid, signal);
  } catch { /* gone */ }
}

/** Whether a process group exists. */
function groupAlive(pgid: number): boolean {
  return processAlive(-pgid);
}

/**
 * Whether `pid` (from this boot) is the supervisor of the job in `dir`: alive, and where `ps`
 * can tell, running the supervisor for that directory (not another process that took its pid).
 */
async function isSupervisor(pid: number, dir: string): Promise<boolean> {
  if (!processAlive(pid)) return false;
  try {
    const out = await new Deno.Command("ps", {
      args: ["-o", "args=", "-p", String(pid)],
      stdin: "null",
      stderr: "null",
    }).output();
    return new TextDecoder().decode(out.stdout).includes(` ${SUPERVISOR_NAME} ${dir} `);
  } catch {
    return true; // no ps: the pid from this boot has to do
  }
}

async function readNumber(path: string): Promise<number | null> {
  try {
    const text = (await readTextNoFollow(path)).trim();
    const n = Number(text);
    return text !== "" && Number.isInteger(n) ? n : null;
  } catch {
    return null;
  }
}

/** Creates a directory of ours (0700); refuses a symlink in its place. */
async function privateDir(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const info = await Deno.lstat(dir);
  if (!info.isDirectory) {
    throw new Deno.errors.PermissionDenied(
      `${dir} is not a directory (a link?); remove it so the service manager can make its own`,
    );
  }
}

/**
 * Refuses a log path that is a symbolic link, and one that cannot be opened for appending (the
 * supervisor would fail before the service started, with only an exit status to say so).
 */
async function checkLog(path: string): Promise<void> {
  await checkNoLink(path);
  try {
    (await Deno.open(path, { append: true, create: true })).close();
  } catch (error) {
    throw new Deno.errors.PermissionDenied(
      `its log ${path} cannot be opened for appending (${
        (error as Error).message.replace(/ \(os error \d+\).*$/, "")
      }); make its directory or change standardOutPath/standardErrorPath`,
      { cause: error },
    );
  }
}

/** Refuses a log path that is a symbolic link (the runtime directory never follows links). */
async function checkNoLink(path: string): Promise<void> {
  try {
    if ((await Deno.lstat(path)).isSymlink) {
      throw new Deno.errors.PermissionDenied(
        `the log ${path} is a symbolic link; ipckit does not follow links there: remove it`,
      );
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}

/** The last `bytes` of a file as text, `""` when it cannot be read. */
async function tail(path: string, bytes: number): Promise<string> {
  try {
    using file = await Deno.open(path);
    const size = (await file.stat()).size;
    const start = Math.max(0, size - bytes);
    await file.seek(start, Deno.SeekMode.Start);
    const buffer = new Uint8Array(size - start);
    let read = 0;
    while (read < buffer.length) {
      const n = await file.read(buffer.subarray(read));
      if (n === null) break;
      read += n;
    }
    return new TextDecoder().decode(buffer.subarray(0, read));
  } catch {
    return "";
  }
}
