/**
 * `ipckit paste [--pboard NAME] [--type T] [--prefer T…] [--list-types [--mime]] [--item N]
 * [--all] [--change-count] [--json|--yaml] [--local] [--force] [--watch [--ready-file PATH]
 * [--exec CMD ARGS…]]`: reads a pasteboard, as `pbpaste` does. A type that is not there, or an
 * empty pasteboard, exits 3 with a message naming what is there, and prints nothing on standard
 * output. A bare `paste` gives the first item; `--all` every item. Binary data is not printed
 * to a terminal unless `--force`.
 *
 * @module
 */

import type { CommandSpec } from "../_spec.ts";
import { PBOARD_OPTION, PRIMARY_OPTION } from "./_pboard.ts";

/** `ipckit paste`. */
export const spec = {
  name: "paste",
  summary: "Print what a pasteboard holds (pbpaste)",
  options: [
    PBOARD_OPTION,
    { flags: "--type <type>", description: "the type to read, a UTI or MIME type" },
    {
      flags: "--prefer <type>",
      description:
        "types in order of preference (repeat it, or separate with commas); pbpaste's txt, rtf, ps fall back to text",
      kind: "list",
    },
    { flags: "--list-types", description: "print the types held, one UTI a line" },
    { flags: "--mime", description: "with --list-types: print MIME types instead" },
    {
      flags: "--item <n>",
      description: "read this item only (default: the first; 0 is the first)",
      kind: "integer",
      min: 0,
    },
    {
      flags: "--all",
      description: "print every item: NUL-separated, or one JSON line each with --json",
    },
    { flags: "--change-count", description: "print the change count" },
    {
      flags: "--json",
      description: "print JSON (JSON Lines with --watch or --all); data as base64, streamed",
      conflicts: ["--yaml"],
    },
    {
      flags: "--yaml",
      description: "print YAML (a document each with --watch or --all); data as !!binary, streamed",
      conflicts: ["--json"],
    },
    { flags: "--force", description: "print binary data even to a terminal" },
    {
      flags: "-n, --no-newline",
      description: "with --watch: add no newline after each change (a bare paste adds none)",
    },
    { flags: "--local", description: "read the broker's pasteboard, not the desktop clipboard" },
    PRIMARY_OPTION,
    { flags: "--watch", description: "print (or run --exec with) the contents on every change" },
    {
      flags: "--ready-file <path>",
      description: "with --watch: create this file once watching",
    },
  ],
  exec: true,
  examples: [
    "ipckit paste",
    "ipckit paste --type public.html",
    "ipckit paste --prefer text/html --prefer text/plain",
    "ipckit paste --type image/png > shot.png || echo 'no image'   # exit 3 when missing",
    "ipckit paste --all | xargs -0 -n1 echo   # every item, NUL-separated",
    "ipckit paste --list-types --mime",
    "ipckit paste -pboard find          # the pbpaste spelling",
    "ipckit paste --primary             # the primary selection (what middle-click pastes)",
    "ipckit paste -Prefer rtf",
    "ipckit paste --watch --exec sh -c 'wc -c'   # once per change, contents on stdin",
  ],
} as const satisfies CommandSpec;
