/**
 * Port names and where a port's files are in the runtime directory: the socket, the lock file
 * whose `flock` owns the name, and the file that keeps the real name and the owner's pid.
 *
 * @module
 */

import {
  MAX_SOCKET_PATH,
  resolveRuntimeDir,
  type RuntimeDirOptions,
} from "../transport/runtime_dir.ts";

/** The `ports/` directory of runtime directory `runtimeDir`, where every port's files are. */
function portsDir(runtimeDir: string): string {
  return `${runtimeDir}/ports`;
}

/**
 * The files of every port recorded in `runtimeDir`'s `ports/`, one per `.json` record: the live
 * ports and those a killed owner left (connecting tells them apart); none without `ports/`.
 */
export async function recordedPorts(
  runtimeDir: string,
): Promise<Pick<PortPaths, "socket" | "info">[]> {
  const dir = portsDir(runtimeDir);
  const found: Pick<PortPaths, "socket" | "info">[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.endsWith(".json")) continue;
      const base = `${dir}/${entry.name.slice(0, -".json".length)}`;
      found.push({ socket: `${base}.sock`, info: `${base}.json` });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return found;
}

/** The longest port name, in characters. */
export const MAX_PORT_NAME = 255;

/** Where a port's files are. */
export interface PortPaths {
  /** The `ports/` directory. */
  dir: string;
  /** The socket the port listens on. */
  socket: string;
  /** The lock file whose `flock` owns the name. */
  lock: string;
  /** The file that keeps the real name and the owner's pid. */
  info: string;
}

/**
 * Checks a port name: 1 to 255 characters, no control characters.
 *
 * @returns why it is not a port name, or `undefined` when it is one.
 */
export function portNameProblem(name: string): string | undefined {
  // Characters are code points, as `[...name]` counts them; a plain loop spares a command's
  // start-up the iterator and a regular expression.
  let length = 0;
  let control = false;
  for (let i = 0; i < name.length; i++, length++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) control = true;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < name.length) {
      const next = name.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
  }
  if (length === 0) return "a port name cannot be empty";
  if (length > MAX_PORT_NAME) {
    return `a port name has at most ${MAX_PORT_NAME} characters, not ${length}`;
  }
  if (control) return "a port name cannot hold control characters";
  return undefined;
}

/** Whether `name` is a plain file name: `[A-Za-z0-9][A-Za-z0-9._+-]*`. */
function isPlain(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
    if (!alnum && (i === 0 || (c !== 0x2e && c !== 0x5f && c !== 0x2b && c !== 0x2d))) {
      return false;
    }
  }
  return name.length > 0;
}

/**
 * The files of port `name` in the runtime directory: the name itself when it is a plain file
 * name and the socket path fits, else `%` and a SHA-256 of the name.
 *
 * @throws {RangeError} when `name` is not a port name.
 */
export async function portPaths(name: string, options: RuntimeDirOptions = {}): Promise<PortPaths> {
  const problem = portNameProblem(name);
  if (problem) throw new RangeError(`${problem}: ${JSON.stringify(name.slice(0, 80))}`);
  const dir = portsDir(resolveRuntimeDir(options));
  let file = name;
  if (!isPlain(name) || dir.length + 1 + name.length + ".sock".length > MAX_SOCKET_PATH) {
    file = await hashedName(name);
  }
  const base = `${dir}/${file}`;
  return { dir, socket: `${base}.sock`, lock: `${base}.lock`, info: `${base}.json` };
}

async function hashedName(name: string): Promise<string> {
  const bytes = new TextEncoder().encode(name);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return "%" + [...digest.subarray(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("");
}
