/**
 * For the transport's tests: a listener on a socket in a temporary directory, for the length
 * of a test body.
 *
 * @module
 */

import { listen, type ListenOptions } from "./listener.ts";

/**
 * Runs `body` with a listener's socket path and a count of its live connections, then closes
 * the listener and removes its directory.
 */
export async function withServer(
  options: ListenOptions,
  body: (path: string, connections: () => number) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir();
  const listener = await listen(`${dir}/t.sock`, options);
  try {
    await body(listener.path, () => listener.connections.size);
  } finally {
    await listener.close();
    await Deno.remove(dir, { recursive: true });
  }
}
