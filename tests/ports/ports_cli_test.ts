/**
 * Message ports across processes: `ipckit serve` and `ipckit send` as real subprocesses, every
 * CF status code as it really arises, names and ownership, and large messages.
 */

import assert from "node:assert/strict";
import { ipckit, ipckitCommand, type RunningIpckit, startIpckit } from "../_cli.ts";
import { cleanupRuntimeDir, exists, tempRuntimeDir, waitFor, withRuntimeDir } from "../_helpers.ts";
import { fromYaml } from "../../lib/wire/yaml.ts";

const text = new TextDecoder();

/** Starts `ipckit serve NAME ARGS…` and waits until it listens. */
function serve(dir: string, name: string, args: string[] = []): Promise<RunningIpckit> {
  return startIpckit(["serve", name, ...args], { runtimeDir: dir });
}

Deno.test("serve --exec sh -c answers send byte for byte, with IPCKIT_MSGID in its environment", async () => {
  await withRuntimeDir(async (dir) => {
    const server = await serve(dir, "com.example.echo", [
      "--exec",
      "sh",
      "-c",
      'printf "%s:" "$IPCKIT_MSGID"; cat',
    ]);
    try {
      const all = new Uint8Array(256).map((_, i) => i);
      const binary = await ipckit(["send", "com.example.echo", "--id", "42"], {
        stdin: all,
        runtimeDir: dir,
      });
      assert.equal(binary.code, 0, binary.stderr);
      assert.deepEqual(
        binary.stdoutBytes,
        new Uint8Array([...new TextEncoder().encode("42:"), ...all]),
      );
      const arg = await ipckit(["send", "com.example.echo", "hello world"], { runtimeDir: dir });
      assert.equal(arg.stdout, "0:hello world");
      const file = await Deno.makeTempFile();
      await Deno.writeTextFile(file, "from a file\n");
      const fromFile = await ipckit(["send", "com.example.echo", "--file", file, "--id", "-7"], {
        runtimeDir: dir,
      });
      assert.equal(fromFile.stdout, "-7:from a file\n");
      await Deno.remove(file);
    } finally {
      await server.stop();
    }
  });
});

Deno.test("a failing --exec command is a 'handler failed' error with its status and stderr; serving goes on", async () => {
  await withRuntimeDir(async (dir) => {
    const server = await serve(dir, "fails", [
      "--exec",
      "sh",
      "-c",
      'if [ "$IPCKIT_MSGID" = 1 ]; then echo partial; echo "disk full" >&2; exit 3; fi; echo fine',
    ]);
    try {
      const failed = await ipckit(["send", "fails", "--id", "1", "x"], { runtimeDir: dir });
      assert.equal(failed.code, 1);
      assert.equal(failed.stdout, "");
      assert.match(failed.stderr, /^ipckit: .*handler failed, status -4.*status 3: disk full\n$/);
      const ok = await ipckit(["send", "fails", "--id", "2", "x"], { runtimeDir: dir });
      assert.equal(ok.code, 0, ok.stderr);
      assert.equal(ok.stdout, "fine\n");
      const large = await serve(dir, "large", [
        "--exec",
        "sh",
        "-c",
        "head -c 3000000 /dev/zero; echo 'out of paper' >&2; exit 4",
      ]);
      const late = await ipckit(["send", "large"], { runtimeDir: dir });
      assert.equal(late.code, 1);
      assert.match(
        late.stderr,
        /handler failed, status -4\): sh exited with status 4: out of paper\n$/,
      );
      await large.stop();
    } finally {
      await server.stop();
    }
  });
});

Deno.test("serve without --exec prints requests and answers empty; --once exits after one", async () => {
  await withRuntimeDir(async (dir) => {
    const server = await serve(dir, "printer", ["--once"]);
    const sent = await ipckit(["send", "printer", "--id", "5", "hi there"], { runtimeDir: dir });
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(sent.stdout, "");
    const { code, stdout } = await server.stop("SIGCONT"); // it exits by itself
    const binary = await serve(dir, "printer2");
    for (const stdin of [new Uint8Array([0, 1, 2]), new Uint8Array(100_000)]) {
      const result = await ipckit(["send", "printer2", "--id", "6"], { stdin, runtimeDir: dir });
      assert.equal(result.code, 0, result.stderr);
    }
    const printed = await binary.stop();
    assert.equal(printed.stdout, "[6] 3 bytes of binary data\n[6] 100000 bytes of data\n");
    assert.equal(code, 0);
    assert.equal(stdout, "[5] hi there\n");
    const gone = await ipckit(["send", "printer", "x"], { runtimeDir: dir });
    assert.equal(gone.code, 3);
  });
});

Deno.test("send to a missing port exits 3 and says how to serve it", async () => {
  await withRuntimeDir(async (dir) => {
    const result = await ipckit(["send", "com.example.none", "x"], { runtimeDir: dir });
    assert.equal(result.code, 3);
    assert.match(
      result.stderr,
      /^ipckit: no port "com.example.none" is being served.*ipckit serve com.example.none\n$/,
    );
  });
});

Deno.test("send exits 124 with status -2 when the server sleeps past the receive timeout", async () => {
  await withRuntimeDir(async (dir) => {
    const server = await serve(dir, "sleepy", ["--exec", "sleep", "30"]);
    try {
      const result = await ipckit(["send", "sleepy", "x", "--receive-timeout", "0.5"], {
        runtimeDir: dir,
      });
      assert.equal(result.code, 124);
      assert.match(
        result.stderr,
        /^ipckit: no reply from the port "sleepy" within 0.5 s \(receive timeout, status -2\)\n$/,
      );
    } finally {
      await server.stop();
    }
  });
});

Deno.test("send exits 124 with status -1 when the server stops reading until the send timeout", async () => {
  await withRuntimeDir(async (dir) => {
    const server = await serve(dir, "stopped", ["--exec", "cat"]);
    const file = await Deno.makeTempFile();
    await Deno.writeFile(file, new Uint8Array(64 * 1024 * 1024));
    Deno.kill(server.pid, "SIGSTOP");
    try {
      const result = await ipckit(["send", "stopped", "--file", file, "--send-timeout", "1"], {
        runtimeDir: dir,
      });
      assert.equal(result.code, 124);
      assert.match(result.stderr, /send timeout, status -1/);
    } finally {
      Deno.kill(server.pid, "SIGCONT");
      await server.stop();
      await Deno.remove(file);
    }
  });
});

Deno.test("send exits 124 with status -1 when the server is stopped before it greets, small request or not", async () => {
  await withRuntimeDir(async (dir) => {
    const server = await serve(dir, "frozen", ["--exec", "cat"]);
    Deno.kill(server.pid, "SIGSTOP");
    try {
      // The request fits in the socket's buffer: written at once, but never taken.
      const result = await ipckit(["send", "frozen", "x", "--send-timeout", "0.5"], {
        runtimeDir: dir,
      });
      assert.equal(result.code, 124, result.stderr);
      assert.match(result.stderr, /within 0.5 s \(send timeout, status -1\)/);
    } finally {
      Deno.kill(server.pid, "SIGCONT");
      await server.stop();
    }
  });
});

Deno.test("a server killed mid-request makes send fail promptly with 'became invalid', not a timeout", async () => {
  await withRuntimeDir(async (dir) => {
    const marker = `${dir}/handling`;
    const server = await serve(dir, "doomed", [
      "--exec",
      "sh",
      "-c",
      `echo $$ > ${marker}.tmp; mv ${marker}.tmp ${marker}; exec sleep 60`,
    ]);
    const [cmd, args] = ipckitCommand(["send", "doomed", "x"]);
    const sending = new Deno.Command(cmd, {
      args,
      env: { IPCKIT_RUNTIME_DIR: dir },
      stdout: "piped",
      stderr: "piped",
    }).output();
    await waitFor(() => exists(marker), "the request to be handled", 30_000);
    await server.stop("SIGKILL");
    const result = await sending; // no timeout was given: only the server's death ends it
    assert.equal(result.code, 1);
    assert.match(
      text.decode(result.stderr),
      /became invalid \(status -5\)|transport error, status -4/,
    );
    // The handler outlives its server; end it.
    Deno.kill(Number(await Deno.readTextFile(marker)), "SIGKILL");
  });
});

Deno.test("send --oneway delivers without waiting for the handler to finish", async () => {
  await withRuntimeDir(async (dir) => {
    const got = `${dir}/got`, release = `${dir}/release`, done = `${dir}/done`;
    // The handler holds on until the test releases it (or 20 s pass, so a broken --oneway
    // fails rather than hangs), and says when it is done: before its reply could go out.
    const server = await serve(dir, "sink", [
      "--exec",
      "sh",
      "-c",
      `cat > ${got}.tmp; mv ${got}.tmp ${got}; i=0; ` +
      `while [ ! -e ${release} ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done; touch ${done}`,
    ]);
    try {
      const result = await ipckit(["send", "sink", "payload", "--oneway"], { runtimeDir: dir });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, "");
      assert.equal(await exists(done), false, "send --oneway waited for the handler");
      await Deno.writeTextFile(release, "");
      await waitFor(() => exists(done), "the one-way request to be handled", 30_000).catch(
        async (error) => {
          const { stderr } = await server.stop();
          throw new Error(`${error.message}; serve said: ${stderr}`);
        },
      );
      assert.equal(await Deno.readTextFile(got), "payload");
    } finally {
      await server.stop();
    }
  });
});

Deno.test("a second owner is refused; after kill -9 the name is taken over", async () => {
  await withRuntimeDir(async (dir) => {
    const first = await serve(dir, "owned", ["--exec", "echo", "first"]);
    const second = await ipckit(["serve", "owned"], { runtimeDir: dir });
    assert.equal(second.code, 1);
    assert.match(
      second.stderr,
      new RegExp(`^ipckit: the port "owned" is already served by process ${first.pid}`),
    );
    await first.stop("SIGKILL");
    assert.ok(await exists(`${dir}/ports/owned.sock`), "kill -9 leaves the socket behind");
    const listed = await ipckit(["ports", "--json"], { runtimeDir: dir });
    assert.deepEqual(JSON.parse(listed.stdout), []);
    const taker = await serve(dir, "owned", ["--exec", "echo", "second"]);
    try {
      const result = await ipckit(["send", "owned"], { runtimeDir: dir });
      assert.equal(result.stdout, "second\n");
    } finally {
      await taker.stop();
    }
  });
});

Deno.test("a 200-character name works end to end and is listed by its real name", async () => {
  await withRuntimeDir(async (dir) => {
    const name = "com.example." + "long-".repeat(37) + "end";
    assert.equal(name.length, 200);
    const server = await serve(dir, name, ["--exec", "cat"]);
    try {
      const result = await ipckit(["send", name, "long"], { runtimeDir: dir });
      assert.equal(result.stdout, "long");
      const listed = await ipckit(["ports", "--json"], { runtimeDir: dir });
      const ports = JSON.parse(listed.stdout);
      assert.deepEqual(ports.map((p: { name: string; pid: number }) => [p.name, p.pid]), [[
        name,
        server.pid,
      ]]);
      const human = await ipckit(["ports"], { runtimeDir: dir });
      assert.match(human.stdout, new RegExp(`^\\s*PID  PORT\\n\\s*${server.pid}  ${name}\\n$`));
      // --yaml says what --json says, with the date as a timestamp.
      const yaml = await ipckit(["ports", "--yaml"], { runtimeDir: dir });
      assert.equal(yaml.code, 0, yaml.stderr);
      assert.deepEqual(await fromYaml(yaml.stdout), [
        { name, pid: BigInt(server.pid), since: new Date(ports[0].since) },
      ]);
    } finally {
      await server.stop();
    }
  });
});

Deno.test("Ctrl-C stops serve with 130 and removes its socket", async () => {
  await withRuntimeDir(async (dir) => {
    const server = await serve(dir, "interrupted", ["--exec", "cat"]);
    assert.ok(await exists(`${dir}/ports/interrupted.sock`));
    const { code } = await server.stop("SIGINT");
    assert.equal(code, 130);
    assert.equal(await exists(`${dir}/ports/interrupted.sock`), false);
    const listed = await ipckit(["ports"], { runtimeDir: dir });
    assert.equal(listed.stdout, "no ports are being served\n");
  });
});

Deno.test("bad send and serve command lines are usage errors", async () => {
  await withRuntimeDir(async (dir) => {
    const both = await ipckit(["send", "p", "data", "--file", "/etc/hostname"], {
      runtimeDir: dir,
    });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /not both/);
    const id = await ipckit(["send", "p", "--id", "4294967296"], { runtimeDir: dir });
    assert.equal(id.code, 2);
    const timeout = await ipckit(["send", "p", "--receive-timeout", "-1"], { runtimeDir: dir });
    assert.equal(timeout.code, 2);
    const long = await ipckit(["send", "x".repeat(256), "d"], { runtimeDir: dir });
    assert.equal(long.code, 2);
    assert.match(long.stderr, /at most 255 characters/);
    const concurrency = await ipckit(["serve", "p", "--concurrency", "0"], { runtimeDir: dir });
    assert.equal(concurrency.code, 2);
  });
});

/**
 * Runs `ipckit serve p ARGS…` that should refuse to start: its result, or a failure once its
 * ready file says it serves after all.
 */
async function refusedServe(
  dir: string,
  args: string[],
): Promise<{ code: number; stderr: string }> {
  const server = await startIpckit(["serve", "p", ...args], { runtimeDir: dir, allowExit: true });
  if (server.ready) {
    await server.stop("SIGKILL");
    throw new Error(`serve ${args.join(" ")} started serving instead of refusing`);
  }
  return await server.stop(null);
}

Deno.test("serve --exec checks its command before serving: exit 3 when there is none, 2 when it cannot run", async () => {
  await withRuntimeDir(async (dir) => {
    const missing = await refusedServe(dir, ["--exec", `${dir}/no/such/program`, "-x"]);
    assert.equal(missing.code, 3);
    assert.equal(
      missing.stderr,
      `ipckit: cannot serve p with --exec ${dir}/no/such/program: no such file (give the path of a program)\n`,
    );
    const unknown = await refusedServe(dir, ["--exec", "ipckit-no-such-command"]);
    assert.equal(unknown.code, 3);
    assert.match(unknown.stderr, /^ipckit: [^\n]*no such command on PATH[^\n]*\n$/);
    const plain = `${dir}/plain.sh`;
    await Deno.writeTextFile(plain, "echo hi\n");
    await Deno.chmod(plain, 0o644);
    const notExecutable = await refusedServe(dir, ["--exec", plain]);
    assert.equal(notExecutable.code, 2);
    assert.match(notExecutable.stderr, /^ipckit: [^\n]*plain.sh: it is not executable[^\n]*\n$/);
    const directory = await refusedServe(dir, ["--exec", dir]);
    assert.equal(directory.code, 2);
    assert.match(directory.stderr, /^ipckit: [^\n]*it is a directory\n$/);
    // Nothing was served meanwhile.
    assert.equal(await exists(`${dir}/ports/p.sock`), false);
  });
});

Deno.test("send --file names a file that is not there, or not a file, in one line", async () => {
  await withRuntimeDir(async (dir) => {
    const server = await serve(dir, "p", ["--exec", "cat"]);
    try {
      const noFile = await ipckit(["send", "p", "--file", `${dir}/nope`], { runtimeDir: dir });
      assert.equal(noFile.code, 1);
      assert.equal(noFile.stderr, `ipckit: cannot send ${dir}/nope: no such file\n`);
      const directory = await ipckit(["send", "p", "--file", dir], { runtimeDir: dir });
      assert.equal(directory.code, 1);
      assert.equal(directory.stderr, `ipckit: cannot send ${dir}: it is a directory\n`);
      // A typed value is read whole: an endless device stops at the bound, in one line.
      const endless = await ipckit(["send", "p", "--json", "--file", "/dev/zero"], {
        runtimeDir: dir,
      });
      assert.equal(endless.code, 1);
      assert.match(
        endless.stderr,
        /^ipckit: cannot send \/dev\/zero: it holds over 64 MiB[^\n]*\n$/,
      );
    } finally {
      await server.stop();
    }
  });
});

Deno.test("send --json and --yaml are typed: the request goes as MessagePack, the reply is decoded", async () => {
  await withRuntimeDir(async (dir) => {
    const { createLocalPort, decodeValue, encodeValue, fromJson, fromYaml, toJson } = await import(
      "../../lib/mod.ts"
    );
    // A TypeScript peer: sums the request's numbers, says what types it got.
    const port = await createLocalPort("com.example.sum", (_msgid, data) => {
      const request = decodeValue(data) as { numbers: bigint[]; note: Uint8Array };
      return encodeValue({
        sum: request.numbers.reduce((a, b) => a + b, 0n),
        noteBytes: BigInt(request.note.length),
        ok: true,
      });
    }, { runtimeDir: dir });
    const request = '{"numbers": [1, 2, 39], "note": {"$data": "AAEC"}}';
    const sum = await ipckit(["send", "com.example.sum", "--json", request], { runtimeDir: dir });
    assert.equal(sum.code, 0, sum.stderr);
    assert.equal(sum.stdout, '{"sum":42,"noteBytes":3,"ok":true}\n');
    const yaml = await ipckit(["send", "com.example.sum", "--yaml"], {
      runtimeDir: dir,
      stdin: "numbers: [5, 6]\nnote: !!binary AAEC\n",
    });
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.deepEqual(await fromYaml(yaml.stdout), { sum: 11n, noteBytes: 3n, ok: true });
    await port.close();

    // Through `serve --exec`: the request's bytes are the value's MessagePack, byte for byte,
    // and every type survives the way back.
    const saved = `${dir}/request`;
    const echo = await serve(dir, "echo", ["--exec", "tee", saved]);
    try {
      const typed =
        '{"big":{"$uint64":"18446744073709551615"},"neg":-5,"r":1.5,"when":{"$date":"2026-01-02T03:04:05.000Z"},"l":[null,"x",true]}';
      const file = `${dir}/request.json`;
      await Deno.writeTextFile(file, typed);
      const echoed = await ipckit(["send", "echo", "--json", "--file", file], { runtimeDir: dir });
      assert.equal(echoed.code, 0, echoed.stderr);
      assert.equal(echoed.stdout, `${toJson(fromJson(typed))}\n`);
      assert.deepEqual(await Deno.readFile(saved), encodeValue(fromJson(typed)));
      const bad = await ipckit(["send", "echo", "--json", "{not json"], { runtimeDir: dir });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /^ipckit: the request is not a value in JSON: /);
      const both = await ipckit(["send", "echo", "--json", "--yaml", "1"], { runtimeDir: dir });
      assert.equal(both.code, 2);
    } finally {
      await echo.stop();
    }
    const raw = await serve(dir, "raw", ["--exec", "printf", "not MessagePack \\301"]);
    const printer = await serve(dir, "printer");
    try {
      const notValue = await ipckit(["send", "raw", "--json", "1"], { runtimeDir: dir });
      assert.equal(notValue.code, 1);
      assert.match(
        notValue.stderr,
        /^ipckit: the reply of the port "raw" is not a MessagePack value \([^\n]*\); send without --json to get its 17 bytes\n$/,
      );
      const empty = await ipckit(["send", "printer", "--json", '{"a": 1}'], { runtimeDir: dir });
      assert.equal(empty.code, 0, empty.stderr);
      assert.equal(empty.stdout, "");
    } finally {
      await raw.stop();
      const printed = await printer.stop();
      assert.equal(printed.stdout, "[0] 4 bytes of binary data\n");
    }
  });
});

Deno.test("send --json/--yaml: a value nested too deeply, a list as a key, several documents are one line each and exit 2, before any port is looked up", async () => {
  const dir = await tempRuntimeDir();
  try {
    const cases: [string, string, RegExp][] = [
      ["--json", "[".repeat(65) + "]".repeat(65), /: nested deeper than the limit of 64 /],
      [
        "--json",
        "[".repeat(100000) + "]".repeat(100000),
        /: nested too deeply to read: a value holds at most 64 levels/,
      ],
      [
        "--yaml",
        "[".repeat(5000) + "]".repeat(5000),
        /: line 1, column \d+: nested too deeply to read: /,
      ],
      ["--yaml", "- ".repeat(5000) + "1", /: line 1, column \d+: nested too deeply to read: /],
      [
        "--yaml",
        "a: 1\n? [1, 2]\n: 3\n",
        /: line 2, column 3: a dictionary's key is text \(or a number\): a list or mapping cannot be a key /,
      ],
      [
        "--yaml",
        "a: 1\n---\nb: 2\n",
        /: line 2, column 1: one YAML document is one value: this text holds several /,
      ],
    ];
    for (const [form, text, message] of cases) {
      // Not there: a request that got as far as the port would exit 3.
      const result = await ipckit(["send", "com.example.absent", form], {
        runtimeDir: dir,
        stdin: text,
      });
      assert.equal(result.code, 2, `${form} ${text.slice(0, 20)}: ${result.stderr}`);
      assert.match(result.stderr, /^ipckit: the request is not a value in (JSON|YAML): [^\n]*\n$/);
      assert.match(result.stderr, message);
    }
  } finally {
    await cleanupRuntimeDir(dir);
  }
});
