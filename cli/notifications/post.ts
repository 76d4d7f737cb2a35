/**
 * `ipckit post NAME [--object S] [--user-info JSON] [--user-info-yaml FILE|-] [--state N]
 * [--immediate]`: posts a distributed notification, as `notifyutil -p` and
 * `CFNotificationCenterPostNotification` do on macOS. Called in loops, so it loads only the
 * client library (YAML only for `--user-info-yaml`).
 *
 * @module
 */

import type { CommandSpec } from "../_spec.ts";

/** `ipckit post`. */
export const spec = {
  name: "post",
  summary: "Post a distributed notification (notifyutil -p, CFNotificationCenterPostNotification)",
  args: [{
    name: "name",
    description: "the notification's name, as com.example.ping",
    required: true,
    complete: "notifications",
  }],
  options: [
    { flags: "--object <string>", description: "the object (observers can listen for one object)" },
    {
      flags: "--user-info <json>",
      description:
        'typed values as a JSON object, with ipckit\'s forms ({"$data": "…"}, {"$date": "…"}, …); - reads standard input',
      conflicts: ["--user-info-yaml"],
    },
    {
      flags: "--user-info-yaml <file>",
      description: "typed values as a YAML mapping from a file (- for standard input)",
    },
    {
      flags: "--state <n>",
      description: "also set the name's 64-bit state to N first (notifyutil -s)",
      kind: "uint64",
    },
    {
      flags: "--immediate",
      description: "deliver even to suspended or full observers (deliverImmediately)",
    },
  ],
  examples: [
    "ipckit post com.example.ping",
    `ipckit post com.example.backup.done --object nightly --user-info '{"files": 1200, "ok": true}'`,
    `ipckit post com.example.upload --user-info '{"digest": {"$data": "3q2+7w=="}, "at": {"$date": "2026-01-02T03:04:05Z"}}'`,
    "ipckit post com.example.config --user-info-yaml config.yaml",
    "ipckit post com.example.battery --state 87   # set the state and tell observers",
    "ipckit post com.example.alarm --immediate    # even to suspended observers",
  ],
} as const satisfies CommandSpec;
