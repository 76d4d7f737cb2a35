/**
 * How a pasteboard watch sees copies made on the desktop by other programs: pushed where the
 * desktop can (Wayland, `wl-paste --watch`), else by polling (X11).
 *
 * @module
 */

import { sleep } from "../_timer.ts";
import type { Connection } from "../transport/connection.ts";
import type { DesktopBackend, DesktopEnv } from "./desktop/backend.ts";
import { desktopBackend, targetFor, utiForTarget } from "./desktop/desktop.ts";

/** How often an X11 desktop clipboard is looked at while watching the general pasteboard. */
export const DESKTOP_POLL_MS = 500;

/** What `pasteboard.info` says that the desktop watch needs. */
export interface MirrorInfo {
  /** The pasteboard's change count. */
  changeCount: number;
  /** Whether the pasteboard's mirror owns the desktop clipboard. */
  desktopHolds: boolean;
  /** Which mirror process, while it does. */
  mirror?: string;
}

/** Options of {@linkcode watchDesktop}. */
export interface WatchDesktopOptions {
  /** Asks the broker about the pasteboard (`pasteboard.info`). */
  info: () => Promise<MirrorInfo>;
  /** Told of each change another program made, with the pasteboard's change count then. */
  onChange: (changeCount: number) => void;
  /** Whether the watch still runs. */
  watching: () => boolean;
  /** Ends the watch. @default {none} */
  signal?: AbortSignal;
  /** The watch's broker connection: its end ends the watch. */
  connection: Connection;
}

/**
 * Watches the desktop's clipboard: pushed where the desktop can (Wayland, `wl-paste --watch`);
 * on X11 by polling (X11 reports no clipboard changes without XFixes): every
 * {@linkcode DESKTOP_POLL_MS}, while something other than this pasteboard's mirror owns it,
 * its targets and text are compared with the last look.
 */
export async function watchDesktop(env: DesktopEnv, options: WatchDesktopOptions): Promise<void> {
  const { info, onChange, watching, signal, connection } = options;
  const backend = await desktopBackend(env);
  if (backend.watchCommand) return await watchPushed(backend, env, options);
  if (!backend.polls) return;
  const look = async (): Promise<string> => {
    if ((await info()).desktopHolds) return "mirror";
    const targets = await backend.targets();
    const text = targetFor("public.utf8-plain-text", targets) ??
      targets.find((t) => utiForTarget(t));
    const data = text ? await backend.read(text) : new Uint8Array();
    return `${targets.join(",")}\n${data.length}\n${
      new TextDecoder().decode(data.subarray(0, 65536))
    }`;
  };
  let last = await look();
  while (!signal?.aborted && !connection.isClosed && watching()) {
    await sleep(DESKTOP_POLL_MS);
    if (signal?.aborted || connection.isClosed || !watching()) return;
    const now = await look();
    if (now !== last && now !== "mirror") onChange((await info()).changeCount);
    last = now;
  }
}

/** Watches a desktop that pushes changes (Wayland: `wl-paste --watch`). */
async function watchPushed(
  backend: DesktopBackend,
  env: DesktopEnv,
  options: WatchDesktopOptions,
): Promise<void> {
  const { info, onChange, watching, signal, connection } = options;
  // wl-paste runs its command once at once when the clipboard holds something: when that is
  // another program's, that first line is no change. A line while a mirror process not known
  // yet owns the clipboard is the mirror's own publishing (our mirror at the start included);
  // a line while the one already known owns it is another program copying (the mirror exits
  // once it has lost the clipboard, but may not have yet).
  const before = await info();
  let skip = !before.desktopHolds && (await backend.targets()).length > 0 ? 1 : 0;
  let known: string | undefined;
  const command = backend.watchCommand!();
  const child = new Deno.Command(command.program, {
    args: command.args,
    env: env.env,
    stdin: "null",
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const stop = () => {
    try {
      child.kill("SIGTERM");
    } catch { /* gone */ }
  };
  signal?.addEventListener("abort", stop, { once: true });
  connection.closed.then(stop);
  try {
    for await (const text of child.stdout.pipeThrough(new TextDecoderStream())) {
      if (!watching()) break;
      for (const _line of text.split("\n").slice(0, -1)) {
        if (skip > 0) {
          skip--;
          continue;
        }
        const now = await info();
        if (now.desktopHolds && now.mirror !== known) {
          known = now.mirror;
          continue; // our own mirror
        }
        known = now.desktopHolds ? now.mirror : undefined;
        onChange(now.changeCount);
      }
    }
  } finally {
    stop();
    await child.status;
  }
}
