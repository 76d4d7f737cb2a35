/**
 * A loaded service's own triggers besides its ports: `watchPaths` (a change to one of the paths
 * starts it; a path that does not exist yet is watched through its closest existing ancestor,
 * until it appears), `startInterval` and `startCalendar` (see `schedule.ts`). Each trigger
 * starts the service unless it runs, no sooner than its `throttleInterval` allows.
 *
 * @module
 */

import type { Logger } from "../broker/log.ts";
import type { ServiceDefinition } from "./definition.ts";
import { type Clock, everyInterval, onCalendar, Schedule } from "./schedule.ts";

/** What the triggers start. */
export interface Startable {
  /** The label, for the log. */
  readonly label: string;
  /** Starts the service unless it runs (held to `throttleInterval`). */
  start(options: { throttled: true }): Promise<void>;
}

/** Whether a definition has a trigger of the kinds {@linkcode Triggers} handles. */
export function hasOwnTriggers(definition: ServiceDefinition): boolean {
  return Boolean(
    definition.watchPaths?.length || definition.startInterval || definition.startCalendar,
  );
}

/** The running triggers of one service. */
export class Triggers {
  #job: Startable;
  #log: Logger;
  #schedules: Schedule[] = [];
  #watchers = new Set<Deno.FsWatcher>();
  #stopped = false;

  /**
   * Starts watching and scheduling for `definition`.
   *
   * @param base the directory relative `watchPaths` are taken from (the definition's).
   */
  constructor(
    job: Startable,
    definition: ServiceDefinition,
    options: { log: Logger; clock: Clock; base: string },
  ) {
    this.#job = job;
    this.#log = options.log;
    const clock = options.clock;
    if (definition.startInterval) {
      this.#schedules.push(
        new Schedule(everyInterval(definition.startInterval), () => this.#fire("startInterval"), {
          clock,
        }),
      );
    }
    if (definition.startCalendar) {
      this.#schedules.push(
        new Schedule(onCalendar(definition.startCalendar), () => this.#fire("startCalendar"), {
          clock,
        }),
      );
    }
    this.ready = Promise.all(
      (definition.watchPaths ?? []).map((path) =>
        this.#watch(path.startsWith("/") ? path : `${options.base}/${path}`)
      ),
    ).then(() => {});
  }

  /** Resolves once every watch is in place. */
  readonly ready: Promise<void>;

  /** The next scheduled start (milliseconds since the epoch), or `null`. */
  get nextRun(): number | null {
    const times = this.#schedules.map((s) => s.due).filter((t): t is number => t !== null);
    return times.length ? Math.min(...times) : null;
  }

  /** Stops every trigger. */
  stop(): void {
    this.#stopped = true;
    for (const schedule of this.#schedules) schedule.stop();
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers.clear();
  }

  #fire(why: string): void {
    if (this.#stopped) return;
    this.#log.info(`service ${this.#job.label}: start for ${why}`);
    this.#job.start({ throttled: true }).catch((error) =>
      this.#log.error(`service ${this.#job.label}: ${(error as Error).message}`)
    );
  }

  /**
   * Watches `path`, through its closest existing ancestor while it does not exist. Resolves
   * once the first watch is in place; a change between two watches (a parent that appeared
   * and the file in it at once) is noticed by comparing the path's state across them.
   */
  #watch(path: string): Promise<void> {
    let armed = () => {};
    const ready = new Promise<void>((resolve) => armed = resolve);
    (async () => {
      let seen = await pathState(path);
      while (!this.#stopped) {
        const targets = await watchTargets(path);
        let watcher: Deno.FsWatcher;
        try {
          watcher = Deno.watchFs(targets, { recursive: false });
        } catch (error) {
          this.#log.error(
            `service ${this.#job.label}: cannot watch ${path}: ${(error as Error).message}`,
          );
          return armed();
        }
        this.#watchers.add(watcher);
        armed();
        const now = await pathState(path);
        if (now !== seen) this.#fire(`watchPaths (${path})`);
        seen = now;
        let rearm = false;
        try {
          for await (const event of watcher) {
            if (event.paths.some((p) => p === path || p.startsWith(`${path}/`))) {
              seen = await pathState(path);
              this.#fire(`watchPaths (${path})`);
            }
            if ((await watchTargets(path)).join("\0") !== targets.join("\0")) {
              rearm = true;
              break;
            }
          }
        } catch { /* closed */ }
        this.#watchers.delete(watcher);
        try {
          watcher.close();
        } catch { /* closed already */ }
        if (!rearm) return;
      }
      armed();
    })();
    return ready;
  }
}

/** What a path is now: absent, or its kind, size and modification time. */
async function pathState(path: string): Promise<string> {
  try {
    const info = await Deno.stat(path);
    return `${info.isDirectory ? "d" : "f"} ${info.size} ${info.mtime?.getTime()}`;
  } catch {
    return "absent";
  }
}

/**
 * What to watch for `path`: its parent (its creation, removal, and changes to a file), and the
 * path itself when it is a directory (changes inside it); while the parent does not exist, the
 * closest ancestor that does.
 */
async function watchTargets(path: string): Promise<string[]> {
  let dir = path.slice(0, path.lastIndexOf("/")) || "/";
  while (dir !== "/" && !(await isDirectory(dir))) dir = dir.slice(0, dir.lastIndexOf("/")) || "/";
  return (await isDirectory(path)) ? [dir, path] : [dir];
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isDirectory;
  } catch {
    return false;
  }
}
