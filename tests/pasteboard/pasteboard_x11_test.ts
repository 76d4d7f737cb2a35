/**
 * The general pasteboard against a real X11 clipboard: each test starts its own `Xvfb` on a free
 * display and talks to it with the real `xclip`. Outside CI a missing Xvfb or xclip skips these
 * tests; in CI (where `.ci/run` installs them) it fails them.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ipckit } from "../_cli.ts";
import { exists, IN_CI, waitFor, which } from "../_helpers.ts";
import { desktopTest, PNG, runTool } from "./_desktop.ts";

const HAVE_X = (await which("Xvfb")) && (await which("xclip"));
if (!HAVE_X && IN_CI) {
  Deno.test("Xvfb and xclip are installed (CI)", () => {
    throw new Error("Xvfb or xclip is missing: .ci/run installs xvfb and xclip");
  });
}

/** A private X server on a free display, stopped at the end. */
async function startXvfb(): Promise<{ display: string; stop: () => Promise<void> }> {
  for (let n = 91 + Math.floor(Math.random() * 300);; n++) {
    if (await exists(`/tmp/.X${n}-lock`) || await exists(`/tmp/.X11-unix/X${n}`)) continue;
    const child = new Deno.Command("Xvfb", {
      // -noreset: the server would reset (and refuse clients meanwhile) each time its last
      // client leaves, as when a mirror is replaced.
      args: [`:${n}`, "-noreset", "-nolisten", "tcp", "-screen", "0", "64x64x24"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
    let exited = false;
    child.status.then(() => exited = true);
    try {
      await waitFor(
        async () => exited || await exists(`/tmp/.X11-unix/X${n}`),
        `Xvfb :${n} to start`,
        20_000,
      );
    } catch (error) {
      child.kill("SIGKILL");
      throw error;
    }
    if (exited) continue; // lost a race for the display
    return {
      display: `:${n}`,
      stop: async () => {
        try {
          child.kill("SIGTERM");
        } catch { /* gone */ }
        await child.status;
      },
    };
  }
}

/** Runs xclip to completion (xclip -i forks its owner: its stdout must be null). */
function xclip(
  display: string,
  args: string[],
  stdin?: Uint8Array,
): Promise<{ code: number; stdout: Uint8Array }> {
  return runTool("xclip", args, { env: { DISPLAY: display }, stdin, owner: args.includes("-i") });
}

function x11Test(name: string, fn: (display: string, dir: string) => Promise<void>) {
  desktopTest(name, HAVE_X, startXvfb, fn);
}

const text = new TextEncoder();

x11Test("ipckit copy then xclip -o gives the same bytes: text, and a PNG", async (display, dir) => {
  const env = { DISPLAY: display, WAYLAND_DISPLAY: "" };
  const copied = await ipckit(["copy"], { runtimeDir: dir, env, stdin: "héllo from ipckit\n" });
  assert.equal(copied.code, 0, copied.stderr);
  const out = await xclip(display, ["-o", "-selection", "clipboard"]);
  assert.equal(new TextDecoder().decode(out.stdout), "héllo from ipckit\n");

  const png = await ipckit(["copy", "--type", "image/png"], { runtimeDir: dir, env, stdin: PNG });
  assert.equal(png.code, 0, png.stderr);
  const targets = await xclip(display, ["-o", "-selection", "clipboard", "-t", "TARGETS"]);
  assert.match(new TextDecoder().decode(targets.stdout), /image\/png/);
  const image = await xclip(display, ["-o", "-selection", "clipboard", "-t", "image/png"]);
  assert.deepEqual(image.stdout, PNG);
  // Still the broker's item at full fidelity while the mirror owns the desktop.
  const back = await ipckit(["paste", "--type", "image/png"], { runtimeDir: dir, env });
  assert.deepEqual(back.stdoutBytes, PNG);
});

x11Test(
  "xclip -i then ipckit paste gives them back; --list-types shows what xclip offers",
  async (display, dir) => {
    const env = { DISPLAY: display, WAYLAND_DISPLAY: "" };
    // Something in the broker first: the desktop wins once another program copied since.
    assert.equal((await ipckit(["copy"], { runtimeDir: dir, env, stdin: "old" })).code, 0);
    assert.equal(
      (await xclip(display, ["-i", "-selection", "clipboard"], text.encode("from xclip"))).code,
      0,
    );
    await waitFor(
      async () => {
        const r = await ipckit(["paste"], { runtimeDir: dir, env });
        return r.stdout === "from xclip";
      },
      "paste to read the desktop",
      20_000,
    );
    const types = await ipckit(["paste", "--list-types"], { runtimeDir: dir, env });
    assert.equal(types.stdout, "public.utf8-plain-text\n");
    const mime = await ipckit(["paste", "--list-types", "--mime"], { runtimeDir: dir, env });
    assert.equal(mime.stdout, "text/plain;charset=utf-8\n");
    // --local reads the broker's item.
    const local = await ipckit(["paste", "--local"], { runtimeDir: dir, env });
    assert.equal(local.stdout, "old");

    assert.equal(
      (await xclip(display, ["-i", "-selection", "clipboard", "-t", "image/png"], PNG)).code,
      0,
    );
    await waitFor(
      async () => {
        const r = await ipckit(["paste", "--list-types"], { runtimeDir: dir, env });
        return r.stdout === "public.png\n";
      },
      "the desktop to offer image/png",
      20_000,
    );
    const png = await ipckit(["paste", "--type", "image/png"], { runtimeDir: dir, env });
    assert.equal(png.code, 0, png.stderr);
    assert.deepEqual(png.stdoutBytes, PNG);
    // --all too: the desktop's one item.
    const all = await ipckit(["paste", "--all", "--json"], { runtimeDir: dir, env });
    assert.equal(all.code, 0, all.stderr);
    assert.equal(JSON.parse(all.stdout).type, "public.png");
    assert.equal(JSON.parse(all.stdout).desktop, true);
  },
);

x11Test(
  "asking for image/png while xclip holds text exits 3 with nothing on stdout",
  async (display, dir) => {
    const env = { DISPLAY: display, WAYLAND_DISPLAY: "" };
    assert.equal(
      (await xclip(display, ["-i", "-selection", "clipboard"], text.encode("just text"))).code,
      0,
    );
    await waitFor(
      async () => {
        const r = await ipckit(["paste"], { runtimeDir: dir, env });
        return r.stdout === "just text";
      },
      "paste to read the desktop",
      20_000,
    );
    const png = await ipckit(["paste", "--type", "image/png"], { runtimeDir: dir, env });
    assert.equal(png.code, 3);
    assert.equal(png.stdout, "");
    assert.match(
      png.stderr,
      /cannot paste "public\.png": the desktop clipboard holds public\.utf8-plain-text/,
    );
  },
);

x11Test(
  "a copy with HTML and text publishes the text; named pasteboards and --local stay off the desktop",
  async (display, dir) => {
    const env = { DISPLAY: display, WAYLAND_DISPLAY: "" };
    const html = `${dir}/a.html`;
    await Deno.writeTextFile(html, "<i>rich</i>");
    const copied = await ipckit(["copy", "--json", "--rep", `public.html=${html}`], {
      runtimeDir: dir,
      env,
    });
    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(JSON.parse(copied.stdout).desktop, "public.utf8-plain-text");
    const desk = await xclip(display, ["-o", "-selection", "clipboard"]);
    assert.equal(new TextDecoder().decode(desk.stdout), "rich");
    // The broker still holds the real item.
    const rich = await ipckit(["paste", "--type", "text/html"], { runtimeDir: dir, env });
    assert.equal(rich.stdout, "<i>rich</i>");

    assert.equal(
      (await ipckit(["copy", "--pboard", "find"], { runtimeDir: dir, env, stdin: "named" })).code,
      0,
    );
    assert.equal(
      (await ipckit(["copy", "--local"], { runtimeDir: dir, env, stdin: "local" })).code,
      0,
    );
    const still = await xclip(display, ["-o", "-selection", "clipboard"]);
    assert.equal(new TextDecoder().decode(still.stdout), "rich");
  },
);

x11Test("paste --watch sees copies made by other X11 programs (polling)", async (display, dir) => {
  const ready = `${dir}/watch.ready`;
  const { ipckitCommand } = await import("../_cli.ts");
  const [cmd, args] = ipckitCommand(["paste", "--watch", "--json", "--ready-file", ready]);
  const watcher = new Deno.Command(cmd, {
    args,
    env: { IPCKIT_RUNTIME_DIR: dir, DISPLAY: display, WAYLAND_DISPLAY: "" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  try {
    await waitFor(() => exists(ready), "the watcher's ready file", 30_000);
    const env = { DISPLAY: display, WAYLAND_DISPLAY: "" };
    assert.equal((await ipckit(["copy"], { runtimeDir: dir, env, stdin: "pushed" })).code, 0);
    assert.equal(
      (await xclip(display, ["-i", "-selection", "clipboard"], text.encode("polled"))).code,
      0,
    );
    const lines: { text?: string }[] = [];
    const reader = watcher.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let buffered = "";
    while (!lines.some((l) => l.text === "polled")) {
      const { done, value } = await reader.read();
      if (done) break;
      buffered += value;
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      for (const part of parts) lines.push(JSON.parse(part));
    }
    assert.deepEqual(lines.map((l) => l.text), ["pushed", "polled"]);
    reader.releaseLock();
  } finally {
    try {
      watcher.kill("SIGINT");
    } catch { /* gone */ }
    await watcher.status;
    await watcher.stdout.cancel().catch(() => {});
    await watcher.stderr.cancel().catch(() => {});
  }
});

x11Test(
  "with only HTML on the X11 clipboard, paste gives its text, as the broker's pasteboard does",
  async (display, dir) => {
    const env = { DISPLAY: display, WAYLAND_DISPLAY: "" };
    const html = "<p>Hello <b>world</b></p>";
    assert.equal(
      (await xclip(
        display,
        ["-i", "-selection", "clipboard", "-t", "text/html"],
        text.encode(html),
      ))
        .code,
      0,
    );
    await waitFor(
      async () =>
        (await ipckit(["paste", "--list-types"], { runtimeDir: dir, env })).stdout ===
          "public.html\n",
      "the desktop to offer text/html",
      20_000,
    );
    const bare = await ipckit(["paste"], { runtimeDir: dir, env });
    assert.equal(bare.code, 0, bare.stderr);
    assert.equal(bare.stdout, "Hello world");
    const plain = await ipckit(["paste", "--type", "text/plain"], { runtimeDir: dir, env });
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, "Hello world");
    const json = await ipckit(["paste", "--json"], { runtimeDir: dir, env });
    assert.deepEqual(JSON.parse(json.stdout), {
      type: "public.utf8-plain-text",
      item: 0,
      size: 11,
      derivedFrom: "public.html",
      desktop: true,
      text: "Hello world",
    });
    assert.equal(
      (await ipckit(["paste", "--type", "text/html"], { runtimeDir: dir, env })).stdout,
      html,
    );
  },
);

x11Test(
  "a copy of HTML and text offers both to X11 side by side; the text stays after daemon stop",
  async (display, dir) => {
    const env = { DISPLAY: display, WAYLAND_DISPLAY: "" };
    const html = `${dir}/a.html`;
    const txt = `${dir}/a.txt`;
    await Deno.writeTextFile(html, "<i>rich</i> text");
    await Deno.writeTextFile(txt, "plain text");
    const copied = await ipckit([
      "copy",
      "--json",
      "--rep",
      `public.html=${html}`,
      "--rep",
      `text/plain=${txt}`,
    ], {
      runtimeDir: dir,
      env,
    });
    assert.equal(copied.code, 0, copied.stderr);
    assert.deepEqual(JSON.parse(copied.stdout), {
      pasteboard: "general",
      changeCount: 1,
      desktop: "public.utf8-plain-text",
      desktopTypes: ["public.utf8-plain-text", "public.html"],
    });
    const targets = async () =>
      new TextDecoder().decode(
        (await xclip(display, ["-o", "-selection", "clipboard", "-t", "TARGETS"])).stdout,
      ).trim().split("\n");
    const offered = await targets();
    assert.ok(offered.includes("text/html") && offered.includes("UTF8_STRING"), `${offered}`);
    const read = async (target: string) =>
      new TextDecoder().decode(
        (await xclip(display, ["-o", "-selection", "clipboard", "-t", target])).stdout,
      );
    assert.equal(await read("text/html"), "<i>rich</i> text");
    assert.equal(await read("UTF8_STRING"), "plain text");
    // A target not offered is refused, not answered with other data.
    assert.notEqual(
      (await xclip(display, ["-o", "-selection", "clipboard", "-t", "image/png"])).code,
      0,
    );

    // HTML alone: the HTML and the text made of it.
    const only = await ipckit(["copy", "--rep", `public.html=${html}`], { runtimeDir: dir, env });
    assert.equal(only.code, 0, only.stderr);
    assert.equal(await read("text/html"), "<i>rich</i> text");
    assert.equal(await read("UTF8_STRING"), "rich text");

    // Large data goes by INCR, chunk by chunk.
    const big = `<p>${"x".repeat(700 * 1024)}</p>`;
    await Deno.writeTextFile(html, big);
    assert.equal(
      (await ipckit(["copy", "--rep", `public.html=${html}`], { runtimeDir: dir, env })).code,
      0,
    );
    assert.equal(await read("text/html"), big);
    assert.equal((await read("UTF8_STRING")).length, 700 * 1024);
    await Deno.writeTextFile(html, "<i>rich</i> text");
    assert.equal(
      (await ipckit(["copy", "--rep", `public.html=${html}`], { runtimeDir: dir, env })).code,
      0,
    );

    // The broker stops: the desktop keeps the text (a tool takes over).
    const stop = await ipckit(["daemon", "stop"], { runtimeDir: dir, env });
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(await read("UTF8_STRING"), "rich text");
  },
);

x11Test(
  "copy --paste-once stays off the X11 clipboard, and paste gives it even so, once",
  async (display, dir) => {
    const env = { DISPLAY: display, WAYLAND_DISPLAY: "" };
    assert.equal(
      (await xclip(display, ["-i", "-selection", "clipboard", "-t", "image/png"], PNG)).code,
      0,
    );
    const copied = await ipckit(["copy", "--paste-once", "--json"], {
      runtimeDir: dir,
      env,
      stdin: "s3cret",
    });
    assert.equal(copied.code, 0, copied.stderr);
    assert.equal(JSON.parse(copied.stdout).desktop, undefined);
    const out = await xclip(display, ["-o", "-selection", "clipboard", "-t", "image/png"]);
    assert.deepEqual(out.stdout, PNG);
    const types = await ipckit(["paste", "--list-types"], { runtimeDir: dir, env });
    assert.equal(types.stdout, "public.utf8-plain-text\n");
    assert.equal((await ipckit(["paste"], { runtimeDir: dir, env })).stdout, "s3cret");
    // Then the desktop's again.
    const after = await ipckit(["paste", "--list-types"], { runtimeDir: dir, env });
    assert.equal(after.stdout, "public.png\n");
  },
);

x11Test(
  "--primary copies to and pastes from the primary selection, apart from the clipboard",
  async (display, dir) => {
    const env = { DISPLAY: display, WAYLAND_DISPLAY: "" };
    const run = (args: string[], stdin?: string) => ipckit(args, { runtimeDir: dir, env, stdin });
    assert.equal((await run(["copy", "--primary", "--text", "middle"])).code, 0);
    assert.equal((await run(["copy", "--text", "clip"])).code, 0);
    const read = async (selection: string) =>
      new TextDecoder().decode((await xclip(display, ["-o", "-selection", selection])).stdout);
    assert.equal(await read("primary"), "middle");
    assert.equal(await read("clipboard"), "clip");
    assert.equal((await run(["paste", "--primary"])).stdout, "middle");
    assert.equal(
      (await xclip(display, ["-i", "-selection", "primary"], text.encode("selected"))).code,
      0,
    );
    await waitFor(
      async () => (await run(["paste", "--primary"])).stdout === "selected",
      "paste --primary to read the primary selection",
      20_000,
    );
    assert.equal((await run(["paste"])).stdout, "clip");
    assert.equal((await run(["paste", "--primary", "--local"])).stdout, "middle");
    assert.equal((await run(["paste", "--primary", "--pboard", "find"])).code, 2);
  },
);
