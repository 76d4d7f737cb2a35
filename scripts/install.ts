/**
 * `deno task install`: builds the fast-starting bundle (see `build.ts`) into
 * `$XDG_DATA_HOME/ipckit/<version>` (default `~/.local/share/ipckit/<version>`) and installs the
 * `ipckit` command where `deno install -g` would (`$DENO_INSTALL_ROOT/bin`, default
 * `~/.deno/bin`): a shell script that runs a hot command's own bundle (`cli/_hot.ts`), or the
 * whole program, with ipckit's permission list and V8's eager compilation (`--no-lazy`). Choosing
 * the bundle in the script spares every command a launcher module of its own.
 *
 * Usage: `deno task install [--root DIR]` — with `--root`, both go under DIR (for tests and
 * benchmarks): the bundle in `DIR/share/ipckit`, the command in `DIR/bin/ipckit`.
 *
 * @module
 */

import { BUNDLE_V8_FLAGS, PERMISSIONS } from "../lib/permissions.ts";
import { IPCKIT_VERSION } from "../lib/transport/protocol.ts";
import { build } from "./build.ts";
import { HOT_COMMANDS, hotBundleName } from "../cli/_hot.ts";

/** A word quoted for `sh`. */
function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The installed `ipckit`: a shell script that runs, with `deno` from the `PATH`, the bundle in
 * `share` a command line needs.
 */
export function launcherScript(share: string): string {
  const byFirst = new Map<string, string[]>();
  for (const hot of HOT_COMMANDS) {
    const [first, ...rest] = hot.name.split(" ");
    const test = rest.map((word, k) => `[ "$${k + 2}" = ${shellQuote(word)} ]`).join(" && ");
    const set = `bundle=${hotBundleName(hot.name)}`;
    byFirst.set(first, [...(byFirst.get(first) ?? []), test ? `if ${test}; then ${set}; fi` : set]);
  }
  const cases = [...byFirst].map(([first, sets]) => `  ${first}) ${sets.join("; ")} ;;`);
  const flags = ["--quiet", "--no-config", ...BUNDLE_V8_FLAGS, ...PERMISSIONS].join(" ");
  return [
    "#!/bin/sh",
    `# ipckit ${IPCKIT_VERSION}, installed by deno task install: a hot command runs its own bundle,`,
    "# any other command line the whole program (main.js).",
    "bundle=main.js",
    'case "$1" in',
    ...cases,
    "esac",
    `exec deno run ${flags} ${shellQuote(share)}/"$bundle" "$@"`,
    "",
  ].join("\n");
}

/**
 * Builds and installs `ipckit`.
 *
 * @param root install under this directory instead of Deno's and the user's defaults.
 * @returns the path of the installed command.
 */
export async function install(root?: string): Promise<string> {
  const home = Deno.env.get("HOME") ?? "/tmp";
  const share = root
    ? `${root}/share/ipckit`
    : `${Deno.env.get("XDG_DATA_HOME") ?? `${home}/.local/share`}/ipckit/${IPCKIT_VERSION}`;
  await build(share);
  const binDir = root
    ? `${root}/bin`
    : `${Deno.env.get("DENO_INSTALL_ROOT") ?? `${home}/.deno`}/bin`;
  await Deno.mkdir(binDir, { recursive: true });
  await Deno.writeTextFile(`${binDir}/ipckit`, launcherScript(share), { mode: 0o755 });
  await Deno.chmod(`${binDir}/ipckit`, 0o755);
  return `${binDir}/ipckit`;
}

if (import.meta.main) {
  const at = Deno.args.indexOf("--root");
  const command = await install(at >= 0 ? Deno.args[at + 1] : undefined);
  console.log(`installed ${command}`);
  const bin = command.slice(0, command.lastIndexOf("/"));
  if (!(Deno.env.get("PATH") ?? "").split(":").includes(bin)) {
    console.log(`add it to your PATH: export PATH="${bin}:$PATH"`);
  }
}
