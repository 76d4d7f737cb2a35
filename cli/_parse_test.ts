import assert from "node:assert/strict";
import { findCommand, optionFlags, parseFast } from "./_parse.ts";
import { splitExec } from "./_io.ts";
import type { Command, CommandSpec } from "./_spec.ts";

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
