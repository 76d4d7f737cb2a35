/**
 * `ipckit serve PORT [--concurrency N] [--once] [--ready-file PATH] [--exec CMD ARGS…]`: serves a
 * named message port from the shell. With `--exec`, each request runs the command with
 * `IPCKIT_MSGID` (and `IPCKIT_PORT`) in its environment and the request on its standard input;
 * its standard output is the reply, and a non-zero exit is a "handler failed" reply carrying the
 * exit status and the end of its standard error. Without `--exec`, requests are printed and
 * answered with an empty reply. Requests and replies are streamed, so any size works. Ctrl-C
 * (or SIGTERM) stops the commands still running, removes the socket and exits 130 (143).
 *
 * @module
 */

import type { CommandSpec } from "../_spec.ts";

/** `ipckit serve`. */
export const spec = {
  name: "serve",
  summary: "Serve a message port from the shell: one command run per request",
  args: [{ name: "port", description: "the port's name", required: true, complete: "ports" }],
  options: [
    {
      flags: "--concurrency <n>",
      description: "how many requests are handled at once",
      kind: "integer",
      min: 1,
      default: 1,
    },
    { flags: "--once", description: "exit after answering one request" },
    {
      flags: "--ready-file <path>",
      description: "create this file (holding the pid) once the port listens",
    },
  ],
  examples: [
    "ipckit serve com.example.echo --exec cat  # answers each request with itself",
    "ipckit serve com.example.upper --exec tr a-z A-Z",
    "ipckit serve com.example.sum --concurrency 4 --exec sh -c 'paste -sd+ | bc'",
    "ipckit serve com.example.log  # prints requests, answers with an empty reply",
    "ipckit serve com.example.once --once --ready-file /tmp/ready --exec date",
  ],
  exec: true,
} as const satisfies CommandSpec;
