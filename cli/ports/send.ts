/**
 * `ipckit send PORT [DATA] [--file F] [--id N] [--send-timeout S] [--receive-timeout S]
 * [--oneway] [--json|--yaml]`: sends one request to a named message port and writes the reply
 * to standard output byte for byte (`CFMessagePortSendRequest`). With `--json` or `--yaml` it is
 * typed, as busctl's calls are: the request is a value (the JSON forms, or YAML) sent as its
 * MessagePack encoding, and the reply is decoded from MessagePack and printed as JSON or YAML. Called in loops, so it loads only the
 * client side of a port and sends its one request on a connection of its own
 * (`lib/ports/once.ts`), not the ports module with its serving side.
 *
 * Exit codes: 0 success, 124 send or receive timeout, 3 no such port, 1 transport error, port
 * became invalid, or handler failed (each with a one-line message naming the status).
 *
 * @module
 */

import type { CommandSpec } from "../_spec.ts";

/** `ipckit send`. */
export const spec = {
  name: "send",
  summary: "Send a request to a message port and print the reply (CFMessagePortSendRequest)",
  args: [
    { name: "port", description: "the port's name", required: true, complete: "ports" },
    {
      name: "data",
      description: "the request's bytes (default: --file, else standard input unless a terminal)",
    },
  ],
  options: [
    { flags: "-f, --file <file>", description: "send this file's contents (streamed)" },
    {
      flags: "--id <n>",
      description: "the message id, a 32-bit integer the port's callback gets",
      kind: "integer",
      min: -0x80000000,
      max: 0x7fffffff,
      default: 0,
    },
    {
      flags: "--send-timeout <seconds>",
      description:
        "give up when the request cannot be sent, or the port does not greet, within this time (0: wait forever)",
      kind: "number",
      min: 0,
      default: 10,
    },
    {
      flags: "--receive-timeout <seconds>",
      description: "give up when no reply came within this time after sending (0: wait forever)",
      kind: "number",
      min: 0,
      default: 0,
    },
    { flags: "--oneway", description: "send without waiting for a reply (prints nothing)" },
    {
      flags: "--json",
      description:
        "typed: the request is a value in the JSON forms, sent as MessagePack; the reply is decoded and printed as JSON",
      conflicts: ["--yaml"],
    },
    {
      flags: "--yaml",
      description:
        "typed: the request is a value in YAML, sent as MessagePack; the reply is decoded and printed as YAML",
      conflicts: ["--json"],
    },
  ],
  examples: [
    "ipckit send com.example.echo hello  # prints the reply",
    "ipckit send com.example.echo --id 7 --receive-timeout 2 'ping'  # exit 124 after 2 s",
    "ipckit send com.example.sum < numbers.txt  # the request from standard input",
    "ipckit send com.example.store --file big.iso --oneway  # streamed, no reply",
    "ipckit send com.example.nobody x || echo $?  # 3: no such port",
    `ipckit send com.example.store --json '{"key": "a", "size": {"$uint64": "5"}}'  # typed`,
    "ipckit send com.example.store --yaml --file request.yaml  # the reply printed as YAML",
  ],
} as const satisfies CommandSpec;
