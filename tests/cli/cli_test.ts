/**
 * The `ipckit` command line as a user meets it: real subprocesses, the documented permissions.
 */

import assert from "node:assert/strict";
import { PERMISSIONS } from "../../lib/permissions.ts";
import { ipckit, ipckitShellCommand, ROOT, spawnIpckit } from "../_cli.ts";
import { alive, cleanupRuntimeDir, exists, tempRuntimeDir, waitFor } from "../_helpers.ts";

/** The permission flags of a command line: every `--allow-*`, `--deny-*` and `-A`, in order. */
function permissionFlags(commandLine: string): string[] {
  return commandLine.split(/\s+/).filter((word) =>
    /^--(allow|deny)-/.test(word) || word === "-A" || word === "--allow-all"
  );
}

Deno.test("deno.json tasks and the README use exactly the permission list of lib/permissions.ts", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const tasks = Object.entries(config.tasks as Record<string, string>)
    .filter(([, text]) => /\bdeno (run|test)\b/.test(text));
  const names = tasks.map(([name]) => name);
  for (const name of ["bench", "demo", "install", "ipckit", "test"]) {
    assert.ok(names.includes(name), `the ${name} task runs deno with the permission list`);
  }
  for (const [name, text] of tasks) {
    assert.deepEqual(permissionFlags(text), [...PERMISSIONS], `task ${name}: ${text}`);
  }
  // The README's Permissions section shows the list as the one line of its code block.
  const readme = await Deno.readTextFile(`${ROOT}/README.md`);
  const section = readme.split(/^## /m).find((s) => s.startsWith("Permissions\n"));
  assert.ok(section, "README.md has a Permissions section");
  const block = section.match(/^```\n([^`]*)```$/m);
  assert.ok(block, "the Permissions section has a code block");
  assert.equal(block[1], `${PERMISSIONS.join(" ")}\n`);
});

Deno.test("the root deno.lock holds only the runtime's npm packages, not the benchmarks'", async () => {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.json`));
  const lock = JSON.parse(await Deno.readTextFile(`${ROOT}/deno.lock`));
  const imported = Object.values(config.imports as Record<string, string>)
    .filter((target) => target.startsWith("npm:")).sort();
  // A quick start resolves every package of the root lockfile: a benchmark's peer in it costs a
  // fresh clone a hundred downloads. The benchmarks lock their peers in scripts/bench/deno.lock.
  assert.deepEqual(Object.keys(lock.specifiers).sort(), imported);
  const bench = JSON.parse(await Deno.readTextFile(`${ROOT}/scripts/bench/deno.lock`));
  assert.ok("npm:@jxa/sdef-to-dts@1.3.6" in bench.specifiers);
  assert.match(config.tasks.bench, /--lock=scripts\/bench\/deno\.lock /);
});

Deno.test("ipckit --version and --help succeed; no command at all is a usage error", async () => {
  const version = await ipckit(["--version"]);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^ipckit \d+\.\d+\.\d+\n$/);
  const help = await ipckit(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /daemon/);
  assert.match(help.stdout, /Exit codes:/);
  const none = await ipckit([]);
  assert.equal(none.code, 2);
});

Deno.test("every command's --help has examples", async () => {
  const { COMMANDS } = await import("../../cli/main.ts");
  const names = [...COMMANDS.map((c) => c.spec.name), "completions"];
  await Promise.all(names.map(async (name) => {
    const help = await ipckit([...name.split(" "), "--help"]);
    assert.equal(help.code, 0, `${name}: ${help.stderr}`);
    assert.match(help.stdout, /Examples:\n\s+\$ ipckit /, name);
  }));
});

Deno.test("unknown commands and options exit 2 with a did-you-mean suggestion", async () => {
  const command = await ipckit(["deamon", "status"]);
  assert.equal(command.code, 2);
  assert.match(command.stderr, /ipckit: unknown command 'deamon'/);
  assert.equal(command.stderr, "ipckit: unknown command 'deamon'; did you mean daemon?\n");
  const sub = await ipckit(["daemon", "stauts"]);
  assert.equal(sub.code, 2);
  assert.equal(sub.stderr, "ipckit: unknown command 'stauts'; did you mean status?\n");
  const option = await ipckit(["daemon", "status", "--jsno"]);
  assert.equal(option.code, 2);
  assert.match(option.stderr, /unknown option '--jsno'/);
  assert.equal(option.stderr, "ipckit: unknown option '--jsno'; did you mean --json?\n");
  const value = await ipckit(["daemon", "run", "--idle-timeout", "soon"]);
  assert.equal(value.code, 2);
  assert.equal(
    value.stderr,
    "ipckit: invalid --idle-timeout 'soon': not a duration (seconds, or 500ms, 2s, 5m, 1h)\n",
  );
  // An unknown command with --help is still an unknown command, not the main help.
  for (const args of [["frobnicate", "--help"], ["daemon", "frob", "-h"]]) {
    const help = await ipckit(args);
    assert.equal(help.code, 2, args.join(" "));
    assert.equal(help.stdout, "");
    assert.equal(help.stderr, `ipckit: unknown command '${args[args.length - 2]}'\n`);
  }
  // A usage error a command raises itself is one line too.
  const state = await ipckit(["state", "x", "lots"]);
  assert.equal(state.code, 2);
  assert.equal(state.stderr.split("\n").length, 2, state.stderr);
  assert.match(state.stderr, /the state takes an integer.*\(see: ipckit state --help\)\n$/);
});

Deno.test("daemon status exits 3 with no broker; start, status --json and stop work", async () => {
  const dir = await tempRuntimeDir();
  try {
    const none = await ipckit(["daemon", "status"], { runtimeDir: dir });
    assert.equal(none.code, 3);
    assert.match(none.stderr, /no broker is running/);
    assert.equal(none.stdout, "");
    const started = await ipckit(["daemon", "start"], { runtimeDir: dir });
    assert.equal(started.code, 0, started.stderr);
    assert.match(started.stdout, /ipckit broker is running/);
    const json = await ipckit(["daemon", "status", "--json"], { runtimeDir: dir });
    assert.equal(json.code, 0);
    const status = JSON.parse(json.stdout);
    for (
      const key of [
        "pid",
        "uptimeSeconds",
        "connections",
        "runtimeDir",
        "logFile",
        "protocolVersion",
      ]
    ) {
      assert.ok(key in status, key);
    }
    assert.equal(status.runtimeDir, dir);
    assert.ok(alive(status.pid));
    const stopped = await ipckit(["daemon", "stop"], { runtimeDir: dir });
    assert.equal(stopped.code, 0);
    assert.match(stopped.stdout, new RegExp(`pid ${status.pid}`));
    await waitFor(() => !alive(status.pid), "the broker to exit");
    assert.equal((await ipckit(["daemon", "stop"], { runtimeDir: dir })).code, 3);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("--runtime-dir works before and after the command", async () => {
  const dir = await tempRuntimeDir();
  try {
    assert.equal((await ipckit(["--runtime-dir", dir, "daemon", "start"])).code, 0);
    const after = await ipckit(["daemon", "status", "--json", `--runtime-dir=${dir}`]);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(JSON.parse(after.stdout).runtimeDir, dir);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("a refused runtime directory is one line that says how to fix it, exit 1", async () => {
  const dir = await tempRuntimeDir();
  try {
    await Deno.chmod(dir, 0o755);
    const result = await ipckit(["daemon", "start"], { runtimeDir: dir });
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`chmod 700 ${dir}`));
    assert.equal(result.stderr.trim().split("\n").length, 1);
  } finally {
    await Deno.chmod(dir, 0o700);
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("a runtime directory ipckit cannot use says what is wrong with it, not Deno's flags", async () => {
  for (
    const [dir, why] of [
      ["/proc/nope", "it is in /proc, /sys or /dev, where ipckit reads and writes no files"],
      ["/etc/passwd/x", "a part of the path is not a directory"],
    ]
  ) {
    // send's hot path connects to the port's socket without checking the directory first.
    for (const command of [["state", "x"], ["send", "p", "x"]]) {
      const result = await ipckit([...command, "--runtime-dir", dir]);
      assert.equal(result.code, 1, result.stderr);
      assert.equal(
        result.stderr,
        `ipckit: cannot use the runtime directory ${dir}: ${why}; set IPCKIT_RUNTIME_DIR or --runtime-dir to a private directory of yours\n`,
        command[0],
      );
    }
  }
});

Deno.test("daemon status --yaml and --json say the same", async () => {
  const dir = await tempRuntimeDir();
  try {
    const json = await ipckit(["daemon", "start", "--json"], { runtimeDir: dir });
    assert.equal(json.code, 0, json.stderr);
    const yaml = await ipckit(["daemon", "status", "--yaml"], { runtimeDir: dir });
    assert.equal(yaml.code, 0, yaml.stderr);
    const { pid, runtimeDir } = JSON.parse(json.stdout);
    assert.match(yaml.stdout, new RegExp(`^pid: ${pid}$`, "m"));
    assert.match(yaml.stdout, new RegExp(`^runtimeDir: ${runtimeDir}$`, "m"));
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("help shows no (default: []) for repeatable options", async () => {
  const { COMMANDS } = await import("../../cli/main.ts");
  const repeatable = COMMANDS.filter((c) => c.spec.options?.some((o) => o.kind === "list"));
  assert.ok(repeatable.length > 0);
  for (const command of repeatable) {
    const help = await ipckit([...command.spec.name.split(" "), "--help"]);
    assert.equal(help.code, 0);
    assert.doesNotMatch(help.stdout, /\(default: \[\]\)/, command.spec.name);
  }
});

Deno.test("every command with --json has --yaml", async () => {
  const { COMMANDS } = await import("../../cli/main.ts");
  const flags = (c: (typeof COMMANDS)[number]) => (c.spec.options ?? []).map((o) => o.flags);
  const withJson = COMMANDS.filter((c) => flags(c).includes("--json"));
  assert.ok(withJson.length >= 4);
  for (const command of withJson) {
    assert.ok(flags(command).includes("--yaml"), `${command.spec.name} has --json, not --yaml`);
  }
});

Deno.test("--json with --yaml is the one usage error of the command spec, for every command", async () => {
  const { COMMANDS } = await import("../../cli/main.ts");
  for (const command of COMMANDS) {
    const options = command.spec.options ?? [];
    const json = options.find((o) => o.flags === "--json");
    if (!json) continue;
    const yaml = options.find((o) => o.flags === "--yaml");
    assert.deepEqual(json.conflicts, ["--yaml"], `${command.spec.name}: --json conflicts`);
    assert.deepEqual(yaml?.conflicts, ["--json"], `${command.spec.name}: --yaml conflicts`);
  }
  // send and monitor said it in words of their own, after parsing.
  for (const args of [["send", "com.example.p", "x"], ["monitor"]]) {
    const result = await ipckit([...args, "--json", "--yaml"]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, "ipckit: option '--json' cannot be used with option '--yaml'\n");
  }
});

Deno.test("an integer out of its declared bounds is the command spec's usage error: monitor --count, paste --item, send --id and its timeouts, serve --concurrency", async () => {
  for (
    const [args, line] of [
      [["monitor", "--count", "0"], "ipckit: invalid --count '0': must be at least 1\n"],
      [["paste", "--item=-1"], "ipckit: invalid --item '-1': must be at least 0\n"],
      [
        ["send", "p", "--id", "2147483648"],
        "ipckit: invalid --id '2147483648': must be at most 2147483647\n",
      ],
      [
        ["send", "p", "--receive-timeout=-1"],
        "ipckit: invalid --receive-timeout '-1': must be at least 0\n",
      ],
      [
        ["serve", "p", "--concurrency", "0"],
        "ipckit: invalid --concurrency '0': must be at least 1\n",
      ],
    ]
  ) {
    const result = await ipckit(args as string[]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, line);
  }
});

Deno.test("ipckit daemon status | head -c1 ends quietly", async () => {
  const dir = await tempRuntimeDir();
  try {
    assert.equal((await ipckit(["daemon", "start"], { runtimeDir: dir })).code, 0);
    const quoted = ipckitShellCommand(["daemon", "status"]);
    const out = await new Deno.Command("bash", {
      args: ["-c", `set -o pipefail; ${quoted} | head -c1; echo " status=$?"`],
      env: { IPCKIT_RUNTIME_DIR: dir },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout);
    assert.equal(text, "i status=0\n");
    assert.equal(new TextDecoder().decode(out.stderr), "");
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("daemon run serves in the foreground, writes --ready-file, and Ctrl-C exits 130", async () => {
  const dir = await tempRuntimeDir();
  try {
    const ready = `${dir}/ready`;
    const child = spawnIpckit(["daemon", "run", "--ready-file", ready], {
      runtimeDir: dir,
      stdout: "null",
    });
    await waitFor(() => exists(ready), "the ready file");
    assert.equal((await Deno.readTextFile(ready)).trim(), String(child.pid));
    const status = await ipckit(["daemon", "status", "--json"], { runtimeDir: dir });
    assert.equal(JSON.parse(status.stdout).pid, child.pid);
    const second = await ipckit(["daemon", "run"], { runtimeDir: dir });
    assert.equal(second.code, 1);
    assert.match(second.stderr, /a broker already runs/);
    child.kill("SIGINT");
    const { code } = await child.status;
    const log = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
    assert.equal(code, 130);
    assert.match(log, /stopping: SIGINT/);
    assert.equal(await exists(`${dir}/broker.sock`), false);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("completions are generated for bash, zsh and fish, and complete subcommands", async () => {
  for (const shell of ["bash", "zsh", "fish"]) {
    const script = await ipckit(["completions", shell]);
    assert.equal(script.code, 0, `${shell}: ${script.stderr}`);
    assert.match(script.stdout, /ipckit/);
    assert.ok(script.stdout.length > 200, shell);
  }
  const bad = await ipckit(["completions", "tcsh"]);
  assert.equal(bad.code, 2);
  const words = await ipckit(["complete", "--", "daemon", "st"]);
  assert.equal(words.code, 0, words.stderr);
  assert.match(words.stdout, /status/);
  assert.match(words.stdout, /stop/);
  assert.match(words.stdout, /start/);
});

/** Runs a shell's syntax check (`-n`) on a script; a shell missing fails in CI. */
async function syntaxCheck(shell: string, script: string): Promise<void> {
  const file = await Deno.makeTempFile({ suffix: `.${shell}` });
  try {
    await Deno.writeTextFile(file, script);
    let out: Deno.CommandOutput;
    try {
      out = await new Deno.Command(shell, { args: ["-n", file], stderr: "piped" }).output();
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) {
        throw new Error(`${shell} is not installed (apt-get install ${shell})`);
      }
      throw error;
    }
    assert.equal(out.code, 0, `${shell} -n: ${new TextDecoder().decode(out.stderr)}`);
  } finally {
    await Deno.remove(file);
  }
}

Deno.test("completion scripts pass bash -n, zsh -n and fish -n", async () => {
  for (const shell of ["bash", "zsh", "fish"]) {
    const script = await ipckit(["completions", shell]);
    assert.equal(script.code, 0, script.stderr);
    await syntaxCheck(shell, script.stdout);
  }
});

Deno.test("the bash completion sources twice, works without bash-completion, and completes names in use", async () => {
  const dir = await tempRuntimeDir();
  const bin = await Deno.makeTempDir();
  let serve: Deno.ChildProcess | undefined;
  try {
    // An `ipckit` on PATH, as installed, for the script to call.
    const quoted = ipckitShellCommand([]);
    await Deno.writeTextFile(`${bin}/ipckit`, `#!/bin/sh\nexec ${quoted} "$@"\n`, { mode: 0o755 });
    const script = (await ipckit(["completions", "bash"])).stdout;
    await Deno.writeTextFile(`${bin}/ipckit.bash`, script);
    // Names in use: a notification state, a pasteboard, a port being served.
    assert.equal(
      (await ipckit(["state", "com.example.battery", "5"], { runtimeDir: dir })).code,
      0,
    );
    const copied = await ipckit(["copy", "--pboard", "notes"], { runtimeDir: dir, stdin: "x" });
    assert.equal(copied.code, 0, copied.stderr);
    const ready = `${dir}/serve.ready`;
    serve = spawnIpckit(["serve", "com.example.upper", "--ready-file", ready, "--exec", "cat"], {
      runtimeDir: dir,
      stdout: "null",
      stderr: "null",
    });
    await waitFor(() => exists(ready), "serve to listen");
    const complete = async (line: string) => {
      const shell = `source ${bin}/ipckit.bash && source ${bin}/ipckit.bash || exit 9
        read -ra COMP_WORDS <<< "ipckit ${line}"
        [[ "${line}" == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
        __ipckit_complete 2>/dev/null
        printf '%s\n' "\${COMPREPLY[@]}"`;
      // --norc: no bash-completion, so no _get_comp_words_by_ref.
      const out = await new Deno.Command("bash", {
        args: ["--norc", "--noprofile", "-c", shell],
        env: { PATH: `${bin}:${Deno.env.get("PATH")}`, IPCKIT_RUNTIME_DIR: dir },
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      return new TextDecoder().decode(out.stdout).trim().split("\n").sort();
    };
    assert.deepEqual(await complete("daemon st"), ["start", "status", "stop"]);
    assert.deepEqual(await complete("state com.ex"), ["com.example.battery"]);
    assert.deepEqual(await complete("send "), ["com.example.upper"]);
    assert.ok((await complete("paste --pboard ")).includes("notes"));
  } finally {
    serve?.kill("SIGTERM");
    await serve?.status;
    await Deno.remove(bin, { recursive: true });
    await cleanupRuntimeDir(dir);
  }
});
