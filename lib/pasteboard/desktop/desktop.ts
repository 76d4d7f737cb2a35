/**
 * The desktop clipboard, as a mirror of the general pasteboard. Desktop clipboards hold one
 * owner with the types it offers (xclip and wl-copy offer one type each), so the broker keeps
 * the real item and publishes its best representation to the desktop; `paste` reads the desktop
 * when something else was copied there since.
 *
 * Every backend is one file exporting the same shape ({@linkcode DesktopBackend}); this facade
 * picks one from an environment. Backends run their tools through a {@linkcode Runner}, which
 * tests replace.
 *
 * @module
 */

import { normalizeType, utiForMime } from "../../uti.ts";
import { conformsTo } from "../../uti.ts";
import { derivation } from "../derive.ts";

/** What running a tool to completion produced. */
export interface RunResult {
  /** Exit code. */
  code: number;
  /** Standard output. */
  stdout: Uint8Array;
  /** Standard error, as text. */
  stderr: string;
}

/** Runs a program to completion: `stdin` is written and closed; `env` is added. */
export type Runner = (
  program: string,
  args: string[],
  options: { stdin?: Uint8Array; env?: Record<string, string> },
) => Promise<RunResult>;

/** How to publish one type to the desktop: a process that owns the clipboard while it runs. */
export interface PublishCommand {
  /** The program. */
  program: string;
  /** Its arguments (the data goes to its standard input). */
  args: string[];
}

/** A desktop clipboard. */
export interface DesktopBackend {
  /** `"xclip"`, `"xsel"` or `"wl-clipboard"`. */
  readonly name: string;
  /** Whether the desktop's clipboard is watched by polling (X11) rather than pushed. */
  readonly polls: boolean;
  /** The raw targets offered now (MIME types or X atoms); empty when nobody owns the clipboard. */
  targets(): Promise<string[]>;
  /** The data of one target. @throws {Error} when the tool fails. */
  read(target: string): Promise<Uint8Array>;
  /** The target to publish a UTI as, or `undefined` when this backend cannot offer it. */
  publishTarget(uti: string): string | undefined;
  /** How to publish a target. */
  publishCommand(target: string): PublishCommand;
  /**
   * A process that prints one line each time the desktop clipboard changes (pushed), when the
   * desktop has one; without it, watching polls.
   */
  watchCommand?(): PublishCommand;
}

/** The part of the environment a desktop backend needs. */
export interface DesktopEnv {
  /** Which backend. */
  backend: "xclip" | "xsel" | "wl-clipboard";
  /** The variables to run its tools with (`DISPLAY`, `XAUTHORITY`, `WAYLAND_DISPLAY`, …). */
  env: Record<string, string>;
  /** The primary selection instead of the clipboard. @default {false} */
  primary?: boolean;
}

/**
 * The desktop selection a pasteboard is mirrored to: the clipboard for `general`, the primary
 * selection for `primary` (`--primary`), none for the others.
 */
export function mirroredSelection(name: string): "clipboard" | "primary" | undefined {
  return name === "general" ? "clipboard" : name === "primary" ? "primary" : undefined;
}

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
export const denoRunner: Runner = async (program, args, options) => {
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
};

/** The UTI of a desktop target, or `undefined` for bookkeeping atoms (TARGETS, TIMESTAMP, …). */
export function utiForTarget(target: string): string | undefined {
  switch (target) {
    case "UTF8_STRING":
      return "public.utf8-plain-text";
    case "STRING":
    case "TEXT":
      return "public.plain-text";
  }
  if (!target.includes("/")) return undefined;
  try {
    return target === "text/plain" ? "public.plain-text" : utiForMime(target);
  } catch {
    return undefined;
  }
}

/** The UTIs a list of targets offers, in their order, without repeats. */
export function utisForTargets(targets: readonly string[]): string[] {
  const out: string[] = [];
  for (const target of targets) {
    const uti = utiForTarget(target);
    if (uti && !out.includes(uti)) out.push(uti);
  }
  return out;
}

/**
 * The target that best gives `wanted` (a UTI or MIME type): one whose UTI is it, else one that
 * conforms to it; UTF-8 text before other text (it holds every character).
 */
export function targetFor(wanted: string, targets: readonly string[]): string | undefined {
  const uti = normalizeType(wanted);
  const candidates = targets.filter((t) => utiForTarget(t) !== undefined);
  const utf8 = conformsTo("public.utf8-plain-text", uti)
    ? candidates.find((t) => utiForTarget(t) === "public.utf8-plain-text")
    : undefined;
  return utf8 ?? candidates.find((t) => utiForTarget(t) === uti) ??
    candidates.find((t) => conformsTo(utiForTarget(t)!, uti));
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
