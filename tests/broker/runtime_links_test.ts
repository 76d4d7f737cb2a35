/**
 * Links planted in the runtime directory are never followed: not by the broker's storage
 * (pasteboard data, notification state, its log), not by what `paste` prints.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ipckit } from "../_cli.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";

/** No desktop clipboard: the broker's own pasteboard only. */
const env = { DISPLAY: "", WAYLAND_DISPLAY: "" };

/** A runtime directory and, outside it, a directory holding a file someone cares about. */
async function withDirs(
  body: (dir: string, outside: string, victim: string) => Promise<void>,
): Promise<void> {
  const dir = await tempRuntimeDir();
  const outside = await Deno.makeTempDir({ prefix: "ipckit-outside-" });
  const victim = `${outside}/victim.txt`;
  await Deno.writeTextFile(victim, "precious\n");
  try {
    await body(dir, outside, victim);
  } finally {
    await cleanupRuntimeDir(dir);
    await Deno.remove(outside, { recursive: true });
  }
}

Deno.test("a link planted at pasteboards/data is refused, and the files it points to stay", async () => {
  await withDirs(async (dir, outside, victim) => {
    await Deno.mkdir(`${dir}/pasteboards`, { mode: 0o700 });
    await Deno.symlink(outside, `${dir}/pasteboards/data`);
    const copy = await ipckit(["copy"], { runtimeDir: dir, env, stdin: "x".repeat(100_000) });
    assert.equal(copy.code, 1, copy.stderr);
    assert.match(copy.stderr, /refusing .*pasteboards\/data: it is a symbolic link/);
    assert.equal(await Deno.readTextFile(victim), "precious\n");
    assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), ["victim.txt"]);
  });
});

Deno.test("notification state is never written through a link in notify-state", async () => {
  await withDirs(async (dir, outside, victim) => {
    await Deno.mkdir(`${dir}/notify-state`, { mode: 0o700 });
    // The temporary name the broker used to write first.
    await Deno.symlink(victim, `${dir}/notify-state/com.example.x.tmp`);
    const set = await ipckit(["state", "com.example.x", "5"], { runtimeDir: dir, env });
    assert.equal(set.code, 0, set.stderr);
    assert.equal(await Deno.readTextFile(victim), "precious\n");
    const get = await ipckit(["state", "com.example.x"], { runtimeDir: dir, env });
    assert.equal(get.stdout.trim(), "5");
    // notify-state itself a link to a directory elsewhere: refused, nothing written there.
    await Deno.remove(`${dir}/notify-state`, { recursive: true });
    await Deno.symlink(outside, `${dir}/notify-state`);
    const again = await ipckit(["state", "com.example.y", "7"], { runtimeDir: dir, env });
    assert.equal(again.code, 1, again.stdout);
    assert.match(again.stderr, /notify-state: it is a symbolic link/);
    assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), ["victim.txt"]);
  });
});

Deno.test("a pasteboard data file replaced by a link is refused, not printed", async () => {
  await withDirs(async (dir, _outside, victim) => {
    const copy = await ipckit(["copy"], { runtimeDir: dir, env, stdin: "x".repeat(100_000) });
    assert.equal(copy.code, 0, copy.stderr);
    const files = [...Deno.readDirSync(`${dir}/pasteboards/data`)].map((e) => e.name);
    assert.equal(files.length, 1);
    const data = `${dir}/pasteboards/data/${files[0]}`;
    await Deno.remove(data);
    await Deno.symlink(victim, data);
    const paste = await ipckit(["paste"], { runtimeDir: dir, env });
    assert.doesNotMatch(paste.stdout, /precious/);
    assert.equal(paste.code, 1, paste.stdout);
    assert.match(paste.stderr, /it is a symbolic link/);
  });
});

Deno.test("a link planted at broker.log is replaced by the broker's own log, never appended to", async () => {
  await withDirs(async (dir, _outside, victim) => {
    await Deno.symlink(victim, `${dir}/broker.log`);
    const get = await ipckit(["state", "com.example.x"], { runtimeDir: dir, env });
    assert.equal(get.code, 0, get.stderr);
    assert.equal(await Deno.readTextFile(victim), "precious\n");
    const log = await Deno.lstat(`${dir}/broker.log`);
    assert.ok(log.isFile && !log.isSymlink);
    assert.match(await Deno.readTextFile(`${dir}/broker.log`), /info/);
  });
});

Deno.test("a link planted at broker.lock is refused, and nothing is created where it points", async () => {
  await withDirs(async (dir, outside) => {
    await Deno.symlink(`${outside}/created-through-link`, `${dir}/broker.lock`);
    const get = await ipckit(["state", "com.example.x"], { runtimeDir: dir, env });
    assert.equal(get.code, 1, get.stdout);
    assert.match(get.stderr, /broker\.lock: it is a symbolic link/);
    assert.deepEqual([...Deno.readDirSync(outside)].map((e) => e.name), ["victim.txt"]);
  });
});
