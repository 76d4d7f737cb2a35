/**
 * `ipckit tell [-e LINE]… [FILE | -] [ARG…]`, `ipckit tell --app APP 'COMMANDS' [ARG…]`: runs
 * an AppleScript-like script against ipckit's scriptable apps with osascript's command line
 * (`-e`, a file or `-`, `-s h|s|e|o`, script arguments to `on run argv`); `--check` compiles
 * without running, as osacompile.
 *
 * @module
 */

import type { CommandSpec } from "../_spec.ts";

/** `ipckit tell`. */
export const spec = {
  name: "tell",
  summary: "Run an AppleScript against scriptable apps, with osascript's command line",
  args: [{
    name: "script",
    description:
      "-e LINE one line of script (repeatable; lines joined) · FILE or - (standard input) the script · -a, --app APP 'COMMANDS' the same as tell application \"APP\" to COMMANDS · -s FLAGS output: h human (default), s source form, e errors to standard error (default), o errors to standard output (combinable: -ss, -s so) · --json the result (or the error) as JSON · --check compile without running (osacompile) · --sdef APP=FILE compile APP's terms from FILE (repeatable) · ARG… after the script: the arguments of on run argv",
    variadic: true,
  }],
  raw: true,
  examples: [
    `ipckit tell -e 'tell application "Notes" to get name of every note whose body contains "milk"'`,
    "ipckit tell --app Notes 'get name of note 1'   # the same as tell application \"Notes\" to …",
    'ipckit tell -ss -e \'tell application "Notes" to get every note\'   # source form: {note id "…" of application "Notes", …}',
    'ipckit tell script.applescript one two   # on run argv gets {"one", "two"}',
    "echo 'return 6 * 7' | ipckit tell -   # the script from standard input",
    "ipckit tell --check --sdef Finder=Finder.sdef script.applescript   # compile only, Finder's terms from a file",
    'ipckit tell --json -e \'{name:"x", size:3}\'   # {"name":"x","size":3}',
  ],
} as const satisfies CommandSpec;
