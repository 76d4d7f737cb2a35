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
