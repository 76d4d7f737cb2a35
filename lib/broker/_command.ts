/**
 * How to start the broker, for programs that embed it; kept apart from `client.ts` so that
 * setting it loads nothing else.
 *
 * @module
 */

let brokerArgs: (() => string[]) | undefined;

/**
 * Says how to start the broker (the bundled `ipckit` command starts itself with
 * `daemon run --detached`). The function returns what follows `deno run <permissions>`; the
 * runtime directory is appended as `--runtime-dir DIR`. By default the broker is
 * `lib/daemon/main.ts`.
 */
export function setBrokerCommand(args: () => string[]): void {
  brokerArgs = args;
}

/** What {@linkcode setBrokerCommand} set, if anything. */
export function brokerCommandOverride(): string[] | undefined {
  return brokerArgs?.();
}
