/**
 * The installed `ipckit` (`deno task install`): the script that picks a bundle, the hot commands'
 * own bundles, the whole program they hand unusual command lines to, and the npm packages they
 * load lazily, all run through the one installed command, as a user runs it.
 *
 * @module
 */

import assert from "node:assert/strict";
import { install, launcherScript } from "../scripts/install.ts";
import { loadNpmFrom } from "../scripts/build.ts";
import { HOT_COMMANDS } from "../cli/_hot.ts";
import { type CliOptions, ipckit } from "./_cli.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "./_helpers.ts";

Deno.test("each hot command's spec and run are the command's own", async () => {
  const { COMMANDS } = await import("../cli/main.ts");
  for (const hot of HOT_COMMANDS) {
    const command = COMMANDS.find((c) => c.spec.name === hot.name);
    assert.ok(command, `${hot.name} is a command`);
    const specModule = await import(`../cli/${hot.spec[0]}`);
    assert.equal(specModule[hot.spec[1]], command.spec, `${hot.name}'s spec`);
    const runModule = await import(`../cli/${hot.run[0]}`);
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

Deno.test({
  name: "the installed ipckit runs every hot command, its fallbacks and its lazy packages",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const root = await Deno.makeTempDir({ prefix: "ipckit-install-" });
    const runtimeDir = await tempRuntimeDir();
    const yamlFile = `${root}/info.yaml`;
    await Deno.writeTextFile(yamlFile, "count: 5\n");
    let server: Deno.ChildProcess | undefined;
    try {
      const program = await install(root);
      const run = (args: string[], options: CliOptions = {}) =>
        ipckit(args, { program, runtimeDir, ...options });
      const ok = async (args: string[], options: CliOptions = {}) => {
        const result = await run(args, options);
        assert.equal(result.code, 0, `ipckit ${args.join(" ")}: ${result.stderr}`);
        return result.stdout;
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
      // copy and paste: the MIME table (npm's mime-db) and derived representations.
      await ok(["copy", "--type", "text/html"], { stdin: "<b>bold</b> text" });
      assert.equal(await ok(["paste", "--list-types", "--mime"]), "text/html\n");
      assert.equal(await ok(["paste", "--type", "text/plain"]), "bold text");
      const missing = await run(["paste", "--type", "image/png"]);
      assert.equal(missing.code, 3);
      assert.equal(missing.stdout, "");
      // send to a port served by the whole program (serve is not hot).
      server = new Deno.Command(program, {
        args: ["serve", "com.example.installed.echo", "--exec", "cat"],
        env: { IPCKIT_RUNTIME_DIR: runtimeDir },
        stdout: "null",
        stderr: "null",
      }).spawn();
      let reply = "";
      for (let tries = 0; tries < 100 && reply !== "ping"; tries++) {
        const sent = await run(["send", "com.example.installed.echo", "ping"]);
        if (sent.code === 0) reply = sent.stdout;
        else await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.equal(reply, "ping");
      const noPort = await run(["send", "com.example.nobody", "ping"]);
      assert.equal(noPort.code, 3);
    } finally {
      server?.kill();
      await server?.status;
      await cleanupRuntimeDir(runtimeDir);
      await Deno.remove(root, { recursive: true });
    }
  },
});
