/**
 * `ipckit tell` as users run it: osascript's command line, the printed forms of every value
 * kind (pinned by `tests/golden/tell/forms.txt`; run with `IPCKIT_REGEN_GOLDEN=1` to write it
 * again on purpose, then review its diff), errors and exit codes.
 */

import assert from "node:assert/strict";
import { ipckit, ROOT, spawnIpckit } from "../_cli.ts";
import { startApp } from "../scripting/_orchard.ts";
import { withRuntimeDir } from "../_helpers.ts";

const PANTRY = new URL("./_pantry_app.ts", import.meta.url).pathname;
const GOLDEN = `${ROOT}/tests/golden/tell/forms.txt`;
const SDEF = `${ROOT}/tests/tell/fixtures/Pantry.sdef`;

const EVERY_KIND = [
  'tell application "Pantry"',
  "  set j to jar 1 of shelf 1",
  "  set k to kind of j",
  "end tell",
  '{"text", 42, 2.5, 2.0, 1.0E+20, true, {1, {2, "x"}}, {name:"x", size:3}, ¬',
  '  date "2024-03-05T10:20:30", missing value, text, k, POSIX file "/tmp/x", j, ¬',
  '  application "Pantry", {}}',
].join("\n");

Deno.test("ipckit tell prints every value kind in the human form, the source form and JSON (golden)", async () => {
  const app = await startApp(PANTRY);
  try {
    const env = { TZ: "UTC" };
    const run = (flags: string[], script: string) =>
      ipckit(["tell", ...flags, "-e", script], { runtimeDir: app.runtimeDir, env });
    const record = '{name:"x", size:3, tags:{"a", "b"}}';
    const runs = await Promise.all([
      run([], EVERY_KIND),
      run(["-s", "s"], EVERY_KIND),
      run(["--json"], EVERY_KIND),
      run([], record),
      run(["-ss"], record),
      run(["-s", "h"], '{{"a"}, {"b"}}'),
    ]);
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const text = [
      "# ipckit tell: printed forms (regenerate: IPCKIT_REGEN_GOLDEN=1 deno task test tests/tell/tell_cli_test.ts)",
      "## every kind, -s h",
      runs[0].stdout,
      "## every kind, -s s",
      runs[1].stdout,
      "## every kind, --json",
      runs[2].stdout,
      "## a record, -s h",
      runs[3].stdout,
      "## a record, -ss",
      runs[4].stdout,
      "## nested lists, -s h",
      runs[5].stdout,
    ].join("\n");
    if (Deno.env.get("IPCKIT_REGEN_GOLDEN")) await Deno.writeTextFile(GOLDEN, text);
    assert.equal(text, await Deno.readTextFile(GOLDEN));
  } finally {
    await app.stop();
  }
});

Deno.test("ipckit tell takes osascript's command line: -e lines, a file, standard input, arguments, --app", async () => {
  await withRuntimeDir(async (dir) => {
    const opts = { runtimeDir: dir };
    let r = await ipckit(["tell", "-e", "set x to 6", "-e", "x * 7"], opts);
    assert.deepEqual([r.code, r.stdout], [0, "42\n"]);
    const file = await Deno.makeTempFile({ suffix: ".applescript" });
    await Deno.writeTextFile(
      file,
      "on run argv\nreturn {count of argv, item 1 of argv}\nend run\n",
    );
    r = await ipckit(["tell", "-ss", file, "one", "-two"], opts);
    assert.deepEqual([r.code, r.stdout], [0, '{2, "one"}\n']);
    await Deno.remove(file);
    r = await ipckit(["tell", "-"], { ...opts, stdin: 'return "from stdin"' });
    assert.deepEqual([r.code, r.stdout], [0, "from stdin\n"]);
    r = await ipckit(["tell", "-e", "on run argv", "-e", "argv", "-e", "end run", "a", "b"], opts);
    assert.deepEqual([r.code, r.stdout], [0, "a, b\n"]);
    r = await ipckit(["tell", "-e", 'log "to stderr"', "-e", "1"], opts);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, "1\n", "to stderr\n"]);
  });
});

Deno.test("ipckit tell --app runs one-liners against a running app; exit 3 when it does not run, 124 on a timeout", async () => {
  const app = await startApp(PANTRY);
  try {
    const opts = { runtimeDir: app.runtimeDir };
    let r = await ipckit(["tell", "--app", "Pantry", "get name of every jar of shelf 1"], opts);
    assert.deepEqual([r.code, r.stdout], [0, "Raspberry, Honey, Gherkins\n"]);
    r = await ipckit(["tell", "-a", "Pantry", "-ss", "get jar 2 of shelf 1"], opts);
    assert.deepEqual([r.code, r.stdout], [0, 'jar id 2 of shelf "Top" of application "Pantry"\n']);
    r = await ipckit(["tell", "--app", "Larder", "get name of jar 1"], opts);
    assert.equal(r.code, 3);
    assert.equal(
      r.stderr,
      "execution error: Larder got an error: Application isn’t running. (-600)\n",
    );
    const nap = ["-e", "with timeout of 1 second", "-e", "nap", "-e", "end timeout"];
    r = await ipckit(["tell", "-a", "Pantry", ...nap], opts);
    assert.equal(r.code, 124, r.stderr);
    assert.match(
      r.stderr,
      /^25:28: execution error: Pantry got an error: .*AppleEvent timed out.* \(-1712\)\n$/,
    );
    r = await ipckit(
      ["tell", "-e", 'tell application "Pantry" to get jar "nope" of shelf 1'],
      opts,
    );
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      '29:54: execution error: Pantry got an error: Can’t get jar "nope" of shelf 1. (-1728)\n',
    );
  } finally {
    await app.stop();
  }
});

Deno.test("ipckit tell reports syntax and execution errors as osascript, in JSON too, and usage errors with exit 2", async () => {
  await withRuntimeDir(async (dir) => {
    const opts = { runtimeDir: dir };
    let r = await ipckit(["tell", "-e", "set x to 1", "-e", "set y to 2 3"], opts);
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [1, "", "22:23: syntax error: Expected end of line but found number. (-2741)\n"],
    );
    r = await ipckit(["tell", "-s", "o", "-e", "item 3 of {1}"], opts);
    assert.deepEqual(
      [r.code, r.stdout, r.stderr],
      [1, "0:13: execution error: Can’t get item 3 of {1}. (-1728)\n", ""],
    );
    r = await ipckit(["tell", "--json", "-e", "1 +", "-e", "display dialog 1"], opts);
    assert.equal(r.code, 1);
    assert.deepEqual(JSON.parse(r.stderr), {
      error: {
        kind: "syntax",
        number: -2741,
        message: "Expected expression but found end of line.",
        start: 3,
        end: 4,
        line: 1,
        column: 4,
      },
    });
    r = await ipckit(["tell", "-e", 'error "custom" number 500'], opts);
    assert.deepEqual([r.code, r.stderr], [1, "0:25: execution error: custom (500)\n"]);
    r = await ipckit(["tell", "-s", "x", "-e", "1"], opts);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /-s takes the flags h, s, e and o, not "x"/);
    r = await ipckit(["tell"], opts);
    assert.equal(r.code, 2);
    r = await ipckit(["tell", "/nonexistent/script.applescript"], opts);
    assert.deepEqual(
      [r.code, r.stderr],
      [
        1,
        "ipckit: cannot read the script /nonexistent/script.applescript: no such file or directory\n",
      ],
    );
  });
});

Deno.test("ipckit tell --check compiles against --sdef without running, and says where it does not", async () => {
  await withRuntimeDir(async (dir) => {
    const opts = { runtimeDir: dir };
    const script = 'tell application "Pantry" to restock jar 1 of shelf 1 by 2';
    let r = await ipckit(["tell", "--check", "--sdef", `Pantry=${SDEF}`, "-e", script], opts);
    assert.deepEqual([r.code, r.stdout, r.stderr], [0, "", ""]);
    r = await ipckit(
      [
        "tell",
        "--check",
        "--sdef",
        `Pantry=${SDEF}`,
        "-e",
        'tell application "Pantry" to restock jar 1 by by',
      ],
      opts,
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^\d+:\d+: syntax error: .*\(-2741\)\n$/);
    r = await ipckit(["tell", "--check", "-e", script], opts);
    assert.equal(r.code, 3);
  });
});

Deno.test("ipckit tell --check --sdef compiles the corpus's scripts for apps that do not run here", async () => {
  const real = `${ROOT}/../shared/testdata/sdef/real`;
  const corpus = `${ROOT}/../shared/testdata/applescript`;
  await withRuntimeDir(async (dir) => {
    for (
      const [file, app] of [
        ["01-finder-every-folder-of-startup-disk.applescript", "Finder"],
        ["07-safari-duplicate-tab.applescript", "Safari"],
        ["19-mail-mark-inbox-read.applescript", "Mail"],
        ["29-reminders-make-reminder-in-list-due-date.applescript", "Reminders"],
      ]
    ) {
      const r = await ipckit(
        ["tell", "--check", "--sdef", `${app}=${real}/${app}.sdef`, `${corpus}/${file}`],
        { runtimeDir: dir },
      );
      assert.deepEqual([r.code, r.stderr], [0, ""], file);
    }
    const r = await ipckit(
      [
        "tell",
        "--check",
        "--sdef",
        `Mail=${real}/Mail.sdef`,
        `${corpus}/32-notes-mail-message-to-notes-folder.applescript`,
      ],
      { runtimeDir: dir },
    );
    assert.equal(r.code, 3, "Notes does not run and no --sdef gives its terms");
  });
});

Deno.test("ipckit tell: Ctrl-C ends a script that loops (exit 130)", async () => {
  await withRuntimeDir(async (dir) => {
    // It logs once it has gone round twice, inner loop included; then it loops for ever.
    const script = [
      "set n to 0",
      "repeat",
      "set n to n + 1",
      "repeat 1000 times",
      "set x to n * 2",
      "end repeat",
      'if n = 2 then log "looping"',
      "end repeat",
    ];
    const child = spawnIpckit(["tell", ...script.flatMap((line) => ["-e", line])], {
      runtimeDir: dir,
      stdout: "null",
    });
    const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let err = "";
    while (!err.includes("looping\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      err += value;
    }
    assert.equal(err, "looping\n");
    child.kill("SIGINT");
    // Should Ctrl-C not end it, fail rather than hang.
    let guard: ReturnType<typeof setTimeout> | undefined;
    const killed = new Promise<"killed">((resolve) => {
      guard = setTimeout(() => {
        child.kill("SIGKILL");
        resolve("killed");
      }, 10_000);
    });
    const ended = await Promise.race([child.status, killed]);
    clearTimeout(guard);
    assert.notEqual(ended, "killed", "Ctrl-C did not end the script");
    const status = await child.status;
    reader.releaseLock();
    await child.stderr.cancel().catch(() => {});
    assert.equal(status.code, 130);
  });
});
