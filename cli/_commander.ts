/**
 * The full command line, on commander: built from the same declarations the fast parser reads,
 * and loaded only when it is needed — help, usage errors with "did you mean" suggestions,
 * shell completions (`@bomb.sh/tab`).
 *
 * @module
 */

import { Command as Commander, CommanderError, InvalidArgumentError, Option } from "commander";
import tab from "@bomb.sh/tab/commander";
import type { Command, Invocation, OptionSpec } from "./_spec.ts";
import { type CompletionNames, readCompletionNames } from "./_completion_names.ts";
import { checkRuntimeDirOption, convertValue, GLOBAL_OPTIONS, optionFlags } from "./_parse.ts";
import { IPCKIT_VERSION } from "../lib/transport/protocol.ts";
import { writeStdout } from "./_io.ts";

const EXIT_CODES = `Exit codes:
  0 success · 1 failure · 2 usage error · 3 not found (no such port, app, type; no broker)
  124 timed out · 130 interrupted`;

/**
 * Commander's error as one line, as every ipckit error is: `error: unknown command 'stauts'\n(Did
 * you mean status?)` → `ipckit: unknown command 'stauts'; did you mean status?`.
 */
function oneLine(text: string): string {
  const [first, ...more] = text.trim().replace(/^error: /, "")
    // "option '-c, --count <n>' argument '0' is invalid. must be at least 1."
    .replace(
      /^option '(?:-\w, )?(--[\w-]+)[^']*' argument '(.*)' is invalid\. (.*?)\.?$/m,
      "invalid $1 '$2': $3",
    )
    .split("\n");
  const hint = more.join(" ").trim().replace(/^\((.*)\)$/, "$1");
  return `ipckit: ${first}${hint ? `; ${hint.charAt(0).toLowerCase()}${hint.slice(1)}` : ""}`;
}

function examples(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((line) => `  $ ${line}`).join("\n")}\n`;
}

function toOption(spec: OptionSpec): Option {
  const option = new Option(spec.flags, spec.description);
  if (spec.choices) option.choices(spec.choices);
  if (spec.hidden) option.hideHelp();
  if (spec.kind === "list") {
    // No commander default: help would show "(default: [])"; the action fills it in.
    option.argParser((text: string, previous: string[] | undefined) => [...(previous ?? []), text]);
  } else if (spec.kind) {
    option.argParser((text: string) => {
      try {
        return convertValue(spec, text);
      } catch (error) {
        throw new InvalidArgumentError(`${(error as Error).message}.`);
      }
    });
  }
  if (spec.conflicts) {
    option.conflicts(
      spec.conflicts.map((flag) => optionFlags({ flags: flag, description: "" }).key),
    );
  }
  if (spec.default !== undefined) option.default(spec.default);
  return option;
}

/**
 * Builds the commander program for the declared commands.
 *
 * @param commands every command.
 * @param onRun called with the chosen command and its invocation.
 */
export function buildProgram(
  commands: readonly Command[],
  onRun: (command: Command, invocation: Invocation) => Promise<void>,
  exec?: string[],
  names?: CompletionNames,
): Commander {
  const program = new Commander("ipckit")
    .description(
      "Inter-process communication and app scripting, the macOS way: distributed notifications, message ports, pasteboards, scriptable apps. The broker starts itself on demand.",
    )
    .version(`ipckit ${IPCKIT_VERSION}`, "-V, --version")
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`${oneLine(text)}\n`),
    })
    .showSuggestionAfterError(true)
    .configureHelp({ sortSubcommands: false })
    .addHelpText("after", `\n${EXIT_CODES}\n`);
  for (const option of GLOBAL_OPTIONS) program.addOption(toOption(option));

  const groups = new Map<string, Commander>();
  for (const command of commands) {
    const words = command.spec.name.split(" ");
    let parent: Commander = program;
    for (const word of words.slice(0, -1)) {
      let group = groups.get(word);
      if (!group) {
        group = parent.command(word).description(`${word} commands`);
        groups.set(word, group);
      }
      parent = group;
    }
    const spec = command.spec;
    const leaf = parent.command(words.at(-1)!).description(spec.summary);
    for (const arg of spec.args ?? []) {
      const name = `${arg.name}${arg.variadic ? "..." : ""}`;
      leaf.argument(arg.required ? `<${name}>` : `[${name}]`, arg.description);
    }
    for (const option of [...(spec.options ?? []), ...GLOBAL_OPTIONS]) {
      leaf.addOption(toOption(option));
    }
    if (spec.exec) {
      leaf.addOption(
        new Option(
          "--exec <command...>",
          "the command to run; everything after --exec is the command and its arguments (always last)",
        ),
      );
    }
    if (spec.raw) leaf.allowUnknownOption().allowExcessArguments();
    leaf.addHelpText("after", examples(spec.examples));
    leaf.action(async (...values: unknown[]) => {
      const self = values.at(-1) as Commander;
      const options = { ...(self.opts() as Record<string, unknown>) };
      for (const option of spec.options ?? []) {
        const { key, long } = optionFlags(option);
        if (option.kind === "list") options[key] ??= [];
        else if (long.startsWith("--no-")) {
          // commander reads `--no-newline` as `newline: false` (true when absent); the command
          // gets it as the fast parser gives it, `noNewline: true`.
          const negated = optionFlags({ flags: `--${long.slice(5)}`, description: "" }).key;
          if (options[negated] === false) options[key] = true;
          delete options[negated];
        }
      }
      const args = (values.slice(0, -2) as (string | string[] | undefined)[])
        .flatMap((v) => v === undefined ? [] : v);
      const given = options.runtimeDir ?? program.opts().runtimeDir;
      const runtimeDir = checkRuntimeDirOption(typeof given === "string" ? given : undefined);
      delete options.runtimeDir;
      delete options.exec;
      await onRun(command, { args, options, exec, runtimeDir });
    });
  }
  for (const [word, group] of groups) {
    const members = commands.filter((c) => c.spec.name.startsWith(`${word} `));
    group.addHelpText("after", examples(members.flatMap((c) => c.spec.examples.slice(0, 1))));
  }
  const completion = tab(program, { completionCommandName: "completions" });
  if (names) {
    // Arguments and options that name a port, a pasteboard or a notification complete from the
    // names read for this request (tab's handlers are synchronous).
    for (const { spec } of commands) {
      const target = completion.commands.get(spec.name);
      for (const arg of spec.args ?? []) {
        const found = arg.complete && target?.arguments.get(arg.name);
        if (found) {
          found.handler = (complete) => names[arg.complete!].forEach((n) => complete(n, ""));
        }
      }
      for (const option of spec.options ?? []) {
        const found = option.complete &&
          target?.options.get(optionFlags(option).long.slice(2));
        if (found) {
          found.handler = (complete) => names[option.complete!].forEach((n) => complete(n, ""));
        }
      }
    }
  }
  const completions = program.commands.find((c) => c.name() === "completions");
  completions?.addHelpText(
    "after",
    examples([
      "ipckit completions bash > ~/.local/share/bash-completion/completions/ipckit",
      'ipckit completions zsh > "${fpath[1]}/_ipckit"',
      "ipckit completions fish > ~/.config/fish/completions/ipckit.fish",
    ]),
  );
  return program;
}

/**
 * Parses and runs a command line with commander.
 *
 * @returns the exit code: the command's, 0 after help or the version, 2 after a usage error
 * (commander has printed it, with a suggestion where it has one).
 */
export async function runWithCommander(
  argv: string[],
  commands: readonly Command[],
  exec?: string[],
): Promise<number> {
  let code = 0;
  const names = argv[0] === "complete" ? await readCompletionNames(runtimeDirIn(argv)) : undefined;
  const program = buildProgram(
    commands,
    async (command, invocation) => {
      code = await command.run(invocation);
    },
    exec,
    names,
  );
  if (argv[0] === "completions" && argv.length === 2 && !argv[1].startsWith("-")) {
    return await writeCompletionScript(program, argv);
  }
  // `ipckit frobnicate --help` is an unknown command, not a request for the main help.
  if (namesUnknownCommand(program, argv)) {
    argv = argv.filter((word) => word !== "--help" && word !== "-h");
  }
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      const ok = error.code === "commander.helpDisplayed" || error.code === "commander.version" ||
        error.exitCode === 0;
      return ok ? 0 : 2;
    }
    throw error;
  }
  return code;
}

/** Whether the command line names a command that does not exist, where commands are expected. */
function namesUnknownCommand(program: Commander, argv: string[]): boolean {
  let current = program;
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i];
    if (word === "--runtime-dir") i++;
    if (word === "--" || current.commands.length === 0) return false;
    if (word.startsWith("-")) continue;
    const next = current.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!next) return word !== "help";
    current = next;
  }
  return false;
}

/** The `--runtime-dir` in a command line being completed, if it has one. */
function runtimeDirIn(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--runtime-dir") return argv[i + 1];
    if (argv[i].startsWith("--runtime-dir=")) return argv[i].slice("--runtime-dir=".length);
  }
  return undefined;
}

/**
 * Prints `ipckit completions SHELL`: tab's script, which it writes with `console.log` (so it is
 * caught here), made safe to source twice and, for bash, independent of bash-completion.
 */
async function writeCompletionScript(program: Commander, argv: string[]): Promise<number> {
  const parts: string[] = [];
  const log = console.log;
  console.log = (...data: unknown[]) => parts.push(data.join(" "));
  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  } finally {
    console.log = log;
  }
  const script = parts.join("\n");
  const fixed = argv[1] === "bash"
    ? fixBashScript(script)
    : argv[1] === "zsh"
    ? fixZshScript(script)
    : script;
  await writeStdout(`${fixed}\n`);
  return 0;
}

/**
 * tab's zsh script, fixed: it hands the candidates to `_describe` with `-Q`, which inserts them
 * unquoted, so a port named ``a`touch x` `` went onto the command line as a command
 * substitution and a quote in a name left the line open. Without it, zsh quotes what it inserts.
 */
function fixZshScript(script: string): string {
  const describe =
    'eval _describe $keepOrder "completions" completions -Q ${flagPrefix} ${noSpace}';
  if (!script.includes(describe)) throw new Error("tab's zsh script changed: check fixZshScript");
  return script.replace(describe, describe.replace(" -Q", ""));
}

/**
 * tab's bash script, fixed: its directive constants are `readonly` globals (sourcing the script
 * twice, or after another tab-made script, fails), so they become ipckit's own plain variables;
 * and it calls bash-completion's `_get_comp_words_by_ref` unconditionally, so without
 * bash-completion it falls back to bash's own `COMP_WORDS`. It also filtered the candidates with
 * `compgen -W`, which expands each word: a port named `$(touch x)` ran that command at a Tab,
 * and quotes in names were lost. So they are matched as plain strings and put in quoted.
 */
function fixBashScript(script: string): string {
  const filter = '    COMPREPLY=( $(compgen -W "${completions[*]}" -- "$cur") )';
  if (!script.includes(filter)) throw new Error("tab's bash script changed: check fixBashScript");
  return script
    .replace(
      filter,
      [
        "    COMPREPLY=()",
        "    local value quoted",
        '    for value in "${completions[@]}"; do',
        "        [[ -n $value ]] || continue",
        "        printf -v quoted '%q' \"$value\"",
        '        if [[ $value == "$cur"* || $quoted == "$cur"* ]]; then',
        '            COMPREPLY+=("$quoted")',
        "        fi",
        "    done",
      ].join("\n"),
    )
    .replace(/^readonly (ShellCompDirective)/gm, "__ipckit_$1")
    .replace(/\$(?=ShellCompDirective)/g, "$__ipckit_")
    .replace(
      /^( *)_get_comp_words_by_ref -n "=:" cur prev words cword$/m,
      [
        "$1if declare -F _get_comp_words_by_ref >/dev/null; then",
        '$1    _get_comp_words_by_ref -n "=:" cur prev words cword',
        "$1else",
        '$1    words=("${COMP_WORDS[@]}")',
        "$1    cword=$COMP_CWORD",
        '$1    cur="${COMP_WORDS[COMP_CWORD]}"',
        '$1    prev="${COMP_WORDS[COMP_CWORD-1]}"',
        "$1fi",
      ].join("\n"),
    );
}
