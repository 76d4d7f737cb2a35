/**
 * The installed `ipckit` (`deno task install`): the script that picks a bundle, the hot commands'
 * own bundles, the whole program they hand unusual command lines to, and the npm packages they
 * load lazily, all run through the one installed command, as a user runs it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { install, launcherScript } from "../../scripts/install.ts";
import { loadNpmFrom } from "../../scripts/build.ts";
import { HOT_COMMANDS } from "../../cli/_hot.ts";
import { type CliOptions, ipckit, ROOT, spawnIpckit } from "../_cli.ts";
import { cleanupRuntimeDir, exists, tempRuntimeDir, waitFor } from "../_helpers.ts";

Deno.test("each hot command's spec and run are the command's own", async () => {
  const { COMMANDS } = await import("../../cli/main.ts");
  for (const hot of HOT_COMMANDS) {
    const command = COMMANDS.find((c) => c.spec.name === hot.name);
    assert.ok(command, `${hot.name} is a command`);
    const specModule = await import(`../../cli/${hot.spec[0]}`);
    assert.equal(specModule[hot.spec[1]], command.spec, `${hot.name}'s spec`);
    const runModule = await import(`../../cli/${hot.run[0]}`);
    assert.equal(typeof runModule[hot.run[1]], "function", `${hot.name}'s run`);
  }
});

Deno.test("the installed script runs each hot command's bundle, and the whole program otherwise", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-launcher-" });
  try {
    // A deno that says which module it was asked to run, and with what.
    await Deno.writeTextFile(`${dir}/deno`, '#!/bin/sh\nshift $(($# - $ARGS))\necho "$@"\n', {
      mode: 0o755,
    });
    const share = `${dir}/it's here`;
    await Deno.writeTextFile(`${dir}/ipckit`, launcherScript(share), { mode: 0o755 });
    const run = async (args: string[]) => {
      const out = await new Deno.Command(`${dir}/ipckit`, {
        args,
        env: { PATH: `${dir}:/usr/bin:/bin`, ARGS: String(args.length + 1) },
      }).output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      return new TextDecoder().decode(out.stdout).trim();
    };
    for (const hot of HOT_COMMANDS) {
      const args = [...hot.name.split(" "), "x y"];
      assert.equal(
        await run(args),
        `${share}/hot/${hot.name.replace(" ", "-")}.js ${args.join(" ")}`,
      );
    }
    for (const args of [["daemon", "stop"], ["listen", "post"], ["--version"], []]) {
      assert.equal(await run(args), [`${share}/main.js`, ...args].join(" "));
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a hot bundle's npm imports go through lib/deps.ts's loaders; a static one is refused", () => {
  const text = 'a=()=>import("npm:yaml@2.9.1");b=()=>import("npm:mime-db@1.54.0/db.json",' +
    '{with:{type:"json"}});';
  const out = loadNpmFrom("../deps-X.js", text, "t.js");
  assert.equal(
    out,
    'a=()=>import(new URL("../deps-X.js",import.meta.url).href).then((d)=>d.loadYaml());' +
      'b=()=>import(new URL("../deps-X.js",import.meta.url).href).then((d)=>d.loadMimeDb());',
  );
  assert.throws(() => loadNpmFrom("d.js", 'import{x}from"npm:yaml@2.9.1";', "t.js"), /statically/);
  assert.throws(() => loadNpmFrom("d.js", 'import("npm:left-pad@1")', "t.js"), /left-pad/);
});

/** What the installed-command test runs: every command of `cli/main.ts`, and `completions`. */
async function commandNames(): Promise<string[]> {
  const { COMMANDS } = await import("../../cli/main.ts");
  return [...COMMANDS.map((c) => c.spec.name), "completions"];
}

/** The command a command line runs (the longest name its first words spell), if any. */
function commandOf(args: string[], names: string[]): string | undefined {
  const words = args[0] === "--runtime-dir" ? args.slice(2) : args;
  return names
    .filter((name) => name.split(" ").every((word, i) => words[i] === word))
    .sort((a, b) => b.length - a.length)[0];
}

Deno.test("commandOf() names the command a command line runs", () => {
  const names = ["daemon status", "daemon run", "post", "completions"];
  assert.equal(commandOf(["daemon", "status", "--json"], names), "daemon status");
  assert.equal(commandOf(["--runtime-dir", "/x", "post", "a"], names), "post");
  assert.equal(commandOf(["daemon"], names), undefined);
  assert.equal(commandOf(["--version"], names), undefined);
});

Deno.test({
  name: "the installed ipckit runs every command of cli/main.ts once, the slow ones included",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const names = await commandNames();
    const ran = new Set<string>();
    const root = await Deno.makeTempDir({ prefix: "ipckit-install-" });
    const runtimeDir = await tempRuntimeDir();
    const otherRuntimeDir = await tempRuntimeDir();
    const yamlFile = `${root}/info.yaml`;
    await Deno.writeTextFile(yamlFile, "count: 5\n");
    const children: Deno.ChildProcess[] = [];
    try {
      const program = await install(root);
      const note = (args: string[]) => {
        const name = commandOf(args, names);
        if (name) ran.add(name);
      };
      const run = (args: string[], options: CliOptions = {}) => {
        note(args);
        return ipckit(args, { program, runtimeDir, ...options });
      };
      const ok = async (args: string[], options: CliOptions = {}) => {
        const result = await run(args, options);
        assert.equal(result.code, 0, `ipckit ${args.join(" ")}: ${result.stderr}`);
        return result.stdout;
      };
      /** Starts a long-running command; its output is read when it ends. */
      const start = (args: string[], dir = runtimeDir) => {
        note(args);
        const child = spawnIpckit(args, { program, runtimeDir: dir });
        children.push(child);
        return child;
      };
      /** Starts a long-running command with --ready-file (before any --exec) and waits for it. */
      let readyFiles = 0;
      const startReady = async (args: string[], exec: string[] = [], dir = runtimeDir) => {
        const ready = `${root}/${++readyFiles}.ready`;
        const child = start([...args, "--ready-file", ready, ...exec], dir);
        await waitFor(() => exists(ready), `the ready file of ipckit ${args.join(" ")}`);
        return child;
      };
      const ended = async (child: Deno.ChildProcess, what: string) => {
        const out = await child.output();
        const text = { stdout: new TextDecoder().decode(out.stdout) };
        assert.equal(out.code, 0, `${what}: ${new TextDecoder().decode(out.stderr)}`);
        return text.stdout;
      };

      assert.match(await ok(["--version"]), /^ipckit \d+\.\d+\.\d+\n$/);
      // post and state, each its own bundle; --user-info-yaml loads npm's yaml lazily.
      await ok(["post", "com.example.installed", "--user-info-yaml", yamlFile]);
      await ok(["state", "com.example.installed", "77"]);
      assert.equal(await ok(["state", "com.example.installed"]), "77\n");
      assert.equal(
        await ok(["--runtime-dir", runtimeDir, "state", "com.example.installed", "--json"]),
        '{"name":"com.example.installed","state":77}\n',
      );
      // Usage errors in a hot bundle, and help from the whole program it hands over to.
      const bad = await run(["post", "com.example.x", "--user-info", "{bad"]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--user-info is not valid/);
      const unknown = await run(["state", "com.example.x", "--bogus"]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /unknown option '--bogus'/);
      assert.match(await ok(["post", "--help"]), /Usage: ipckit post/);
      // The whole program's commands and errors, as installed.
      assert.equal(
        await ok(["notifyutil", "-g", "x.y", "-1", "com.example.nu", "-p", "com.example.nu"]),
        "x.y 0\ncom.example.nu\n",
      );
      // -1 is --count 1: a timeout before it is reached is exit 124 (without a count, 0).
      assert.equal((await run(["listen", "-1", "com.example.none", "--timeout", "0"])).code, 124);
      const unreadable = await run(["post", "x", "--user-info-yaml", `${root}/none.yaml`]);
      assert.equal(unreadable.code, 1);
      assert.equal(
        unreadable.stderr,
        `ipckit: cannot read --user-info-yaml ${root}/none.yaml: no such file or directory\n`,
      );
      assert.equal((await run(["frobnicate", "--help"])).code, 2);
      assert.match(await ok(["completions", "bash"]), /__ipckit_ShellCompDirectiveError=1/);
      assert.match(await ok(["daemon", "status"]), /ipckit broker is running/);

      // listen --count: ends by itself after two notifications.
      const listener = await startReady(
        ["listen", "com.example.installed.count", "--count", "2", "--json"],
      );
      await ok(["post", "com.example.installed.count", "--user-info", '{"n":1}']);
      await ok(["post", "com.example.installed.count", "--user-info", '{"n":2}']);
      const heard = (await ended(listener, "listen --count 2")).trim().split("\n")
        .map((line) => JSON.parse(line));
      assert.deepEqual(heard.map((n) => [n.name, n.userInfo]), [
        ["com.example.installed.count", { n: 1 }],
        ["com.example.installed.count", { n: 2 }],
      ]);

      // apps and sdef: no app runs here (tests/scripting/install_test.ts serves one).
      assert.equal(await ok(["apps", "--json"]), "[]\n");
      const noApp = await run(["sdef", "com.example.NoSuchApp"]);
      assert.equal(noApp.code, 3, noApp.stderr);

      // monitor: sees a notification posted while it watches.
      const monitor = await startReady(["monitor", "--count", "2", "--json"]);
      await ok(["post", "com.example.installed.watched"]);
      assert.match(await ended(monitor, "monitor --count 2"), /com\.example\.installed\.watched/);

      // copy and paste: the MIME table (npm's mime-db) and derived representations.
      await ok(["copy", "--type", "text/html"], { stdin: "<b>bold</b> text" });
      assert.equal(await ok(["paste", "--list-types", "--mime"]), "text/html\n");
      assert.equal(await ok(["paste", "--type", "text/plain"]), "bold text");
      const missing = await run(["paste", "--type", "image/png"]);
      assert.equal(missing.code, 3);
      assert.equal(missing.stdout, "");

      // serve --once answers one request and ends; a lasting serve is listed by ports.
      const once = await startReady(["serve", "com.example.installed.once", "--once"], [
        "--exec",
        "cat",
      ]);
      assert.equal(await ok(["send", "com.example.installed.once", "hello"]), "hello");
      await ended(once, "serve --once");
      const echo = await startReady(["serve", "com.example.installed.echo"], ["--exec", "cat"]);
      assert.equal(await ok(["send", "com.example.installed.echo", "ping"]), "ping");
      const listed = JSON.parse(await ok(["ports", "--json"]));
      assert.deepEqual(listed.map((p: { name: string }) => p.name), ["com.example.installed.echo"]);
      echo.kill("SIGTERM");
      await echo.status;
      const noPort = await run(["send", "com.example.nobody", "ping"]);
      assert.equal(noPort.code, 3);

      // sdp: the bundled saxes, and the standard suite shipped beside the bundle (Orchard
      // includes it by its macOS path).
      const orchard = `${ROOT}/tests/golden/sdp/Orchard.sdef`;
      assert.equal(
        await ok(["sdp", orchard, "--basename", "Orchard"]),
        await Deno.readTextFile(`${ROOT}/tests/golden/sdp/Orchard.ts`),
      );
      await ok(["sdp", "-", "--basename", "Orchard", "-o", `${root}/orchard.ts`], {
        stdin: await Deno.readTextFile(orchard),
        cwd: `${ROOT}/tests/golden/sdp`,
      });
      assert.match(await Deno.readTextFile(`${root}/orchard.ts`), /interface OrchardWindow /);
      assert.match(await ok(["sdp", "--help"]), /^Usage: ipckit sdp /);
      const broken = await run(["sdp", "-"], { stdin: "<dictionary>" });
      assert.equal(broken.code, 1);
      assert.match(broken.stderr, /^ipckit: -:1:\d+: not well-formed XML/);

      // tell (a hot command): the language alone, an app that does not run (3), --check.
      assert.equal(await ok(["tell", "-e", "set x to {1, 2}", "-e", "x & 3"]), "1, 2, 3\n");
      assert.match(await ok(["tell", "--help"]), /^Usage: ipckit tell /);
      assert.equal((await run(["tell", "--app", "Nobody", "get name of note 1"])).code, 3);
      const pantry = `Pantry=${ROOT}/tests/tell/fixtures/Pantry.sdef`;
      const restock = 'tell application "Pantry" to restock jar 1 of shelf 1 by 2';
      assert.equal(await ok(["tell", "--check", "--sdef", pantry, "-e", restock]), "");

      assert.match(await ok(["completions", "bash"]), /complete /);

      // services, with a tiny real service: the installed serve, started by the first send.
      const label = "com.example.installed.svc";
      const definition = `${root}/svc.yaml`;
      const argv = [program, "serve", label, "--exec", "cat"];
      await Deno.writeTextFile(
        definition,
        `label: ${label}\nprogramArguments: ${JSON.stringify(argv)}\nports: [${label}]\n`,
      );
      assert.equal(await ok(["services", "check", definition]), `${definition}: ok (${label})\n`);
      assert.equal(await ok(["services", "load", definition]), `loaded ${label} (${definition})\n`);
      assert.equal(await ok(["send", label, "wake"]), "wake");
      assert.match(await ok(["services", "list"]), /running {2}com\.example\.installed\.svc\n$/);
      assert.match(await ok(["services", "list", "--yaml"]), /\n {2}state: running\n/);
      assert.match(await ok(["services", "list", "--help"]), /--yaml/);
      assert.match(await ok(["services", "print", label]), /\n {2}state {9}running\n/);
      await ok(["services", "log", label]);
      assert.match(await ok(["services", "kickstart", "-k", label]), /: running \(pid \d+\)\n$/);
      assert.equal(await ok(["services", "stop", label]), `stopped ${label}: stopped\n`);
      assert.match(await ok(["services", "start", label]), /: running \(pid \d+\)\n$/);
      assert.equal(await ok(["services", "unload", label]), `unloaded ${label}\n`);

      // The daemon commands: stop and start the broker; run one in the foreground elsewhere.
      assert.match(await ok(["daemon", "stop"]), /stopped the broker/);
      assert.match(await ok(["daemon", "start"]), /ipckit broker is running/);
      const broker = await startReady(
        ["daemon", "run", "--idle-timeout", "0"],
        [],
        otherRuntimeDir,
      );
      const other = { runtimeDir: otherRuntimeDir };
      assert.match(await ok(["daemon", "status", "--json"], other), /"pid":/);
      assert.match(await ok(["daemon", "stop"], other), /stopped the broker/);
      await ended(broker, "daemon run, stopped by daemon stop");
    } finally {
      for (const child of children) {
        try {
          child.kill("SIGKILL");
        } catch { /* it has ended */ }
        await child.status;
      }
      await cleanupRuntimeDir(runtimeDir);
      await cleanupRuntimeDir(otherRuntimeDir);
      await Deno.remove(root, { recursive: true });
    }
    const missed = names.filter((name) => !ran.has(name));
    assert.deepEqual(
      missed,
      [],
      `not run through the installed command: ${missed.join(", ")}; add each to this test`,
    );
  },
});
