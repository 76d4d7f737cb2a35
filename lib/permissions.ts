/**
 * The one list of Deno permissions ipckit runs with: the `ipckit` command, the broker it starts,
 * `deno task ipckit`, `deno task install` and the command-line tests all use it (never `-A`).
 * `deno.json` repeats it as text; a test keeps the two in step.
 *
 * - read, write: the runtime directory (sockets, locks, state), files given to `copy`/`paste`/`sdp`.
 * - env: `IPCKIT_*`, `XDG_RUNTIME_DIR`, `DISPLAY`/`WAYLAND_DISPLAY`; `yaml` and commander read env too.
 * - run: starting the broker, `--exec` commands, the desktop clipboard tools.
 * - net: Deno 2.9 counts Unix sockets as net access and takes no directory scope for them
 *   (`--allow-net=unix:PATH` must name each socket exactly); ipckit opens no network socket.
 * - sys=uid: the runtime directory's owner check.
 *
 * @module
 */

/** The Deno permission flags of ipckit. */
export const PERMISSIONS: readonly string[] = [
  "--allow-read",
  "--allow-write",
  "--allow-env",
  "--allow-run",
  "--allow-net",
  "--allow-sys=uid",
];
