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
  const shown = args.map((a) => /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a}'`).join(" ");
  console.log(bold(`\n$ ipckit ${shown}${stdin !== undefined ? " <<< …" : ""}`));
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

/** Waits until a `--ready-file` appears. */
async function waitForFile(path: string): Promise<void> {
  while (!(await Deno.stat(path).then(() => true, () => false))) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function say(text: string): void {
  console.log(`\n${text}`);
}

/**
 * Scriptable apps: ipckit's Notes (scripts/apps/notes.ts), with its notes in a scratch
 * directory, driven through the scripting client with the events AppleScript would send.
 */
async function demoNotes(): Promise<void> {
  say(
    "Scriptable apps speak Apple's terminology. ipckit's Notes (scripts/apps/notes.ts) starts\n" +
      "(its notes here in a scratch folder, not yours) and `ipckit apps` lists it:",
  );
  const { connectApp } = await import("../lib/scripting/client.ts");
  const value = await import("../lib/wire/value.ts");
  const data = await Deno.makeTempDir({ prefix: "ipckit-demo-notes-" });
  const ready = `${data}/ready`;
  console.log(bold(`\n$ deno run … scripts/apps/notes.ts --ready-file ${ready} &`));
  const notes = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      ...PERMISSIONS,
      `${ROOT}/scripts/apps/notes.ts`,
      "--ready-file",
      ready,
    ],
    env: { XDG_DATA_HOME: data },
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const started = await Promise.race([
    waitForFile(ready).then(() => true),
    notes.status.then(() => false),
  ]);
  if (started) {
    await ipckit(["apps"]);
    const app = await connectApp("Notes");
    const folder = new value.ObjectSpecifier("cfol", "application", "name", "Notes");
    const tell = async (script: string, event: Parameters<typeof app.send>[0]) => {
      console.log(bold(`\ntell application "Notes" to ${script}`));
      const { toJson } = await import("../lib/wire/json.ts");
      console.log(`  → ${toJson(await app.send(event))}`);
    };
    try {
      for (
        const [name, body] of [["Shopping", "<div>milk</div><div>eggs</div>"], [
          "Ideas",
          "<div>a demo</div>",
        ]]
      ) {
        await tell(`make new note at folder "Notes" with properties {name:"${name}", body:…}`, {
          code: "corecrel",
          params: { kocl: new value.TypeCode("note"), insh: folder, prdt: { pnam: name, body } },
        });
      }
      const milk = new value.ObjectSpecifier(
        "note",
        "application",
        "test",
        new value.Comparison(
          "contains",
          new value.ObjectSpecifier("prop", "examined", "property", "body"),
          "milk",
        ),
      );
      await tell('get name of every note whose body contains "milk"', {
        code: "coregetd",
        params: { "----": new value.ObjectSpecifier("prop", milk, "property", "pnam") },
      });
      await tell('get plaintext of note "Shopping"', {
        code: "coregetd",
        params: {
          "----": new value.ObjectSpecifier(
            "prop",
            new value.ObjectSpecifier("note", "application", "name", "Shopping"),
            "property",
            "pltx",
          ),
        },
      });
    } finally {
      app.close();
    }
  } else {
    say("(Notes did not start: is it already running? `ipckit apps` says.)");
  }
  try {
    notes.kill("SIGTERM");
  } catch { /* it has ended */ }
  await notes.status;
  await Deno.remove(data, { recursive: true });
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
  "Distributed notifications: a listener waits in the background (`--count 1 --timeout 10`\n" +
    'is the scripting idiom for "wait for this event"), and a post reaches it:',
);
const scratch = await Deno.makeTempDir();
const ready = `${scratch}/ready`;
console.log(
  bold(`\n$ ipckit listen 'com.example.demo.*' --count 1 --timeout 10 --ready-file ${ready} &`),
);
const listener = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--quiet",
    ...PERMISSIONS,
    `${ROOT}/cli/main.ts`,
    "listen",
    "com.example.demo.*",
    "--count",
    "1",
    "--timeout",
    "10",
    "--ready-file",
    ready,
  ],
  stdin: "null",
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
await waitForFile(ready);
await ipckit([
  "post",
  "com.example.demo.hello",
  "--object",
  "demo",
  "--user-info",
  '{"count": 3, "when": {"$date": "2026-01-02T03:04:05Z"}}',
]);
await listener.status;

say("Every name also has a 64-bit state, which the broker keeps in a file (it survives a crash):");
await ipckit(["state", "com.example.demo.level", "42"]);
await ipckit(["state", "com.example.demo.level"]);

say(
  "Message ports, as CFMessagePort: `serve` answers each request by running a command (its\n" +
    "output is the reply) and `send` prints the reply. No broker in between: they talk over the\n" +
    "port's own socket.",
);
const portReady = `${scratch}/port-ready`;
console.log(bold("\n$ ipckit serve com.example.demo.upper --exec tr a-z A-Z &"));
const server = new Deno.Command(Deno.execPath(), {
  args: [
    "run",
    "--quiet",
    ...PERMISSIONS,
    `${ROOT}/cli/main.ts`,
    "serve",
    "com.example.demo.upper",
    "--ready-file",
    portReady,
    "--exec",
    "tr",
    "a-z",
    "A-Z",
  ],
  stdout: "inherit",
  stderr: "inherit",
}).spawn();
await waitForFile(portReady);
await ipckit(["send", "com.example.demo.upper"], "hello from the shell\n");
await ipckit(["ports"]);
say("A port nobody serves is exit 3:");
await ipckit(["send", "com.example.demo.nobody", "hi"]);
server.kill("SIGINT");
await server.status;

say("Pasteboards hold items with several representations keyed by type, as NSPasteboard does:");
await Deno.writeTextFile(`${scratch}/note.html`, "<p>Buy <b>milk</b> &amp; eggs</p>\n");
await Deno.writeTextFile(`${scratch}/note.txt`, "Buy milk & eggs\n");
await ipckit([
  "copy",
  "--pboard",
  "demo",
  "--rep",
  `public.html=${scratch}/note.html`,
  "--rep",
  `text/plain=${scratch}/note.txt`,
]);
await ipckit(["paste", "--pboard", "demo", "--list-types", "--mime"]);
await ipckit(["paste", "--pboard", "demo", "--type", "text/html"]);
await ipckit(["paste", "--pboard", "demo", "--type", "text/plain"]);
say("A type that is not there exits 3 and says what is there:");
await ipckit(["paste", "--pboard", "demo", "--type", "image/png"]);
await ipckit(["copy", "--pboard", "demo", "--clear"]);
await Deno.remove(scratch, { recursive: true });

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

await demoNotes();

say("Mistakes get one clear line and a usage exit code, with a suggestion:");
await ipckit(["daemon", "stauts"]);

if (wasRunning) {
  say("The broker was already running before the demo, so it is left running.");
} else {
  say("The demo started the broker, so it stops it again:");
  await ipckit(["daemon", "stop"]);
}
say(`More: ${bold("deno task ipckit --help")}, and README.md.`);
