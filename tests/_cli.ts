/**
 * Runs the real `ipckit` command line from the checkout as a subprocess, with the documented
 * permission list, for the command-line tests.
 *
 * @module
 */

import { PERMISSIONS } from "../lib/permissions.ts";

/** The checkout's root directory. */
export const ROOT: string = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** What a finished `ipckit` run produced. */
export interface CliResult {
  /** The exit code. */
  code: number;
  /** Standard output as text. */
  stdout: string;
  /** Standard error as text. */
  stderr: string;
  /** Standard output as bytes. */
  stdoutBytes: Uint8Array;
}

/** Options of {@linkcode ipckit}. */
export interface CliOptions {
  /** Standard input. @default {empty} */
  stdin?: string | Uint8Array;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Working directory. @default {ROOT} */
  cwd?: string;
  /** The runtime directory (`IPCKIT_RUNTIME_DIR`). */
  runtimeDir?: string;
  /** An installed `ipckit` to run instead of the checkout's `cli/main.ts`. */
  program?: string;
}

/** The command that starts the CLI from the checkout: deno, its arguments, then ipckit's. */
export function ipckitCommand(args: string[]): [string, string[]] {
  return [Deno.execPath(), ["run", "--quiet", ...PERMISSIONS, `${ROOT}/cli/main.ts`, ...args]];
}

/** Runs `ipckit ARGS…` to completion and returns its exit code and output. */
export async function ipckit(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const [cmd, cmdArgs] = options.program ? [options.program, args] : ipckitCommand(args);
  const env: Record<string, string> = { ...options.env };
  if (options.runtimeDir) env.IPCKIT_RUNTIME_DIR = options.runtimeDir;
  const child = new Deno.Command(cmd, {
    args: cmdArgs,
    cwd: options.cwd ?? ROOT,
    env,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(
      typeof options.stdin === "string" ? new TextEncoder().encode(options.stdin) : options.stdin,
    );
    await writer.close();
  }
  const out = await child.output();
  const decoder = new TextDecoder();
  return {
    code: out.code,
    stdout: decoder.decode(out.stdout),
    stderr: decoder.decode(out.stderr),
    stdoutBytes: out.stdout,
  };
}
