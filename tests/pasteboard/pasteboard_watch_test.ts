/**
 * `ipckit paste --watch` when the broker goes away (`daemon stop`, `kill -9`): it reconnects by
 * itself, as `listen` does, says that changes may have been missed (a gap record in `--json`, a
 * line on standard error otherwise) and goes on printing changes.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ipckit, ipckitCommand } from "../_cli.ts";
import { cleanupRuntimeDir, exists, tempRuntimeDir, waitFor } from "../_helpers.ts";
import { fromYaml } from "../../lib/wire/yaml.ts";

const NO_DESKTOP = { DISPLAY: "", WAYLAND_DISPLAY: "" };

/** The lines a stream prints, as they come. */
class Lines {
  #lines: string[] = [];
  #ended = false;
  #wake: (() => void) | undefined;
  readonly done: Promise<void>;

  constructor(stream: ReadableStream<Uint8Array>) {
    this.done = (async () => {
      let rest = "";
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        rest += chunk;
        const parts = rest.split("\n");
        rest = parts.pop()!;
        this.#lines.push(...parts);
        this.#wake?.();
      }
      this.#ended = true;
      this.#wake?.();
    })();
  }

  /** Every line so far. */
  get all(): string[] {
    return [...this.#lines];
  }

  /** Waits until `count` lines have come (30 s at most); returns them all. */
  async until(count: number, what: string): Promise<string[]> {
    const deadline = Date.now() + 30_000;
    while (this.#lines.length < count) {
      if (this.#ended) throw new Error(`the watcher ended before ${what}: ${this.#lines}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${this.#lines}`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 200);
      });
    }
    return this.all;
  }
}

function watcher(dir: string, args: string[]): { child: Deno.ChildProcess; ready: string } {
  const ready = `${dir}/${crypto.randomUUID()}.ready`;
  const [cmd, cmdArgs] = ipckitCommand([
    "paste",
    "--pboard",
    "w",
    "--watch",
    "--ready-file",
    ready,
    ...args,
  ]);
  const child = new Deno.Command(cmd, {
    args: cmdArgs,
    env: { IPCKIT_RUNTIME_DIR: dir, ...NO_DESKTOP },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  return { child, ready };
}

Deno.test("paste --watch reconnects after daemon stop and kill -9 and reports the gap", async () => {
  const dir = await tempRuntimeDir();
  const json = watcher(dir, ["--json"]);
  const text = watcher(dir, []);
  const yaml = watcher(dir, ["--yaml"]);
  const yamlOut = new Lines(yaml.child.stdout);
  const yamlErr = new Response(yaml.child.stderr).text();
  const jsonOut = new Lines(json.child.stdout);
  const textOut = new Lines(text.child.stdout);
  const textErr = new Lines(text.child.stderr);
  const jsonErr = new Response(json.child.stderr).text();
  const run = (args: string[], stdin?: string) =>
    ipckit(args, { runtimeDir: dir, env: NO_DESKTOP, stdin });
  const copy = async (data: string) => {
    const r = await run(["copy", "--pboard", "w"], data);
    assert.equal(r.code, 0, r.stderr);
  };
  try {
    await waitFor(() => exists(json.ready), "the JSON watcher's ready file", 30_000);
    await waitFor(() => exists(text.ready), "the text watcher's ready file", 30_000);
    await waitFor(() => exists(yaml.ready), "the YAML watcher's ready file", 30_000);
    await copy("one\n");
    await jsonOut.until(1, "the first change");
    await textOut.until(1, "the first change (text)");

    // Stopped on purpose: the watchers stay; the next copy's change reaches them after a gap.
    const stop = await run(["daemon", "stop"]);
    assert.equal(stop.code, 0, stop.stderr);
    await copy("two\n");
    await jsonOut.until(3, "the gap and the change after daemon stop");
    await textOut.until(2, "the change after daemon stop (text)");

    // Killed: the same.
    const status = JSON.parse((await run(["daemon", "status", "--json"])).stdout);
    Deno.kill(status.pid, "SIGKILL");
    await copy("three\n");
    const lines = (await jsonOut.until(5, "the gap and the change after kill -9")).map((l) =>
      JSON.parse(l)
    );
    await textOut.until(3, "the change after kill -9 (text)");
    // --yaml: the same records, a document each; a gap's change count is the one when that
    // watcher came back.
    await waitFor(() => yamlOut.all.includes('text: "three\\n"'), "the last YAML document", 30_000);
    const documents = await Promise.all(
      yamlOut.all.join("\n").split(/^---$/m).slice(1).map((d) => fromYaml(d)),
    ) as Record<string, unknown>[];
    assert.deepEqual(
      documents.map((d) => d.record ?? [d.text, d.changeCount]),
      lines.map((l) => l.record ?? [l.text, BigInt(l.changeCount)]),
    );
    assert.ok(documents.filter((d) => d.record).every((d) => d.from instanceof Date));

    assert.deepEqual(lines.map((l) => l.record ?? l.text), [
      "one\n",
      "gap",
      "two\n",
      "gap",
      "three\n",
    ]);
    for (const gap of [lines[1], lines[3]]) {
      assert.ok(Date.parse(gap.from) <= Date.parse(gap.to), JSON.stringify(gap));
      assert.equal(typeof gap.changeCount, "number");
    }
    assert.deepEqual(lines.filter((l) => l.text).map((l) => l.changeCount), [1, 2, 3]);
    assert.deepEqual(textOut.all, ["one", "two", "three"]);
    // Two gap lines on standard error, one line each, saying what may have been missed.
    await textErr.until(2, "the gap lines on standard error");
    for (const line of textErr.all) {
      assert.match(line, /^ipckit: gap: .*the broker went away.*changes may have been missed$/);
    }
  } finally {
    for (const child of [json.child, text.child, yaml.child]) {
      try {
        child.kill("SIGINT");
      } catch { /* gone */ }
    }
    const codes = [json, text, yaml].map(async (w) => (await w.child.status).code);
    await Promise.all([jsonOut.done, textOut.done, textErr.done, jsonErr, yamlOut.done, yamlErr]);
    await cleanupRuntimeDir(dir);
    assert.deepEqual(await Promise.all(codes), [130, 130, 130], await jsonErr + await yamlErr);
  }
});

Deno.test("paste --watch --no-newline (-n) adds no newline between changes", async () => {
  const dir = await tempRuntimeDir();
  const { child, ready } = watcher(dir, ["-n"]);
  const out = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const err = new Response(child.stderr).text();
  try {
    await waitFor(() => exists(ready), "the watcher's ready file", 30_000);
    let seen = "";
    for (const text of ["a", "b"]) {
      const r = await ipckit(["copy", "--pboard", "w"], {
        runtimeDir: dir,
        env: NO_DESKTOP,
        stdin: text,
      });
      assert.equal(r.code, 0, r.stderr);
      while (!seen.endsWith(text)) {
        const { value, done } = await out.read();
        if (done) throw new Error(`the watcher ended: ${seen}`);
        seen += value;
      }
    }
    assert.equal(seen, "ab");
  } finally {
    try {
      child.kill("SIGINT");
    } catch { /* gone */ }
    await child.status;
    out.releaseLock();
    await child.stdout.cancel().catch(() => {});
    await err;
    await cleanupRuntimeDir(dir);
  }
});
