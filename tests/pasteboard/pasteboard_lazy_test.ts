/**
 * Lazy (promised) representations served by their owner process, handed over on an orderly
 * exit (Ctrl-C included), and failing clearly when the owner dies; watching, pushed by the
 * broker, from the library and from `ipckit paste --watch`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { ipckit, ipckitCommand } from "../_cli.ts";
import { cleanupRuntimeDir, exists, runScript, tempRuntimeDir, waitFor } from "../_helpers.ts";
import { PERMISSIONS } from "../../lib/permissions.ts";

const NO_DESKTOP = { DISPLAY: "", WAYLAND_DISPLAY: "" };
const LIB = new URL("../../lib/", import.meta.url).href;

/** Starts a script that promises data on the `lazy` pasteboard and stays until told. */
async function startOwner(dir: string, extra = ""): Promise<{
  child: Deno.ChildProcess;
  ready: string;
  log: string;
}> {
  // Inside the test's runtime directory, so that its cleanup removes it too.
  const scriptDir = await Deno.makeTempDir({ dir, prefix: "owner-" });
  const ready = `${scriptDir}/ready`;
  const log = `${scriptDir}/log`;
  const code = `
    import { Pasteboard } from "${LIB}pasteboard/mod.ts";
    const pb = Pasteboard.named("lazy", { runtimeDir: ${JSON.stringify(dir)} });
    let calls = 0;
    await pb.writeItems([{
      "text/plain": "eager",
      "public.html": () => {
        calls++;
        Deno.writeTextFileSync(${JSON.stringify(log)}, String(calls));
        return "<b>lazy " + calls + "</b>";
      },
      "public.png": () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, calls]),
    }]);
    ${extra}
    Deno.writeTextFileSync(${JSON.stringify(ready)}, "ready");
  `;
  const file = `${scriptDir}/owner.ts`;
  await Deno.writeTextFile(file, code);
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-config", ...PERMISSIONS, file],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  await waitFor(() => exists(ready), "the owner to write its promise", 30_000);
  return { child, ready, log };
}

/** Kills a child that may have ended already, and waits for it (its pipes closed). */
async function killAndReap(child: Deno.ChildProcess): Promise<void> {
  try {
    child.kill("SIGKILL");
  } catch { /* gone */ }
  await child.output().catch(() => {});
}

Deno.test("a lazy representation is asked of its owner only when a second process reads it", async () => {
  const dir = await tempRuntimeDir();
  const { child, log } = await startOwner(dir);
  try {
    const env = NO_DESKTOP;
    assert.equal(await exists(log), false); // nobody asked yet
    const types = await ipckit(["paste", "--pboard", "lazy", "--list-types"], {
      runtimeDir: dir,
      env,
    });
    assert.equal(types.stdout, "public.utf8-plain-text\npublic.html\npublic.png\n");
    assert.equal(await exists(log), false);
    const html = await ipckit(["paste", "--pboard", "lazy", "--type", "text/html"], {
      runtimeDir: dir,
      env,
    });
    assert.equal(html.code, 0, html.stderr);
    assert.equal(html.stdout, "<b>lazy 1</b>");
    // Provided once, then kept by the broker.
    const again = await ipckit(["paste", "--pboard", "lazy", "--type", "public.html"], {
      runtimeDir: dir,
      env,
    });
    assert.equal(again.stdout, "<b>lazy 1</b>");
    assert.equal(await Deno.readTextFile(log), "1");
    // Ctrl-C: the owner hands over what it still promised, then exits 130.
    child.kill("SIGINT");
    const status = await child.status;
    assert.equal(status.code, 130);
    const png = await ipckit(["paste", "--pboard", "lazy", "--type", "image/png"], {
      runtimeDir: dir,
      env,
    });
    assert.equal(png.code, 0, png.stderr);
    assert.deepEqual(png.stdoutBytes, new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1]));
  } finally {
    await killAndReap(child);
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("close() hands over promised data; a promise whose owner died fails clearly", async () => {
  const dir = await tempRuntimeDir();
  try {
    const script = await runScript(`
      import { Pasteboard } from "LIBpasteboard/mod.ts";
      const pb = Pasteboard.named("handed", { runtimeDir: ${JSON.stringify(dir)} });
      await pb.writeItems([{ "public.rtf": () => "{\\\\rtf1 given}" }]);
      await pb.close();
    `);
    assert.equal(script.code, 0, script.stderr);
    const rtf = await ipckit(["paste", "--pboard", "handed", "--type", "public.rtf"], {
      runtimeDir: dir,
      env: NO_DESKTOP,
    });
    assert.equal(rtf.stdout, "{\\rtf1 given}");

    const { child } = await startOwner(dir);
    child.kill("SIGKILL");
    await child.output();
    const broken = await ipckit(["paste", "--pboard", "lazy", "--type", "public.html"], {
      runtimeDir: dir,
      env: NO_DESKTOP,
    });
    assert.equal(broken.code, 1);
    assert.equal(broken.stdout, "");
    assert.match(broken.stderr, /cannot paste public\.html: the program that promised/);
    assert.match(broken.stderr, /exited without providing it/);
    // What was not lazy is still there.
    const eager = await ipckit(["paste", "--pboard", "lazy"], { runtimeDir: dir, env: NO_DESKTOP });
    assert.equal(eager.stdout, "eager");
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("an owner is released when its promise is replaced, and its program ends", async () => {
  const dir = await tempRuntimeDir();
  const { child } = await startOwner(dir);
  try {
    const copied = await ipckit(["copy", "--pboard", "lazy"], {
      runtimeDir: dir,
      env: NO_DESKTOP,
      stdin: "new",
    });
    assert.equal(copied.code, 0, copied.stderr);
    const status = await child.status;
    assert.equal(status.code, 0);
  } finally {
    await killAndReap(child);
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("watch() yields every change, pushed by the broker", async () => {
  const dir = await tempRuntimeDir();
  try {
    const { Pasteboard } = await import("../../lib/pasteboard/mod.ts");
    const pb = Pasteboard.named("watched", { runtimeDir: dir });
    const controller = new AbortController();
    const seen: number[] = [];
    let ready!: () => void;
    const isReady = new Promise<void>((resolve) => ready = resolve);
    const watching = (async () => {
      for await (const change of pb.watch({ signal: controller.signal, onReady: ready })) {
        seen.push(change.changeCount);
        if (seen.length === 3) controller.abort();
      }
    })();
    await isReady;
    for (const text of ["one", "two"]) {
      const r = await ipckit(["copy", "--pboard", "watched"], { runtimeDir: dir, stdin: text });
      assert.equal(r.code, 0, r.stderr);
    }
    await ipckit(["copy", "--pboard", "watched", "--clear"], { runtimeDir: dir });
    await watching;
    assert.deepEqual(seen, [1, 2, 3]);
    await pb.close();
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("paste --watch prints each change; --exec runs once per change", async () => {
  const dir = await tempRuntimeDir();
  const ready = `${dir}/watch.ready`;
  const out = `${dir}/exec.out`;
  const [cmd, args] = ipckitCommand([
    "paste",
    "--pboard",
    "w",
    "--watch",
    "--json",
    "--ready-file",
    ready,
  ]);
  const watcher = new Deno.Command(cmd, {
    args,
    env: { IPCKIT_RUNTIME_DIR: dir, ...NO_DESKTOP },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const readyExec = `${dir}/exec.ready`;
  const [cmd2, args2] = ipckitCommand([
    "paste",
    "--pboard",
    "w",
    "--watch",
    "--ready-file",
    readyExec,
    "--exec",
    "sh",
    "-c",
    `{ printf '%s:' "$IPCKIT_CHANGE_COUNT"; cat; echo; } >> ${out}`,
  ]);
  const execer = new Deno.Command(cmd2, {
    args: args2,
    env: { IPCKIT_RUNTIME_DIR: dir, ...NO_DESKTOP },
    stdout: "null",
    stderr: "piped",
  }).spawn();
  try {
    await waitFor(() => exists(ready), "the watcher's ready file", 30_000);
    await waitFor(() => exists(readyExec), "the exec watcher's ready file", 30_000);
    for (const [n, text] of ["alpha", "beta"].entries()) {
      const r = await ipckit(["copy", "--pboard", "w"], { runtimeDir: dir, stdin: text });
      assert.equal(r.code, 0, r.stderr);
      // A watcher reads what is there when it hears of a change: let it hear of this one before
      // the next copy replaces it (on a loaded machine it may otherwise read "beta" twice).
      await waitFor(
        async () => (await Deno.readTextFile(out).catch(() => "")).includes(`${n + 1}:${text}`),
        "the exec output",
        30_000,
      );
    }
    assert.equal(await Deno.readTextFile(out), "1:alpha\n2:beta\n");
    watcher.kill("SIGINT");
    const result = await watcher.output();
    assert.equal(result.code, 130);
    const lines = new TextDecoder().decode(result.stdout).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    assert.deepEqual(lines.map((l) => l.text), ["alpha", "beta"]);
  } finally {
    for (const child of [watcher, execer]) await killAndReap(child);
    await cleanupRuntimeDir(dir);
  }
});

for (const transfer of ["files", "socket"] as const) {
  Deno.test(`large data (${transfer}) reads back byte-exact, round after round`, async () => {
    const dir = await tempRuntimeDir();
    try {
      const { Pasteboard } = await import("../../lib/pasteboard/mod.ts");
      const pb = Pasteboard.named("large", { runtimeDir: dir, transfer });
      for (let round = 0; round < 6; round++) {
        const data = new Uint8Array(6 * 1024 * 1024 + round * 4099);
        for (let i = 0; i < data.length; i += 65536) {
          crypto.getRandomValues(data.subarray(i, Math.min(data.length, i + 65536)));
        }
        await pb.writeItems([{ "public.data": data, "text/plain": `round ${round}` }]);
        const back = await pb.read("public.data");
        assert.equal(back?.length, data.length, `round ${round}`);
        assert.ok(back!.every((b, i) => b === data[i]), `round ${round}: the bytes differ`);
        assert.equal(await pb.readString("text/plain"), `round ${round}`);
      }
      await pb.close();
    } finally {
      await cleanupRuntimeDir(dir);
    }
  });
}
