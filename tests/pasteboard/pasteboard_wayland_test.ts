/**
 * The general pasteboard against a real Wayland compositor: each test starts its own headless
 * `sway` and talks to it with the real `wl-copy` and `wl-paste`. sway refuses to run as root, so
 * under root (CI) it runs as `nobody` (through `setpriv`) with a runtime directory of its own;
 * the clients reach its socket by its absolute path in `WAYLAND_DISPLAY`. Outside CI a missing
 * sway or wl-clipboard skips these tests; in CI (where `.ci/run` installs them) it fails them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ipckit, ipckitCommand } from "../_cli.ts";
import { exists, IN_CI, waitFor, which } from "../_helpers.ts";
import { desktopTest, PNG, runTool } from "./_desktop.ts";

const HAVE_SWAY = (await which("sway")) && (await which("wl-copy")) &&
  (await which("wl-paste")) && (Deno.uid() !== 0 || await which("setpriv"));
if (!HAVE_SWAY && IN_CI) {
  Deno.test("sway and wl-clipboard are installed (CI)", () => {
    throw new Error("sway, wl-clipboard or setpriv is missing: .ci/run installs sway wl-clipboard");
  });
}

/** The user sway runs as under root: nobody. */
const NOBODY = 65534;

/** A private headless sway, stopped at the end; `display` is its socket's absolute path. */
async function startSway(): Promise<{ display: string; stop: () => Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-sway-" });
  await Deno.chmod(dir, 0o700);
  const root = Deno.uid() === 0;
  if (root) await Deno.chown(dir, NOBODY, NOBODY);
  const sway = ["sway", "-c", "/dev/null"];
  const child = new Deno.Command(root ? "setpriv" : sway[0], {
    args: root
      ? [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, "--clear-groups", "--", ...sway]
      : sway.slice(1),
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: dir,
      XDG_RUNTIME_DIR: dir,
      WLR_BACKENDS: "headless",
      WLR_LIBINPUT_NO_DEVICES: "1",
      WLR_RENDERER: "pixman",
    },
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const log = new Response(child.stderr).text();
  let exited = false;
  child.status.then(() => exited = true);
  let socket: string | undefined;
  const stop = async () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
    await child.status;
    await log;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    await waitFor(
      async () => {
        if (exited) return true;
        for await (const entry of Deno.readDir(dir)) {
          if (entry.name.startsWith("wayland-") && !entry.name.endsWith(".lock")) {
            socket = `${dir}/${entry.name}`;
          }
        }
        return socket !== undefined;
      },
      "sway to start",
      20_000,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  if (exited || !socket) {
    await stop();
    throw new Error(`sway did not start: ${(await log).trim().split("\n").slice(-3).join(" | ")}`);
  }
  return { display: socket, stop };
}

/** Runs wl-copy (its forked owner keeps stdout open: null) or wl-paste to completion. */
function wl(
  display: string,
  program: "wl-copy" | "wl-paste",
  args: string[],
  stdin?: Uint8Array,
): Promise<{ code: number; stdout: Uint8Array }> {
  const owner = program === "wl-copy";
  return runTool(program, args, { env: { WAYLAND_DISPLAY: display }, stdin, owner });
}

function waylandTest(name: string, fn: (display: string, dir: string) => Promise<void>) {
  desktopTest(name, HAVE_SWAY, startSway, fn);
}

const text = new TextEncoder();
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

waylandTest(
  "ipckit copy then wl-paste gives the same bytes: text, and a PNG",
  async (display, dir) => {
    const env = { WAYLAND_DISPLAY: display, DISPLAY: "" };
    const copied = await ipckit(["copy", "--json"], {
      runtimeDir: dir,
      env,
      stdin: "héllo from ipckit\n",
    });
    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(JSON.parse(copied.stdout).desktop, "public.utf8-plain-text");
    const out = await wl(display, "wl-paste", ["--no-newline"]);
    assert.equal(decode(out.stdout), "héllo from ipckit\n");

    const png = await ipckit(["copy", "--type", "image/png"], { runtimeDir: dir, env, stdin: PNG });
    assert.equal(png.code, 0, png.stderr);
    const types = await wl(display, "wl-paste", ["--list-types"]);
    assert.match(decode(types.stdout), /image\/png/);
    const image = await wl(display, "wl-paste", ["--no-newline", "--type", "image/png"]);
    assert.deepEqual(image.stdout, PNG);
    // Still the broker's item while the mirror owns the desktop.
    const back = await ipckit(["paste", "--type", "image/png"], { runtimeDir: dir, env });
    assert.deepEqual(back.stdoutBytes, PNG);
  },
);

waylandTest(
  "wl-copy then ipckit paste gives it back; --list-types shows its types; --local the broker's",
  async (display, dir) => {
    const env = { WAYLAND_DISPLAY: display, DISPLAY: "" };
    assert.equal((await ipckit(["copy"], { runtimeDir: dir, env, stdin: "old" })).code, 0);
    assert.equal((await wl(display, "wl-copy", [], text.encode("from wl-copy"))).code, 0);
    await waitFor(
      async () => (await ipckit(["paste"], { runtimeDir: dir, env })).stdout === "from wl-copy",
      "paste to read the desktop",
      20_000,
    );
    const types = await ipckit(["paste", "--list-types"], { runtimeDir: dir, env });
    assert.match(types.stdout, /^(public\.plain-text\n)?public\.utf8-plain-text\n/);
    assert.equal((await ipckit(["paste", "--local"], { runtimeDir: dir, env })).stdout, "old");

    assert.equal((await wl(display, "wl-copy", ["--type", "image/png"], PNG)).code, 0);
    await waitFor(
      async () =>
        (await ipckit(["paste", "--list-types"], { runtimeDir: dir, env })).stdout ===
          "public.png\n",
      "the desktop to offer image/png",
      20_000,
    );
    const png = await ipckit(["paste", "--type", "image/png"], { runtimeDir: dir, env });
    assert.equal(png.code, 0, png.stderr);
    assert.deepEqual(png.stdoutBytes, PNG);
    const missing = await ipckit(["paste", "--type", "text/html"], { runtimeDir: dir, env });
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /the desktop clipboard holds public\.png/);
  },
);

waylandTest(
  "paste --watch sees copies made by other Wayland programs (pushed)",
  async (display, dir) => {
    const ready = `${dir}/watch.ready`;
    const [cmd, args] = ipckitCommand(["paste", "--watch", "--json", "--ready-file", ready]);
    const env = { WAYLAND_DISPLAY: display, DISPLAY: "" };
    const watcher = new Deno.Command(cmd, {
      args,
      env: { IPCKIT_RUNTIME_DIR: dir, ...env },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = watcher.stdout.pipeThrough(new TextDecoderStream()).getReader();
    // Should a change never come, the watcher is stopped and the reading below fails.
    const deadline = setTimeout(() => watcher.kill("SIGKILL"), 30_000);
    try {
      await waitFor(() => exists(ready), "the watcher's ready file", 30_000);
      assert.equal((await ipckit(["copy"], { runtimeDir: dir, env, stdin: "pushed" })).code, 0);
      const lines: { text?: string }[] = [];
      let buffered = "";
      const next = async () => {
        const { done, value } = await reader.read();
        if (done) throw new Error(`the watcher ended: ${JSON.stringify(lines)}`);
        buffered += value;
        const parts = buffered.split("\n");
        buffered = parts.pop()!;
        for (const part of parts) lines.push(JSON.parse(part));
      };
      while (!lines.some((l) => l.text === "pushed")) await next();
      assert.equal((await wl(display, "wl-copy", [], text.encode("from wayland"))).code, 0);
      while (!lines.some((l) => l.text === "from wayland")) await next();
      assert.deepEqual(lines.map((l) => l.text), ["pushed", "from wayland"]);
    } finally {
      clearTimeout(deadline);
      try {
        watcher.kill("SIGINT");
      } catch { /* gone */ }
      await watcher.status;
      reader.releaseLock();
      await watcher.stdout.cancel().catch(() => {});
      await watcher.stderr.cancel().catch(() => {});
    }
  },
);

waylandTest("--primary copies to and pastes from the primary selection", async (display, dir) => {
  const env = { WAYLAND_DISPLAY: display, DISPLAY: "" };
  const run = (args: string[], stdin?: string) => ipckit(args, { runtimeDir: dir, env, stdin });
  assert.equal((await run(["copy", "--primary", "--text", "middle"])).code, 0);
  assert.equal((await run(["copy", "--text", "clip"])).code, 0);
  assert.equal(
    decode((await wl(display, "wl-paste", ["--primary", "--no-newline"])).stdout),
    "middle",
  );
  assert.equal(decode((await wl(display, "wl-paste", ["--no-newline"])).stdout), "clip");
  assert.equal((await run(["paste", "--primary"])).stdout, "middle");
  assert.equal((await wl(display, "wl-copy", ["--primary"], text.encode("selected"))).code, 0);
  await waitFor(
    async () => (await run(["paste", "--primary"])).stdout === "selected",
    "paste --primary to read the primary selection",
    20_000,
  );
  assert.equal((await run(["paste"])).stdout, "clip");
});
