/**
 * Builds the fast-starting `ipckit`: `main.js` (with its lazily loaded chunks) bundles the
 * command line for the browser platform, so the hot path loads no Node compatibility, and
 * `commander.js` bundles commander (CommonJS, Node built-ins) on its own; `cli/main.ts` loads it
 * only for help, usage errors and completions.
 *
 * Usage: `deno run <permissions> scripts/build.ts [OUT_DIR]` (default `dist/`).
 *
 * @module
 */

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

async function deno(args: string[]): Promise<void> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "inherit",
    stderr: "inherit",
  })
    .output();
  if (!out.success) throw new Error(`deno ${args.join(" ")} failed`);
}

/**
 * Bundles `ipckit` into `outDir` (emptied first).
 *
 * @returns the path of the entry point, `main.js`.
 */
export async function build(outDir = `${ROOT}/dist`): Promise<string> {
  await Deno.remove(outDir, { recursive: true }).catch(() => {});
  const common = ["bundle", "--quiet", "--minify"];
  await deno([
    ...common,
    "--code-splitting",
    "--platform",
    "browser",
    "--outdir",
    outDir,
    "cli/main.ts",
  ]);
  await deno([
    ...common,
    "--platform",
    "deno",
    "-o",
    `${outDir}/commander.js`,
    "cli/_commander.ts",
  ]);
  return `${outDir}/main.js`;
}

/** The modules `main.js` loads before it runs anything: itself and its static imports. */
export async function staticGraph(entry: string): Promise<string[]> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = await Deno.readTextFile(file);
    for (
      const m of text.matchAll(/(?:^|[;}\s])import\s*(?:[\w*${},\s]+from\s*)?["']([^"']+)["']/g)
    ) {
      const spec = m[1];
      if (spec.startsWith(".")) queue.push(new URL(spec, `file://${file}`).pathname);
      else seen.add(spec);
    }
  }
  return [...seen];
}

if (import.meta.main) {
  const entry = await build(Deno.args[0]);
  console.log(`built ${entry}`);
}
