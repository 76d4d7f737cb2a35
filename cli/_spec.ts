/**
 * How a subcommand describes itself. `cli/main.ts` reads these declarations twice: its small
 * fast parser handles the ordinary, valid command line without loading anything heavy, and when
 * something needs more (help, a usage error, suggestions, completions) it builds a commander
 * program from the very same declarations. One declaration, so the two never disagree.
 *
 * @module
 */

/**
 * How an option's value is parsed and checked, by both parsers:
 *
 * - `"integer"`: a whole number (a `number`), within `min`…`max` when they are given;
 * - `"number"`: a finite number, within `min`…`max`;
 * - `"uint64"`: an integer in 0…2^64-1, decimal or `0x` hexadecimal (a `bigint`);
 * - `"duration"`: seconds (`1.5`) or a number with a unit (`500ms`, `2s`, `5m`, `1h`), as a
 *   number of seconds ≥ 0, within `min`…`max`;
 * - `"list"`: every occurrence collected into an array of strings (`[]` when absent).
 *
 * Absent: a string for an option that takes a value (one of `choices` when they are given), a
 * boolean for one that does not.
 */
export type OptionKind = "integer" | "number" | "uint64" | "duration" | "list";

/**
 * Names a shell completes from the runtime directory at completion time: the live ports, the
 * pasteboards, the notification names that have a state.
 */
export type Completable = "ports" | "pasteboards" | "notifications";

/** One option of a command. */
export interface OptionSpec {
  /**
   * Commander-style flags: `"--json"`, `"-o, --output <file>"`, `"--count <n>"`. A value
   * placeholder in `<…>` makes the option take a value.
   */
  readonly flags: string;
  /** One line for `--help`. */
  readonly description: string;
  /** How the value is parsed and checked; see {@linkcode OptionKind}. */
  readonly kind?: OptionKind;
  /** The smallest value an `"integer"`, `"number"` or `"duration"` takes. */
  readonly min?: number;
  /** The largest value an `"integer"`, `"number"` or `"duration"` takes. */
  readonly max?: number;
  /** The only values accepted. */
  readonly choices?: readonly string[];
  /** The long flags of options this one cannot be given with, as `["--yaml"]`. */
  readonly conflicts?: readonly string[];
  /** The value when the option is absent. */
  readonly default?: string | number | boolean;
  /** Left out of help and completions (for options other programs pass). @default {false} */
  readonly hidden?: boolean;
  /** What the shell completes its value from, as `"pasteboards"`. */
  readonly complete?: Completable;
}

/** The long name in an option's flags: `"-o, --ready-file <path>"` → `"ready-file"`. */
type LongName<F extends string> = F extends `${string}--${infer Rest}`
  ? Rest extends `${infer Name} ${string}` ? Name : Rest
  : never;

/** `ready-file` → `readyFile`. */
type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** The key of an option in {@linkcode Invocation.options}: its camel-cased long name. */
export type OptionKey<F extends string> = CamelCase<LongName<F>>;

/** The type of an option's value, from its declaration. */
export type OptionValue<O extends OptionSpec> = O extends
  { kind: "integer" | "number" | "duration" } ? number
  : O extends { kind: "uint64" } ? bigint
  : O extends { kind: "list" } ? string[]
  : O extends { choices: readonly (infer C)[] } ? C
  : O["flags"] extends `${string}<${string}>${string}` ? string
  : boolean;

/** The options of a declaration, each typed by its kind; those with a value when absent are always there. */
export type OptionsOf<S extends CommandSpec> = S["options"] extends readonly OptionSpec[] ?
    & {
      readonly [
        O in S["options"][number] as O extends { default: unknown } | { kind: "list" } ? never
          : OptionKey<O["flags"]>
      ]?: OptionValue<O>;
    }
    & {
      readonly [
        O in S["options"][number] as O extends { default: unknown } | { kind: "list" }
          ? OptionKey<O["flags"]>
          : never
      ]: OptionValue<O>;
    }
  : Record<never, never>;

/** One positional argument of a command. */
export interface ArgSpec {
  /** The placeholder shown in usage, such as `"file"`. */
  readonly name: string;
  /** One line for `--help`. */
  readonly description: string;
  /** Whether the argument must be given. @default {false} */
  readonly required?: boolean;
  /** Whether it takes every remaining argument. @default {false} */
  readonly variadic?: boolean;
  /** What the shell completes it from, as `"ports"`. */
  readonly complete?: Completable;
}

/** The declaration of a subcommand: its name, usage, options and examples. */
export interface CommandSpec {
  /** The words that select it: `"sdp"`, or `"daemon status"` for a nested command. */
  readonly name: string;
  /** One line: what it does, and its macOS counterpart where there is one. */
  readonly summary: string;
  /** Positional arguments, in order. */
  readonly args?: readonly ArgSpec[];
  /** Options, besides the global ones (`--runtime-dir`, `--help`). */
  readonly options?: readonly OptionSpec[];
  /** Example command lines, each optionally followed by `  # what it does`. */
  readonly examples: readonly string[];
  /** Whether the command takes `--exec CMD ARGS…` as its last option. @default {false} */
  readonly exec?: boolean;
  /**
   * The long flag that a dash and a number stands for, as notifyutil's `-1 NAME` (wait for one):
   * with `"--count"`, `-5` is `--count 5`.
   */
  readonly numericFlag?: string;
  /**
   * Whether the command reads its arguments itself, as a peer tool's command line it mimics
   * (`ipckit notifyutil -1 a -p a`): every word after the command's name is a positional
   * argument, but `--help`. @default {false}
   */
  readonly raw?: boolean;
}

/**
 * A parsed command line, handed to a command's function. A command that declares its spec
 * `as const satisfies CommandSpec` takes an {@linkcode InvocationOf} its spec, whose options are
 * typed by their kinds; a plain `Invocation` has them `unknown`.
 */
export interface Invocation<O extends object = Record<string, unknown>> {
  /** Positional arguments. */
  readonly args: string[];
  /** Options by camel-cased long name (`--ready-file` → `readyFile`), converted per their kind. */
  readonly options: O;
  /** Everything after `--exec`, when the command takes it and it was given. */
  readonly exec?: string[];
  /** `--runtime-dir`, when given. */
  readonly runtimeDir?: string;
}

/** The invocation of a declared command, its options typed: `InvocationOf<typeof spec>`. */
export type InvocationOf<S extends CommandSpec> = Invocation<OptionsOf<S>>;

/** A command's function, its invocation typed by its declaration `S`. */
export type RunOf<S extends CommandSpec> = (invocation: InvocationOf<S>) => Promise<number>;

/** A subcommand: its declaration and the function that runs it and returns the exit code. */
export interface Command {
  /** The declaration. */
  readonly spec: CommandSpec;
  /** Runs the command; returns the exit code, or throws (cli/main.ts maps errors to codes). */
  run(invocation: Invocation): Promise<number>;
}
