/**
 * A port name this process serves, for a local port or a Distributed Objects vendor: its lock,
 * its socket (an {@linkcode Endpoint}) and the file that names its owner, which
 * `listPorts` reads.
 *
 * @module
 */

import { NameTakenError } from "../errors.ts";
import { type Endpoint, openEndpoint } from "../transport/endpoint.ts";
import { ensureDirSync, readTextNoFollow, writeFileReplacing } from "../transport/no_follow.ts";
import {
  checkSocketPath,
  ensureRuntimeDir,
  type RuntimeDirOptions,
} from "../transport/runtime_dir.ts";
import { type PortPaths, portPaths } from "./names.ts";

/** A port name this process now owns: its files, and the endpoint that holds and serves it. */
export interface BoundPortName {
  /** The name's files. */
  paths: PortPaths;
  /** Holds the name's lock and listens on its socket (accepting once told to). */
  endpoint: Endpoint;
}

/**
 * Takes a port name: its lock, its socket (a dead owner's is taken over) and the file that
 * names its owner, so that `listPorts` lists it. Whoever serves it closes the endpoint, then
 * lets go of the name with {@linkcode releasePortName}.
 *
 * @throws {NameTakenError} when another live process serves the name.
 */
export async function bindPortName(
  name: string,
  options: RuntimeDirOptions = {},
): Promise<BoundPortName> {
  await ensureRuntimeDir(options);
  const paths = await portPaths(name, options);
  checkSocketPath(paths.socket);
  ensureDirSync(paths.dir);
  const endpoint = await openEndpoint(paths.socket, {
    lock: paths.lock,
    taken: async () => {
      let owner = "another process";
      try {
        const info = JSON.parse(await readTextNoFollow(paths.info));
        if (typeof info.pid === "number") owner = `process ${info.pid}`;
      } catch { /* not written yet */ }
      return new NameTakenError(
        `the port "${name}" is already served by ${owner}; stop that one first or choose another name`,
      );
    },
  });
  try {
    await writeFileReplacing(
      paths.info,
      JSON.stringify({ name, pid: Deno.pid, since: new Date().toISOString() }) + "\n",
    );
  } catch (error) {
    await endpoint.close();
    endpoint.release();
    throw error;
  }
  return { paths, endpoint };
}

/** Lets go of a bound name once its endpoint is closed: its owner's file goes, then its lock. */
export async function releasePortName(bound: BoundPortName): Promise<void> {
  try {
    await Deno.remove(bound.paths.info);
  } catch { /* gone already */ }
  bound.endpoint.release();
}
