/**
 * `ipckit copy [FILE…] [--pboard NAME] [--type T] [--rep TYPE=FILE…] [--text TEXT]
 * [--trim-newline] [--append] [--paste-once] [--clear] [--local]`: writes to a pasteboard, as `pbcopy` does.
 * Standard input (or `--text`) when no file; each FILE is one item (its content, typed by its
 * extension, and its file URL; never taken as text); `--rep` builds one item with several
 * representations. Standard input's type is inferred only from unmistakable
 * content: valid UTF-8 is text; PNG, JPEG, GIF and PDF by their magic; anything else is
 * `public.data`.
 *
 * Also here: the `pbcopy`/`pbpaste` habits `-pboard NAME` and `-Prefer txt|rtf|ps`, rewritten
 * before option parsing ({@linkcode rewriteHabits}).
 *
 * @module
 */

import type { CommandSpec } from "../_spec.ts";
import { PBOARD_OPTION, PRIMARY_OPTION } from "./_pboard.ts";
import { UsageError } from "../_errors.ts";

/** `ipckit copy`. */
export const spec = {
  name: "copy",
  summary: "Write standard input or files to a pasteboard (pbcopy)",
  args: [{
    name: "file",
    description:
      "files to copy, one item each, never text (text: --text or standard input; default: standard input)",
    variadic: true,
  }],
  options: [
    PBOARD_OPTION,
    {
      flags: "--type <type>",
      description: "the type of the data, a UTI or MIME type (default: inferred)",
    },
    {
      flags: "--rep <type=file>",
      description: "a representation of one item (repeat it; - is standard input)",
      kind: "list",
    },
    { flags: "--text <text>", description: "copy this text (instead of standard input)" },
    {
      flags: "--trim-newline",
      description: "leave out the last newline of standard input or --text (wl-copy -n)",
    },
    { flags: "--append", description: "add the items after those held instead of replacing" },
    {
      flags: "--paste-once",
      description:
        "the broker empties the pasteboard after the first paste (for secrets; kept off the desktop)",
    },
    { flags: "--clear", description: "empty the pasteboard" },
    { flags: "--local", description: "do not publish to the desktop clipboard" },
    PRIMARY_OPTION,
    {
      flags: "--json",
      description: "print the change count (and desktop type) as JSON",
      conflicts: ["--yaml"],
    },
    {
      flags: "--yaml",
      description: "print the change count (and desktop type) as YAML",
      conflicts: ["--json"],
    },
  ],
  examples: [
    "ipckit copy < notes.txt              # standard input, typed by its content",
    "echo hello | ipckit copy",
    "ipckit copy --text 'hello world'       # text from the command line (FILE… are files)",
    "pwd | ipckit copy --trim-newline       # without the newline at the end",
    "ipckit copy --rep public.html=page.html --rep text/plain=page.txt  # one item, two types",
    "ipckit copy photo.png notes.txt      # two items, each with its file URL",
    "ipckit copy --pboard find <<<'needle'",
    "ipckit copy --primary --text 'middle-click me'   # the primary selection",
    "ipckit copy -pboard find <<<'needle' # the pbcopy spelling",
    "ipckit copy --type image/png < shot.png",
    "ipckit copy --clear",
    "pass show mail | ipckit copy --paste-once   # gone after one paste",
  ],
} as const satisfies CommandSpec;

/** pbpaste's `-Prefer` words and their types. */
export const PREFER: Record<string, string> = {
  txt: "public.utf8-plain-text",
  rtf: "public.rtf",
  ps: "com.adobe.postscript",
};

/**
 * Rewrites the `pbcopy`/`pbpaste` spellings `-pboard NAME` and `-Prefer txt|rtf|ps` into
 * `--pboard NAME` and `--prefer txt|rtf|ps` for the `copy` and `paste` commands; other command
 * lines come back unchanged.
 */
export function rewriteHabits(argv: string[]): string[] {
  let i = 0;
  while (i < argv.length && argv[i].startsWith("--runtime-dir")) {
    i += argv[i] === "--runtime-dir" ? 2 : 1;
  }
  const command = argv[i];
  if (command !== "copy" && command !== "paste") return argv;
  if (!argv.includes("-pboard") && !argv.includes("-Prefer")) return argv;
  const out = argv.slice(0, i + 1);
  for (let k = i + 1; k < argv.length; k++) {
    const word = argv[k];
    if (word === "--" || word === "--exec") {
      out.push(...argv.slice(k));
      break;
    }
    if (word === "-pboard") out.push("--pboard");
    else if (word === "-Prefer" && command === "paste") {
      out.push("--prefer");
      const value = argv[k + 1];
      if (value !== undefined) {
        if (!Object.hasOwn(PREFER, value)) {
          throw new UsageError(`-Prefer takes txt, rtf or ps, not "${value}"`);
        }
        out.push(value); // --prefer takes pbpaste's words too (see paste_run.ts)
        k++;
      }
    } else out.push(word);
  }
  return out;
}
