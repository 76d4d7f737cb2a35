/**
 * Shared test helpers: a private runtime directory per test, waiting for conditions, and
 * whether a real peer is required (in CI a missing peer is a failure, elsewhere a skip).
 *
 * @module
 */

import { PERMISSIONS } from "../lib/permissions.ts";

/** Whether the tests run in CI, where every peer must be present. */
export const IN_CI: boolean = Deno.env.get("CI") === "true";

/** A fresh private runtime directory; stop any broker in it and remove it when done. */
export async function tempRuntimeDir(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-test-" });
  await Deno.chmod(dir, 0o700);
  return dir;
}

/** Kills a broker left in `dir` (by its status) and removes the directory. */
export async function cleanupRuntimeDir(dir: string): Promise<void> {
  const { stopBroker } = await import("../lib/broker/client.ts");
  try {
    await stopBroker({ runtimeDir: dir });
  } catch { /* none, or dead */ }
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

/** Runs `body` with a fresh runtime directory, cleaned up (its broker stopped) afterwards. */
export async function withRuntimeDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await tempRuntimeDir();
  try {
    return await body(dir);
  } finally {
    await cleanupRuntimeDir(dir);
  }
}

/** Waits until `check` returns true, polling; throws at the deadline. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether a path exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether a process with this pid is alive. */
export { processAlive as alive } from "../lib/_process.ts";

/** Runs `program` to completion, its output piped, and returns its exit code and output as text. */
export async function textOutput(
  program: string,
  options: Deno.CommandOptions,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(program, { ...options, stdout: "piped", stderr: "piped" })
    .output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

/**
 * Runs a TypeScript snippet in its own Deno process with ipckit's permissions. `LIB` in the
 * code is replaced by the URL of `lib/`.
 */
export async function runScript(
  code: string,
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const lib = new URL("../lib/", import.meta.url).href;
  const dir = await Deno.makeTempDir({ prefix: "ipckit-script-" });
  const file = `${dir}/script.ts`;
  await Deno.writeTextFile(file, code.replaceAll("LIB", lib));
  try {
    return await textOutput(Deno.execPath(), {
      args: ["run", "--quiet", "--no-config", ...PERMISSIONS, file],
      cwd: options.cwd ?? dir,
      env: options.env,
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Whether `program ARGS…`, its output discarded, exits 0 (false too when it cannot start). */
export async function succeeds(program: string, args: string[]): Promise<boolean> {
  try {
    const out = await new Deno.Command(program, { args, stdout: "null", stderr: "null" }).output();
    return out.success;
  } catch {
    return false;
  }
}

/** Whether a program is on PATH. */
export function which(program: string): Promise<boolean> {
  return succeeds("sh", ["-c", `command -v ${program}`]);
}

/**
 * Runs a TypeScript snippet as the user nobody (`setpriv`; this process must be root), with
 * a module cache of its own in a scratch directory (nobody cannot read this user's), and
 * returns its exit code and output. The snippet may import modules anyone can read.
 */
export async function runAsNobody(
  code: string,
  permissions: string[] = ["--allow-read", "--allow-write", "--allow-net"],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const scratch = await Deno.makeTempDir({ prefix: "ipckit-nobody-" });
  try {
    await Deno.chmod(scratch, 0o777);
    const script = `${scratch}/try.ts`;
    await Deno.writeTextFile(script, code);
    await Deno.chmod(script, 0o644);
    return await textOutput("setpriv", {
      args: [
        "--reuid=nobody",
        "--regid=nogroup",
        "--clear-groups",
        Deno.execPath(),
        "run",
        "--quiet",
        "--no-config",
        ...permissions,
        script,
      ],
      env: { DENO_DIR: `${scratch}/deno`, HOME: scratch },
    });
  } finally {
    await Deno.remove(scratch, { recursive: true }).catch(() => {});
  }
}
