/**
 * The desktop clipboard, as a mirror of the general pasteboard. Desktop clipboards hold one
 * owner with the types it offers (xclip and wl-copy offer one type each), so the broker keeps
 * the real item and publishes its best representation to the desktop; `paste` reads the desktop
 * when something else was copied there since. This facade picks a backend
 * ({@linkcode ./backend.ts DesktopBackend}) from an environment.
 *
 * @module
 */

import { derivation } from "../derive.ts";
import {
  type DesktopBackend,
  type DesktopEnv,
  type Runner,
  type RunResult,
  targetFor,
  utiForTarget,
  utisForTargets,
} from "./backend.ts";

export * from "./backend.ts";

const DESKTOP_VARIABLES = ["DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "PATH"];

/**
 * The desktop reachable from an environment, or `undefined`: `WAYLAND_DISPLAY` with wl-clipboard,
 * else `DISPLAY` with xclip, else `DISPLAY` with xsel.
 */
export function detectDesktop(
  env: Record<string, string | undefined> = Deno.env.toObject(),
): DesktopEnv | undefined {
  const path = env.PATH ?? "";
  const pick = (backend: DesktopEnv["backend"]): DesktopEnv => {
    const vars: Record<string, string> = {};
    for (const name of DESKTOP_VARIABLES) if (env[name] !== undefined) vars[name] = env[name]!;
    return { backend, env: vars };
  };
  if (env.WAYLAND_DISPLAY && onPath("wl-copy", path) && onPath("wl-paste", path)) {
    return pick("wl-clipboard");
  }
  if (env.DISPLAY) {
    if (onPath("xclip", path)) return pick("xclip");
    if (onPath("xsel", path)) return pick("xsel");
  }
  return undefined;
}

/** Whether a program is in one of the PATH directories (no process started). */
export function onPath(program: string, path: string): boolean {
  for (const dir of path.split(":")) {
    if (dir === "") continue;
    try {
      const info = Deno.statSync(`${dir}/${program}`);
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return true;
    } catch { /* not here */ }
  }
  return false;
}

/** Runs a program with Deno.Command (the default {@linkcode Runner}). */
export async function denoRunner(
  program: string,
  args: string[],
  options: { stdin?: Uint8Array; env?: Record<string, string> },
): Promise<RunResult> {
  const child = new Deno.Command(program, {
    args,
    env: options.env,
    stdin: options.stdin ? "piped" : "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  if (options.stdin) {
    const writer = child.stdin.getWriter();
    try {
      await writer.write(options.stdin);
      await writer.close();
    } catch { /* it exited early; its status says why */ }
  }
  const out = await child.output();
  return { code: out.code, stdout: out.stdout, stderr: new TextDecoder().decode(out.stderr) };
}

/** A desktop clipboard and the targets it offers now. */
export interface DesktopHolding {
  /** The desktop's backend. */
  backend: DesktopBackend;
  /** The targets offered ({@linkcode DesktopBackend.targets}), not empty. */
  targets: string[];
}

/** The desktop clipboard's backend and the targets it offers, when it holds anything. */
export async function desktopHolding(env: DesktopEnv): Promise<DesktopHolding | undefined> {
  const backend = await desktopBackend(env);
  const targets = await backend.targets();
  return targets.length > 0 ? { backend, targets } : undefined;
}

/**
 * Reads the first of the wanted types (UTIs, in order of preference) that the desktop clipboard
 * can give, offered or derived from what it offers (plain text from HTML, as the broker's
 * pasteboards do); with none wanted, UTF-8 text, else its first type that has a UTI.
 *
 * @returns the type and its data (and what it was derived from), or the types held when it has
 *   none of the wanted ones.
 */
export async function readDesktopClipboard(
  desktop: DesktopHolding,
  wanted: readonly string[],
): Promise<{ type: string; data: Uint8Array; derivedFrom?: string } | { held: string[] }> {
  const held = utisForTargets(desktop.targets);
  for (const type of wanted.length > 0 ? wanted : ["public.utf8-plain-text"]) {
    const target = targetFor(type, desktop.targets);
    if (target) return { type: utiForTarget(target)!, data: await desktop.backend.read(target) };
    const how = derivation(type, held);
    if (!how) continue;
    const source = desktop.targets.find((t) => utiForTarget(t) === how.from)!;
    try {
      const data = how.convert(await desktop.backend.read(source));
      return { type: how.to, data, derivedFrom: how.from };
    } catch (error) {
      if (!(error instanceof TypeError)) throw error; // not convertible: not offered
    }
  }
  if (wanted.length === 0 && held.length > 0) {
    const target = desktop.targets.find((t) => utiForTarget(t) === held[0])!;
    return { type: held[0], data: await desktop.backend.read(target) };
  }
  return { held };
}

/** Makes the backend of a detected desktop. */
export async function desktopBackend(
  desktop: DesktopEnv,
  runner: Runner = denoRunner,
): Promise<DesktopBackend> {
  const primary = desktop.primary === true;
  if (desktop.backend === "wl-clipboard") {
    const { WaylandBackend } = await import("./wayland.ts");
    return new WaylandBackend(desktop.env, runner, primary);
  }
  const { XclipBackend, XselBackend } = await import("./x11.ts");
  return desktop.backend === "xclip"
    ? new XclipBackend(desktop.env, runner, primary)
    : new XselBackend(desktop.env, runner, primary);
}
