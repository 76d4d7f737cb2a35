/**
 * `ipckit listen [NAME|GLOB…] [--object S] [--count N] [--timeout SECONDS] [--json|--yaml]
 * [--suspension drop|coalesce|hold|immediate] [--queue-limit N] [--ready-file PATH]
 * [--exec CMD ARGS…]`: prints distributed notifications as they arrive (`notifyutil -w`), or
 * runs a command for each.
 *
 * Output for people is one line per notification: local time, name, `[object]`, userInfo as
 * JSON. `--json` writes JSON Lines, `{"time", "name", "object", "userInfo", "poster", "seq"}`
 * with typed values in ipckit's JSON forms; records are lines of their own with a `"record"`
 * key: `{"time", "record": "dropped", "count", "from", "to", "posters": [{"poster", "first",
 * "last", "count"}]}` for notifications this listener did not get (its queue was full, or the
 * broker could not write to it), `{"time", "record": "gap", "from", "to", "posters":
 * [{"poster", "after"}]}` for a time it could not hear while the broker restarted. `--yaml`
 * writes one YAML document per event, alike.
 *
 * @module
 */

import type { CommandSpec } from "../_spec.ts";

/** The suspension behaviours `--suspension` takes. */
const BEHAVIORS = ["drop", "coalesce", "hold", "immediate"] as const;

/** `ipckit listen`. */
export const spec = {
  name: "listen",
  summary:
    "Print distributed notifications as they arrive, or run a command for each (notifyutil -w)",
  args: [{
    name: "names",
    description: "names or globs to listen for (com.example.*); none: every notification",
    variadic: true,
    complete: "notifications",
  }],
  options: [
    { flags: "--object <string>", description: "only notifications for this object" },
    {
      flags: "-c, --count <n>",
      description: "exit 0 after N notifications (-N, as notifyutil's -1, is --count N)",
      kind: "integer",
      min: 1,
    },
    {
      flags: "-t, --timeout <duration>",
      description:
        "stop after this long (seconds, or 500ms, 2m): exit 124 if --count was not reached, else 0",
      kind: "duration",
    },
    {
      flags: "--json",
      description:
        'JSON Lines: {time, name, object, userInfo, poster, seq}; records have a "record" key',
      conflicts: ["--yaml"],
    },
    {
      flags: "--yaml",
      description: "one YAML document per notification or record",
      conflicts: ["--json"],
    },
    {
      flags: "--suspension <behavior>",
      description: "what this listener's queue does when it falls behind (default: coalesce)",
      choices: BEHAVIORS,
    },
    {
      flags: "--queue-limit <n>",
      description:
        "notifications waiting to be printed before this listener counts as behind (default 1024)",
      kind: "integer",
      min: 1,
      max: 100_000, // the queue's HOLD_LIMIT (lib/notifications/_queue.ts)
    },
    { flags: "--ready-file <path>", description: "create this file once subscribed" },
  ],
  exec: true,
  numericFlag: "--count",
  examples: [
    "ipckit listen com.example.ping                   # until Ctrl-C",
    "ipckit listen 'com.example.*' --object nightly   # a glob, one object",
    "ipckit listen com.example.done --count 1 --timeout 5 && echo done   # wait for one event (124: timed out)",
    "ipckit listen -1 com.example.done   # as notifyutil -1: the same as --count 1",
    "ipckit listen --json | jq -c 'select(.record == null) | .userInfo'",
    "ipckit listen com.example.ping --exec jq -r .userInfo   # the notification as JSON on stdin; IPCKIT_NAME, IPCKIT_OBJECT",
    "ipckit listen com.example.log --suspension hold --ready-file /tmp/ready &",
  ],
} as const satisfies CommandSpec;
