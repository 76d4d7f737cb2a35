/**
 * The desktop mirror (broker side): the `general` pasteboard's first item published to the
 * desktop clipboard (`primary` to the primary selection), by an owner in this process that
 * offers several types (X11) or by the desktop's tool offering one, and handed over to a tool
 * when the broker stops.
 *
 * @module
 */

import type { Logger } from "../broker/log.ts";
import { sleep } from "../_timer.ts";
import { conformsTo } from "../uti.ts";
import type { Value } from "../wire/value.ts";
import { isDictionary } from "../wire/value.ts";
import { derivation } from "./derive.ts";
import type { DesktopBackend, DesktopEnv } from "./desktop/backend.ts";
import { MAX_DERIVE_SOURCE_BYTES } from "./protocol.ts";
import { type Board, hasData, type Mirror, type Offer, type PasteboardStore } from "./store.ts";

/** Mirrors made by this broker, for their ids. */
let mirrors = 0;

/** Publishes pasteboards to the desktop; see the module documentation. */
export class DesktopMirror {
  #store: PasteboardStore;
  #log: Logger;

  /** Mirrors `store`'s pasteboards, reporting failures to `log`. */
  constructor(store: PasteboardStore, log: Logger) {
    this.#store = store;
    this.#log = log;
  }

  /** Whether the board's mirror still owns the desktop clipboard. */
  async alive(board: Board): Promise<boolean> {
    const mirror = board.mirror;
    if (!mirror?.alive) return false;
    if (mirror.owner) return mirror.alive = mirror.owner.owns;
    if (mirror.child) return true;
    // A mirror started by an earlier broker: alive while its process is (Deno reads no /proc
    // without all permissions, so ask ps).
    try {
      const out = await new Deno.Command("ps", {
        args: ["-o", "args=", "-p", String(mirror.pid)],
        stdout: "piped",
        stderr: "null",
      }).output();
      if (out.success && new TextDecoder().decode(out.stdout).includes(mirror.program)) return true;
    } catch {
      // No ps here: whether the process lives is the best we can tell.
      try {
        Deno.kill(mirror.pid, "SIGCONT");
        return true;
      } catch { /* gone */ }
    }
    mirror.alive = false;
    return false;
  }

  /**
   * Publishes the general pasteboard's first item to the desktop: on an X11 display this process
   * can reach, every representation the desktop can carry and its text, side by side (an owner
   * of the clipboard in this process, `X11SelectionOwner`); otherwise, through a tool
   * that offers one type, the best: the text, else an image.
   */
  async publish(board: Board, desktop: DesktopEnv): Promise<Value> {
    const { desktopBackend } = await import("./desktop/desktop.ts");
    const backend = await desktopBackend(desktop);
    this.stop(board);
    const item = board.items[0];
    if (!item) return null;
    const offers: Offer[] = [];
    let total = 0;
    const offer = async (uti: string, data: () => Promise<Uint8Array>) => {
      const target = backend.publishTarget(uti);
      if (!target || offers.some((o) => o.target === target)) return;
      const bytes = await data();
      if (total + bytes.length > MAX_DERIVE_SOURCE_BYTES && offers.length > 0) return;
      total += bytes.length;
      offers.push({ uti, target, data: bytes });
    };
    const text = item.find((r) => hasData(r) && r.type === "public.utf8-plain-text");
    if (text) await offer(text.type, () => this.#store.read(text));
    else {
      const how = derivation(
        "public.utf8-plain-text",
        item.filter((r) => hasData(r)).map((r) => r.type),
      );
      const source = how && item.find((r) => r.type === how.from);
      if (how && source && source.size <= MAX_DERIVE_SOURCE_BYTES) {
        try {
          const data = how.convert(await this.#store.read(source));
          await offer(how.to, () => Promise.resolve(data));
        } catch { /* not convertible */ }
      }
    }
    const image = item.find((r) => hasData(r) && conformsTo(r.type, "public.image"));
    if (image && (offers.length === 0 || backend.name === "xclip")) {
      await offer(image.type, () => this.#store.read(image));
    }
    if (offers.length === 0) return null;
    // The rest, side by side, where this process can offer them itself.
    if (backend.name === "xclip" && desktop.env.DISPLAY) {
      for (const rep of item) {
        if (hasData(rep) && rep.size <= MAX_DERIVE_SOURCE_BYTES && rep.type !== "public.file-url") {
          await offer(rep.type, () => this.#store.read(rep));
        }
      }
      if (offers.length > 1) {
        const published = await this.#own(board, desktop, offers);
        if (published) return published;
      }
    }
    return await this.#publishOne(board, backend, desktop, offers[0]);
  }

  /** Offers several types from this process (X11); `undefined` when the display refuses it. */
  async #own(board: Board, desktop: DesktopEnv, offers: Offer[]): Promise<Value | undefined> {
    const { X11SelectionOwner } = await import("./desktop/x11_owner.ts");
    const owner = await X11SelectionOwner.open(desktop.env.DISPLAY, {
      XAUTHORITY: desktop.env.XAUTHORITY,
      HOME: Deno.env.get("HOME"),
    });
    if (!owner) return undefined;
    const mirror: Mirror = {
      pid: Deno.pid,
      program: "ipckit",
      type: offers[0].uti,
      alive: true,
      id: `${Deno.pid}.${++mirrors}`,
      owner,
      handOver: { desktop, offer: offers[0] },
    };
    board.mirror = mirror;
    owner.onLost = () => {
      mirror.alive = false;
      owner.close();
    };
    const targets = new Map(offers.map((o) => [o.target, o.data]));
    if (!(await owner.own(targets, desktop.primary ? "PRIMARY" : "CLIPBOARD"))) {
      owner.close();
      board.mirror = undefined;
      return undefined;
    }
    return {
      published: true,
      type: offers[0].uti,
      types: offers.map((o) => o.uti),
      backend: "x11",
    };
  }

  /** Publishes one type through the desktop's tool, which owns the clipboard while it runs. */
  async #publishOne(
    board: Board,
    backend: DesktopBackend,
    desktop: DesktopEnv,
    chosen: Offer,
  ): Promise<Value> {
    const target = chosen.target;
    const command = backend.publishCommand(target);
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(command.program, {
        args: command.args,
        env: desktop.env,
        stdin: "piped",
        stdout: "null",
        // Not a pipe: the tool outlives the broker, and a write to a pipe nobody reads any more
        // would kill it in the middle of a paste (the pasting program would wait forever).
        stderr: "null",
      }).spawn();
    } catch (error) {
      this.#log.error(`cannot start ${command.program}: ${(error as Error).message}`);
      return { published: false, error: `cannot start ${command.program}` };
    }
    const mirror: Mirror = {
      pid: child.pid,
      program: command.program,
      type: chosen.uti,
      alive: true,
      child,
      id: String(child.pid),
    };
    board.mirror = mirror;
    child.status.then((status) => {
      mirror.alive = false;
      mirror.child = undefined;
      if (!mirror.replaced && status.code !== 0 && status.signal === null) {
        this.#log.error(`${command.program} exited with ${status.code}`);
      }
      if (board.mirror === mirror) this.#store.save(board).catch(() => {});
    });
    try {
      const writer = child.stdin.getWriter();
      await writer.write(chosen.data);
      await writer.close();
    } catch { /* it exited; its status tells */ }
    // Then wait until the desktop offers the type (the mirror it replaces may let go of the
    // clipboard in between).
    // A deadline rather than a count of tries: on a loaded machine one try can take 100 ms.
    const deadline = Date.now() + 5000;
    while (mirror.alive && Date.now() < deadline) {
      const targets = await backend.targets().catch(() => [] as string[]);
      if (targets.includes(target) || (target === "UTF8_STRING" && targets.length > 0)) break;
      await sleep(20);
    }
    if (board.mirror === mirror) await this.#store.save(board).catch(() => {});
    return { published: mirror.alive, type: chosen.uti, backend: backend.name };
  }

  /** Ends the board's mirror (its tool is signalled only if it is still that program). */
  stop(board: Board): void {
    const mirror = board.mirror;
    if (!mirror) return;
    mirror.replaced = true;
    board.mirror = undefined;
    mirror.owner?.close();
    if (!mirror.alive) return;
    if (!mirror.child) {
      // Started by an earlier broker: only signal it if it is still that program.
      this.alive({ ...board, mirror }).then((alive) => {
        if (alive) Deno.kill(mirror.pid, "SIGTERM");
      }).catch(() => {});
      return;
    }
    try {
      mirror.child.kill("SIGTERM");
    } catch { /* gone */ }
  }

  /**
   * The broker is stopping. The desktop keeps its copy after the broker stops; the next broker
   * checks it by pid. What this process offered itself goes to a tool, with the type it can
   * carry best.
   */
  async close(): Promise<void> {
    for (const board of this.#store.boards()) {
      const mirror = board.mirror;
      if (mirror?.owner?.owns && mirror.handOver) {
        const { desktop, offer } = mirror.handOver;
        try {
          const { desktopBackend } = await import("./desktop/desktop.ts");
          mirror.owner.close();
          const replaced = await this.#publishOne(
            board,
            await desktopBackend(desktop),
            desktop,
            offer,
          );
          board.mirror?.child?.unref();
          if (isDictionary(replaced) && replaced.published) await this.#store.save(board);
        } catch (error) {
          this.#log.error(`cannot hand the desktop clipboard over: ${(error as Error).message}`);
        }
      } else board.mirror?.child?.unref();
    }
  }
}
