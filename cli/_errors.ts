/**
 * Errors only the command line raises. The library's errors are mapped to exit codes in
 * `cli/main.ts`; these two carry their own.
 *
 * @module
 */

/** The user's command line is wrong: exit 2, with the usage hint. */
export class UsageError extends Error {
  /** @param message what is wrong and what to write instead. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A command wants to end with a specific exit code and one-line message. */
export class ExitError extends Error {
  /** The exit code. */
  readonly code: number;
  /**
   * @param code the exit code.
   * @param message the one line printed on standard error (nothing when empty).
   */
  constructor(code: number, message: string) {
    super(message);
    this.name = "ExitError";
    this.code = code;
  }
}
