/**
 * `ipckit sdp FILE|- [--basename NAME] [-o OUT.ts] [--hidden] [--import SPECIFIER]
 * [--name NAME] [--bundle-id ID]`: turns a scripting definition into a typed TypeScript bridge
 * module, as `sdp -fh --basename X` turns one into a Scripting Bridge header on macOS; the
 * module's `application()` connects to the running app by bundle id, else by name.
 *
 * @module
 */

import type { CommandSpec } from "../_spec.ts";

/** `ipckit sdp`. */
export const spec = {
  name: "sdp",
  summary: "Generate a typed TypeScript bridge from a scripting definition (sdp -fh)",
  args: [{
    name: "file",
    description: "the scripting definition (.sdef) to read (- for standard input)",
    required: true,
  }],
  options: [
    {
      flags: "--basename <name>",
      description: "prefix of the generated type names (default: the file's name, as in NotesNote)",
    },
    {
      flags: "-o, --output <file>",
      description: "write the module to this file instead of standard output",
    },
    {
      flags: "--hidden",
      description: "keep terms the definition marks hidden (left out by default)",
    },
    {
      flags: "--import <specifier>",
      description:
        'where the module imports ipckit\'s bridge types and runtime from (default "ipckit/scripting/bridge.ts")',
    },
    {
      flags: "--name <name>",
      description: "the app's name, which application() connects to (default: the basename)",
    },
    {
      flags: "--bundle-id <id>",
      description: "the app's bundle id, which application() connects to first",
    },
  ],
  examples: [
    "ipckit sdp Notes.sdef --basename Notes -o notes.ts  # write a bridge whose types are NotesNote, …",
    "ipckit sdp - --basename Notes < Notes.sdef > notes.ts  # from standard input",
    "ipckit sdp Finder.sdef --hidden -o finder.ts  # keep hidden terms too",
    "ipckit sdp Mail.sdef --import ../ipckit/lib/scripting/bridge.ts -o mail.ts  # in another project",
    "ipckit sdp Notes.sdef --bundle-id com.example.Notes -o notes.ts  # application() finds it by id",
  ],
} as const satisfies CommandSpec;
