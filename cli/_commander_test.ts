import assert from "node:assert/strict";
import { buildProgram } from "./_commander.ts";
import { parseFast } from "./_parse.ts";
import type { Command, CommandSpec, Invocation } from "./_spec.ts";

const spec = {
  name: "paste",
  summary: "test",
  options: [
    { flags: "-n, --no-newline", description: "" },
    { flags: "--watch", description: "" },
  ],
  examples: [],
} as const satisfies CommandSpec;

/** The invocation commander hands the command for `words`. */
async function viaCommander(words: string[]): Promise<Invocation> {
  let got: Invocation | undefined;
  const command: Command = { spec, run: () => Promise.resolve(0) };
  const program = buildProgram([command], (_command, invocation) => {
    got = invocation;
    return Promise.resolve();
  });
  await program.parseAsync(["paste", ...words], { from: "user" });
  assert.ok(got, "the command ran");
  return got;
}

Deno.test("commander hands a --no-X option over as the fast parser does: noX, true when given", async () => {
  for (const words of [["--watch", "-n"], ["--watch", "--no-newline"]]) {
    const fromCommander = await viaCommander(words);
    assert.deepEqual(fromCommander.options, { watch: true, noNewline: true });
    assert.deepEqual(fromCommander.options, parseFast(spec, words)?.options);
  }
  assert.deepEqual((await viaCommander(["--watch"])).options, { watch: true });
});
