/**
 * The benchmark's server process: an ipckit transport echo and a raw Unix-socket echo (the
 * floor: no framing, no encoding, just bytes back), side by side; and a raw message echo that
 * takes each length-prefixed message whole into fresh memory before sending it back (what an
 * API that hands out the bytes it received costs at the least, with no protocol at all).
 *
 * Usage: `deno run <permissions> _echo_server.ts DIR` — listens on DIR/ipckit.sock,
 * DIR/raw.sock and DIR/raw-fresh.sock, prints "ready", runs until killed.
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
const fresh = Deno.listen({ transport: "unix", path: `${dir}/raw-fresh.sock` });
(async () => {
  for await (const conn of fresh) {
    (async () => {
      const head = new Uint8Array(4);
      const readInto = async (target: Uint8Array): Promise<boolean> => {
        for (let got = 0; got < target.length;) {
          const n = await conn.read(target.subarray(got));
          if (n === null) return false;
          got += n;
        }
        return true;
      };
      try {
        while (await readInto(head)) {
          const message = new Uint8Array(4 + new DataView(head.buffer).getUint32(0));
          message.set(head);
          if (!(await readInto(message.subarray(4)))) break;
          let written = 0;
          while (written < message.length) written += await conn.write(message.subarray(written));
        }
      } catch { /* client gone */ }
      conn.close();
    })();
  }
})();
console.log("ready");
