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
  await deferLazyChunks(outDir);
  return `${outDir}/main.js`;
}

/**
 * `deno run` fetches every module named by a literal dynamic `import("./x.js")` while it loads
 * the program, lazily imported or not (the MIME table alone is 250 KB). Written as
 * `import(new URL("./x.js", import.meta.url).href)`, a chunk is read only when it is imported.
 */
export async function deferLazyChunks(outDir: string): Promise<void> {
  for await (const entry of Deno.readDir(outDir)) {
    if (!entry.isFile || !entry.name.endsWith(".js")) continue;
    const path = `${outDir}/${entry.name}`;
    const text = await Deno.readTextFile(path);
    const deferred = text.replace(
      /\bimport\((["'])(\.\/[^"']+\.js)\1\)/g,
      (_all, _quote, spec: string) =>
        `import(new URL(${JSON.stringify(spec)},import.meta.url).href)`,
    );
    if (deferred !== text) await Deno.writeTextFile(path, deferred);
  }
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
