/**
 * The X11 clipboard through xclip or xsel. X11 has one owner per selection, and the owner
 * answers any target with its data (xclip returns its text when asked for `image/png`), so the
 * targets are always read first. xclip stays in the foreground with `-quiet` (its pid is the
 * mirror's) and exits once another program takes the clipboard. Nothing on X11 reports
 * clipboard changes without XFixes, so watching the X11 desktop polls.
 *
 * @module
 */

import { type DesktopBackend, type PublishCommand, type Runner, utiForTarget } from "./backend.ts";
import { preferredMimeType } from "../../uti.ts";

/** The X11 clipboard through `xclip`. */
export class XclipBackend implements DesktopBackend {
  readonly name = "xclip";
  readonly polls = true;
  #env: Record<string, string>;
  #run: Runner;
  #selection: string;

  /**
   * @param env the variables to run xclip with (`DISPLAY`, `XAUTHORITY`).
   * @param runner runs xclip (tests pass their own).
   * @param primary the primary selection instead of the clipboard.
   */
  constructor(env: Record<string, string>, runner: Runner, primary = false) {
    this.#env = env;
    this.#run = runner;
    this.#selection = primary ? "primary" : "clipboard";
  }

  async targets(): Promise<string[]> {
    const out = await this.#run("xclip", ["-o", "-selection", this.#selection, "-t", "TARGETS"], {
      env: this.#env,
    });
    // No owner: "Error: target TARGETS not available", exit 1.
    if (out.code !== 0) return [];
    return new TextDecoder().decode(out.stdout).split("\n").map((t) => t.trim()).filter((t) =>
      t !== ""
    );
  }

  async read(target: string): Promise<Uint8Array> {
    const out = await this.#run("xclip", ["-o", "-selection", this.#selection, "-t", target], {
      env: this.#env,
    });
    if (out.code !== 0) {
      throw new Error(`xclip could not read ${target}: ${out.stderr.trim() || `exit ${out.code}`}`);
    }
    return out.stdout;
  }

  publishTarget(uti: string): string | undefined {
    if (uti === "public.utf8-plain-text") return "UTF8_STRING";
    return preferredMimeType(uti);
  }

  publishCommand(target: string): PublishCommand {
    return {
      program: "xclip",
      args: ["-quiet", "-i", "-selection", this.#selection, "-t", target],
    };
  }
}

/** The X11 clipboard through `xsel`, which knows text only. */
export class XselBackend implements DesktopBackend {
  readonly name = "xsel";
  readonly polls = true;
  #env: Record<string, string>;
  #run: Runner;
  #selection: string;

  /**
   * @param env the variables to run xsel with.
   * @param runner runs xsel (tests pass their own).
   * @param primary the primary selection instead of the clipboard.
   */
  constructor(env: Record<string, string>, runner: Runner, primary = false) {
    this.#env = env;
    this.#run = runner;
    this.#selection = primary ? "--primary" : "--clipboard";
  }

  async targets(): Promise<string[]> {
    // xsel cannot list targets; it reads text, and an empty clipboard reads as nothing.
    const out = await this.#run("xsel", [this.#selection, "--output"], { env: this.#env });
    return out.code === 0 && out.stdout.length > 0 ? ["UTF8_STRING"] : [];
  }

  async read(target: string): Promise<Uint8Array> {
    if (utiForTarget(target) === undefined) throw new Error(`xsel cannot read ${target}`);
    const out = await this.#run("xsel", [this.#selection, "--output"], { env: this.#env });
    if (out.code !== 0) throw new Error(`xsel could not read the clipboard: ${out.stderr.trim()}`);
    return out.stdout;
  }

  publishTarget(uti: string): string | undefined {
    return uti === "public.utf8-plain-text" ? "UTF8_STRING" : undefined;
  }

  publishCommand(_target: string): PublishCommand {
    return { program: "xsel", args: [this.#selection, "--input", "--nodetach"] };
  }
}
