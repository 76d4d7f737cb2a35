/**
 * Shell completion of names in use, against hostile names: a port or pasteboard name with shell
 * syntax in it must never run anything at a Tab, and must reach the command line quoted.
 * Real bash and zsh (zsh through `zpty`, as a user's interactive shell), the real `ipckit`.
 */

import assert from "node:assert/strict";
import { ipckit, ipckitShellCommand, spawnIpckit } from "../_cli.ts";
import { cleanupRuntimeDir, exists, tempRuntimeDir, waitFor } from "../_helpers.ts";

/** A runtime directory with a hostile port served and hostile pasteboards, and an `ipckit` on PATH. */
async function withHostileNames(
  body: (env: { dir: string; bin: string; pwned: string; port: string }) => Promise<void>,
): Promise<void> {
  const dir = await tempRuntimeDir();
  const bin = await Deno.makeTempDir();
  const pwned = `${bin}/pwned`;
  // Run by a shell that expands it, this creates the file: the test fails if it exists.
  const port = `a$(touch ${pwned})'q"`;
  let serve: Deno.ChildProcess | undefined;
  try {
    const quoted = ipckitShellCommand([]);
    await Deno.writeTextFile(`${bin}/ipckit`, `#!/bin/sh\nexec ${quoted} "$@"\n`, { mode: 0o755 });
    for (const pboard of [`b\`touch ${pwned}\``, "line\nbreak", "tab\tbed"]) {
      const copied = await ipckit(["copy", "--pboard", pboard], { runtimeDir: dir, stdin: "x" });
      assert.equal(copied.code, 0, copied.stderr);
    }
    const ready = `${dir}/serve.ready`;
    serve = spawnIpckit(["serve", port, "--ready-file", ready], {
      runtimeDir: dir,
      stdout: "null",
      stderr: "null",
    });
    await waitFor(() => exists(ready), "serve to listen");
    await body({ dir, bin, pwned, port });
  } finally {
    serve?.kill("SIGTERM");
    await serve?.status;
    await Deno.remove(bin, { recursive: true });
    await cleanupRuntimeDir(dir);
  }
}

/** Runs a shell; a shell missing fails (CI installs bash and zsh). */
async function shell(
  name: string,
  args: string[],
  env: Record<string, string>,
): Promise<string> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(name, { args, env, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`${name} is not installed (apt-get install ${name})`);
    }
    throw error;
  }
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, `${name}: ${stderr}`);
  return new TextDecoder().decode(out.stdout);
}

Deno.test("bash completion never runs a name in use, and puts it in quoted", async () => {
  await withHostileNames(async ({ dir, bin, pwned, port }) => {
    await Deno.writeTextFile(`${bin}/ipckit.bash`, (await ipckit(["completions", "bash"])).stdout);
    const complete = async (line: string) => {
      const script = `source ${bin}/ipckit.bash || exit 9
        read -ra COMP_WORDS <<< "ipckit ${line}"
        [[ "${line}" == *" " ]] && COMP_WORDS+=("")
        COMP_CWORD=$((\${#COMP_WORDS[@]} - 1))
        __ipckit_complete 2>/dev/null
        printf '%s\\n' "\${COMPREPLY[@]}"`;
      const out = await shell("bash", ["--norc", "--noprofile", "-c", script], {
        PATH: `${bin}:${Deno.env.get("PATH")}`,
        IPCKIT_RUNTIME_DIR: dir,
      });
      return out.trim().split("\n").sort();
    };
    // What is inserted is the name, quoted: bash reads it back as the name itself.
    const ports = await complete("send a");
    assert.equal(ports.length, 1, ports.join(" | "));
    assert.equal(await shell("bash", ["--norc", "-c", `printf '%s' ${ports[0]}`], {}), port);
    // Pasteboards: the hostile one quoted; names with a newline or tab are left out, not split.
    const pboards = await complete("paste --pboard ");
    assert.equal(pboards.length, 1, pboards.join(" | "));
    assert.match(pboards[0], /^b\\`touch\\ /);
    assert.equal(await exists(pwned), false, "a completion ran a command in a name");
  });
});

Deno.test("zsh completion never runs a name in use, and puts it in quoted", async () => {
  await withHostileNames(async ({ dir, bin, pwned, port }) => {
    await Deno.writeTextFile(`${bin}/_ipckit.zsh`, (await ipckit(["completions", "zsh"])).stdout);
    // An interactive zsh completes `ipckit send a<Tab>`, then runs `print -r -- RESULT: <line>`:
    // the line is printed as zsh reads it, and would run a command substitution left unquoted.
    // zpty reads until each marker: no sleeps. `bindkey -e`: zsh picks vi's keymap when EDITOR
    // names vi (npm sets EDITOR=vi under `npx deno task test`), where ^A and ^E do nothing.
    const driver = `zmodload zsh/zpty
zpty z 'PS1="> " zsh -f -i'
zpty -w z "bindkey -e && autoload -Uz compinit && compinit -u -D && source \${(q)1} && print RE''ADY"
zpty -r z out '*READY*' || exit 5
zpty -n -w z "$2"$'\\t\\C-aprint -r -- RES\\'\\'ULT: \\C-e\\n'
zpty -r z out '*RESULT:*'$'\\n' || exit 6
print -r -- "\${\${out##*RESULT: }%%$'\\r'*}"
zpty -d z`;
    await Deno.writeTextFile(`${bin}/drive.zsh`, driver);
    const out = await shell(
      "timeout",
      ["30", "zsh", "-f", `${bin}/drive.zsh`, `${bin}/_ipckit.zsh`, "ipckit send a"],
      {
        PATH: `${bin}:${Deno.env.get("PATH")}`,
        IPCKIT_RUNTIME_DIR: dir,
        HOME: bin,
        TERM: "dumb",
      },
    );
    assert.equal(out.trimEnd(), `ipckit send ${port}`);
    assert.equal(await exists(pwned), false, "a completion ran a command in a name");
  });
});
