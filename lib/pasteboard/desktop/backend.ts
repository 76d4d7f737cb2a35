/**
 * What every desktop clipboard backend is ({@linkcode DesktopBackend}), what it runs its tools
 * through ({@linkcode Runner}, which tests replace), and how desktop targets name UTIs. Each
 * backend is one file implementing this; `desktop.ts` picks one.
 *
 * @module
 */

import { conformsTo, normalizeType, utiForMime } from "../../uti.ts";

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
