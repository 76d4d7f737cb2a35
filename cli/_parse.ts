/**
 * The fast command-line parser: it handles the ordinary, valid command line of a declared
 * command without loading commander, and gives up (returns `undefined`) on anything it is not
 * sure of — help, an unknown option, a bad value, a missing argument — so that commander, built
 * from the same declarations, can answer with its help, errors and suggestions.
 *
 * @module
 */

import type { Command, CommandSpec, Invocation, OptionSpec } from "./_spec.ts";

/** Options every command accepts. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  {
    flags: "--runtime-dir <dir>",
    description:
      "the runtime directory (default: IPCKIT_RUNTIME_DIR, XDG_RUNTIME_DIR/ipckit, /tmp/ipckit-UID)",
  },
];

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

/** Takes an option's flags apart: `"-o, --output <file>"`. */
export function optionFlags(spec: OptionSpec): OptionFlags {
  const long = /--[a-z0-9][a-z0-9-]*/i.exec(spec.flags)?.[0];
  if (!long) throw new TypeError(`option without a long name: ${spec.flags}`);
  const short = /(?:^|[\s,])(-[a-zA-Z0-9])(?=[\s,]|$)/.exec(spec.flags)?.[1];
  const key = long.slice(2).replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  return { long, short, key, takesValue: /<[^>]+>/.test(spec.flags) };
}

/** Converts an option's text value per its kind; `undefined` when it does not fit. */
export function convertValue(spec: OptionSpec, text: string): string | number | undefined {
  if (spec.choices && !spec.choices.includes(text)) return undefined;
  if (spec.kind === "integer") {
    if (!/^-?\d+$/.test(text)) return undefined;
    const n = Number(text);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  if (spec.kind === "number") {
    const n = Number(text);
    return text.trim() === "" || !Number.isFinite(n) ? undefined : n;
  }
  return text;
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
  const declared = [...(spec.options ?? []), ...GLOBAL_OPTIONS];
  const byName = new Map<string, [OptionSpec, OptionFlags]>();
  for (const option of declared) {
    const flags = optionFlags(option);
    byName.set(flags.long, [option, flags]);
    if (flags.short) byName.set(flags.short, [option, flags]);
  }
  const options: Record<string, unknown> = {};
  for (const option of declared) {
    const flags = optionFlags(option);
    if (option.default !== undefined) options[flags.key] = option.default;
    else if (option.kind === "list") options[flags.key] = [];
  }
  const args: string[] = [];
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
    const found = byName.get(name);
    if (!found) return undefined; // unknown option, -h, --help, clusters: commander's job
    const [option, flags] = found;
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
    const value = convertValue(option, text);
    if (value === undefined) return undefined;
    if (option.kind === "list") (options[flags.key] as unknown[]).push(value);
    else options[flags.key] = value;
  }
  const declaredArgs = spec.args ?? [];
  const required = declaredArgs.filter((a) => a.required).length;
  const variadic = declaredArgs.some((a) => a.variadic);
  if (args.length < required) return undefined;
  if (!variadic && args.length > declaredArgs.length) return undefined;
  if (exec && !spec.exec) return undefined;
  const runtimeDir = options.runtimeDir as string | undefined;
  delete options.runtimeDir;
  return { args, options, exec, runtimeDir };
}
