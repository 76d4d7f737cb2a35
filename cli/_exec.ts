/**
 * `--exec` commands of `serve` and `listen`, checked before they start.
 *
 * @module
 */

import { ExitError } from "./_errors.ts";
import { NotFoundError } from "../lib/errors.ts";

/** Whether `path` is a file this process may run (`undefined`: there is none). */
async function runnable(path: string): Promise<"yes" | "directory" | "not executable" | undefined> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.NotADirectory) {
      return undefined;
    }
    throw error;
  }
  if (info.isDirectory) return "directory";
  return info.mode !== null && (info.mode & 0o111) === 0 ? "not executable" : "yes";
}

/**
 * Checks an `--exec` command before starting, as a shell would look it up: a name with a slash
 * is a path, any other is looked up on `PATH`; so a wrong command is one line at once, not a
 * failure at the first request or notification.
 *
 * @param action what the command is for, as in `"serve com.example.p"`, `"listen"`: the error
 *   says `cannot <action> with --exec <command>: …`.
 * @throws {NotFoundError} when there is no such command (exit 3).
 * @throws {ExitError} with exit 2 when it is a directory or not executable.
 */
export async function checkCommand(action: string, command: string): Promise<void> {
  const what = `cannot ${action} with --exec ${command}`;
  if (command.includes("/")) {
    const found = await runnable(command);
    if (found === undefined) {
      throw new NotFoundError(`${what}: no such file (give the path of a program)`);
    }
    if (found !== "yes") {
      throw new ExitError(
        2,
        `${what}: it is ${found === "directory" ? "a directory" : "not executable (chmod +x it)"}`,
      );
    }
    return;
  }
  let seen: string | undefined;
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    const found = await runnable(`${dir || "."}/${command}`);
    if (found === "yes") return;
    seen ??= found;
  }
  if (seen === "not executable") {
    throw new ExitError(2, `${what}: the ${command} on PATH is not executable (chmod +x it)`);
  }
  throw new NotFoundError(`${what}: no such command on PATH (give its path, or install it)`);
}
