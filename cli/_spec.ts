/**
 * How a subcommand describes itself. `cli/main.ts` reads these declarations twice: its small
 * fast parser handles the ordinary, valid command line without loading anything heavy, and when
 * something needs more (help, a usage error, suggestions, completions) it builds a commander
 * program from the very same declarations. One declaration, so the two never disagree.
 *
 * @module
 */

/** One option of a command. */
export interface OptionSpec {
  /**
   * Commander-style flags: `"--json"`, `"-o, --output <file>"`, `"--count <n>"`. A value
   * placeholder in `<…>` makes the option take a value.
   */
  readonly flags: string;
  /** One line for `--help`. */
  readonly description: string;
  /**
   * How the value is parsed: `"integer"` and `"number"` are checked and converted; `"list"`
   * collects every occurrence into an array. Absent: a string (or a boolean without a value).
   */
  readonly kind?: "integer" | "number" | "list";
  /** The only values accepted. */
  readonly choices?: readonly string[];
  /** The value when the option is absent. */
  readonly default?: string | number | boolean;
  /** Left out of help and completions (for options other programs pass). @default {false} */
  readonly hidden?: boolean;
}

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
}

/** A parsed command line, handed to a command's function. */
export interface Invocation {
  /** Positional arguments. */
  readonly args: string[];
  /** Options by camel-cased long name (`--ready-file` → `readyFile`), converted per their kind. */
  readonly options: Record<string, unknown>;
  /** Everything after `--exec`, when the command takes it and it was given. */
  readonly exec?: string[];
  /** `--runtime-dir`, when given. */
  readonly runtimeDir?: string;
}

/** A subcommand: its declaration and the function that runs it and returns the exit code. */
export interface Command {
  /** The declaration. */
  readonly spec: CommandSpec;
  /** Runs the command; returns the exit code, or throws (cli/main.ts maps errors to codes). */
  run(invocation: Invocation): Promise<number>;
}
