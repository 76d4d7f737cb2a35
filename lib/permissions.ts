/**
 * The one list of Deno permissions ipckit runs with: the `ipckit` command, the broker it starts,
 * `deno task ipckit`, `deno task install` and the command-line tests all use it (never `-A`).
 * `deno.json` and the README repeat it as text; `tests/cli/cli_test.ts` keeps the three in step.
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

/**
 * The V8 flags the installed (bundled) `ipckit` and the broker it starts run with: compile every
 * function when its module loads, so that Deno's code cache holds them all and a command does not
 * compile what it runs again on every run. Deno keeps one code cache per module, made under the
 * flags of the run that made it, so every process that runs the bundle must use the same flags.
 */
export const BUNDLE_V8_FLAGS: readonly string[] = ["--v8-flags=--no-lazy"];
