import assert from "node:assert/strict";
import { parseDefinition, readDefinition } from "./definition.ts";

async function problems(text: string): Promise<string[]> {
  const result = await parseDefinition(text, "svc.yaml");
  assert.equal(result.ok, false, "expected the definition to be refused");
  return result.ok ? [] : result.errors.map((e) => e.message);
}

Deno.test("parseDefinition() takes every key with its type", async () => {
  const result = await parseDefinition(
    `label: com.example.all
program: /bin/sh
programArguments: [sh, -c, "echo hi"]
environment: { A: "1", B: 2 }
workingDirectory: /tmp
ports: [com.example.all, "a port with spaces"]
runAtLoad: true
keepAlive: { successfulExit: false, crashed: true }
throttleInterval: 2.5
exitTimeout: 1
processType: background
standardOutPath: /tmp/out.log
standardErrorPath: /tmp/err.log
softResourceLimits: { numberOfFiles: 256 }
hardResourceLimits: { numberOfFiles: 512, core: 0 }
`,
    "all.yaml",
  );
  assert.ok(result.ok, result.ok ? "" : result.errors.map((e) => e.message).join("\n"));
  assert.deepEqual(result.definition, {
    label: "com.example.all",
    program: "/bin/sh",
    programArguments: ["sh", "-c", "echo hi"],
    environment: { A: "1", B: "2" },
    workingDirectory: "/tmp",
    ports: ["com.example.all", "a port with spaces"],
    runAtLoad: true,
    keepAlive: { successfulExit: false, crashed: true },
    throttleInterval: 2.5,
    exitTimeout: 1,
    processType: "background",
    standardOutPath: "/tmp/out.log",
    standardErrorPath: "/tmp/err.log",
    softResourceLimits: { numberOfFiles: 256 },
    hardResourceLimits: { numberOfFiles: 512, core: 0 },
  });
});

Deno.test("an unknown key is named at its line and column, with the key meant", async () => {
  assert.deepEqual(await problems("label: a.b\nprogram: /bin/true\n  \nRunAtLoad: true\n"), [
    'svc.yaml:4:1: unknown key "RunAtLoad"; did you mean "runAtLoad"?',
  ]);
});

Deno.test("a wrong type is named at the value's position", async () => {
  assert.deepEqual(await problems("label: a.b\nprogram: /bin/true\nrunAtLoad: yes please\n"), [
    'svc.yaml:3:12: runAtLoad: expected true or false, not the string "yes please"',
  ]);
  assert.deepEqual(await problems("label: a.b\nprogramArguments: /bin/true\n"), [
    'svc.yaml:2:19: programArguments: expected a list of strings, not the string "/bin/true"',
  ]);
});

Deno.test("bad values are named each at its position: seconds, enum, label, port, limit", async () => {
  assert.deepEqual(
    await problems(`label: "not a label!"
program: /bin/true
exitTimeout: -3
processType: turbo
ports: [ok, ""]
keepAlive: { crashed: true, onFailure: true }
softResourceLimits: { files: 3 }
`),
    [
      "svc.yaml:1:8: label: \"not a label!\" is not a label: letters, digits, '.', '_' and '-', starting with a letter or digit (com.example.echo)",
      "svc.yaml:3:14: exitTimeout: expected seconds, a number 0 or more, not number -3",
      'svc.yaml:4:14: processType: expected one of background, standard, adaptive, interactive, not the string "turbo"',
      "svc.yaml:5:13: ports: expected a non-empty string",
      'svc.yaml:6:29: keepAlive: unknown condition "onFailure"; one of successfulExit, crashed',
      'svc.yaml:7:23: softResourceLimits: unknown limit "files"; one of core, cpu, data, fileSize, memoryLock, numberOfFiles, numberOfProcesses, residentSetSize, stack',
    ],
  );
});

Deno.test("a missing label or program is an error at the top of the file", async () => {
  assert.deepEqual(await problems("ports: [x]\n"), [
    'svc.yaml:1:1: the key "label" is missing: every service has a unique label',
    'svc.yaml:1:1: neither "program" nor "programArguments" is given: say what to run',
  ]);
});

Deno.test("a YAML syntax error and a duplicate key carry their positions", async () => {
  const [syntax] = await problems("label: a.b\nprogram: [unclosed\n");
  assert.match(syntax, /^svc\.yaml:\d+:\d+: /);
  const duplicate = await problems("label: a.b\nprogram: /bin/true\nlabel: c.d\n");
  assert.equal(duplicate.length, 1);
  assert.match(duplicate[0], /^svc\.yaml:3:1: Map keys must be unique/);
});

Deno.test("a definition that is not a mapping says what it should be", async () => {
  assert.deepEqual(await problems("- label: a.b\n"), [
    "svc.yaml:1:1: a service definition is a mapping of keys (label, program, …)",
  ]);
});

Deno.test({
  name: "readDefinition() refuses a definition another user owns or could have written, unread",
  // Only root can give a file to another user; CI runs as root.
  ignore: Deno.uid() !== 0 && Deno.env.get("CI") !== "true",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "ipckit-services-" });
    try {
      const text = "label: com.example.theirs\nprogram: /bin/true\n";
      const theirs = `${dir}/theirs.yaml`;
      await Deno.writeTextFile(theirs, text, { mode: 0o644 });
      await Deno.chown(theirs, 65534, 65534);
      const ownGroup = `${dir}/own-group.yaml`;
      await Deno.writeTextFile(ownGroup, text);
      await Deno.chmod(ownGroup, 0o664);
      const everyone = `${dir}/everyone.yaml`;
      await Deno.writeTextFile(everyone, text);
      await Deno.chmod(everyone, 0o646);
      const linked = `${dir}/linked.yaml`;
      await Deno.symlink(theirs, linked);
      const mine = `${dir}/mine.yaml`;
      await Deno.writeTextFile(mine, text);
      await Deno.chmod(mine, 0o644);

      const message = async (file: string) => {
        const result = await readDefinition(file);
        assert.equal(result.ok, false, `${file} was loaded`);
        return result.ok ? "" : result.errors.map((e) => e.message).join("\n");
      };
      assert.match(
        await message(theirs),
        /theirs\.yaml:1:1: it belongs to another user \(uid 65534\) and a service runs as you/,
      );
      assert.match(await message(linked), /it belongs to another user \(uid 65534\)/);
      assert.match(
        await message(everyone),
        /everyone\.yaml:1:1: others can write to it \(mode 646\).*chmod o-w/,
      );
      assert.equal((await readDefinition(mine)).ok, true);
      assert.equal((await readDefinition(ownGroup)).ok, true, "a umask of 002 is the user's own");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a NUL in a program, argument, variable or path is refused at its position", async () => {
  const nul =
    "contains a NUL character (\\0), which no program, argument, variable or path can hold; remove it";
  assert.deepEqual(
    await problems(`label: a.b
program: "/bin/true\\0x"
programArguments: [tool, "a\\0b"]
environment: { A: "1\\0" }
standardOutPath: "/tmp/x\\0.log"
`),
    [
      `svc.yaml:2:10: program: ${nul}`,
      `svc.yaml:3:26: programArguments: ${nul}`,
      `svc.yaml:4:19: environment: ${nul}`,
      `svc.yaml:5:18: standardOutPath: ${nul}`,
    ],
  );
});

Deno.test("nesting too deep for the parser is one clear error, not a stack overflow", async () => {
  const depth = 20_000;
  const errors = await problems(
    `label: a.b\nprogram: /bin/true\nenvironment: ${"[".repeat(depth)}${"]".repeat(depth)}\n`,
  );
  assert.equal(errors.length, 1);
  assert.match(errors[0], /^svc\.yaml:3:\d+: nested too deeply: a service definition nests/);
});

Deno.test("readDefinition() refuses a file over 1 MiB unparsed, reading no more than that", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-services-" });
  try {
    const file = `${dir}/big.yaml`;
    const head = "label: a.b\nprogram: /bin/true\n# ";
    await Deno.writeTextFile(file, head + "x".repeat(1024 * 1024) + "\n", { mode: 0o644 });
    const result = await readDefinition(file);
    assert.equal(result.ok, false, "a 1 MiB definition was loaded");
    assert.deepEqual(result.ok ? [] : result.errors.map((e) => e.message), [
      `${file}:1:1: the file is larger than 1024 KiB, the most a service definition may be; is it the right file?`,
    ]);
    const small = `${dir}/small.yaml`;
    await Deno.writeTextFile(small, head + "x".repeat(1000) + "\n", { mode: 0o644 });
    assert.equal((await readDefinition(small)).ok, true);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
