import assert from "node:assert/strict";
import { convertValue, expandNumericFlags, findCommand, optionFlags, parseFast } from "./_parse.ts";
import { splitExec } from "./_io.ts";
import type { Command, CommandSpec, InvocationOf } from "./_spec.ts";

const spec: CommandSpec = {
  name: "listen",
  summary: "test",
  args: [{ name: "names", description: "", variadic: true }],
  options: [
    { flags: "-c, --count <n>", description: "", kind: "integer" },
    { flags: "--json", description: "" },
    { flags: "--mode <m>", description: "", choices: ["a", "b"], default: "a" },
    { flags: "--rep <x>", description: "", kind: "list" },
  ],
  examples: [],
  exec: true,
};
const command: Command = { spec, run: () => Promise.resolve(0) };
const nested: Command = {
  spec: { name: "daemon status", summary: "", examples: [] },
  run: () => Promise.resolve(0),
};

Deno.test("optionFlags() takes flags apart and camel-cases the key", () => {
  assert.deepEqual(optionFlags({ flags: "-o, --ready-file <path>", description: "" }), {
    long: "--ready-file",
    short: "-o",
    key: "readyFile",
    takesValue: true,
  });
  assert.equal(optionFlags({ flags: "--json", description: "" }).takesValue, false);
});

Deno.test("parseFast() parses the ordinary command line the way commander would", () => {
  assert.deepEqual(
    parseFast(spec, ["a", "--count", "3", "b", "--json", "--rep=x", "--rep", "y", "--", "--c"]),
    {
      args: ["a", "b", "--c"],
      options: { count: 3, json: true, mode: "a", rep: ["x", "y"] },
      exec: undefined,
      runtimeDir: undefined,
    },
  );
  assert.equal(parseFast(spec, ["-c", "-5"])?.options.count, -5);
  assert.equal(parseFast(spec, ["--runtime-dir", "/x"])?.runtimeDir, "/x");
});

Deno.test("parseFast() hands anything doubtful to commander", () => {
  for (
    const argv of [
      ["--help"],
      ["-h"],
      ["--cuont", "3"],
      ["--count", "three"],
      ["--count"],
      ["--mode", "c"],
      ["--json=yes"],
      ["-cj"],
    ]
  ) {
    assert.equal(parseFast(spec, argv), undefined, argv.join(" "));
  }
  assert.equal(parseFast(nested.spec, ["extra"]), undefined);
});

Deno.test("findCommand() finds nested commands after global options", () => {
  const found = findCommand(["--runtime-dir", "/d", "daemon", "status", "--json"], [
    command,
    nested,
  ]);
  assert.equal(found?.command, nested);
  assert.deepEqual(found?.rest, ["--runtime-dir", "/d", "--json"]);
  assert.equal(findCommand(["daemon"], [nested]), undefined);
});

Deno.test("splitExec() keeps everything after --exec, dashes included", () => {
  assert.deepEqual(splitExec(["x", "--exec", "jq", "-r", "--exec", ".a"]), {
    argv: ["x"],
    exec: ["jq", "-r", "--exec", ".a"],
  });
  assert.deepEqual(splitExec(["x", "--", "--exec"]), { argv: ["x", "--", "--exec"] });
  assert.throws(() => splitExec(["x", "--exec"]), /needs a command/);
});

const kinds = {
  name: "k",
  summary: "test",
  options: [
    { flags: "-n, --count <n>", description: "", kind: "integer", min: 1, max: 9 },
    { flags: "--state <n>", description: "", kind: "uint64" },
    { flags: "--timeout <d>", description: "", kind: "duration" },
    { flags: "--mode <m>", description: "", choices: ["a", "b"] },
    { flags: "--json", description: "", conflicts: ["--yaml"] },
    { flags: "--yaml", description: "", conflicts: ["--json"] },
    { flags: "--rep <x>", description: "", kind: "list" },
  ],
  examples: [],
  numericFlag: "--count",
} as const satisfies CommandSpec;

Deno.test("parseFast() converts and checks each kind, and leaves bad values and conflicts to commander", () => {
  const invocation = parseFast(kinds, [
    "--count=3",
    "--state",
    "0xffffffffffffffff",
    "--timeout",
    "1.5m",
    "--mode",
    "b",
  ]) as InvocationOf<typeof kinds>;
  // Typed without casts: a number, a bigint, a number of seconds, one of the choices.
  const count: number | undefined = invocation.options.count;
  const state: bigint | undefined = invocation.options.state;
  const timeout: number | undefined = invocation.options.timeout;
  const mode: "a" | "b" | undefined = invocation.options.mode;
  const rep: string[] = invocation.options.rep;
  assert.deepEqual([count, state, timeout, mode, rep], [3, 2n ** 64n - 1n, 90, "b", []]);
  for (
    const bad of [
      ["--count", "0"],
      ["--count", "10"],
      ["--count", "1.5"],
      ["--state", "-1"],
      ["--state", "18446744073709551616"],
      ["--timeout", "-1"],
      ["--timeout", "5 s"],
      ["--mode", "c"],
      ["--json", "--yaml"],
    ]
  ) {
    assert.equal(parseFast(kinds, bad), undefined, bad.join(" "));
  }
  assert.equal(parseFast(kinds, ["--json"])?.options.json, true);
});

Deno.test("convertValue() says what is wrong with a value", () => {
  const [count, state, timeout] = kinds.options;
  assert.throws(() => convertValue(count, "0"), { message: "must be at least 1" });
  assert.throws(() => convertValue(count, "x"), { message: "not an integer" });
  assert.throws(() => convertValue(state, "-1"), /not an integer in 0…18446744073709551615/);
  assert.equal(convertValue(timeout, "250ms"), 0.25);
  assert.equal(convertValue(timeout, "2h"), 7200);
  assert.throws(() => convertValue(timeout, "soon"), /not a duration/);
});

Deno.test("expandNumericFlags() makes notifyutil's -N the declared flag, before -- only", () => {
  assert.deepEqual(
    expandNumericFlags(kinds, ["k", "-1", "a", "--runtime-dir", "-2", "--", "-3"]),
    ["k", "--count=1", "a", "--runtime-dir", "-2", "--", "-3"],
  );
});

Deno.test("expandNumericFlags() leaves an option's value alone, however it looks", () => {
  const spec = {
    ...kinds,
    options: [...kinds.options, { flags: "--object <o>", description: "" }],
  };
  assert.deepEqual(
    expandNumericFlags(spec, ["k", "--object", "-5", "--timeout", "-1", "-n", "-7", "-2", "a"]),
    ["k", "--object", "-5", "--timeout", "-1", "-n", "-7", "--count=2", "a"],
  );
});
