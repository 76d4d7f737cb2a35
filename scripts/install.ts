/**
 * `deno task install`: builds the fast-starting bundle (see `build.ts`) into
 * `$XDG_DATA_HOME/ipckit/<version>` (default `~/.local/share/ipckit/<version>`) and installs the
 * `ipckit` command with `deno install -g`, with ipckit's permission list and V8's eager
 * compilation (`--no-lazy`).
 *
 * Usage: `deno task install [--root DIR]` — with `--root`, both go under DIR (for tests and
 * benchmarks): the bundle in `DIR/share/ipckit`, the command in `DIR/bin/ipckit`.
 *
 * @module
 */

import { BUNDLE_V8_FLAGS, PERMISSIONS } from "../lib/permissions.ts";
import { IPCKIT_VERSION } from "../lib/transport/protocol.ts";
import { build } from "./build.ts";

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
  const entry = await build(share);
  const args = [
    "install",
    "--global",
    "--force",
    "--quiet",
    "--name",
    "ipckit",
    ...(root ? ["--root", root] : []),
    "--no-config",
    ...BUNDLE_V8_FLAGS,
    ...PERMISSIONS,
    entry,
  ];
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    stdout: "inherit",
    stderr: "inherit",
  })
    .output();
  if (!out.success) throw new Error(`deno ${args.join(" ")} failed`);
  const binDir = root
    ? `${root}/bin`
    : `${Deno.env.get("DENO_INSTALL_ROOT") ?? `${home}/.deno`}/bin`;
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
