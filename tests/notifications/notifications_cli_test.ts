/**
 * `ipckit post`, `listen` and `state` as a user meets them: real processes, the documented
 * permissions, each test with its own runtime directory.
 */

import assert from "node:assert/strict";
import { ipckit, ipckitCommand, ipckitShellCommand, startIpckit } from "../_cli.ts";
import { cleanupRuntimeDir, exists, tempRuntimeDir, waitFor } from "../_helpers.ts";

/** A running `ipckit listen …` whose standard output is read line by line. */
class Listener {
  readonly child: Deno.ChildProcess;
  readonly lines: string[] = [];
  readonly done: Promise<{ code: number; stderr: string }>;

  constructor(args: string[], dir: string, env: Record<string, string> = {}) {
    const [cmd, cmdArgs] = ipckitCommand(["listen", ...args]);
    const child = this.child = new Deno.Command(cmd, {
      args: cmdArgs,
      env: { IPCKIT_RUNTIME_DIR: dir, ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reading = (async () => {
      let rest = "";
      for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
        rest += chunk;
        const parts = rest.split("\n");
        rest = parts.pop()!;
        this.lines.push(...parts);
      }
      if (rest) this.lines.push(rest);
    })();
    this.done = (async () => {
      const stderr = await new Response(child.stderr).text();
      const { code } = await child.status;
      await reading;
      return { code, stderr };
    })();
  }

  /** Starts `listen` with a ready file and waits until it is subscribed. */
  static async start(
    args: string[],
    dir: string,
    env: Record<string, string> = {},
  ): Promise<Listener> {
    const ready = `${dir}/ready-${crypto.randomUUID()}`;
    const listener = new Listener(["--ready-file", ready, ...args], dir, env);
    await waitFor(() => exists(ready), "listen to be subscribed", 30_000);
    return listener;
  }

  json(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line));
  }
}

async function post(dir: string, ...args: string[]): Promise<void> {
  const result = await ipckit(["post", ...args], { runtimeDir: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, "");
}

Deno.test("listen filters by name, several names, glob and object", async () => {
  const dir = await tempRuntimeDir();
  try {
    const exact = await Listener.start(["com.example.a", "--json", "--count", "2"], dir);
    const several = await Listener.start(
      ["com.example.a", "org.other.b", "--json", "--count", "3"],
      dir,
    );
    const glob = await Listener.start(["com.example.*", "--json", "--count", "3"], dir);
    const object = await Listener.start(
      ["com.example.*", "--object", "o1", "--json", "--count", "1"],
      dir,
    );
    await post(dir, "com.example.a");
    await post(dir, "org.other.b");
    await post(dir, "com.example.c", "--object", "o2");
    await post(dir, "com.example.a", "--object", "o1");
    const got = async (l: Listener) => {
      const { code, stderr } = await l.done;
      assert.equal(code, 0, stderr);
      return l.json().map((j) => `${j.name}/${j.object}`);
    };
    assert.deepEqual(await got(exact), ["com.example.a/null", "com.example.a/o1"]);
    assert.deepEqual(await got(several), [
      "com.example.a/null",
      "org.other.b/null",
      "com.example.a/o1",
    ]);
    assert.deepEqual(await got(glob), [
      "com.example.a/null",
      "com.example.c/o2",
      "com.example.a/o1",
    ]);
    assert.deepEqual(await got(object), ["com.example.a/o1"]);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

const TYPED_JSON =
  '{"count": 5, "max": {"$uint64": "18446744073709551615"}, "min": {"$int64": "-9223372036854775808"}, "ratio": 1.0, "bytes": {"$data": "AP8Q"}, "when": {"$date": "2026-01-02T03:04:05.678Z"}, "id": {"$uuid": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}, "list": [1, "two", null]}';

Deno.test("typed userInfo round-trips through post --user-info and listen --json and --yaml", async () => {
  const dir = await tempRuntimeDir();
  try {
    const json = await Listener.start(["t", "--json", "--count", "2"], dir);
    const yaml = await Listener.start(["t", "--yaml", "--count", "2"], dir);
    await post(dir, "t", "--object", "o", "--user-info", TYPED_JSON);
    const yamlIn = [
      "count: 5",
      "max: !uint64 18446744073709551615",
      "min: -9223372036854775808",
      "ratio: 1.0",
      "bytes: !!binary AP8Q",
      "when: 2026-01-02T03:04:05.678Z",
      "id: !uuid 6ba7b810-9dad-11d1-80b4-00c04fd430c8",
      "list: [1, two, null]",
    ].join("\n");
    const fromYaml = await ipckit(["post", "t", "--user-info-yaml", "-"], {
      runtimeDir: dir,
      stdin: yamlIn,
    });
    assert.equal(fromYaml.code, 0, fromYaml.stderr);
    assert.equal((await json.done).code, 0);
    const expected = JSON.parse(TYPED_JSON);
    expected.when = { $date: "2026-01-02T03:04:05.678Z" };
    const lines = json.lines;
    const first = JSON.parse(lines[0]);
    assert.deepEqual(Object.keys(first), ["time", "name", "object", "userInfo", "poster", "seq"]);
    assert.equal(first.object, "o");
    assert.deepEqual(first.userInfo, expected);
    assert.match(lines[0], /"ratio":1\.0/, "a double stays a double");
    assert.deepEqual(JSON.parse(lines[1]).userInfo, expected, "from YAML, the same values");
    assert.equal((await yaml.done).code, 0);
    const text = yaml.lines.join("\n");
    assert.equal(text.match(/^---$/gm)?.length, 2);
    for (
      const line of [
        "  max: !uint64 18446744073709551615",
        "  min: -9223372036854775808",
        "  ratio: 1.0",
        "  bytes: !!binary |-\n    AP8Q",
        "  when: 2026-01-02T03:04:05.678Z",
        "  id: !uuid 6ba7b810-9dad-11d1-80b4-00c04fd430c8",
        "object: o",
      ]
    ) {
      assert.ok(text.includes(line), `${line} in\n${text}`);
    }
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("a malformed --user-info is one clear line, exit 2, and nothing is posted", async () => {
  const dir = await tempRuntimeDir();
  try {
    const listener = await Listener.start(["m", "--json", "--count", "1"], dir);
    for (
      const [args, message] of [
        [["--user-info", '{"a": '], /--user-info is not valid/],
        [["--user-info", "[1, 2]"], /must be an object of typed values.*not array/],
        [["--user-info", '{"d": {"$data": "%%%"}}'], /base64/],
        [["--user-info", '{"n": 99999999999999999999999}'], /out of the int64 and uint64/],
        [["--user-info-yaml", "-", "--user-info", "{}"], /cannot be used with/],
        [["--state", "-1"], /0…18446744073709551615/],
      ] as const
    ) {
      const result = await ipckit(["post", "m", ...args], { runtimeDir: dir, stdin: "a: 1" });
      assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, message);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    }
    await post(dir, "m", "--user-info", '{"after": true}');
    const { code } = await listener.done;
    assert.equal(code, 0);
    assert.deepEqual(listener.json().map((j) => j.userInfo), [{ after: true }]);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("listen --count 1 --timeout exits 124 after printing what did arrive; without --count, 0", async () => {
  const dir = await tempRuntimeDir();
  try {
    const none = await ipckit(["listen", "x", "--count", "1", "--timeout", "0.5"], {
      runtimeDir: dir,
    });
    assert.equal(none.code, 124);
    assert.equal(none.stdout, "");
    const some = await Listener.start(["x", "--count", "3", "--timeout", "3"], dir);
    await post(dir, "x", "--object", "obj", "--user-info", '{"k": "v"}');
    const { code } = await some.done;
    assert.equal(code, 124);
    assert.equal(some.lines.length, 1);
    assert.match(some.lines[0], /^\d\d:\d\d:\d\d\.\d{3} {2}x {2}\[obj\] {2}\{"k":"v"\}$/);
    const period = await ipckit(["listen", "--timeout", "0.3"], { runtimeDir: dir });
    assert.equal(period.code, 0);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("listen --exec runs the command per notification, dash arguments included", async () => {
  const dir = await tempRuntimeDir();
  try {
    const listener = await Listener.start([
      "e",
      "--count",
      "2",
      "--exec",
      "sh",
      "-c",
      'printf "%s|%s|%s|" "$IPCKIT_NAME" "$IPCKIT_OBJECT" "$1"; cat',
      "sh",
      "--not-an-ipckit-option",
    ], dir);
    await post(dir, "e", "--object", "o1", "--user-info", '{"n": 1}');
    await post(dir, "e");
    const { code, stderr } = await listener.done;
    assert.equal(code, 0, stderr);
    const [first, second] = listener.lines;
    const [name, object, arg, json] = first.split("|");
    assert.deepEqual([name, object, arg], ["e", "o1", "--not-an-ipckit-option"]);
    assert.deepEqual(JSON.parse(json).userInfo, { n: 1 });
    assert.match(second, /^e\|\|--not-an-ipckit-option\|\{"time":/);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("listen --exec checks its command before listening: exit 3 when there is none, 2 when it cannot run", async () => {
  const dir = await tempRuntimeDir();
  try {
    for (
      const [command, code, message] of [
        [`${dir}/no/such/cmd`, 3, `cannot listen with --exec ${dir}/no/such/cmd: no such file`],
        ["ipckit-no-such-command", 3, "no such command on PATH"],
        [dir, 2, "it is a directory"],
      ] as const
    ) {
      const listener = await startIpckit(["listen", "x", "--count", "1", "--exec", command], {
        runtimeDir: dir,
        allowExit: true,
      });
      // Started listening instead of refusing: a notification ends it (with whatever it says).
      if (listener.ready) await post(dir, "x");
      const out = await listener.stop(null);
      assert.equal(listener.ready, false, `listen --exec ${command} started: ${out.stderr}`);
      assert.equal(out.code, code, out.stderr);
      assert.match(out.stderr, new RegExp(`^ipckit: [^\\n]*${message}[^\\n]*\\n$`));
    }
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("ipckit listen | head -1 ends", async () => {
  const dir = await tempRuntimeDir();
  try {
    const quoted = ipckitShellCommand(["listen", "h", "--ready-file", `${dir}/ready`]);
    const pipeline = new Deno.Command("bash", {
      args: ["-c", `set -o pipefail; ${quoted} | head -1; echo "status=$?"`],
      env: { IPCKIT_RUNTIME_DIR: dir },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    await waitFor(() => exists(`${dir}/ready`), "listen to be subscribed", 30_000);
    await post(dir, "h");
    // head has exited after the first line; the next write ends listen quietly.
    let out: Deno.CommandOutput | undefined;
    const finished = pipeline.output().then((o) => out = o);
    await waitFor(
      async () => {
        if (out) return true;
        await post(dir, "h");
        return false;
      },
      "the pipeline to end",
      30_000,
    );
    await finished;
    const text = new TextDecoder().decode(out!.stdout);
    assert.match(text, /^\d\d:\d\d:\d\d\.\d{3} {2}h\nstatus=0\n$/);
    assert.equal(new TextDecoder().decode(out!.stderr), "");
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("state sets, prints a bare number or JSON, and survives daemon stop and SIGKILL", async () => {
  const dir = await tempRuntimeDir();
  try {
    const run = async (...args: string[]) => {
      const result = await ipckit(["state", ...args], { runtimeDir: dir });
      assert.equal(result.code, 0, result.stderr);
      return result.stdout;
    };
    assert.equal(await run("com.example.s"), "0\n");
    assert.equal(await run("com.example.s", "18446744073709551615"), "");
    assert.equal(await run("com.example.s"), "18446744073709551615\n");
    assert.deepEqual(JSON.parse(await run("com.example.s", "--json")), {
      name: "com.example.s",
      state: { $uint64: "18446744073709551615" },
    });
    assert.equal(
      await run("com.example.s", "--yaml"),
      "name: com.example.s\nstate: !uint64 18446744073709551615\n",
    );
    assert.equal((await ipckit(["daemon", "stop"], { runtimeDir: dir })).code, 0);
    assert.equal(await run("com.example.s"), "18446744073709551615\n");
    await run("com.example.s", "42");
    await post(dir, "com.example.t", "--state", "0x10");
    const status = await ipckit(["daemon", "status", "--json"], { runtimeDir: dir });
    const pid = JSON.parse(status.stdout).pid;
    Deno.kill(pid, "SIGKILL");
    await waitFor(
      async () => (await ipckit(["daemon", "status"], { runtimeDir: dir })).code === 3,
      "the broker to die",
    );
    assert.equal(await run("com.example.s"), "42\n");
    // A state that fits a JSON number exactly is one, as the JSON forms say; YAML alike.
    assert.equal(await run("com.example.s", "--json"), '{"name":"com.example.s","state":42}\n');
    assert.equal(await run("com.example.s", "--yaml"), "name: com.example.s\nstate: 42\n");
    assert.equal(await run("com.example.t"), "16\n");
    const bad = await ipckit(["state", "com.example.s", "lots"], { runtimeDir: dir });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /the state takes an integer/);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("a listen whose broker is killed with SIGKILL comes back by itself and prints a gap record", async () => {
  const dir = await tempRuntimeDir();
  try {
    const listener = await Listener.start(["g", "--json", "--count", "2"], dir, {
      IPCKIT_DEBUG: "1", // its reconnect traces, shown if this fails
    });
    await post(dir, "g", "--user-info", '{"n": 1}');
    await waitFor(() => listener.lines.length === 1, "the first notification");
    const status = await ipckit(["daemon", "status", "--json"], { runtimeDir: dir });
    const pid = JSON.parse(status.stdout).pid;
    Deno.kill(pid, "SIGKILL");
    try {
      await waitFor(() => listener.lines.length >= 2, "the gap record", 30_000);
    } catch (error) {
      listener.child.kill("SIGKILL");
      const { stderr } = await listener.done;
      const log = await Deno.readTextFile(`${dir}/broker.log`).catch(() => "");
      throw new Error(`${(error as Error).message}; listen said: ${stderr}; broker.log:\n${log}`);
    }
    await post(dir, "g", "--user-info", '{"n": 2}');
    const { code, stderr } = await listener.done;
    assert.equal(code, 0, stderr);
    const records = listener.json();
    assert.equal(records.filter((r) => r.record === "gap").length, 1, JSON.stringify(records));
    const [first, gap, second] = records;
    assert.deepEqual(first.userInfo, { n: 1 });
    assert.equal(gap.record, "gap");
    assert.ok(Date.parse(gap.from as string) <= Date.parse(gap.to as string));
    assert.equal(gap.time, gap.to);
    assert.deepEqual(second.userInfo, { n: 2 });
    const after = await ipckit(["daemon", "status", "--json"], { runtimeDir: dir });
    assert.notEqual(JSON.parse(after.stdout).pid, pid);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("post --user-info-yaml names a missing file in one line, exit 1, nothing posted", async () => {
  const dir = await tempRuntimeDir();
  try {
    for (
      const [file, why] of [["/nonexistent.yaml", "no such file or directory"], [
        dir,
        "it is a directory",
      ]]
    ) {
      const result = await ipckit(["post", "m", "--user-info-yaml", file], { runtimeDir: dir });
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stderr, `ipckit: cannot read --user-info-yaml ${file}: ${why}\n`);
    }
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("listen's options are checked by kind: counts, durations, --json with --yaml", async () => {
  for (
    const [args, message] of [
      [["--count", "0"], "invalid --count '0': must be at least 1"],
      [["-c", "2.5"], "invalid --count '2.5': not an integer"],
      [["--queue-limit", "0"], "invalid --queue-limit '0': must be at least 1"],
      [
        ["--timeout", "soon"],
        "invalid --timeout 'soon': not a duration (seconds, or 500ms, 2s, 5m, 1h)",
      ],
      [["--json", "--yaml"], "option '--json' cannot be used with option '--yaml'"],
      [
        ["--suspension", "later"],
        "invalid --suspension 'later': Allowed choices are drop, coalesce, hold, immediate",
      ],
      [["-0"], "invalid --count '0': must be at least 1"],
    ] as const
  ) {
    const result = await ipckit(["listen", "x", ...args]);
    assert.equal(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assert.equal(result.stderr, `ipckit: ${message}\n`);
  }
});

Deno.test("listen -1 NAME and --timeout 300ms take notifyutil's count flag and a duration", async () => {
  const dir = await tempRuntimeDir();
  try {
    // Nothing comes: -2 is --count 2, and 300ms is a duration (exit 124: the count not reached).
    const none = await ipckit(["listen", "-2", "x", "--timeout", "300ms"], { runtimeDir: dir });
    assert.equal(none.code, 124, none.stderr);
    const listener = await Listener.start(["-1", "com.example.one", "--json"], dir);
    await post(dir, "com.example.one");
    const { code, stderr } = await listener.done;
    assert.equal(code, 0, stderr);
    assert.deepEqual(listener.json().map((j) => j.name), ["com.example.one"]);
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("notifyutil runs its actions left to right: -1 then -p gets the post; -s then -g prints it", async () => {
  const dir = await tempRuntimeDir();
  try {
    const run = (...args: string[]) => ipckit(["notifyutil", ...args], { runtimeDir: dir });
    const one = await run("-1", "test.abc", "-p", "test.abc");
    assert.equal(one.code, 0, one.stderr);
    assert.equal(one.stdout, "test.abc\n");
    const state = await run("-s", "a.b", "87", "-g", "a.b", "-s", "a.b", "0x10", "-g", "a.b");
    assert.equal(state.stdout, "a.b 87\na.b 16\n");
    // -v: time, name and state; -q: nothing but -g's states; several registrations each count.
    const verbose = await run(
      ...["-v", "-1", "v", "-signal", "1", "-1", "w", "-s", "v", "3", "-p", "v", "-p", "w"],
    );
    assert.equal(verbose.code, 0, verbose.stderr);
    assert.deepEqual(
      verbose.stdout.split("\n").map((l) => l.replace(/^\d\d:\d\d:\d\d\.\d{3} /, "")).sort(),
      ["", "v 3 port", "w 0 signal"],
    );
    const quiet = await run("-q", "-1", "q", "-p", "q", "-g", "q");
    assert.equal(quiet.stdout, "q 0\n");
    assert.equal(await ipckit(["state", "a.b"], { runtimeDir: dir }).then((r) => r.stdout), "16\n");
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("--runtime-dir works after notifyutil's flags too; an empty --runtime-dir is a usage error", async () => {
  const dir = await tempRuntimeDir();
  const other = await tempRuntimeDir();
  try {
    // The environment names another directory: the option must win wherever it is.
    for (const given of [["--runtime-dir", dir], [`--runtime-dir=${dir}`]]) {
      const set = await ipckit(["notifyutil", "-s", "a.b", "5", ...given, "-g", "a.b"], {
        runtimeDir: other,
      });
      assert.equal(set.code, 0, set.stderr);
      assert.equal(set.stdout, "a.b 5\n");
    }
    assert.equal((await ipckit(["state", "a.b"], { runtimeDir: dir })).stdout, "5\n");
    assert.equal((await ipckit(["state", "a.b"], { runtimeDir: other })).stdout, "0\n");
    for (
      const command of [
        ["post", "x", "--runtime-dir", ""],
        ["--runtime-dir", "", "state", "x"],
        ["notifyutil", "-p", "x", "--runtime-dir="],
      ]
    ) {
      const out = await ipckit(command, { runtimeDir: other });
      assert.equal(out.code, 2, `${command.join(" ")}: ${out.stderr}`);
      assert.match(
        out.stderr,
        /^ipckit: --runtime-dir takes a directory, not an empty string[^\n]*\n$/,
      );
    }
  } finally {
    await cleanupRuntimeDir(dir);
    await cleanupRuntimeDir(other);
  }
});

Deno.test("notifyutil -w waits until Ctrl-C (exit 130); bad command lines are one line, exit 2", async () => {
  const dir = await tempRuntimeDir();
  try {
    const [cmd, args] = ipckitCommand(["notifyutil", "-w", "com.example.w", "-p", "com.example.w"]);
    const child = new Deno.Command(cmd, {
      args,
      env: { IPCKIT_RUNTIME_DIR: dir },
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("\n")) text += (await reader.read()).value ?? "";
    assert.equal(text, "com.example.w\n");
    child.kill("SIGINT");
    assert.equal((await child.status).code, 130);
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    for (
      const [words, message] of [
        [[], /needs an action/],
        [["-x"], /takes -p, -w, -N \(-1, -2, …\), -g, -s, -v, -t, -q, -port, .*, not "-x"/],
        [["-p"], /-p needs a notification name/],
        [["-s", "a", "b"], /-s a needs a state in 0…18446744073709551615 .*not "b"/],
        [["-0", "a"], /-0 waits for no notification/],
      ] as const
    ) {
      const result = await ipckit(["notifyutil", ...words], { runtimeDir: dir });
      assert.equal(result.code, 2, words.join(" "));
      assert.match(result.stderr, message);
      assert.equal(result.stderr.split("\n").length, 2, result.stderr);
    }
  } finally {
    await cleanupRuntimeDir(dir);
  }
});

Deno.test("listen --ready-file that cannot be written is one line, exit 1", async () => {
  const dir = await tempRuntimeDir();
  try {
    const ready = `${dir}/missing/ready`;
    const result = await ipckit(["listen", "x", "--ready-file", ready], { runtimeDir: dir });
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `ipckit: cannot write --ready-file ${ready}: no such file or directory\n`,
    );
  } finally {
    await cleanupRuntimeDir(dir);
  }
});
