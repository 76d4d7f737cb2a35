/**
 * `ipckit copy` and `ipckit paste` as real subprocesses against a real broker: representations,
 * items, preferences, missing types (exit 3), MIME/UTI equivalence, derived types, binary data,
 * the pbcopy/pbpaste habits, change counts and persistence across `kill -9`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { type CliOptions, type CliResult, ipckit, ipckitCommand } from "../_cli.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";
import { PNG } from "./_desktop.ts";
import { fromYaml } from "../../lib/wire/yaml.ts";

/** No desktop for these tests: the broker's pasteboards only. */
const NO_DESKTOP = { DISPLAY: "", WAYLAND_DISPLAY: "" };

function withDir(
  name: string,
  fn: (run: (args: string[], options?: CliOptions) => Promise<CliResult>, dir: string) => unknown,
) {
  Deno.test(name, async () => {
    const dir = await tempRuntimeDir();
    try {
      await fn(
        (args, options = {}) =>
          ipckit(args, { ...options, runtimeDir: dir, env: { ...NO_DESKTOP, ...options.env } }),
        dir,
      );
    } finally {
      await cleanupRuntimeDir(dir);
    }
  });
}

async function tempFile(dir: string, name: string, data: string | Uint8Array): Promise<string> {
  const path = `${dir}/${name}`;
  if (typeof data === "string") await Deno.writeTextFile(path, data);
  else await Deno.writeFile(path, data);
  return path;
}

function ok(result: CliResult): CliResult {
  assert.equal(result.code, 0, `exit ${result.code}: ${result.stderr}`);
  return result;
}

withDir("copy then paste gives back standard input", async (run) => {
  ok(await run(["copy"], { stdin: "hello world\n" }));
  assert.equal(ok(await run(["paste"])).stdout, "hello world\n");
  assert.equal(ok(await run(["paste", "--list-types"])).stdout, "public.utf8-plain-text\n");
});

withDir(
  "several representations in one item, each pasted by UTI or MIME type",
  async (run, dir) => {
    const html = await tempFile(dir, "a.html", "<p>Hello <b>world</b></p>");
    const text = await tempFile(dir, "a.txt", "Hello world");
    ok(await run(["copy", "--rep", `public.html=${html}`, "--rep", `text/plain=${text}`]));
    assert.equal(
      ok(await run(["paste", "--list-types"])).stdout,
      "public.html\npublic.utf8-plain-text\n",
    );
    assert.equal(
      ok(await run(["paste", "--list-types", "--mime"])).stdout,
      "text/html\ntext/plain;charset=utf-8\n",
    );
    assert.equal(
      ok(await run(["paste", "--type", "public.html"])).stdout,
      "<p>Hello <b>world</b></p>",
    );
    assert.equal(
      ok(await run(["paste", "--type", "text/html"])).stdout,
      "<p>Hello <b>world</b></p>",
    );
    assert.equal(ok(await run(["paste", "--type", "text/plain"])).stdout, "Hello world");
    assert.equal(ok(await run(["paste"])).stdout, "Hello world");
    // One representation from standard input.
    ok(
      await run(["copy", "--rep", `public.html=${html}`, "--rep", "text/plain=-"], { stdin: "in" }),
    );
    assert.equal(ok(await run(["paste", "--type", "text/plain"])).stdout, "in");
    assert.equal((await run(["copy", "--rep", "a.b=-", "--rep", "c.d=-"], { stdin: "x" })).code, 2);
  },
);

withDir("text/plain matches text/plain;charset=utf-8 both ways", async (run) => {
  ok(await run(["copy", "--type", "text/plain;charset=UTF-8"], { stdin: "é" }));
  assert.equal(ok(await run(["paste", "--type", "text/plain"])).stdout, "é");
  assert.equal(ok(await run(["paste", "--type", 'text/plain; charset="utf-8"'])).stdout, "é");
  ok(await run(["copy", "--type", "text/plain"], { stdin: "plain" }));
  assert.equal(ok(await run(["paste", "--type", "text/plain;charset=utf-8"])).stdout, "plain");
  assert.equal(ok(await run(["paste", "--type", "public.utf8-plain-text"])).stdout, "plain");
});

withDir("several items: one per file, each with its file URL", async (run, dir) => {
  const a = await tempFile(dir, "first.txt", "first");
  const b = await tempFile(dir, "second.json", '{"x":1}');
  ok(await run(["copy", a, b]));
  assert.equal(
    ok(await run(["paste", "--list-types"])).stdout,
    "public.utf8-plain-text\npublic.file-url\npublic.json\n",
  );
  assert.equal(ok(await run(["paste", "--item", "1", "--type", "public.json"])).stdout, '{"x":1}');
  assert.equal(ok(await run(["paste", "--type", "public.json"])).stdout, '{"x":1}');
  const url = ok(await run(["paste", "--item", "1", "--type", "public.file-url"])).stdout;
  assert.equal(url, `file://${await Deno.realPath(b)}\r\n`);
  assert.equal(ok(await run(["paste", "--item", "0"])).stdout, "first");
  const missing = await run(["paste", "--item", "0", "--type", "public.json"]);
  assert.equal(missing.code, 3);
  assert.equal(missing.stdout, "");
  assert.match(missing.stderr, /item 0 holds public\.utf8-plain-text, public\.file-url/);
  const none = await run(["paste", "--item", "5"]);
  assert.equal(none.code, 3);
  assert.match(none.stderr, /no item 5/);
});

/** The documents of a YAML stream (each starts with `---`). */
async function yamlDocuments(text: string): Promise<unknown[]> {
  assert.match(text, /^---\n/);
  return await Promise.all(text.split(/^---\n/m).slice(1).map((doc) => fromYaml(doc)));
}

withDir(
  "copy and paste --yaml say what --json says: text, !!binary data (large too), --all, counts and types",
  async (run, dir) => {
    const copied = ok(await run(["copy", "--text", 'hé "q"\n\tx\u0001', "--yaml"])).stdout;
    assert.deepEqual(await fromYaml(copied), { pasteboard: "general", changeCount: 1n });
    const [text] = await yamlDocuments(ok(await run(["paste", "--yaml"])).stdout);
    assert.deepEqual(text, {
      type: "public.utf8-plain-text",
      item: 0n,
      size: 11n,
      text: 'hé "q"\n\tx\u0001',
    });
    const photo = await tempFile(dir, "photo.png", PNG);
    const notes = await tempFile(dir, "notes.txt", "notes");
    ok(await run(["copy", photo, notes]));
    assert.deepEqual(await yamlDocuments(ok(await run(["paste", "--all", "--yaml"])).stdout), [
      { type: "public.png", item: 0n, size: BigInt(PNG.length), data: PNG },
      { type: "public.utf8-plain-text", item: 1n, size: 5n, text: "notes" },
    ]);
    const count = ok(await run(["paste", "--change-count", "--yaml"])).stdout;
    assert.deepEqual(await fromYaml(count), { pasteboard: "general", changeCount: 2n });
    const types = ok(await run(["paste", "--list-types", "--yaml", "--item", "1"])).stdout;
    assert.deepEqual(await fromYaml(types), [
      { type: "public.utf8-plain-text", mime: "text/plain;charset=utf-8" },
      { type: "public.file-url", mime: "text/uri-list" },
    ]);
    // Large data is streamed in chunks: the base64 lines still make the same bytes.
    const big = crypto.getRandomValues(new Uint8Array(65536)).slice();
    const blob = new Uint8Array(3 * 1024 * 1024 + 1);
    for (let at = 0; at < blob.length; at += big.length) {
      blob.set(big.subarray(0, blob.length - at), at);
    }
    const file = await tempFile(dir, "blob.bin", blob);
    ok(await run(["copy", "--rep", `application/octet-stream=${file}`]));
    const [large] = await yamlDocuments(ok(await run(["paste", "--yaml"])).stdout);
    assert.deepEqual((large as { data: Uint8Array }).data, blob);
    assert.equal((await run(["paste", "--yaml", "--json"])).code, 2);
  },
);

withDir(
  "a bare paste gives the first item; --all every item, NUL-separated or as JSON lines",
  async (run, dir) => {
    const photo = await tempFile(dir, "photo.png", PNG);
    const notes = await tempFile(dir, "notes.txt", "notes");
    ok(await run(["copy", photo, notes]));
    assert.deepEqual(ok(await run(["paste"])).stdoutBytes, PNG);
    assert.equal(ok(await run(["paste", "--item", "1"])).stdout, "notes");
    const all = ok(await run(["paste", "--all"])).stdoutBytes;
    assert.deepEqual(all, new Uint8Array([...PNG, 0, ...new TextEncoder().encode("notes")]));
    const lines = ok(await run(["paste", "--all", "--json"])).stdout.trim().split("\n");
    assert.deepEqual(lines.map((l) => JSON.parse(l)), [
      {
        type: "public.png",
        item: 0,
        size: PNG.length,
        data: { $data: btoa(String.fromCharCode(...PNG)) },
      },
      { type: "public.utf8-plain-text", item: 1, size: 5, text: "notes" },
    ]);
    // Items without the type asked for are left out; none at all is exit 3.
    assert.equal(
      ok(await run(["paste", "--all", "--type", "public.png"])).stdout.length,
      PNG.length,
    );
    assert.equal((await run(["paste", "--all", "--type", "public.html"])).code, 3);
    ok(await run(["copy", "--clear"]));
    assert.equal((await run(["paste", "--all"])).code, 3);
    // Text copied as a file pastes as its text; a file URL alone as its path.
    ok(await run(["copy", notes, photo]));
    assert.equal(ok(await run(["paste"])).stdout, "notes");
    ok(await run(["copy", "--type", "public.file-url"], { stdin: `file://${photo}` }));
    assert.equal(ok(await run(["paste"])).stdout, photo);
  },
);

withDir(
  "copy --text copies its text (FILE… stay files); --trim-newline leaves out the last newline",
  async (run) => {
    ok(await run(["copy", "--text", "hello world\n"]));
    assert.equal(ok(await run(["paste"])).stdout, "hello world\n");
    assert.equal(ok(await run(["paste", "--list-types"])).stdout, "public.utf8-plain-text\n");
    ok(await run(["copy", "--text", "hello world\n", "--trim-newline"]));
    assert.equal(ok(await run(["paste"])).stdout, "hello world");
    ok(await run(["copy", "--trim-newline"], { stdin: "line\n\n" }));
    assert.equal(ok(await run(["paste"])).stdout, "line\n");
    ok(await run(["copy", "--trim-newline"], { stdin: "no newline" }));
    assert.equal(ok(await run(["paste"])).stdout, "no newline");
    // Large input (streamed to the broker): only the very last newline goes, even one that
    // ends a chunk in the middle.
    const big = "a".repeat(1024 * 1024) + "\n" + "b".repeat(300 * 1024) + "\n";
    ok(await run(["copy", "--trim-newline"], { stdin: big }));
    assert.equal(ok(await run(["paste"])).stdout, big.slice(0, -1));
    // A word is a file, never text.
    const missing = await run(["copy", "hello"]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /cannot copy hello: no such file/);
    assert.equal((await run(["copy", "--text", "x", "a.txt"])).code, 2);
    assert.equal((await run(["copy", "--trim-newline", "--rep", "text/plain=-"])).code, 2);
    assert.match(ok(await run(["copy", "--help"])).stdout, /--text <text>/);
  },
);

withDir(
  "copy --paste-once: the first paste empties the pasteboard; looking does not",
  async (run) => {
    ok(await run(["copy", "--paste-once"], { stdin: "s3cret" }));
    assert.equal(ok(await run(["paste", "--list-types"])).stdout, "public.utf8-plain-text\n");
    assert.equal(ok(await run(["paste", "--change-count"])).stdout, "1\n");
    assert.equal(ok(await run(["paste"])).stdout, "s3cret");
    const again = await run(["paste"]);
    assert.equal(again.code, 3);
    assert.equal(again.stdout, "");
    assert.equal(ok(await run(["paste", "--change-count"])).stdout, "2\n");
    // Large data too, and --json reads count; an ordinary copy is not emptied.
    const big = new Uint8Array(2 * 1024 * 1024).fill(9);
    ok(await run(["copy", "--paste-once", "--type", "public.data"], { stdin: big }));
    assert.equal(JSON.parse(ok(await run(["paste", "--json"])).stdout).size, big.length);
    assert.equal((await run(["paste"])).code, 3);
    ok(await run(["copy"], { stdin: "plain" }));
    ok(await run(["paste"]));
    assert.equal(ok(await run(["paste"])).stdout, "plain");
    assert.equal((await run(["copy", "--paste-once", "--clear"])).code, 2);
  },
);

/** Runs `ipckit ARGS…` with its standard output on a terminal (a pty, through `script`). */
async function onTerminal(dir: string, args: string[]): Promise<{ code: number; output: string }> {
  const [cmd, cmdArgs] = ipckitCommand(args);
  const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;
  const out = await new Deno.Command("script", {
    args: ["-qec", [cmd, ...cmdArgs].map(quote).join(" "), "/dev/null"],
    env: { IPCKIT_RUNTIME_DIR: dir, ...NO_DESKTOP },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: out.code, output: new TextDecoder().decode(out.stdout) };
}

withDir(
  "on a terminal, binary data is refused with a hint (unless --force); text is printed",
  async (run, dir) => {
    ok(await run(["copy", "--type", "public.png"], { stdin: PNG }));
    const refused = await onTerminal(dir, ["paste"]);
    assert.equal(refused.code, 1, refused.output);
    assert.match(
      refused.output,
      /^ipckit: not printing 20 bytes of public\.png to the terminal: it is binary; redirect it \(ipckit paste > file\) or pass --force\r?\n$/,
    );
    const forced = await onTerminal(dir, ["paste", "--force"]);
    assert.equal(forced.code, 0, forced.output);
    assert.ok(forced.output.includes("PNG"), forced.output);
    // Piped, as ever: the bytes.
    assert.deepEqual(ok(await run(["paste"])).stdoutBytes, PNG);
    // Large binary data too (it comes from a file).
    const big = new Uint8Array(1024 * 1024).fill(0xff);
    ok(await run(["copy", "--type", "public.data"], { stdin: big }));
    assert.equal((await onTerminal(dir, ["paste"])).code, 1);
    ok(await run(["copy"], { stdin: "grüße\n" }));
    const text = await onTerminal(dir, ["paste"]);
    assert.equal(text.code, 0, text.output);
    assert.equal(text.output.replaceAll("\r", ""), "grüße\n");
  },
);

withDir("--prefer takes the first type that is there, in the order given", async (run, dir) => {
  const rtf = await tempFile(dir, "a.rtf", "{\\rtf1 Rich}");
  const text = await tempFile(dir, "a.txt", "Plain");
  ok(await run(["copy", "--rep", `text/plain=${text}`, "--rep", `public.rtf=${rtf}`]));
  assert.equal(
    ok(
      await run([
        "paste",
        "--prefer",
        "public.png",
        "--prefer",
        "public.rtf",
        "--prefer",
        "text/plain",
      ]),
    )
      .stdout,
    "{\\rtf1 Rich}",
  );
  assert.equal(ok(await run(["paste", "--prefer", "text/plain,public.rtf"])).stdout, "Plain");
  const json = JSON.parse(
    ok(await run(["paste", "--prefer", "image/png,text/rtf", "--json"])).stdout,
  );
  assert.equal(json.type, "public.rtf");
});

withDir(
  "a missing type or an empty pasteboard exits 3 with empty stdout and says what is there",
  async (run) => {
    const empty = await run(["paste"]);
    assert.equal(empty.code, 3);
    assert.equal(empty.stdout, "");
    assert.match(empty.stderr, /the general pasteboard is empty/);
    const emptyList = await run(["paste", "--list-types"]);
    assert.equal(emptyList.code, 3);
    assert.equal(emptyList.stdout, "");
    ok(await run(["copy"], { stdin: "text" }));
    const png = await run(["paste", "--type", "image/png"]);
    assert.equal(png.code, 3);
    assert.equal(png.stdout, "");
    assert.match(
      png.stderr,
      /cannot paste "public\.png": the general pasteboard holds public\.utf8-plain-text/,
    );
    const other = await run(["paste", "--pboard", "never-used"]);
    assert.equal(other.code, 3);
    assert.match(other.stderr, /the never-used pasteboard is empty/);
    ok(await run(["copy", "--clear"]));
    const cleared = await run(["paste"]);
    assert.equal(cleared.code, 3);
  },
);

withDir(
  "derived representations: HTML and RTF to text, UTF-8 to UTF-16, file URL to path",
  async (run, dir) => {
    const html = await tempFile(
      dir,
      "a.html",
      "<ul><li>one &amp; two</li></ul><p>caf&eacute;&#33;</p>",
    );
    ok(await run(["copy", "--rep", `public.html=${html}`]));
    assert.equal(
      ok(await run(["paste", "--type", "text/plain"])).stdout,
      "• one & two\n\ncaf&eacute;!",
    );
    const derived = JSON.parse(ok(await run(["paste", "--json"])).stdout);
    assert.equal(derived.derivedFrom, "public.html");
    const utf16 = ok(await run(["paste", "--type", "text/plain;charset=utf-16"])).stdoutBytes;
    assert.deepEqual([...utf16.subarray(0, 4)], [0xff, 0xfe, 0x22, 0x20]); // BOM, "•" LE
    assert.equal(ok(await run(["paste", "--list-types"])).stdout, "public.html\n");

    const rtf = await tempFile(
      dir,
      "a.rtf",
      "{\\rtf1\\ansi{\\fonttbl\\f0 Helvetica;}\\f0 Hello\\par W\\'f6rld \\u8364?}",
    );
    ok(await run(["copy", "--rep", `public.rtf=${rtf}`]));
    assert.equal(ok(await run(["paste"])).stdout, "Hello\nWörld €");

    ok(
      await run(["copy", "--type", "public.utf16-external-plain-text"], {
        stdin: new Uint8Array([0xff, 0xfe, 0x68, 0x00, 0x69, 0x00]),
      }),
    );
    assert.equal(ok(await run(["paste", "--type", "public.utf8-plain-text"])).stdout, "hi");

    const file = await tempFile(dir, "with space.bin", new Uint8Array([0, 1, 2, 255]));
    ok(await run(["copy", file]));
    assert.equal(
      ok(await run(["paste", "--type", "text/plain"])).stdout,
      await Deno.realPath(file),
    );
    ok(await run(["copy"], { stdin: "/tmp/a b\n/etc/hosts" }));
    assert.equal(
      ok(await run(["paste", "--type", "public.file-url"])).stdout,
      "file:///tmp/a%20b\r\nfile:///etc/hosts\r\n",
    );
    ok(await run(["copy"], { stdin: "not a path" }));
    assert.equal((await run(["paste", "--type", "public.file-url"])).code, 3);
  },
);

withDir(
  "binary data is byte-exact, small and large, and typed only by unmistakable content",
  async (run) => {
    const all = new Uint8Array(512);
    for (let i = 0; i < all.length; i++) all[i] = i & 0xff;
    ok(await run(["copy"], { stdin: all }));
    assert.equal(ok(await run(["paste", "--list-types"])).stdout, "public.data\n");
    assert.deepEqual(ok(await run(["paste"])).stdoutBytes, all);

    const large = crypto.getRandomValues(new Uint8Array(65536));
    const big = new Uint8Array(3 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i += large.length) {
      big.set(
        large.subarray(0, big.length - i),
        i,
      );
    }
    ok(await run(["copy", "--type", "application/octet-stream"], { stdin: big }));
    assert.deepEqual(ok(await run(["paste", "--type", "public.data"])).stdoutBytes, big);

    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0xff]);
    ok(await run(["copy"], { stdin: png }));
    assert.equal(ok(await run(["paste", "--list-types", "--mime"])).stdout, "image/png\n");
    assert.deepEqual(ok(await run(["paste", "--type", "image/png"])).stdoutBytes, png);
    assert.deepEqual(ok(await run(["paste", "--type", "public.image"])).stdoutBytes, png);

    ok(await run(["copy"], { stdin: "%PDF-1.7\n%\u00ff" }));
    assert.equal(ok(await run(["paste", "--list-types"])).stdout, "com.adobe.pdf\n");
    ok(await run(["copy"], { stdin: "GIF89a" }));
    assert.equal(ok(await run(["paste", "--list-types"])).stdout, "com.compuserve.gif\n");
    ok(await run(["copy"], { stdin: new Uint8Array([0xff, 0xd8, 0xff, 0xe0]) }));
    assert.equal(ok(await run(["paste", "--list-types"])).stdout, "public.jpeg\n");
  },
);

withDir("the pbcopy/pbpaste habits: -pboard find and -Prefer rtf", async (run, dir) => {
  ok(await run(["copy", "-pboard", "find"], { stdin: "needle" }));
  assert.equal(ok(await run(["paste", "-pboard", "find"])).stdout, "needle");
  assert.equal(ok(await run(["paste", "--pboard", "find"])).stdout, "needle");
  assert.equal((await run(["paste"])).code, 3); // general untouched
  const rtf = await tempFile(dir, "a.rtf", "{\\rtf1 R}");
  ok(
    await run([
      "copy",
      "--rep",
      `public.rtf=${rtf}`,
      "--rep",
      "text/plain=" + await tempFile(dir, "t", "T"),
    ]),
  );
  assert.equal(ok(await run(["paste", "-Prefer", "rtf"])).stdout, "{\\rtf1 R}");
  assert.equal(ok(await run(["paste", "-Prefer", "txt"])).stdout, "T");
  // Nothing of the preferred type: the text, as pbpaste gives; --prefer takes the same words.
  assert.equal(ok(await run(["paste", "-Prefer", "ps"])).stdout, "T");
  assert.equal(ok(await run(["paste", "--prefer", "rtf"])).stdout, "{\\rtf1 R}");
  ok(await run(["copy"], { stdin: "only text" }));
  assert.equal(ok(await run(["paste", "-Prefer", "rtf"])).stdout, "only text");
  assert.equal(ok(await run(["paste", "--prefer", "rtf"])).stdout, "only text");
  assert.equal(ok(await run(["paste", "--prefer", "ps,rtf"])).stdout, "only text");
  // As pbcopy does, RTF and EPS on standard input are stored as such.
  ok(await run(["copy"], { stdin: "{\\rtf1\\ansi Hello \\b bold\\b0}" }));
  assert.equal(ok(await run(["paste", "--list-types"])).stdout, "public.rtf\n");
  assert.equal(ok(await run(["paste"])).stdout, "Hello bold");
  assert.equal(
    ok(await run(["paste", "-Prefer", "rtf"])).stdout,
    "{\\rtf1\\ansi Hello \\b bold\\b0}",
  );
  const eps = "%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nshowpage\n";
  ok(await run(["copy"], { stdin: eps }));
  assert.equal(
    ok(await run(["paste", "--list-types"])).stdout,
    "com.adobe.encapsulated-postscript\n",
  );
  assert.equal(ok(await run(["paste", "-Prefer", "ps"])).stdout, eps);
  // PostScript that is not EPS stays text, as with pbcopy.
  ok(await run(["copy"], { stdin: "%!PS-Adobe-3.0\nshowpage\n" }));
  assert.equal(ok(await run(["paste", "--list-types"])).stdout, "public.utf8-plain-text\n");
  const bad = await run(["paste", "-Prefer", "doc"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /-Prefer takes txt, rtf or ps/);
  assert.equal((await run(["paste", "-p", "find"])).code, 2); // no -p short option
});

withDir(
  "change counts go up with every change; --append adds items; --clear empties",
  async (run) => {
    assert.equal(ok(await run(["paste", "--change-count"])).stdout, "0\n");
    const first = JSON.parse(ok(await run(["copy", "--json"], { stdin: "a" })).stdout);
    assert.equal(first.changeCount, 1);
    ok(await run(["copy", "--append"], { stdin: "b" }));
    assert.equal(ok(await run(["paste", "--change-count"])).stdout, "2\n");
    assert.equal(ok(await run(["paste", "--item", "1"])).stdout, "b");
    assert.equal(ok(await run(["paste"])).stdout, "a");
    const cleared = JSON.parse(ok(await run(["copy", "--clear", "--json"])).stdout);
    assert.equal(cleared.changeCount, 3);
    assert.deepEqual(JSON.parse(ok(await run(["paste", "--change-count", "--json"])).stdout), {
      pasteboard: "general",
      changeCount: 3,
    });
  },
);

withDir("bad command lines are usage errors (exit 2) and change nothing", async (run) => {
  ok(await run(["copy"], { stdin: "keep" }));
  for (
    const args of [
      ["copy", "--rep", "nonsense"],
      ["copy", "--rep", "public.html="],
      ["copy", "--type", "not a type"],
      ["copy", "--clear", "--type", "text/plain"],
      ["paste", "--type", "???"],
      ["paste", "--mime"],
      ["paste", "--ready-file", "/tmp/x"],
      ["paste", "--item", "-1"],
      ["paste", "--list-types", "--item", "-1"],
      ["paste", "--all", "--item", "0"],
    ]
  ) {
    const result = await run(args);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(result.stdout, "");
  }
  const missing = await run(["copy", "/nonexistent/file"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no such file/);
  assert.equal(ok(await run(["paste"])).stdout, "keep");
});

withDir("contents and change counts survive kill -9 of the broker", async (run, dir) => {
  ok(await run(["copy"], { stdin: "survivor" }));
  ok(
    await run(["copy", "--pboard", "find", "--type", "public.data"], {
      stdin: new Uint8Array([0, 255]),
    }),
  );
  ok(await run(["copy", "--pboard", "find", "--append"], { stdin: "x" }));
  const status = JSON.parse(ok(await run(["daemon", "status", "--json"])).stdout);
  Deno.kill(status.pid, "SIGKILL");
  const { alive, waitFor } = await import("../_helpers.ts");
  await waitFor(() => !alive(status.pid), "the broker to die");
  assert.equal(ok(await run(["paste"])).stdout, "survivor");
  assert.equal(ok(await run(["paste", "--change-count"])).stdout, "1\n");
  assert.deepEqual(
    ok(await run(["paste", "--pboard", "find", "--type", "public.data"])).stdoutBytes,
    new Uint8Array([0, 255]),
  );
  assert.equal(ok(await run(["paste", "--pboard", "find", "--change-count"])).stdout, "2\n");
  const after = JSON.parse(ok(await run(["daemon", "status", "--json"])).stdout);
  assert.notEqual(after.pid, status.pid);
  // Nothing half-written is left behind.
  const names = [];
  for await (const entry of Deno.readDir(`${dir}/pasteboards/tmp`)) names.push(entry.name);
  assert.deepEqual(names, []);
});

withDir(
  "a state saved whole but not yet in its place (the broker died in between) is the one loaded",
  async (run, dir) => {
    const { alive, waitFor } = await import("../_helpers.ts");
    const kill = async () => {
      const status = JSON.parse(ok(await run(["daemon", "status", "--json"])).stdout);
      Deno.kill(status.pid, "SIGKILL");
      await waitFor(() => !alive(status.pid), "the broker to die");
    };
    const state = `${dir}/pasteboards/general.state`;
    ok(await run(["copy"], { stdin: "older" }));
    await kill();
    const older = await Deno.readFile(state);
    ok(await run(["copy"], { stdin: "newer" }));
    await kill();
    // Died after the new state was renamed to NAME.state.new, before the old one went away.
    await Deno.rename(state, `${state}.new`);
    await Deno.writeFile(state, older);
    assert.equal(ok(await run(["paste"])).stdout, "newer");
    assert.equal(ok(await run(["paste", "--change-count"])).stdout, "2\n");
    await kill();
    // Died after the old state went away, before the new one took its place.
    await Deno.rename(state, `${state}.new`);
    assert.equal(ok(await run(["paste"])).stdout, "newer");
    const names = [];
    for await (const entry of Deno.readDir(`${dir}/pasteboards`)) names.push(entry.name);
    assert.ok(!names.some((name) => name.endsWith(".new")), names.join(" "));
  },
);
