/**
 * Helpers of the apps' tests: one of scripts/apps/ started as a process of its own with a
 * private runtime directory and data directory, and a client connected to it.
 *
 * @module
 */

import { PERMISSIONS } from "../../lib/permissions.ts";
import { type AppConnection, connectApp } from "../../lib/scripting/client.ts";
import { cleanupRuntimeDir, tempRuntimeDir, waitFor } from "../_helpers.ts";

/** The apps' programs. */
export const APPS = {
  notes: new URL("../../scripts/apps/notes.ts", import.meta.url).pathname,
  textedit: new URL("../../scripts/apps/textedit.ts", import.meta.url).pathname,
  systemEvents: new URL("../../scripts/apps/system_events.ts", import.meta.url).pathname,
};

/** A running app. */
export interface RunningApp {
  /** Its runtime directory. */
  runtimeDir: string;
  /** The process. */
  child: Deno.ChildProcess;
  /** What it wrote to standard output and error so far (complete once it exited). */
  output: () => { stdout: string; stderr: string };
  /** Stops it (SIGTERM) and waits for it; resolves to its exit code. */
  stop: () => Promise<number>;
  /** Waits for it to exit by itself; resolves to its exit code. */
  exited: () => Promise<number>;
  /**
   * Waits for it to exit by itself, failing as soon as it serves instead (its ready file
   * appears): for a start that must be refused.
   */
  refused: () => Promise<number>;
}

/** Options of {@linkcode startApp}. */
export interface StartOptions {
  /** The runtime directory. @default {a new one} */
  runtimeDir?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Whether to wait for the ready file. @default {true} */
  waitReady?: boolean;
}

/** Starts an app's program; resolves once its `--ready-file` exists. */
export async function startApp(program: string, options: StartOptions = {}): Promise<RunningApp> {
  const runtimeDir = options.runtimeDir ?? await tempRuntimeDir();
  const ready = `${runtimeDir}/ready-${crypto.randomUUID()}`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      ...PERMISSIONS,
      program,
      "--runtime-dir",
      runtimeDir,
      "--ready-file",
      ready,
    ],
    env: { IPCKIT_IDLE_TIMEOUT: "5", ...options.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const out = { stdout: "", stderr: "" };
  const pump = (stream: ReadableStream<Uint8Array>, key: "stdout" | "stderr") =>
    stream.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (s) => void (out[key] += s) }),
    );
  const pumped = Promise.all([pump(child.stdout, "stdout"), pump(child.stderr, "stderr")]);
  let exited: number | undefined;
  const status = child.status.then((s) => (exited = s.code));
  if (options.waitReady ?? true) {
    await waitFor(
      async () => {
        if (exited !== undefined) {
          await pumped;
          throw new Error(`the app exited (${exited}) before it was ready: ${out.stderr}`);
        }
        return await Deno.stat(ready).then(() => true, () => false);
      },
      `${program} to be ready`,
      30_000,
    );
  }
  return {
    runtimeDir,
    child,
    output: () => ({ ...out }),
    exited: async () => {
      const code = await status;
      await pumped;
      return code;
    },
    refused: async () => {
      let served = false;
      await waitFor(
        async () => {
          served = await Deno.stat(ready).then(() => true, () => false);
          return served || exited !== undefined;
        },
        `${program} to exit or serve`,
        30_000,
      );
      if (served) {
        child.kill("SIGTERM");
        await status;
        throw new Error(`${program} served when it should have been refused`);
      }
      const code = await status;
      await pumped;
      return code;
    },
    stop: async () => {
      if (exited === undefined) {
        try {
          child.kill("SIGTERM");
        } catch { /* gone */ }
      }
      const code = await status;
      await pumped;
      return code;
    },
  };
}

/**
 * Runs `fn` with an app running and a client connected; stops both and removes the runtime
 * directory after.
 */
export async function withApp(
  program: string,
  name: string,
  fn: (client: AppConnection, app: RunningApp) => Promise<void>,
  options: StartOptions = {},
): Promise<void> {
  const app = await startApp(program, options);
  let client: AppConnection | undefined;
  try {
    client = await connectApp(name, { runtimeDir: app.runtimeDir });
    await fn(client, app);
  } finally {
    client?.close();
    await app.stop();
    if (!options.runtimeDir) await cleanupRuntimeDir(app.runtimeDir);
  }
}

/**
 * Runs `fn` with an app running whose environment variable `variable` names a new temporary
 * directory (`XDG_DATA_HOME` for Notes' file, `TMPDIR` for System Events' temporary items
 * folder), given to `fn` as a real path; removes the directory after.
 */
export async function withAppAndDir(
  program: string,
  name: string,
  variable: string,
  fn: (client: AppConnection, dir: string, app: RunningApp) => Promise<void>,
): Promise<void> {
  const dir = await Deno.realPath(await Deno.makeTempDir({ prefix: "ipckit-apps-" }));
  try {
    await withApp(program, name, (client, app) => fn(client, dir, app), {
      env: { [variable]: dir },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
