/**
 * The benchmark's server process: an ipckit transport echo and a raw Unix-socket echo (the
 * floor: no framing, no encoding, just bytes back), side by side.
 *
 * Usage: `deno run <permissions> _echo_server.ts DIR` — listens on DIR/ipckit.sock and
 * DIR/raw.sock, prints "ready", runs until killed.
 *
 * @module
 */

import { listen } from "../../lib/transport/listener.ts";

const dir = Deno.args[0];
await listen(`${dir}/ipckit.sock`, { onRequest: (_method, body) => body });
const raw = Deno.listen({ transport: "unix", path: `${dir}/raw.sock` });
(async () => {
  for await (const conn of raw) {
    (async () => {
      const buffer = new Uint8Array(4 * 1024 * 1024);
      try {
        for (;;) {
          const n = await conn.read(buffer);
          if (n === null) break;
          let written = 0;
          while (written < n) written += await conn.write(buffer.subarray(written, n));
        }
      } catch { /* client gone */ }
      conn.close();
    })();
  }
})();
console.log("ready");
