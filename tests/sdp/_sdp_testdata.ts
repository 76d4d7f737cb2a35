/**
 * Where the shared sdef test data lives and whether it is there. In CI the shared folder sits
 * beside the clone (`<repo>/../shared/testdata/sdef/`); outside CI a missing folder skips the
 * tests that need it, visibly (a line before the tests, and each skipped test's name says why),
 * and in CI (`CI=true`) it fails them. Declare such tests with {@linkcode realDataTest}.
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** `<repo>/../shared/testdata/sdef/`, as a path ending in `/`. */
export const SDEF_DATA: string = fileURLToPath(
  new URL("../../../shared/testdata/sdef/", import.meta.url),
);

/** The folder of the 27 real definitions. */
export const REAL_DIR: string = `${SDEF_DATA}real/`;

/** The repository root, without a trailing slash. */
export const REPO_ROOT: string = fileURLToPath(new URL("../..", import.meta.url)).replace(
  /\/$/,
  "",
);

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether the shared test data is there. */
const HAVE_REAL: boolean = exists(REAL_DIR);

/** Whether the shared test data is missing, so tests that need it are skipped (never in CI). */
const SKIP_REAL: boolean = !HAVE_REAL && Deno.env.get("CI") !== "true";

/** Why a test that needs the shared data cannot run, for its name and for CI's failure. */
const MISSING = `${SDEF_DATA} is missing (the shared test data, beside the clone)`;

if (SKIP_REAL) {
  console.warn(
    `ipckit sdp tests: ${MISSING}: the tests that read it are skipped (marked "[skipped: …]"); ` +
      "with CI=true they fail",
  );
}

/** Fails, with the reason, when the shared test data is missing (in CI, where none is skipped). */
export function requireRealData(): void {
  if (!HAVE_REAL) throw new Error(`${MISSING}: this test needs it; CI must provide it`);
}

/**
 * A test that reads the shared test data: without it, skipped outside CI with a name that says so,
 * and failed in CI with the reason.
 */
export function realDataTest(
  definition: { name: string; fn: () => Promise<void> | void; needsData?: boolean },
): Deno.TestDefinition {
  const needs = definition.needsData ?? true;
  const skip = needs && SKIP_REAL;
  return {
    name: skip ? `${definition.name} [skipped: ${MISSING}]` : definition.name,
    ignore: skip,
    async fn() {
      if (needs) requireRealData();
      await definition.fn();
    },
  };
}

/** The real definitions' file names, sorted; fails when the data is missing. */
export function realFiles(): string[] {
  requireRealData();
  const names = [...Deno.readDirSync(REAL_DIR)]
    .filter((e) => e.isFile && e.name.endsWith(".sdef"))
    .map((e) => e.name)
    .sort();
  if (names.length === 0) throw new Error(`no .sdef files in ${REAL_DIR}`);
  return names;
}

/**
 * Makes a temporary folder inside the repository (so its `deno.json` applies to files checked
 * there) and returns its path; the caller removes it.
 */
export function repoTempDir(prefix: string): string {
  return Deno.makeTempDirSync({ dir: REPO_ROOT, prefix: `.${prefix}_` });
}

/** Runs `deno check` on files and returns its exit code and combined output. */
export async function denoCheck(
  files: string[],
  options: { config?: string; cwd?: string } = {},
): Promise<{ code: number; output: string }> {
  const args = ["check", "--quiet"];
  if (options.config) args.push("--config", options.config);
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...args, ...files],
    cwd: options.cwd ?? REPO_ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const decoder = new TextDecoder();
  return { code: out.code, output: decoder.decode(out.stdout) + decoder.decode(out.stderr) };
}

/**
 * Finds `any` used as a type in TypeScript source: comments and string literals are ignored,
 * and so is `any` as a member or key name (`any?:`, `any:`, `any(`). Returns the offending
 * lines.
 */
export function anyTypes(source: string): string[] {
  const stripped = source
    .replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " "))
    .replace(/\/\/[^\n]*/g, "")
    .replace(/"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`/g, '""');
  return stripped.split("\n").filter((line) => /\bany\b(?!\s*[?:(])/.test(line));
}
