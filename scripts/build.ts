/**
 * Builds the fast-starting `ipckit`, for the browser platform, so that no command loads Node
 * compatibility:
 *
 * - `main.js` (with its lazily loaded chunks) is the whole program (`cli/main.ts`);
 * - each hot command (`cli/_hot.ts`) has one file, `post.js`, `copy.js`…, holding everything its
 *   ordinary run needs: loading one module instead of a dozen is a tenth of its start-up. What
 *   they load lazily from npm they take from `main.js`'s chunks;
 * - `commander.js` bundles commander (CommonJS, Node built-ins) on its own; `cli/main.ts` loads
 *   it only for help, usage errors and completions.
 *
 * Usage: `deno run <permissions> scripts/build.ts [OUT_DIR]` (default `dist/`).
 *
 * @module
 */

import { HOT_COMMANDS, hotBundleName } from "../cli/_hot.ts";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** How ipckit's own code is bundled: minified, for the browser platform (no Node compatibility). */
const BUNDLE = ["bundle", "--quiet", "--minify", "--platform", "browser"];

/** The loaders of `lib/deps.ts`, by the npm package they load. */
const NPM_LOADERS: Record<string, string> = {
  yaml: "loadYaml",
  saxes: "loadSaxes",
  "mime-db": "loadMimeDb",
};

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
 * @returns the path of the whole program, `main.js` (the hot commands' bundles are in `hot/`).
 */
export async function build(outDir = `${ROOT}/dist`): Promise<string> {
  await Deno.remove(outDir, { recursive: true }).catch(() => {});
  await deno([...BUNDLE, "--code-splitting", "--outdir", outDir, "cli/main.ts"]);
  await deno([
    "bundle",
    "--quiet",
    "--minify",
    "--platform",
    "deno",
    "-o",
    `${outDir}/commander.js`,
    "cli/_commander.ts",
  ]);
  await buildHot(outDir);
  await deferLazyChunks(outDir);
  await shipDefinitions(outDir);
  return `${outDir}/main.js`;
}

/**
 * Bundles each hot command into one file of its own (a few with `split`) in `hot/`: a generated
 * entry point runs the command through `startHot`. The lazily loaded lib modules are inside (never
 * evaluated unless used); npm packages are left out, and their imports turned into calls of
 * `lib/deps.ts` as `main.js`'s chunks have it, so that they load the same chunks.
 */
async function buildHot(outDir: string): Promise<void> {
  const deps = [...Deno.readDirSync(outDir)].find((e) => /^deps-\w+\.js$/.test(e.name))?.name;
  if (!deps) throw new Error(`no deps-*.js chunk (lib/deps.ts) in ${outDir}`);
  const entries = await Deno.makeTempDir({ prefix: "ipckit-hot-" });
  try {
    for (const hot of HOT_COMMANDS) {
      const cli = (file: string) => JSON.stringify(new URL(`../cli/${file}`, import.meta.url).href);
      const entry = `${entries}/${hotBundleName(hot.name).slice("hot/".length, -".js".length)}.ts`;
      await Deno.writeTextFile(
        entry,
        `import { ${hot.spec[1]} as spec } from ${cli(hot.spec[0])};\n` +
          `import { ${hot.run[1]} as run } from ${cli(hot.run[0])};\n` +
          `import { startHot } from ${cli("_main.ts")};\n` +
          // Not awaited: Deno writes a module's code cache once its evaluation has ended.
          `startHot({ spec, run });\n`,
      );
      await deno([
        ...BUNDLE,
        "--external",
        "npm:*",
        ...(hot.split
          ? ["--code-splitting", "--outdir", `${outDir}/hot`]
          : ["-o", `${outDir}/${hotBundleName(hot.name)}`]),
        entry,
      ]);
    }
    for (const file of Deno.readDirSync(`${outDir}/hot`)) {
      const path = `${outDir}/hot/${file.name}`;
      await Deno.writeTextFile(
        path,
        loadNpmFrom(`../${deps}`, await Deno.readTextFile(path), path),
      );
    }
  } finally {
    await Deno.remove(entries, { recursive: true });
  }
}

/**
 * Turns a bundle's dynamic imports of npm packages into calls of `lib/deps.ts`'s loaders in the
 * chunk `deps`; a static import of an npm package is an error (it would load at every start).
 */
export function loadNpmFrom(deps: string, text: string, file: string): string {
  if (/\bfrom\s*["']npm:|\bimport\s*["']npm:/.test(text)) {
    throw new Error(`${file} imports an npm package statically`);
  }
  return text.replace(
    /\bimport\((["'])npm:((?:@[^/@"']+\/)?[^/@"']+)[^"']*\1(?:,\s*\{[^()]*\})?\)/g,
    (_all, _quote, name: string) => {
      const loader = NPM_LOADERS[name];
      if (!loader) throw new Error(`${file} imports npm:${name}, which lib/deps.ts does not load`);
      return `import(new URL(${JSON.stringify(deps)},import.meta.url).href)` +
        `.then((d)=>d.${loader}())`;
    },
  );
}

/**
 * `deno run` fetches every module named by a literal dynamic `import("./x.js")` while it loads
 * the program, lazily imported or not (the MIME table alone is 250 KB). Written as
 * `import(new URL("./x.js", import.meta.url).href)`, a chunk is read only when it is imported.
 */
async function deferLazyChunks(outDir: string): Promise<void> {
  for await (const entry of Deno.readDir(outDir)) {
    const path = `${outDir}/${entry.name}`;
    if (entry.isDirectory) await deferLazyChunks(path);
    if (!entry.isFile || !entry.name.endsWith(".js")) continue;
    const text = await Deno.readTextFile(path);
    const deferred = text.replace(
      /\bimport\((["'])(\.\/[^"']+\.js)\1\)/g,
      (_all, _quote, spec: string) =>
        `import(new URL(${JSON.stringify(spec)},import.meta.url).href)`,
    );
    if (deferred !== text) await Deno.writeTextFile(path, deferred);
  }
}

/** Where `lib/sdef` finds the bundled definitions (`sdef/`), as written in its source. */
const DEFINITIONS_FROM_SOURCE = '"../../sdef/';

/**
 * Copies the bundled definitions (`sdef/`, the standard suite that definitions include) into
 * `outDir/sdef/`, and points the bundles that name them (`new URL("../../sdef/…",
 * import.meta.url)` in `lib/sdef`) there: from a bundle, the source's relative path leads
 * outside the installed folder.
 */
async function shipDefinitions(outDir: string): Promise<void> {
  await Deno.mkdir(`${outDir}/sdef`, { recursive: true });
  for (const entry of Deno.readDirSync(`${ROOT}/sdef`)) {
    if (entry.isFile) {
      await Deno.copyFile(`${ROOT}/sdef/${entry.name}`, `${outDir}/sdef/${entry.name}`);
    }
  }
  let pointed = 0;
  const visit = async (dir: string, up: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory && entry.name !== "sdef") await visit(path, `${up}../`);
      if (!entry.isFile || !entry.name.endsWith(".js")) continue;
      const text = await Deno.readTextFile(path);
      if (!text.includes(DEFINITIONS_FROM_SOURCE)) continue;
      await Deno.writeTextFile(
        path,
        text.replaceAll(DEFINITIONS_FROM_SOURCE, `"${up || "./"}sdef/`),
      );
      pointed++;
    }
  };
  await visit(outDir, "");
  if (pointed === 0) {
    throw new Error(`no bundle in ${outDir} names ${DEFINITIONS_FROM_SOURCE}: has lib/sdef moved?`);
  }
}

if (import.meta.main) {
  const entry = await build(Deno.args[0]);
  console.log(`built ${entry}`);
}
