import assert from "node:assert/strict";
import { RuntimeDirError } from "../errors.ts";
import { runAsNobody } from "../../tests/_helpers.ts";
import { checkSocketPath, ensureRuntimeDir, resolveRuntimeDir } from "./runtime_dir.ts";

async function scratch(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "ipckit-rd-" });
}

Deno.test("ensureRuntimeDir() creates a missing directory with mode 0700", async () => {
  const base = await scratch();
  const dir = `${base}/deeper/ipckit`;
  assert.equal(await ensureRuntimeDir({ runtimeDir: dir }), dir);
  assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
  await Deno.remove(base, { recursive: true });
});

Deno.test("ensureRuntimeDir() refuses a directory open to others and says chmod 700", async () => {
  const dir = await scratch();
  await Deno.chmod(dir, 0o755);
  await assert.rejects(
    () => ensureRuntimeDir({ runtimeDir: dir }),
    (e: Error) => e instanceof RuntimeDirError && e.message.includes(`chmod 700 ${dir}`),
  );
  await Deno.chmod(dir, 0o700);
  await ensureRuntimeDir({ runtimeDir: dir });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("ensureRuntimeDir() refuses a symlink, even to a good directory", async () => {
  const base = await scratch();
  await Deno.chmod(base, 0o700);
  const real = `${base}/real`;
  await Deno.mkdir(real, { mode: 0o700 });
  await Deno.symlink(real, `${base}/link`);
  await assert.rejects(
    () => ensureRuntimeDir({ runtimeDir: `${base}/link` }),
    (e: Error) => e instanceof RuntimeDirError && /symlink/.test(e.message),
  );
  await Deno.remove(base, { recursive: true });
});

const IN_CI = Deno.env.get("CI") === "true";
const ROOT = Deno.uid() === 0;

/**
 * Runs `ensureRuntimeDir({ runtimeDir: dir })` as the user nobody (setpriv; this process must
 * be root) and returns what it printed: "OK" or the error's message.
 */
async function ensureAsNobody(dir: string): Promise<string> {
  const module = new URL("./runtime_dir.ts", import.meta.url).href;
  const out = await runAsNobody(
    `import { ensureRuntimeDir } from ${JSON.stringify(module)};
    try { await ensureRuntimeDir({ runtimeDir: ${JSON.stringify(dir)} }); console.log("OK"); }
    catch (e) { console.log(e.message); }`,
    ["--allow-read", "--allow-write", "--allow-env", "--allow-sys=uid"],
  );
  assert.equal(out.code, 0, out.stderr);
  return out.stdout.trim();
}

Deno.test("ensureRuntimeDir() refuses a directory owned by another user", async () => {
  if (!ROOT) {
    // Any user: the root directory belongs to root.
    await assert.rejects(
      () => ensureRuntimeDir({ runtimeDir: "/" }),
      (e: Error) => e instanceof RuntimeDirError && /belongs to uid 0, not to you/.test(e.message),
    );
    return;
  }
  // Root: a private directory of root's, checked by the user nobody.
  const base = await scratch();
  await Deno.chmod(base, 0o755);
  const dir = `${base}/ipckit`;
  await Deno.mkdir(dir, { mode: 0o700 });
  try {
    assert.match(await ensureAsNobody(dir), /belongs to uid 0, not to you \(uid 65534\)/);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test("ensureRuntimeDir() refuses a directory whose parent others can write, unless sticky", async () => {
  const base = await scratch();
  const dir = `${base}/ipckit`;
  await Deno.mkdir(dir, { mode: 0o700 });
  try {
    await Deno.chmod(base, 0o777);
    await assert.rejects(
      () => ensureRuntimeDir({ runtimeDir: dir }),
      (e: Error) =>
        e instanceof RuntimeDirError &&
        e.message.includes(`its parent ${base} (mode 777) can be written by other users`) &&
        e.message.includes(`chmod go-w ${base}`),
    );
    await Deno.chmod(base, 0o775);
    await assert.rejects(() => ensureRuntimeDir({ runtimeDir: dir }), RuntimeDirError);
    await Deno.chmod(base, 0o1777); // like /tmp: others cannot rename what is ours
    assert.equal(await ensureRuntimeDir({ runtimeDir: dir }), dir);
    await Deno.chmod(base, 0o755);
    assert.equal(await ensureRuntimeDir({ runtimeDir: dir }), dir);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
});

Deno.test({
  name: "ensureRuntimeDir() refuses a directory whose parent belongs to another user",
  // Making a directory of another user's needs root; CI runs as root, so it never skips there.
  ignore: !ROOT && !IN_CI,
  fn: async () => {
    const base = await scratch();
    const dir = `${base}/ipckit`;
    await Deno.mkdir(dir, { mode: 0o700 });
    try {
      await Deno.chmod(base, 0o755);
      await Deno.chown(base, 65534, 65534);
      await assert.rejects(
        () => ensureRuntimeDir({ runtimeDir: dir }),
        (e: Error) =>
          e instanceof RuntimeDirError &&
          e.message.includes(`its parent ${base} belongs to uid 65534, who could replace it`),
      );
    } finally {
      await Deno.remove(base, { recursive: true });
    }
  },
});

Deno.test("ensureRuntimeDir() refuses a file where the directory should be", async () => {
  const base = await scratch();
  await Deno.writeTextFile(`${base}/file`, "x");
  await assert.rejects(() => ensureRuntimeDir({ runtimeDir: `${base}/file` }), RuntimeDirError);
  await Deno.remove(base, { recursive: true });
});

Deno.test("resolveRuntimeDir() prefers the option, then IPCKIT_RUNTIME_DIR, then XDG_RUNTIME_DIR", () => {
  const saved = [Deno.env.get("IPCKIT_RUNTIME_DIR"), Deno.env.get("XDG_RUNTIME_DIR")];
  try {
    Deno.env.set("IPCKIT_RUNTIME_DIR", "/a");
    Deno.env.set("XDG_RUNTIME_DIR", "/run/user/7");
    assert.equal(resolveRuntimeDir({ runtimeDir: "/given" }), "/given");
    assert.equal(resolveRuntimeDir(), "/a");
    Deno.env.delete("IPCKIT_RUNTIME_DIR");
    assert.equal(resolveRuntimeDir(), "/run/user/7/ipckit");
    Deno.env.delete("XDG_RUNTIME_DIR");
    assert.equal(resolveRuntimeDir(), `/tmp/ipckit-${Deno.uid()}`);
  } finally {
    for (const [name, value] of [["IPCKIT_RUNTIME_DIR", saved[0]], ["XDG_RUNTIME_DIR", saved[1]]]) {
      if (value === undefined) Deno.env.delete(name!);
      else Deno.env.set(name!, value);
    }
  }
});

Deno.test("checkSocketPath() refuses a path over the Unix socket limit and says what to do", () => {
  checkSocketPath(`/tmp/${"x".repeat(90)}`);
  assert.throws(() => checkSocketPath(`/tmp/${"x".repeat(110)}`), /IPCKIT_RUNTIME_DIR/);
});
