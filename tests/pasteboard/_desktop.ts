/**
 * What the desktop clipboard tests share (X11 under Xvfb, Wayland under sway): a test with a
 * private display and runtime directory, running a clipboard tool to completion, and a PNG.
 *
 * @module
 */

import { cleanupRuntimeDir, tempRuntimeDir } from "../_helpers.ts";

/** A PNG's first bytes: its signature and the start of its header chunk. */
export const PNG: Uint8Array = new Uint8Array([
  0x89,
  0x50,
  0x4e,
  0x47,
  0x0d,
  0x0a,
  0x1a,
  0x0a,
  0,
  0,
  0,
  0x0d,
  0x49,
  0x48,
  0x44,
  0x52,
  0,
  255,
  1,
  2,
]);

/**
 * Runs a clipboard tool to completion. A tool that forks an owner of the clipboard (`xclip -i`,
 * `wl-copy`) keeps its standard output open: `owner` runs it with none. A reader whose owner
 * never answers would wait forever: after 20 s it is killed (and its exit code says so).
 */
export async function runTool(
  program: string,
  args: string[],
  options: { env: Record<string, string>; stdin?: Uint8Array; owner: boolean },
): Promise<{ code: number; stdout: Uint8Array }> {
  const child = new Deno.Command(program, {
    args,
    env: options.env,
    stdin: options.stdin ? "piped" : "null",
    stdout: options.owner ? "null" : "piped",
    stderr: "null",
  }).spawn();
  const deadline = setTimeout(() => child.kill("SIGKILL"), 20_000);
  try {
    return await finish(child, options);
  } finally {
    clearTimeout(deadline);
  }
}

async function finish(
  child: Deno.ChildProcess,
  options: { stdin?: Uint8Array; owner: boolean },
): Promise<{ code: number; stdout: Uint8Array }> {
  if (options.stdin) {
    const writer = child.stdin.getWriter();
    await writer.write(options.stdin);
    await writer.close();
  }
  if (options.owner) return { code: (await child.status).code, stdout: new Uint8Array() };
  const out = await child.output();
  return { code: out.code, stdout: out.stdout };
}

/**
 * A test with a display of its own (started by `start`, stopped at the end) and a runtime
 * directory of its own; ignored when `have` is false.
 */
export function desktopTest(
  name: string,
  have: boolean,
  start: () => Promise<{ display: string; stop: () => Promise<void> }>,
  fn: (display: string, dir: string) => Promise<void>,
): void {
  Deno.test({
    name,
    ignore: !have,
    async fn() {
      const desktop = await start();
      const dir = await tempRuntimeDir();
      try {
        await fn(desktop.display, dir);
      } finally {
        await cleanupRuntimeDir(dir);
        await desktop.stop();
      }
    },
  });
}
