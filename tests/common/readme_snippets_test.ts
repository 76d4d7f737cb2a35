/**
 * Every ```ts snippet of README.md, run as written: each in a Deno process of its own with
 * ipckit's permissions and no `deno.json` (the README says a script anywhere can import the
 * library by path), from the checkout's root, in a temporary runtime directory. A snippet that
 * fails or does not exit fails its test. What a `console.log` line's comment shows
 * (`console.log(x); // 6`, or a comment line right below it) must be in its output.
 *
 * A snippet that needs a running peer says so in an HTML comment just above it, which the
 * reader of the README does not see: `<!-- peer: serve com.example.echo --exec cat -->` starts
 * `ipckit serve …` first and waits until it is ready (it is given a `--ready-file`).
 *
 * A service and its clients: `<!-- program of: com.example.length -->` above a snippet makes it
 * the program of the service that the README's ```yaml definition with that label declares: it is
 * not run alone. `<!-- service: com.example.length -->` above a client snippet loads that
 * definition first, with the manager of the snippet's runtime directory, its script (the last of
 * its `programArguments`) the program snippet's text, as written, and its `deno` this one.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parse as parseYaml } from "yaml";
import { PERMISSIONS } from "../../lib/permissions.ts";
import { ipckit, ROOT, startIpckit } from "../_cli.ts";
import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";

/** How long a snippet may take before it counts as hanging. */
const SNIPPET_DEADLINE_MS = 60_000;

/** One ```ts snippet of the README. */
export interface Snippet {
  /** The line of its opening fence (1-based). */
  line: number;
  /** Its code, as written. */
  code: string;
  /** The `ipckit` command lines of the peers it needs, from `<!-- peer: … -->` comments. */
  peers: string[][];
  /** The output lines its comments promise. */
  expected: string[];
  /** The label of the service it is the program of, from `<!-- program of: … -->`. */
  programOf?: string;
  /** The labels of the services it talks to, from `<!-- service: … -->` comments. */
  services: string[];
}

/** The ```ts snippets of a Markdown text. */
export function snippetsOf(markdown: string): Snippet[] {
  const lines = markdown.split("\n");
  const snippets: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== "```ts") continue;
    const peers: string[][] = [];
    const services: string[] = [];
    let programOf: string | undefined;
    for (let j = i - 1; j >= 0; j--) {
      if (lines[j].trim() === "") continue;
      const comment = lines[j].trim().match(/^<!-- (peer|program of|service): (.+) -->$/);
      if (!comment) break;
      const value = comment[2].trim();
      if (comment[1] === "peer") peers.unshift(value.split(/\s+/));
      else if (comment[1] === "service") services.unshift(value);
      else programOf = value;
    }
    const start = i + 1;
    let end = start;
    while (end < lines.length && lines[end].trim() !== "```") end++;
    const body = lines.slice(start, end);
    snippets.push({
      line: i + 1,
      code: body.join("\n") + "\n",
      peers,
      expected: expectedOutput(body),
      ...(programOf ? { programOf } : {}),
      services,
    });
    i = end;
  }
  return snippets;
}

/** What the comments of `console.log` lines say they print. */
function expectedOutput(body: string[]): string[] {
  const expected: string[] = [];
  for (let i = 0; i < body.length; i++) {
    const line = body[i].trim();
    if (!line.startsWith("console.log(")) continue;
    const same = line.match(/\);?\s*\/\/ (.+)$/);
    if (same) expected.push(same[1].trim());
    else if (body[i + 1]?.trim().startsWith("// ")) expected.push(body[i + 1].trim().slice(3));
  }
  return expected;
}

/** The ```yaml blocks of a Markdown text that define a service, by label. */
export function definitionsOf(markdown: string): Map<string, Record<string, unknown>> {
  const definitions = new Map<string, Record<string, unknown>>();
  for (const [, body] of markdown.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)) {
    const definition = parseYaml(body);
    if (typeof definition?.label === "string") definitions.set(definition.label, definition);
  }
  return definitions;
}

/**
 * Loads the README's service `label` into the manager of `dir`: its definition as written but for
 * its script, which is the program snippet's code in a scratch directory where `./lib/` is the
 * checkout's (so its imports work as written), and `deno`, which is the one running the tests.
 */
async function loadService(label: string, dir: string, scratch: string): Promise<void> {
  const definition = DEFINITIONS.get(label);
  const program = SNIPPETS.find((s) => s.programOf === label);
  assert.ok(definition, `README.md has no \`\`\`yaml definition with label: ${label}`);
  assert.ok(program, `README.md has no snippet marked <!-- program of: ${label} -->`);
  const argv = [...definition.programArguments as string[]];
  await Deno.symlink(`${ROOT}/lib`, `${scratch}/lib`).catch((error) => {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  });
  argv[argv.length - 1] = `${scratch}/${label}.ts`;
  await Deno.writeTextFile(argv[argv.length - 1], program.code);
  if (argv[0] === "deno") argv[0] = Deno.execPath();
  const file = `${scratch}/${label}.yaml`;
  await Deno.writeTextFile(file, JSON.stringify({ ...definition, programArguments: argv }));
  const out = await ipckit(["services", "load", file], {
    runtimeDir: dir,
    env: { XDG_CONFIG_HOME: scratch }, // no services of the user's own
  });
  assert.equal(out.code, 0, `loading the README's ${label}: ${out.stderr}`);
}

const text = new TextDecoder();

/** Runs a snippet as written and returns its exit code and output; kills it at the deadline. */
async function runSnippet(
  code: string,
  dir: string,
): Promise<{ code: number; stdout: string; stderr: string; hung: boolean }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--no-config", ...PERMISSIONS, "-"],
    cwd: ROOT,
    env: { IPCKIT_RUNTIME_DIR: dir },
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let hung = false;
  const deadline = setTimeout(() => {
    hung = true;
    try {
      child.kill("SIGKILL");
    } catch { /* ended meanwhile */ }
  }, SNIPPET_DEADLINE_MS);
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(code));
  await writer.close();
  const out = await child.output();
  clearTimeout(deadline);
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr), hung };
}

const README = await Deno.readTextFile(`${ROOT}/README.md`);
const SNIPPETS = snippetsOf(README);
const DEFINITIONS = definitionsOf(README);

Deno.test("the README has TypeScript snippets to run, and the test finds what they promise", () => {
  assert.ok(SNIPPETS.length >= 2, `found ${SNIPPETS.length} snippets`);
  const [first] = snippetsOf(
    "x\n<!-- peer: serve a --exec cat -->\n\n```ts\nconsole.log(1 + 1); // 2\n" +
      "console.log(3);\n// 3\n```\n",
  );
  assert.deepEqual(first, {
    line: 4,
    code: "console.log(1 + 1); // 2\nconsole.log(3);\n// 3\n",
    peers: [["serve", "a", "--exec", "cat"]],
    expected: ["2", "3"],
    services: [],
  });
  const [program, client] = snippetsOf(
    "<!-- program of: com.example.a -->\n```ts\nx;\n```\n" +
      "<!-- service: com.example.a -->\n```ts\ny;\n```\n",
  );
  assert.equal(program.programOf, "com.example.a");
  assert.deepEqual(client.services, ["com.example.a"]);
  assert.equal(
    definitionsOf("```yaml\nlabel: com.example.a\nports: [b]\n```\n").get("com.example.a")?.ports
      ?.toString(),
    "b",
  );
});

for (const snippet of SNIPPETS.filter((s) => !s.programOf)) {
  const head = snippet.code.split("\n").find((l) => l && !l.startsWith("import")) ?? "";
  const programs = snippet.services.map((label) =>
    `, with README.md:${SNIPPETS.find((s) => s.programOf === label)?.line} as ${label}`
  ).join("");
  Deno.test(`README.md:${snippet.line} runs as written and exits (${head.slice(0, 50)}…)${programs}`, async () => {
    const dir = await tempRuntimeDir();
    const scratch = await Deno.makeTempDir({ prefix: "ipckit-readme-" });
    const stops: (() => Promise<unknown>)[] = [];
    try {
      for (const label of snippet.services) await loadService(label, dir, scratch);
      for (const peer of snippet.peers) {
        const running = await startIpckit(peer, { runtimeDir: dir });
        stops.push(() => running.stop("SIGTERM"));
      }
      const result = await runSnippet(snippet.code, dir);
      assert.ok(
        !result.hung,
        `the snippet at README.md:${snippet.line} did not exit within ${SNIPPET_DEADLINE_MS} ms; it printed: ${result.stdout}${result.stderr}`,
      );
      assert.equal(result.code, 0, `README.md:${snippet.line} failed: ${result.stderr}`);
      const printed = result.stdout.split("\n").map((l) => l.trim());
      for (const line of snippet.expected) {
        assert.ok(
          printed.includes(line),
          `README.md:${snippet.line} should print ${line}; it printed:\n${result.stdout}`,
        );
      }
    } finally {
      for (const stop of stops) await stop();
      await cleanupRuntimeDir(dir);
      await Deno.remove(scratch, { recursive: true });
    }
  });
}
