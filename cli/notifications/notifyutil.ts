/**
 * `ipckit notifyutil [-q] [-v] [-t] [-p NAME] [-w NAME] [-# NAME] [-g NAME] [-s NAME VALUE] …`:
 * macOS's `notifyutil` command line, as its users type it. Actions run from left to right, so
 * `notifyutil -1 a -p a` registers for one notification of `a`, posts it, and exits once it
 * came. `listen`, `post` and `state` are the same things with ipckit's options.
 *
 * @module
 */

import type { CommandSpec } from "../_spec.ts";

/** `ipckit notifyutil`. */
export const spec = {
  name: "notifyutil",
  summary:
    "notifyutil's command line: -p post, -w wait, -N wait for N, -g get, -s set, left to right",
  args: [{
    name: "actions",
    description:
      "-p NAME post · -w NAME wait for notifications until Ctrl-C · -N NAME (-1, -5, …) wait for N · -g NAME print 'NAME STATE' · -s NAME VALUE set the state · -v print the time, the name, its state and the registration type · -t print the time · -q print only -g's states · -port, -file, -check, -signal [N], -dispatch: macOS's registration types, accepted, all alike here",
    variadic: true,
  }],
  raw: true,
  examples: [
    "ipckit notifyutil -p com.example.ping",
    "ipckit notifyutil -1 com.example.done -p com.example.done   # register, post, get it, exit",
    "ipckit notifyutil -s com.example.battery 87 -g com.example.battery   # com.example.battery 87",
    "ipckit notifyutil -v -w 'com.example.*'   # until Ctrl-C: time, name and state per notification",
  ],
} as const satisfies CommandSpec;
