/**
 * The broker's `launch.*` methods, their bodies and the files of the service manager: the one
 * place both ends (the broker's launch service and its clients) take them from.
 *
 * @module
 */

import { DEMAND_ERRORS, DEMAND_METHOD } from "../broker/protocol.ts";

/**
 * The directory of the service manager under the runtime directory, and where the markers of
 * declared ports are in it (the broker core's, since senders look there).
 */
export { DECLARED_PORTS_DIR, LAUNCH_DIR } from "../broker/protocol.ts";

/** The methods of the launch service. */
export const LAUNCH_METHODS = {
  /** `{ paths: string[] }` → {@linkcode LoadReply}: load definition files or directories. */
  load: "launch.load",
  /** `{ label }` → `null`: stop the service and forget it. */
  unload: "launch.unload",
  /** `null` → {@linkcode JobSummary}[]: every loaded service. */
  list: "launch.list",
  /** `{ label }` → {@linkcode JobInfo}: everything about one service. */
  print: "launch.print",
  /** `{ label }` → {@linkcode JobSummary}: start it unless it runs. */
  start: "launch.start",
  /** `{ label }` → {@linkcode JobSummary}: stop it (SIGTERM, SIGKILL after `exitTimeout`). */
  stop: "launch.stop",
  /** `{ label, kill }` → {@linkcode JobSummary}: start it now; with `kill`, restart it. */
  kickstart: "launch.kickstart",
  /**
   * `{ port, timeoutMs }` → `{ label }` once the service that declares `port` serves it
   * (the broker core's {@linkcode DEMAND_METHOD}, which senders ask).
   */
  demand: DEMAND_METHOD,
  /** `{ label }` → `{ ports }`: the ports of a loaded service (what `connectService` talks to). */
  lookup: "launch.lookup",
  /**
   * `{ label, pid }` → `{ ports, events }`, from the service itself (`checkIn()`), on a
   * connection it keeps: `events` are the launch events held for it; later ones come as
   * {@linkcode LAUNCH_EVENTS.event} events on that connection.
   */
  checkIn: "launch.checkIn",
  /**
   * `{ label, n, o, before }` → the launch events held for the service's observers (each as
   * {@linkcode LAUNCH_EVENTS.event} carries it) whose name matches `n` (names and globs; none:
   * all) and object `o` (`null`: any), posted before `before` (ms since the epoch). Sent by a
   * notification center in the service (`IPCKIT_SERVICE_LABEL` set) as it registers an
   * observer; from then on, the events it observes are no longer held for this run. Its
   * literal is in `lib/notifications/center.ts` too (which must not import the launch layer).
   */
  takeEvents: "launch.events.take",
  /**
   * `{ label, id, criteria }` → `null`, from a checked-in service: register an activity
   * (criteria: `delay`, `interval`, `gracePeriod`, `repeating`, in seconds).
   */
  registerActivity: "launch.activity.register",
} as const;

/**
 * The message id of a value message (a MessagePack value each way) on a service's port, as
 * `connectService` sends and `checkIn()` answers them: `xpc` and a zero byte.
 */
export const VALUE_MSGID = 0x78706300;

/** The events a checked-in service sends the launch service (one way). */
export const SERVICE_EVENTS = {
  /**
   * `{ label, open, clients }`: how many transactions the service has open now (a message
   * being handled counts as one) and how many client connections its ports have; sent when
   * either changes between none and some.
   */
  transactions: "launch.transactions",
  /** `{ label, id, deferred }`: a run of an activity ended, or was deferred. */
  activityDone: "launch.activity.done",
} as const;

/** The default seconds a service with `enablePressuredExit` may sit idle before it is stopped. */
export const DEFAULT_IDLE_TIMEOUT = 30;

/** The events the launch service sends to a checked-in service. */
export const LAUNCH_EVENTS = {
  /** `{ name, object, userInfo, time }`: a notification among its `launchEvents`. */
  event: "launch.event",
  /** `{ id, defer }`: run the activity `id` now; `defer` says the manager would rather wait. */
  activity: "launch.activity",
} as const;

/** The error codes of `launch.*` replies. */
export const LAUNCH_ERRORS = {
  /** No loaded service has this label. */
  noSuchService: "no-such-service",
  /** Those of {@linkcode DEMAND_METHOD}: `notDeclared`, `failed`, `timeout`. */
  ...DEMAND_ERRORS,
} as const;

/** The reply of `launch.load`. */
export interface LoadReply {
  /** The services loaded, by label, with their files. */
  loaded: { label: string; file: string }[];
  /** Every problem, one line each (`file:line:column: what`). */
  errors: string[];
}

/** The states of a service. */
export type JobState = "stopped" | "running" | "stopping" | "waiting";

/** One line of `launch.list`. */
export interface JobSummary {
  /** The label. */
  label: string;
  /** Its state; `waiting` is a restart held back by `throttleInterval`. */
  state: JobState;
  /** The service's process id (its process group) while it runs, else `null`. */
  pid: number | null;
  /** The last exit: `exit N` or `signal NAME`, `null` before the first. */
  lastExit: string | null;
}

/** Everything `launch.print` tells about a service. */
export interface JobInfo extends JobSummary {
  /** The definition's file. */
  file: string;
  /** The definition as loaded. */
  definition: Record<string, unknown>;
  /** How many times it was started. */
  runs: number;
  /** The last exit's time (ISO 8601), `null` before the first. */
  lastExitAt: string | null;
  /** When a held-back restart happens (ISO 8601), else `null`. */
  nextAttempt: string | null;
  /** The next start by `startInterval` or `startCalendar` (ISO 8601), else `null`. */
  nextRun: string | null;
  /** Where its standard output goes. */
  stdoutPath: string;
  /** Where its standard error goes. */
  stderrPath: string;
  /** The command line it runs with, wrappers (nice, ionice, prlimit) included. */
  command: string[];
  /** Settings that could not apply, and why. */
  notApplied: string[];
  /** Open transactions of the checked-in service (messages being handled included), else `null`. */
  transactions: number | null;
  /** Open client connections to the checked-in service's ports, else `null`. */
  clients: number | null;
  /** Its activities and when they run next. */
  activities: ActivityInfo[];
  /** The end of its log when its last run failed, else `""`. */
  logTail: string;
}

/** The list of explicitly loaded files, under {@linkcode LAUNCH_DIR}. */
export const LOADED_FILE = "loaded.json";

/** Where each service's own files are (pid, status, state, log), under {@linkcode LAUNCH_DIR}. */
export const JOBS_DIR = "jobs";

/** The default seconds between two launches. */
export const DEFAULT_THROTTLE_INTERVAL = 10;

/** The default seconds between SIGTERM and SIGKILL. */
export const DEFAULT_EXIT_TIMEOUT = 20;

/** The environment variable that tells a service its label. */
export const LABEL_ENV = "IPCKIT_SERVICE_LABEL";

/** When an activity runs. */
export interface ActivityCriteria {
  /** Seconds after registering before the first run. @default {0, or interval when repeating} */
  delay?: number;
  /** Seconds between runs of a repeating activity. */
  interval?: number;
  /** Seconds after its due time within which it should run. @default {60} */
  gracePeriod?: number;
  /** Run again every interval. @default {false} */
  repeating?: boolean;
}

/** An activity as `print` shows it. */
export interface ActivityInfo {
  /** Its identifier within the service. */
  id: string;
  /** When it runs next (ISO 8601). */
  due: string;
  /** Whether it repeats. */
  repeating: boolean;
  /** Whether a run is going on now. */
  running: boolean;
  /** How many runs were deferred. */
  deferrals: number;
  /** How many runs completed. */
  runs: number;
}
