/**
 * The fast command-line parser: it handles the ordinary, valid command line of a declared
 * command without loading commander, and gives up (returns `undefined`) on anything it is not
 * sure of — help, an unknown option, a bad value, a missing argument — so that commander, built
 * from the same declarations, can answer with its help, errors and suggestions.
 *
 * @module
 */

import type { Command, CommandSpec, Invocation, OptionSpec } from "./_spec.ts";
import { UsageError } from "./_errors.ts";

/** Options every command accepts. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  {
    flags: "--runtime-dir <dir>",
    description:
      "the runtime directory (default: IPCKIT_RUNTIME_DIR, XDG_RUNTIME_DIR/ipckit, /tmp/ipckit-UID)",
  },
];

/**
 * Checks the value of `--runtime-dir`: an empty one would silently mean the default directory.
 *
 * @returns the value, unchanged.
 * @throws {UsageError} when it is empty.
 */
export function checkRuntimeDirOption(value: string | undefined): string | undefined {
  if (value === "") {
    throw new UsageError(
      "--runtime-dir takes a directory, not an empty string (leave it out for the default)",
    );
  }
  return value;
}

/** An option's flags, taken apart. */
export interface OptionFlags {
  /** `--output` */
  long: string;
  /** `-o`, when there is one. */
  short?: string;
  /** The key in {@linkcode Invocation.options}: the camel-cased long name. */
  key: string;
  /** Whether it takes a value. */
  takesValue: boolean;
}

/**
 * Takes an option's flags apart: `"-o, --output <file>"`. Plain string work, no regular
 * expressions: every command runs this for each of its options, and a regular expression
 * costs a compilation on its first use.
 */
export function optionFlags(spec: OptionSpec): OptionFlags {
  let long: string | undefined;
  let short: string | undefined;
  let takesValue = false;
  for (const word of spec.flags.replaceAll(",", " ").split(" ")) {
    if (word.startsWith("--") && word.length > 2) long ??= word;
    else if (word.length === 2 && word[0] === "-" && word[1] !== "-") short ??= word;
    else if (word.startsWith("<") && word.endsWith(">") && word.length > 2) takesValue = true;
  }
  if (!long) throw new TypeError(`option without a long name: ${spec.flags}`);
  let key = "";
  for (let i = 2; i < long.length; i++) {
    key += long[i] === "-" && i + 1 < long.length ? long[++i].toUpperCase() : long[i];
  }
  return { long, short, key, takesValue };
}

/**
 * Converts an option's text value per its kind and checks it against its choices and bounds.
 *
 * @throws {RangeError} saying what is wrong with the value, as `"must be at least 1"`.
 */
export function convertValue(spec: OptionSpec, text: string): string | number | bigint {
  if (spec.choices && !spec.choices.includes(text)) {
    throw new RangeError(`must be one of: ${spec.choices.join(", ")}`);
  }
  switch (spec.kind) {
    case "integer": {
      const n = /^[-+]?[0-9]+$/.test(text) ? Number(text) : NaN;
      if (!Number.isSafeInteger(n)) throw new RangeError("not an integer");
      return checkBounds(spec, n, String);
    }
    case "number": {
      const n = text.trim() === "" ? NaN : Number(text);
      if (!Number.isFinite(n)) throw new RangeError("not a number");
      return checkBounds(spec, n, String);
    }
    case "uint64":
      return parseUInt64(text);
    case "duration":
      return checkBounds(spec, parseDuration(text), (n) => `${n}s`);
  }
  return text;
}

function checkBounds(spec: OptionSpec, n: number, show: (n: number) => string): number {
  if (spec.min !== undefined && n < spec.min) {
    throw new RangeError(`must be at least ${show(spec.min)}`);
  }
  if (spec.max !== undefined && n > spec.max) {
    throw new RangeError(`must be at most ${show(spec.max)}`);
  }
  return n;
}

/** The largest uint64. */
const UINT64_MAX = 2n ** 64n - 1n;

/**
 * Parses an unsigned 64-bit integer: decimal or `0x` hexadecimal.
 *
 * @throws {RangeError} when the text is not one, or is beyond 2^64-1.
 */
export function parseUInt64(text: string): bigint {
  if (/^(0|[1-9][0-9]*|0x[0-9a-fA-F]+)$/.test(text)) {
    const value = BigInt(text);
    if (value <= UINT64_MAX) return value;
  }
  throw new RangeError(`not an integer in 0…${UINT64_MAX}`);
}

const DURATION_UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };

/**
 * Parses a duration: seconds (`1.5`), or a number with a unit (`500ms`, `2s`, `5m`, `1h`).
 *
 * @returns the duration in seconds.
 * @throws {RangeError} when the text is not a duration ≥ 0.
 */
function parseDuration(text: string): number {
  const match = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(ms|s|m|h)?$/.exec(text);
  if (!match) throw new RangeError("not a duration (seconds, or 500ms, 2s, 5m, 1h)");
  return Number(match[1]) * DURATION_UNITS[match[2] ?? "s"];
}

/**
 * Finds the command named by the first words of `argv` (after leading global options).
 *
 * @returns the command and the arguments that are not its name, or `undefined`.
 */
export function findCommand(
  argv: string[],
  commands: readonly Command[],
): { command: Command; rest: string[] } | undefined {
  let i = 0;
  const before: string[] = [];
  while (i < argv.length && argv[i].startsWith("--runtime-dir")) {
    const takesNext = argv[i] === "--runtime-dir";
    before.push(...argv.slice(i, i + (takesNext ? 2 : 1)));
    i += takesNext ? 2 : 1;
  }
  let best: Command | undefined;
  for (const command of commands) {
    const words = command.spec.name.split(" ");
    if (words.every((w, k) => argv[i + k] === w)) {
      if (!best || words.length > best.spec.name.split(" ").length) best = command;
    }
  }
  if (!best) return undefined;
  const n = best.spec.name.split(" ").length;
  return { command: best, rest: [...before, ...argv.slice(i + n)] };
}

/**
 * Parses a command's arguments (its name already removed; `--exec` already split off).
 *
 * @returns the invocation, or `undefined` when commander should handle this command line.
 */
export function parseFast(
  spec: CommandSpec,
  rest: string[],
  exec?: string[],
): Invocation | undefined {
  if (spec.raw) return parseRaw(rest, exec);
  const declared = [...(spec.options ?? []), ...GLOBAL_OPTIONS];
  // Only what this command line uses is taken apart: most name no option at all.
  const options: Record<string, unknown> = {};
  for (const option of declared) {
    if (option.default !== undefined) options[optionFlags(option).key] = option.default;
    else if (option.kind === "list") options[optionFlags(option).key] = [];
  }
  const byName = (name: string): [OptionSpec, OptionFlags] | undefined => {
    for (const option of declared) {
      if (!option.flags.includes(name)) continue;
      const flags = optionFlags(option);
      if (flags.long === name || flags.short === name) return [option, flags];
    }
    return undefined;
  };
  const args: string[] = [];
  const given: OptionSpec[] = [];
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i];
    if (word === "--") {
      args.push(...rest.slice(i + 1));
      break;
    }
    if (!word.startsWith("-") || word === "-") {
      args.push(word);
      continue;
    }
    const eq = word.startsWith("--") ? word.indexOf("=") : -1;
    const name = eq > 0 ? word.slice(0, eq) : word;
    const found = byName(name);
    if (!found) return undefined; // unknown option, -h, --help, clusters: commander's job
    const [option, flags] = found;
    given.push(option);
    if (!flags.takesValue) {
      if (eq > 0) return undefined;
      options[flags.key] = true;
      continue;
    }
    let text: string;
    if (eq > 0) text = word.slice(eq + 1);
    else {
      if (i + 1 >= rest.length) return undefined;
      text = rest[++i];
    }
    let value: string | number | bigint;
    try {
      value = convertValue(option, text);
    } catch {
      return undefined; // commander says what is wrong with it
    }
    if (option.kind === "list") (options[flags.key] as unknown[]).push(value);
    else options[flags.key] = value;
  }
  for (const option of given) {
    for (const other of option.conflicts ?? []) {
      if (given.some((g) => optionFlags(g).long === other)) return undefined;
    }
  }
  const declaredArgs = spec.args ?? [];
  const required = declaredArgs.filter((a) => a.required).length;
  const variadic = declaredArgs.some((a) => a.variadic);
  if (args.length < required) return undefined;
  if (!variadic && args.length > declaredArgs.length) return undefined;
  if (exec && !spec.exec) return undefined;
  const dir = options.runtimeDir;
  const runtimeDir = checkRuntimeDirOption(typeof dir === "string" ? dir : undefined);
  delete options.runtimeDir;
  return { args, options, exec, runtimeDir };
}

/**
 * A command that reads its own arguments: `--runtime-dir DIR` (or `=DIR`) is taken out wherever
 * it is, as every other command takes it, and the rest is the command's.
 */
function parseRaw(rest: string[], exec?: string[]): Invocation | undefined {
  if (exec || rest.includes("--help") || rest.includes("-h")) return undefined;
  let runtimeDir: string | undefined;
  const args: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === "--runtime-dir") {
      if (i + 1 >= rest.length) return undefined;
      runtimeDir = rest[++i];
    } else if (rest[i].startsWith("--runtime-dir=")) {
      runtimeDir = rest[i].slice("--runtime-dir=".length);
    } else args.push(rest[i]);
  }
  return { args, options: {}, runtimeDir: checkRuntimeDirOption(runtimeDir) };
}

/**
 * Rewrites a command's numeric flags (`-5` for `--count 5`, see
 * {@linkcode CommandSpec.numericFlag}) into the long option, before `--`. The value of an option
 * (`--object -5`, `--timeout -1`) is left as it is: it is that option's, not a count.
 */
export function expandNumericFlags(spec: CommandSpec, words: string[]): string[] {
  const flag = spec.numericFlag;
  if (!flag) return words;
  const takesValue = new Set<string>();
  for (const option of [...(spec.options ?? []), ...GLOBAL_OPTIONS]) {
    const flags = optionFlags(option);
    if (!flags.takesValue) continue;
    takesValue.add(flags.long);
    if (flags.short) takesValue.add(flags.short);
  }
  const out = [...words];
  for (let i = 0; i < out.length; i++) {
    const word = out[i];
    if (word === "--") break;
    if (takesValue.has(word)) {
      i++; // its value, whatever it looks like
      continue;
    }
    if (
      word.length > 1 && word[0] === "-" && [...word.slice(1)].every((c) => c >= "0" && c <= "9")
    ) {
      out[i] = `${flag}=${word.slice(1)}`;
    }
  }
  return out;
}
