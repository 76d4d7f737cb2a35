/**
 * The fuzzer's peer process: a message port (`com.example.fuzz`, echoing each request) and a
 * notification observer (`com.example.fuzz.check`) with its inbox socket, in one process of
 * its own, so that its memory can be sampled and its crash seen. It prints `ready PID INBOX`
 * once both listen. Message id 1 on the port answers how many notifications the observer got.
 *
 * Usage: `deno run <permissions> scripts/attack/_fuzz_peer.ts RUNTIME_DIR`
 *
 * @module
 */

import { observeNotifications } from "../../lib/notifications/mod.ts";
import { createLocalPort } from "../../lib/ports/mod.ts";

const runtimeDir = Deno.args[0];
let seen = 0;
const observer = await observeNotifications({ names: "com.example.fuzz.check", runtimeDir });
const port = await createLocalPort("com.example.fuzz", (msgid, data) => {
  if (msgid === 1) return String(seen);
  return data;
}, { runtimeDir });
let inbox = "";
for (const deadline = Date.now() + 10_000; !inbox && Date.now() < deadline;) {
  try {
    for (const entry of Deno.readDirSync(`${runtimeDir}/notify-inbox`)) {
      if (entry.name.startsWith(`${Deno.pid}-`)) inbox = `${runtimeDir}/notify-inbox/${entry.name}`;
    }
  } catch { /* not made yet */ }
  if (!inbox) await new Promise((resolve) => setTimeout(resolve, 10));
}
console.log(`ready ${Deno.pid} ${inbox}`);
(async () => {
  for await (const _ of observer) seen++;
})();
// Ends when the fuzzer closes standard input.
await new Response(Deno.stdin.readable).arrayBuffer().catch(() => {});
observer.close();
await port.invalidate();
