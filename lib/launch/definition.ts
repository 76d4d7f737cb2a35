/**
 * Service definitions: one YAML file per service, with launchd's keys in camelCase. Parsing
 * checks every key, type and value and reports each problem with its file, line and column
 * ({@linkcode DefinitionError}), so a bad definition is never half loaded.
 *
 * @module
 */

import { loadYaml } from "../deps.ts";
import { portNameProblem } from "../ports/names.ts";
import { CALENDAR_FIELDS, type CalendarInterval } from "./schedule.ts";

export type { CalendarInterval };

type YamlNode = import("npm:yaml@2.9.1").Node;

/** `processType`: how much of the machine the service may take (launchd's `ProcessType`). */
export type ProcessType = "background" | "standard" | "adaptive" | "interactive";

/** `keepAlive` as an object: restart after which kind of exit. */
export interface KeepAliveConditions {
  /** Restart after an exit with this outcome (true: after exit 0; false: after a failure). */
  successfulExit?: boolean;
  /** Restart after death by a signal. */
  crashed?: boolean;
}

/** The resource limits `prlimit` sets, by launchd's names. */
export const RESOURCE_LIMITS: Readonly<Record<string, string>> = Object.freeze({
  core: "core",
  cpu: "cpu",
  data: "data",
  fileSize: "fsize",
  memoryLock: "memlock",
  numberOfFiles: "nofile",
  numberOfProcesses: "nproc",
  residentSetSize: "rss",
  stack: "stack",
});

/** One `launchEvents` entry: a notification name, and the object it must carry if any. */
export interface LaunchEvent {
  /** The notification name (globs as `observe` takes them: `com.example.*`). */
  name: string;
  /** Only notifications for this object. */
  object?: string;
}

/** A checked service definition. */
export interface ServiceDefinition {
  /** The unique name, such as `com.example.echo`: letters, digits, `.`, `_`, `-`. */
  label: string;
  /** The program's path (launchd's `Program`); with `programArguments`, their first is argv[0]. */
  program?: string;
  /** The command line (launchd's `ProgramArguments`); the program is its first unless `program`. */
  programArguments?: string[];
  /** Extra environment variables. */
  environment?: Record<string, string>;
  /** The directory it runs in. @default {the definition's directory} */
  workingDirectory?: string;
  /** Port names the service serves: the first `send` to one starts it. */
  ports?: string[];
  /** Notifications that start it; it gets each one once it checks in. */
  launchEvents?: LaunchEvent[];
  /** Paths whose change starts it (a path that does not exist yet is watched from its parent). */
  watchPaths?: string[];
  /** Start it every this many seconds. */
  startInterval?: number;
  /** Start it at these times (cron-like; absent fields match every value). */
  startCalendar?: CalendarInterval[];
  /** Run it when loaded, at most once per boot for a broker start. @default {false} */
  runAtLoad?: boolean;
  /** Restart it when it exits: always, or per the kind of exit. @default {false} */
  keepAlive?: boolean | KeepAliveConditions;
  /** Seconds between two launches at least. @default {10} */
  throttleInterval?: number;
  /** Seconds between SIGTERM and SIGKILL when it is stopped. @default {20} */
  exitTimeout?: number;
  /** Priority class. @default {"standard"} */
  processType?: ProcessType;
  /** Where its standard output goes. @default {a log file under the runtime directory} */
  standardOutPath?: string;
  /** Where its standard error goes. @default {standardOutPath, else the same log} */
  standardErrorPath?: string;
  /** Soft resource limits (`prlimit`), by name. */
  softResourceLimits?: Record<string, number>;
  /** Hard resource limits (`prlimit`), by name. */
  hardResourceLimits?: Record<string, number>;
  /**
   * The manager may stop it when it has had no open transaction and no client connected for
   * `idleTimeout`. @default {false}
   */
  enablePressuredExit?: boolean;
  /** Seconds without an open transaction before a pressured exit (ipckit's own key). @default {30} */
  idleTimeout?: number;
}

/** One problem in a definition, at its position. */
export class DefinitionError extends SyntaxError {
  /** The definition's file. */
  readonly file: string;
  /** The 1-based line. */
  readonly line: number;
  /** The 1-based column. */
  readonly column: number;
  /** What is wrong, without the position. */
  readonly problem: string;

  /**
   * Creates the error.
   *
   * @param file the definition's file.
   * @param line the 1-based line.
   * @param column the 1-based column.
   * @param problem what is wrong and what to write instead.
   */
  constructor(file: string, line: number, column: number, problem: string) {
    super(`${file}:${line}:${column}: ${problem}`);
    this.name = "DefinitionError";
    this.file = file;
    this.line = line;
    this.column = column;
    this.problem = problem;
  }
}

/** What reading a definition gave: the definition, or every problem in it. */
export type DefinitionResult =
  | { ok: true; definition: ServiceDefinition; file: string }
  | { ok: false; errors: DefinitionError[]; file: string };

/** The largest definition file read, in bytes: a definition is a few lines. */
export const MAX_DEFINITION_BYTES = 1024 * 1024;

/** Why a string with a NUL is refused: no command line, variable or path can hold one. */
const NUL_PROBLEM =
  "contains a NUL character (\\0), which no program, argument, variable or path can hold; remove it";

/** The pattern a label must match. */
export const LABEL_PATTERN: RegExp = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

type Check = (node: YamlNode, at: (node: YamlNode, problem: string) => void) => unknown;

/**
 * Parses and checks a definition's text.
 *
 * @param text the YAML.
 * @param file the file name used in errors.
 * @returns the definition, or every problem with its position.
 *
 * @example Reading a definition
 * ```ts
 * import { parseDefinition } from "./definition.ts";
 * const result = await parseDefinition("label: com.example.echo\nprogram: /bin/cat\n", "x.yaml");
 * if (result.ok) console.log(result.definition.label);
 * else for (const error of result.errors) console.error(error.message);
 * ```
 */
export async function parseDefinition(text: string, file: string): Promise<DefinitionResult> {
  if (text.length > MAX_DEFINITION_BYTES) {
    return { ok: false, errors: [new DefinitionError(file, 1, 1, TOO_LARGE)], file };
  }
  const yaml = await loadYaml();
  const lines = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const errors: DefinitionError[] = [];
  const position = (offset: number) => lines.linePos(offset);
  for (const error of doc.errors) {
    const { line, col } = position(error.pos[0]);
    // The parser reports its own stack overflow as a syntax error (and then errors that follow
    // from it): say what is wrong instead, once.
    if (error.message.startsWith("Maximum call stack size exceeded")) {
      const problem =
        "nested too deeply: a service definition nests mappings and lists only a few levels";
      return { ok: false, errors: [new DefinitionError(file, line, col, problem)], file };
    }
    errors.push(new DefinitionError(file, line, col, error.message.split("\n")[0]));
  }
  if (errors.length) return { ok: false, errors, file };
  const at = (node: YamlNode | null | undefined, problem: string) => {
    const { line, col } = position(node?.range?.[0] ?? 0);
    errors.push(new DefinitionError(file, line, col, problem));
  };
  const root = doc.contents;
  if (!yaml.isMap(root)) {
    at(root, "a service definition is a mapping of keys (label, program, …)");
    return { ok: false, errors, file };
  }
  const KEYS = checkers();
  const definition: Record<string, unknown> = {};
  for (const pair of root.items) {
    const keyNode = pair.key as YamlNode;
    const key = yaml.isScalar(keyNode) ? String(keyNode.value) : "";
    const check = KEYS[key];
    if (!check) {
      const hint = suggestion(key);
      at(keyNode, `unknown key "${key}"${hint ? `; did you mean "${hint}"?` : ""}`);
      continue;
    }
    const valueNode = (pair.value ?? keyNode) as YamlNode;
    const before = errors.length;
    const value = check(valueNode, (node, problem) => at(node, `${key}: ${problem}`));
    if (errors.length === before) definition[key] = value;
  }
  if (!("label" in definition) && !errors.some((e) => e.problem.startsWith("label:"))) {
    at(root, 'the key "label" is missing: every service has a unique label');
  }
  if (
    !("program" in definition) && !("programArguments" in definition) &&
    !errors.some((e) => /^program/.test(e.problem))
  ) {
    at(root, 'neither "program" nor "programArguments" is given: say what to run');
  }
  if (errors.length) return { ok: false, errors, file };
  return { ok: true, definition: definition as unknown as ServiceDefinition, file };

  // Checkers share the module loaded above.
  function scalar(node: YamlNode): unknown {
    return yaml.isScalar(node) ? node.value : undefined;
  }
  function str(node: YamlNode, report: (node: YamlNode, problem: string) => void): unknown {
    const value = scalar(node);
    if (typeof value !== "string") return report(node, `expected a string, not ${kind(node)}`);
    if (value === "") return report(node, "expected a non-empty string");
    if (value.includes("\0")) return report(node, NUL_PROBLEM);
    return value;
  }
  function bool(node: YamlNode, report: (node: YamlNode, problem: string) => void): unknown {
    const value = scalar(node);
    if (typeof value !== "boolean") {
      return report(node, `expected true or false, not ${kind(node)}`);
    }
    return value;
  }
  function seconds(node: YamlNode, report: (node: YamlNode, problem: string) => void): unknown {
    const value = scalar(node);
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
      return report(node, `expected seconds, a number 0 or more, not ${kind(node)}`);
    }
    return value;
  }
  function strings(node: YamlNode, report: (node: YamlNode, problem: string) => void): unknown {
    if (!yaml.isSeq(node)) return report(node, `expected a list of strings, not ${kind(node)}`);
    if (node.items.length === 0) return report(node, "expected at least one string");
    return node.items.map((item) => str(item as YamlNode, report));
  }
  function stringMap(node: YamlNode, report: (node: YamlNode, problem: string) => void): unknown {
    if (!yaml.isMap(node)) return report(node, `expected a mapping, not ${kind(node)}`);
    const out: Record<string, string> = {};
    for (const pair of node.items) {
      const k = scalar(pair.key as YamlNode);
      const v = scalar(pair.value as YamlNode);
      if (typeof k !== "string" || k === "" || k.includes("=")) {
        report(pair.key as YamlNode, "expected a variable name (no '=')");
      } else if (k.includes("\0") || (typeof v === "string" && v.includes("\0"))) {
        report((k.includes("\0") ? pair.key : pair.value) as YamlNode, NUL_PROBLEM);
      } else if (typeof v !== "string" && typeof v !== "number" && typeof v !== "boolean") {
        report((pair.value ?? pair.key) as YamlNode, `expected a string, not ${kind(pair.value)}`);
      } else out[k] = String(v);
    }
    return out;
  }
  function limits(node: YamlNode, report: (node: YamlNode, problem: string) => void): unknown {
    if (!yaml.isMap(node)) return report(node, `expected a mapping, not ${kind(node)}`);
    const out: Record<string, number> = {};
    for (const pair of node.items) {
      const k = scalar(pair.key as YamlNode);
      const v = scalar(pair.value as YamlNode);
      if (typeof k !== "string" || !(k in RESOURCE_LIMITS)) {
        report(
          pair.key as YamlNode,
          `unknown limit "${String(k)}"; one of ${Object.keys(RESOURCE_LIMITS).join(", ")}`,
        );
      } else if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
        report(
          (pair.value ?? pair.key) as YamlNode,
          `expected an integer 0 or more, not ${kind(pair.value)}`,
        );
      } else out[k] = v;
    }
    return out;
  }
  function kind(node: unknown): string {
    if (node === null || node === undefined) return "nothing";
    if (yaml.isMap(node)) return "a mapping";
    if (yaml.isSeq(node)) return "a list";
    if (yaml.isScalar(node)) {
      const v = node.value;
      if (v === null) return "null";
      if (typeof v === "string") return `the string ${JSON.stringify(v.slice(0, 40))}`;
      return `${typeof v} ${String(v)}`;
    }
    return "that";
  }

  function checkers(): Record<string, Check> {
    return {
      label(node, report) {
        const value = str(node, report);
        if (typeof value === "string" && !LABEL_PATTERN.test(value)) {
          report(
            node,
            `"${value}" is not a label: letters, digits, '.', '_' and '-', starting with a letter or digit (com.example.echo)`,
          );
          return undefined;
        }
        return value;
      },
      program: str,
      programArguments: strings,
      environment: stringMap,
      workingDirectory: str,
      ports(node, report) {
        const names = strings(node, report);
        if (!Array.isArray(names)) return names;
        (node as { items: YamlNode[] }).items.forEach((item, i) => {
          const problem = typeof names[i] === "string" ? portNameProblem(names[i]) : undefined;
          if (problem) report(item, problem);
        });
        return names;
      },
      watchPaths: strings,
      launchEvents(node, report) {
        if (!yaml.isSeq(node) || node.items.length === 0) {
          return report(
            node,
            `expected a list of notification names or {name, object}, not ${kind(node)}`,
          );
        }
        return (node.items as YamlNode[]).map((item) => {
          const plain = scalar(item);
          if (typeof plain === "string" && plain !== "") return { name: plain };
          if (!yaml.isMap(item)) {
            return report(
              item,
              `expected a notification name or {name, object}, not ${kind(item)}`,
            );
          }
          const out: Record<string, string> = {};
          for (const pair of item.items) {
            const k = scalar(pair.key as YamlNode);
            if (k !== "name" && k !== "object") {
              report(pair.key as YamlNode, `unknown field "${String(k)}"; one of name, object`);
              continue;
            }
            const v = str((pair.value ?? pair.key) as YamlNode, report);
            if (typeof v === "string") out[k] = v;
          }
          if (!out.name) return report(item, 'an event needs its "name"');
          return out;
        });
      },
      startInterval(node, report) {
        const value = scalar(node);
        if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
          return report(node, `expected seconds, a number above 0, not ${kind(node)}`);
        }
        return value;
      },
      startCalendar(node, report) {
        const entries = yaml.isSeq(node) ? node.items as YamlNode[] : [node];
        if (entries.length === 0) return report(node, "expected at least one time");
        return entries.map((entry) => {
          if (!yaml.isMap(entry)) {
            return report(
              entry,
              `expected a mapping of minute, hour, day, weekday, month, not ${kind(entry)}`,
            );
          }
          const out: CalendarInterval = {};
          for (const pair of entry.items) {
            const k = scalar(pair.key as YamlNode) as keyof CalendarInterval;
            const range = typeof k === "string" ? CALENDAR_FIELDS[k] : undefined;
            if (!range) {
              report(
                pair.key as YamlNode,
                `unknown field "${String(k)}"; one of ${Object.keys(CALENDAR_FIELDS).join(", ")}`,
              );
              continue;
            }
            const v = scalar((pair.value ?? pair.key) as YamlNode);
            if (typeof v !== "number" || !Number.isInteger(v) || v < range[0] || v > range[1]) {
              report(
                (pair.value ?? pair.key) as YamlNode,
                `${k} is an integer from ${range[0]} to ${range[1]}, not ${kind(pair.value)}`,
              );
              continue;
            }
            out[k] = v;
          }
          return out;
        });
      },
      runAtLoad: bool,
      keepAlive(node, report) {
        if (yaml.isMap(node)) {
          const out: KeepAliveConditions = {};
          for (const pair of node.items) {
            const k = scalar(pair.key as YamlNode);
            if (k !== "successfulExit" && k !== "crashed") {
              report(
                pair.key as YamlNode,
                `unknown condition "${String(k)}"; one of successfulExit, crashed`,
              );
              continue;
            }
            const v = bool((pair.value ?? pair.key) as YamlNode, report);
            if (typeof v === "boolean") out[k] = v;
          }
          return out;
        }
        const value = scalar(node);
        if (typeof value !== "boolean") {
          return report(
            node,
            `expected true, false or {successfulExit: bool, crashed: bool}, not ${kind(node)}`,
          );
        }
        return value;
      },
      throttleInterval: seconds,
      exitTimeout: seconds,
      processType(node, report) {
        const value = scalar(node);
        if (!PROCESS_TYPES.includes(value as ProcessType)) {
          return report(node, `expected one of ${PROCESS_TYPES.join(", ")}, not ${kind(node)}`);
        }
        return value;
      },
      standardOutPath: str,
      standardErrorPath: str,
      softResourceLimits: limits,
      hardResourceLimits: limits,
      enablePressuredExit: bool,
      idleTimeout: seconds,
    };
  }
}

const PROCESS_TYPES: readonly ProcessType[] = ["background", "standard", "adaptive", "interactive"];

/** The keys a definition may have. */
export const DEFINITION_KEYS: readonly string[] = [
  "label",
  "program",
  "programArguments",
  "environment",
  "workingDirectory",
  "ports",
  "launchEvents",
  "watchPaths",
  "startInterval",
  "startCalendar",
  "runAtLoad",
  "keepAlive",
  "throttleInterval",
  "exitTimeout",
  "processType",
  "standardOutPath",
  "standardErrorPath",
  "softResourceLimits",
  "hardResourceLimits",
  "enablePressuredExit",
  "idleTimeout",
];

/** The known key closest to `key` (differing in case, or by at most two edits). */
function suggestion(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of DEFINITION_KEYS) {
    if (known.toLowerCase() === key.toLowerCase()) return known;
    const d = distance(known.toLowerCase(), key.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    row = next;
  }
  return row[b.length];
}

/**
 * Reads and checks a definition file. A file another user owns or could have written is
 * refused unread, as launchd refuses such a plist: its program would run as this user.
 *
 * @throws {Deno.errors.NotFound} when the file does not exist.
 */
export async function readDefinition(file: string): Promise<DefinitionResult> {
  const refused = await trustProblem(file);
  if (refused) return { ok: false, errors: [new DefinitionError(file, 1, 1, refused)], file };
  const text = await readAtMost(file, MAX_DEFINITION_BYTES);
  if (text === null) {
    return { ok: false, errors: [new DefinitionError(file, 1, 1, TOO_LARGE)], file };
  }
  return await parseDefinition(text, file);
}

const TOO_LARGE = `the file is larger than ${
  MAX_DEFINITION_BYTES / 1024
} KiB, the most a service definition may be; is it the right file?`;

/** The file's text, or null when it holds more than `limit` bytes (the rest is never read). */
async function readAtMost(file: string, limit: number): Promise<string | null> {
  using handle = await Deno.open(file);
  const buffer = new Uint8Array(limit + 1);
  let size = 0;
  while (size < buffer.length) {
    const n = await handle.read(buffer.subarray(size));
    if (n === null) break;
    size += n;
  }
  if (size > limit) return null;
  return new TextDecoder().decode(buffer.subarray(0, size));
}

/** Why a definition file cannot be trusted to say what runs as this user, if it cannot. */
async function trustProblem(file: string): Promise<string | undefined> {
  const uid = Deno.uid();
  if (uid === null) return undefined; // no file owners on this system
  const link = await Deno.lstat(file);
  const info = link.isSymlink ? await Deno.stat(file) : link;
  for (const entry of link.isSymlink ? [link, info] : [info]) {
    if (entry.uid !== null && entry.uid !== uid) {
      const what = entry === link && link.isSymlink ? "it is a link that" : "it";
      return `${what} belongs to another user (uid ${entry.uid}) and a service runs as you; if you trust it, copy it and load your copy`;
    }
  }
  // Group write is allowed: a umask of 002 gives every file write for the user's private group.
  if (info.mode !== null && (info.mode & 0o002) !== 0) {
    return `others can write to it (mode ${
      (info.mode & 0o777).toString(8)
    }) and a service runs as you; run chmod o-w on it`;
  }
  return undefined;
}
