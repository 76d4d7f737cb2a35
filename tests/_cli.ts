/**
 * Runs the real `ipckit` command line from the checkout as a subprocess, with the documented
 * permission list, for the command-line tests.
 *
 * @module
 */

import { PERMISSIONS } from "../lib/permissions.ts";
import { exists, waitFor } from "./_helpers.ts";

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

/** Options of {@linkcode spawnIpckit}. */
export interface SpawnOptions {
  /** The runtime directory (`IPCKIT_RUNTIME_DIR`). */
  runtimeDir?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Working directory. @default {this process's} */
  cwd?: string;
  /** An installed `ipckit` to run instead of the checkout's `cli/main.ts`. */
  program?: string;
  /** Standard input. @default {"null"} */
  stdin?: "null" | "piped";
  /** Standard output. @default {"piped"} */
  stdout?: "null" | "piped" | "inherit";
  /** Standard error. @default {"piped"} */
  stderr?: "null" | "piped" | "inherit";
}

/** Starts `ipckit ARGS…` (the checkout's, or `program`) in the background and returns it. */
export function spawnIpckit(args: string[], options: SpawnOptions = {}): Deno.ChildProcess {
  const [cmd, cmdArgs] = options.program ? [options.program, args] : ipckitCommand(args);
  const env: Record<string, string> = { ...options.env };
  if (options.runtimeDir) env.IPCKIT_RUNTIME_DIR = options.runtimeDir;
  return new Deno.Command(cmd, {
    args: cmdArgs,
    cwd: options.cwd,
    env,
    stdin: options.stdin ?? "null",
    stdout: options.stdout ?? "piped",
    stderr: options.stderr ?? "piped",
  }).spawn();
}

/**
 * {@linkcode ipckitCommand} as one line of shell words, each in single quotes, for a shell
 * script or pipeline to run.
 */
export function ipckitShellCommand(args: string[]): string {
  const [cmd, cmdArgs] = ipckitCommand(args);
  return [cmd, ...cmdArgs].map((a) => `'${a}'`).join(" ");
}

/** Runs `ipckit ARGS…` to completion and returns its exit code and output. */
export async function ipckit(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const child = spawnIpckit(args, {
    ...options,
    cwd: options.cwd ?? ROOT,
    stdin: options.stdin === undefined ? "null" : "piped",
  });
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

/**
 * Starts the broker of `runtimeDir` (`ipckit state x 1`), stops it (SIGSTOP), and returns its
 * pid: a broker that holds its socket and never answers. The caller resumes it (SIGCONT).
 */
export async function stoppedBroker(runtimeDir: string): Promise<number> {
  const set = await ipckit(["state", "x", "1"], { runtimeDir });
  if (set.code !== 0) throw new Error(`ipckit state x 1: ${set.stderr}`);
  const status = await ipckit(["daemon", "status", "--json"], { runtimeDir });
  const pid: number = JSON.parse(status.stdout).pid;
  Deno.kill(pid, "SIGSTOP");
  return pid;
}

/** A long-running `ipckit` (`serve`, `listen`, `monitor`…) started by {@linkcode startIpckit}. */
export interface RunningIpckit {
  /** The process. */
  child: Deno.ChildProcess;
  /** Its process id. */
  pid: number;
  /** Whether it wrote its ready file (false: it exited first, with `allowExit`). */
  ready: boolean;
  /** The lines it printed on standard output so far. */
  lines: string[];
  /** Waits until a printed line satisfies `match` (30 s at most), and returns it. */
  line(match: (line: string) => boolean, what: string): Promise<string>;
  /**
   * Sends `signal` (SIGTERM unless told; `null` sends none, for a process that ends by itself),
   * waits for the exit, and returns the code and the output.
   */
  stop(signal?: Deno.Signal | null): Promise<{ code: number; stdout: string; stderr: string }>;
}

/**
 * Starts `ipckit COMMAND --ready-file R ARGS…` in `runtimeDir` and waits until its ready file
 * appears (`READY` among the arguments marks where the path goes instead). It exiting first
 * is an error that carries its standard error, unless `allowExit`.
 */
export async function startIpckit(
  args: string[],
  options: { runtimeDir: string; allowExit?: boolean },
): Promise<RunningIpckit> {
  const ready = `${options.runtimeDir}/ready-${crypto.randomUUID()}`;
  const withReady = args.includes("READY")
    ? args.map((a) => a === "READY" ? ready : a)
    : [args[0], "--ready-file", ready, ...args.slice(1)];
  const child = spawnIpckit(withReady, { runtimeDir: options.runtimeDir });
  const lines: string[] = [];
  let stdout = "";
  const reading = (async () => {
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      stdout += chunk;
      const parts = stdout.split("\n");
      lines.splice(0, lines.length, ...parts.slice(0, -1));
    }
  })();
  const stderr = new Response(child.stderr).text();
  let exited = false;
  child.status.then(() => exited = true);
  const what = `ipckit ${args.join(" ")}`;
  await waitFor(
    async () => {
      if (exited && !options.allowExit) throw new Error(`${what} exited: ${await stderr}`);
      return exited || await exists(ready);
    },
    `${what} to be ready`,
    30_000,
  );
  return {
    child,
    pid: child.pid,
    ready: !exited || await exists(ready),
    lines,
    async line(match, description) {
      await waitFor(
        () => {
          if (exited && !lines.some(match)) {
            throw new Error(`${what} exited without printing ${description}:\n${stdout}`);
          }
          return lines.some(match);
        },
        description,
        30_000,
      ).catch((error) => {
        throw new Error(`${error.message}; printed so far:\n${stdout}`);
      });
      return lines.find(match)!;
    },
    async stop(signal: Deno.Signal | null = "SIGTERM") {
      if (signal) {
        try {
          child.kill(signal);
        } catch { /* gone already */ }
      }
      const status = await child.status;
      await reading;
      return { code: status.code, stdout, stderr: await stderr };
    },
  };
}
