/**
 * Unit tests of the pasteboard's pure parts: derived representations, and the desktop backends
 * driven through an injected runner (no real desktop needed).
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  derivation,
  desktopBackend,
  detectDesktop,
  fileUrlsToPaths,
  htmlToText,
  pathsToFileUrls,
  rtfToText,
  type Runner,
  targetFor,
  utisForTargets,
} from "../../lib/pasteboard/mod.ts";

const encode = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("derivation() makes plain text from HTML, RTF, UTF-16 and file URLs", () => {
  const html = derivation("public.plain-text", ["public.html"]);
  assert.equal(html?.from, "public.html");
  assert.equal(html?.to, "public.utf8-plain-text");
  assert.equal(decode(html!.convert(encode("<p>a&lt;b</p><p>c</p>"))), "a<b\n\nc");
  assert.equal(derivation("public.utf8-plain-text", ["public.utf8-plain-text"]), undefined);
  assert.equal(derivation("public.png", ["public.html"]), undefined);
  const utf16 = derivation("public.utf16-plain-text", ["public.rtf"]);
  assert.deepEqual([...utf16!.convert(encode("{\\rtf1 hi}"))], [0x68, 0, 0x69, 0]);
  const back = derivation("public.utf8-plain-text", ["public.utf16-external-plain-text"]);
  assert.equal(decode(back!.convert(new Uint8Array([0xfe, 0xff, 0, 0x41]))), "A"); // big-endian BOM
});

Deno.test("htmlToText() drops scripts, styles and comments and keeps <pre> as it is", () => {
  assert.equal(
    htmlToText(
      "<html><head><title>t</title><style>p{}</style></head><body><!-- c --><script>x()</script>" +
        "<h1>Title</h1><pre>  a\n  b</pre><p>x&nbsp;&#x41;&unknown;</p></body></html>",
    ),
    "Title\n  a\n  b\nx\u00a0A&unknown;",
  );
});

Deno.test("rtfToText() handles groups, escapes, \\u with \\uc and skipped destinations", () => {
  assert.equal(
    rtfToText(
      "{\\rtf1\\ansi\\uc1{\\fonttbl{\\f0 Times;}}{\\*\\generator x;}\\f0 a\\{b\\}\\tab c\\par \\u233?t\\'e9}",
    ),
    "a{b}\tc\nété",
  );
});

Deno.test("file URLs and paths convert both ways; other text does not", () => {
  assert.equal(pathsToFileUrls("/a b/c\n/d"), "file:///a%20b/c\r\nfile:///d\r\n");
  assert.equal(fileUrlsToPaths("# comment\r\nfile:///a%20b/c\r\nfile:///d\r\n"), "/a b/c\n/d");
  assert.throws(() => pathsToFileUrls("relative/path"), TypeError);
  assert.throws(() => fileUrlsToPaths("https://example.com/"), TypeError);
  assert.throws(() => fileUrlsToPaths(""), TypeError);
});

Deno.test("detectDesktop() prefers Wayland, then xclip, then xsel, and needs the tools", async () => {
  const bin = await Deno.makeTempDir();
  try {
    for (const tool of ["wl-copy", "wl-paste", "xclip", "xsel"]) {
      await Deno.writeTextFile(`${bin}/${tool}`, "#!/bin/sh\n");
      await Deno.chmod(`${bin}/${tool}`, 0o755);
    }
    assert.equal(detectDesktop({ PATH: bin })?.backend, undefined);
    assert.equal(detectDesktop({ PATH: bin, DISPLAY: ":1" })?.backend, "xclip");
    assert.deepEqual(detectDesktop({ PATH: bin, DISPLAY: ":1", XAUTHORITY: "/x" })?.env, {
      PATH: bin,
      DISPLAY: ":1",
      XAUTHORITY: "/x",
    });
    assert.equal(
      detectDesktop({ PATH: bin, DISPLAY: ":1", WAYLAND_DISPLAY: "wayland-0" })?.backend,
      "wl-clipboard",
    );
    await Deno.remove(`${bin}/xclip`);
    assert.equal(detectDesktop({ PATH: bin, DISPLAY: ":1" })?.backend, "xsel");
    assert.equal(detectDesktop({ PATH: "/nonexistent", DISPLAY: ":1" }), undefined);
    assert.equal(detectDesktop({ PATH: bin, DISPLAY: "" }), undefined);
  } finally {
    await Deno.remove(bin, { recursive: true });
  }
});

/** A runner that answers from a table and records each call. */
function fakeRunner(
  answers: Record<string, { code?: number; stdout?: string; stderr?: string }>,
  calls: string[][],
): Runner {
  return (program, args, options) => {
    calls.push([
      program,
      ...args,
      ...(options.env?.DISPLAY ? [`DISPLAY=${options.env.DISPLAY}`] : []),
    ]);
    const answer = answers[[program, ...args].join(" ")] ?? { code: 1, stderr: "no" };
    return Promise.resolve({
      code: answer.code ?? 0,
      stdout: encode(answer.stdout ?? ""),
      stderr: answer.stderr ?? "",
    });
  };
}

Deno.test("the xclip backend reads TARGETS first and maps X atoms to UTIs", async () => {
  const calls: string[][] = [];
  const runner = fakeRunner({
    "xclip -o -selection clipboard -t TARGETS": {
      stdout: "TIMESTAMP\nTARGETS\nMULTIPLE\nSAVE_TARGETS\ntext/html\nUTF8_STRING\nSTRING\n",
    },
    "xclip -o -selection clipboard -t UTF8_STRING": { stdout: "hi" },
  }, calls);
  const backend = await desktopBackend({ backend: "xclip", env: { DISPLAY: ":5" } }, runner);
  const targets = await backend.targets();
  assert.deepEqual(utisForTargets(targets), [
    "public.html",
    "public.utf8-plain-text",
    "public.plain-text",
  ]);
  assert.equal(targetFor("text/plain", targets), "UTF8_STRING");
  assert.equal(targetFor("public.utf8-plain-text", targets), "UTF8_STRING");
  assert.equal(targetFor("public.html", targets), "text/html");
  assert.equal(targetFor("image/png", targets), undefined);
  assert.equal(decode(await backend.read("UTF8_STRING")), "hi");
  assert.deepEqual(calls[0], [
    "xclip",
    "-o",
    "-selection",
    "clipboard",
    "-t",
    "TARGETS",
    "DISPLAY=:5",
  ]);
  assert.equal(backend.publishTarget("public.utf8-plain-text"), "UTF8_STRING");
  assert.equal(backend.publishTarget("public.png"), "image/png");
  assert.deepEqual(backend.publishCommand("image/png").args, [
    "-quiet",
    "-i",
    "-selection",
    "clipboard",
    "-t",
    "image/png",
  ]);
  // No owner: xclip fails on TARGETS, which reads as an empty clipboard.
  const empty = await desktopBackend({ backend: "xclip", env: {} }, fakeRunner({}, []));
  assert.deepEqual(await empty.targets(), []);
  await assert.rejects(() => empty.read("UTF8_STRING"), /xclip could not read UTF8_STRING/);
});

Deno.test("the wl-clipboard backend lists MIME types and publishes in the foreground", async () => {
  const calls: string[][] = [];
  const runner = fakeRunner({
    "wl-paste --list-types": { stdout: "image/png\ntext/plain;charset=utf-8\ntext/plain\n" },
    "wl-paste --no-newline --type image/png": { stdout: "PNG" },
  }, calls);
  const backend = await desktopBackend({ backend: "wl-clipboard", env: {} }, runner);
  const targets = await backend.targets();
  assert.deepEqual(utisForTargets(targets), [
    "public.png",
    "public.utf8-plain-text",
    "public.plain-text",
  ]);
  assert.equal(targetFor("public.image", targets), "image/png");
  assert.equal(targetFor("text/plain", targets), "text/plain;charset=utf-8");
  assert.equal(decode(await backend.read("image/png")), "PNG");
  assert.deepEqual(backend.publishCommand("text/plain;charset=utf-8"), {
    program: "wl-copy",
    args: ["--foreground", "--type", "text/plain;charset=utf-8"],
  });
  assert.equal(backend.polls, false);
  assert.deepEqual(backend.watchCommand?.(), {
    program: "wl-paste",
    args: ["--watch", "echo", "changed"],
  });
  const none = await desktopBackend({ backend: "wl-clipboard", env: {} }, fakeRunner({}, []));
  assert.deepEqual(await none.targets(), []);
});

Deno.test("the xsel backend knows text only", async () => {
  const runner = fakeRunner({ "xsel --clipboard --output": { stdout: "sel" } }, []);
  const backend = await desktopBackend({ backend: "xsel", env: {} }, runner);
  assert.deepEqual(await backend.targets(), ["UTF8_STRING"]);
  assert.equal(decode(await backend.read("UTF8_STRING")), "sel");
  assert.equal(backend.publishTarget("public.png"), undefined);
  assert.deepEqual(backend.publishCommand("UTF8_STRING").args, [
    "--clipboard",
    "--input",
    "--nodetach",
  ]);
});
