/**
 * `deno task demo`: a short guided run of what ipckit does so far, on the user's own runtime
 * directory and broker. It starts the broker through an ordinary command (nobody starts it by
 * hand), and at the end stops it again if it started it, or says it is left running.
 *
 * @module
 */

import { PERMISSIONS } from "../lib/permissions.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const bold = (text: string) => Deno.noColor ? text : `\x1b[1m${text}\x1b[0m`;
const dim = (text: string) => Deno.noColor ? text : `\x1b[2m${text}\x1b[0m`;

/** Runs `ipckit ARGS…` with the output going straight to the terminal; returns its exit code. */
async function ipckit(args: string[], stdin?: string): Promise<number> {
  console.log(bold(`\n$ ipckit ${args.join(" ")}${stdin !== undefined ? " <<< …" : ""}`));
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", ...PERMISSIONS, `${ROOT}/cli/main.ts`, ...args],
    stdin: stdin === undefined ? "null" : "piped",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  if (stdin !== undefined) {
    const writer = child.stdin.getWriter();
    await writer.write(new TextEncoder().encode(stdin));
    await writer.close();
  }
  const { code } = await child.status;
  if (code !== 0) console.log(dim(`(exit ${code})`));
  return code;
}

function say(text: string): void {
  console.log(`\n${text}`);
}

console.log(bold("ipckit — the macOS IPC model on Linux. A short tour."));
say(
  "The broker is the per-user daemon behind notifications, ports and pasteboards.\n" +
    "Is one running? (exit 3 means no)",
);
const wasRunning = (await ipckit(["daemon", "status"])) === 0;

say(
  "Nobody has to start it: the first command that needs it starts it, detached, logging to\n" +
    "broker.log in the runtime directory. `daemon start` is that, made explicit:",
);
await ipckit(["daemon", "start"]);

say("For scripts, the same as one JSON object:");
await ipckit(["daemon", "status", "--json"]);

say(
  "Apps describe themselves with a scripting definition (sdef XML), as on macOS.\n" +
    "`ipckit sdp` turns one into a typed TypeScript bridge (here: a small orchard app):",
);
const sdef = await Deno.readTextFile(`${ROOT}/tests/golden/sdp/Orchard.sdef`);
const out = await Deno.makeTempFile({ suffix: ".ts" });
await ipckit(["sdp", "-", "--basename", "Orchard", "-o", out], sdef);
const bridge = (await Deno.readTextFile(out)).split("\n");
const at = bridge.findIndex((line) => /export interface OrchardTree\b/.test(line));
console.log(dim(bridge.slice(0, 1).join("\n")));
console.log(dim("…"));
console.log(bridge.slice(Math.max(0, at - 2), at + 14).join("\n"));
console.log(dim(`… (${bridge.length} lines in ${out})`));
await Deno.remove(out);

say("Mistakes get one clear line and a usage exit code, with a suggestion:");
await ipckit(["daemon", "stauts"]);

if (wasRunning) {
  say("The broker was already running before the demo, so it is left running.");
} else {
  say("The demo started the broker, so it stops it again:");
  await ipckit(["daemon", "stop"]);
}
say(`More: ${bold("deno task ipckit --help")}, and README.md.`);
