/**
 * The Wayland clipboard through wl-clipboard (`wl-copy`, `wl-paste`). Targets are MIME types;
 * `wl-copy --foreground` owns the clipboard until another program takes it, then exits.
 *
 * @module
 */

import type { DesktopBackend, PublishCommand, Runner } from "./backend.ts";
import { preferredMimeType } from "../../uti.ts";

/** The Wayland clipboard through `wl-copy` and `wl-paste`. */
export class WaylandBackend implements DesktopBackend {
  readonly name = "wl-clipboard";
  readonly polls = false;
  #env: Record<string, string>;
  #run: Runner;
  #primary: string[];

  /**
   * @param env the variables to run wl-clipboard with (`WAYLAND_DISPLAY`, `XDG_RUNTIME_DIR`).
   * @param runner runs the tools (tests pass their own).
   * @param primary the primary selection instead of the clipboard.
   */
  constructor(env: Record<string, string>, runner: Runner, primary = false) {
    this.#env = env;
    this.#run = runner;
    this.#primary = primary ? ["--primary"] : [];
  }

  async targets(): Promise<string[]> {
    const out = await this.#run("wl-paste", [...this.#primary, "--list-types"], { env: this.#env });
    // "No selection" / "Nothing is copied": exit 1.
    if (out.code !== 0) return [];
    return new TextDecoder().decode(out.stdout).split("\n").map((t) => t.trim()).filter((t) =>
      t !== ""
    );
  }

  async read(target: string): Promise<Uint8Array> {
    const out = await this.#run("wl-paste", [...this.#primary, "--no-newline", "--type", target], {
      env: this.#env,
    });
    if (out.code !== 0) {
      throw new Error(
        `wl-paste could not read ${target}: ${out.stderr.trim() || `exit ${out.code}`}`,
      );
    }
    return out.stdout;
  }

  publishTarget(uti: string): string | undefined {
    return preferredMimeType(uti);
  }

  publishCommand(target: string): PublishCommand {
    return { program: "wl-copy", args: [...this.#primary, "--foreground", "--type", target] };
  }

  watchCommand(): PublishCommand {
    // wl-paste runs the command at every change (and once at the start), pushed by the
    // compositor: one line each.
    return { program: "wl-paste", args: [...this.#primary, "--watch", "echo", "changed"] };
  }
}
