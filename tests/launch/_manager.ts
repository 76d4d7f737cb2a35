/**
 * What the service manager's tests share: a private runtime directory and services directory
 * per test, definitions and service programs written by the test (shell scripts, and Deno
 * programs that serve a port), the real `ipckit` command line, and cleanup that stops the
 * broker (and with it every service) and kills whatever is left.
 *
 * @module
 */

import { type CliResult, ipckit, spawnIpckit as spawnCli } from "../_cli.ts";
import { alive, cleanupRuntimeDir, tempRuntimeDir, waitFor } from "../_helpers.ts";
import { PERMISSIONS } from "../../lib/permissions.ts";

/** One test's manager: its directories and helpers. */
export interface Manager {
  /** The runtime directory. */
  runtimeDir: string;
  /** `XDG_CONFIG_HOME`. */
  configDir: string;
  /** The services directory (`$XDG_CONFIG_HOME/ipckit/services`). */
  servicesDir: string;
  /** A scratch directory for the service programs and what they write. */
  work: string;
  /** The environment every process of the test gets. */
  env: Record<string, string>;
  /** Runs `ipckit ARGS…` in this environment. */
  run(args: string[]): Promise<CliResult>;
  /** Writes a definition into the services directory (or `dir`); returns its path. */
  define(name: string, yaml: string, dir?: string): Promise<string>;
  /** Writes a shell script into the work directory; returns its path. */
  shell(name: string, body: string): Promise<string>;
  /**
   * Writes a Deno program into the work directory as `NAME.ts`; returns the command line that
   * runs it with ipckit's permissions.
   */
  deno(name: string, code: string): Promise<string[]>;
  /**
   * Writes a Deno program that serves port `port`, answering each request with `reply:` and the
   * request, and appending a line to `starts` each time it starts; returns its command line.
   */
  portService(name: string, port: string, options?: { delayMs?: number }): Promise<string[]>;
  /** The list of services, as `services list --json` prints it. */
  list(): Promise<{ label: string; state: string; pid: number | null; lastExit: string | null }[]>;
  /** `services print --json`. */
  print(label: string): Promise<Record<string, unknown>>;
}

/** The deno that runs the tests, for service programs written in TypeScript. */
export const DENO: string = Deno.execPath();

/** Runs `fn` with a fresh manager and cleans up after it. */
export async function withManager(fn: (manager: Manager) => Promise<void>): Promise<void> {
  const runtimeDir = await tempRuntimeDir();
  const configDir = await Deno.makeTempDir({ prefix: "ipckit-config-" });
  const work = await Deno.makeTempDir({ prefix: "ipckit-work-" });
  const servicesDir = `${configDir}/ipckit/services`;
  await Deno.mkdir(servicesDir, { recursive: true });
  const env = { IPCKIT_RUNTIME_DIR: runtimeDir, XDG_CONFIG_HOME: configDir };
  const manager: Manager = {
    runtimeDir,
    configDir,
    servicesDir,
    work,
    env,
    run: (args) => ipckit(args, { env }),
    async define(name, yaml, dir = servicesDir) {
      const path = `${dir}/${name}`;
      await Deno.writeTextFile(path, yaml);
      return path;
    },
    async shell(name, body) {
      const path = `${work}/${name}`;
      await Deno.writeTextFile(path, `#!/bin/sh\n${body}\n`);
      await Deno.chmod(path, 0o755);
      return path;
    },
    async deno(name, code) {
      const path = `${work}/${name}.ts`;
      await Deno.writeTextFile(path, code);
      return [DENO, "run", "--quiet", "--no-config", ...PERMISSIONS, path];
    },
    portService(name, port, options = {}) {
      const lib = new URL("../../lib/", import.meta.url).href;
      return manager.deno(
        name,
        `import { createLocalPort } from "${lib}ports/mod.ts";
await Deno.writeTextFile(${
          JSON.stringify(`${work}/${name}.starts`)
        }, \`\${Deno.pid}\\n\`, { append: true });
${options.delayMs ? `await new Promise((r) => setTimeout(r, ${options.delayMs}));` : ""}
const decoder = new TextDecoder();
await createLocalPort(${JSON.stringify(port)}, (_msgid, data) => "reply:" + decoder.decode(data));
console.log("serving ${port}");
`,
      );
    },
    async list() {
      const out = await manager.run(["services", "list", "--json"]);
      if (out.code !== 0) throw new Error(`services list failed: ${out.stderr}`);
      return JSON.parse(out.stdout);
    },
    async print(label) {
      const out = await manager.run(["services", "print", label, "--json"]);
      if (out.code !== 0) throw new Error(`services print failed: ${out.stderr}`);
      return JSON.parse(out.stdout);
    },
  };
  try {
    await fn(manager);
  } finally {
    const pids = await servicePids(runtimeDir);
    await cleanupRuntimeDir(runtimeDir);
    for (const pid of pids) {
      try {
        Deno.kill(-pid, "SIGKILL");
      } catch { /* gone */ }
    }
    await Deno.remove(configDir, { recursive: true }).catch(() => {});
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

/** The pids the supervisors wrote (for cleanup after a test that killed its broker). */
async function servicePids(runtimeDir: string): Promise<number[]> {
  const pids: number[] = [];
  try {
    for await (const entry of Deno.readDir(`${runtimeDir}/launch/jobs`)) {
      const text = await Deno.readTextFile(`${runtimeDir}/launch/jobs/${entry.name}/pid`)
        .catch(() => "");
      if (Number(text) > 0) pids.push(Number(text));
    }
  } catch { /* none */ }
  return pids;
}

/** Reads the lines of a file (none when it does not exist). */
export async function lines(path: string): Promise<string[]> {
  try {
    return (await Deno.readTextFile(path)).split("\n").filter((l) => l !== "");
  } catch {
    return [];
  }
}

/** Waits until the process `pid` has ended. */
export async function waitGone(pid: number, what: string): Promise<void> {
  await waitFor(() => !alive(pid), what, 30_000);
}

/** A YAML flow list of strings. */
export function yamlList(items: string[]): string {
  return `[${items.map((item) => JSON.stringify(item)).join(", ")}]`;
}

/** Starts `ipckit ARGS…` in the background, for commands that run until stopped. */
export function spawnIpckit(manager: Manager, args: string[]): Deno.ChildProcess {
  return spawnCli(args, { env: manager.env });
}

/**
 * Declares the {@linkcode Manager.portService} program `name` (which waits `delayMs` before it
 * serves) as service `label` serving port `label`, starts `ipckit send LABEL x` and waits until
 * the service has started; returns the sender and the service's pid.
 */
export async function sendWhileStarting(
  manager: Manager,
  name: string,
  label: string,
  delayMs: number,
): Promise<{ sender: Deno.ChildProcess; pid: number }> {
  const argv = await manager.portService(name, label, { delayMs });
  await manager.define(
    `${name}.yaml`,
    `label: ${label}\nprogramArguments: ${yamlList(argv)}\nports: [${label}]\n`,
  );
  const sender = spawnIpckit(manager, ["send", label, "x"]);
  const starts = `${manager.work}/${name}.starts`;
  await waitFor(async () => (await lines(starts)).length === 1, "the start");
  return { sender, pid: Number((await lines(starts))[0]) };
}
