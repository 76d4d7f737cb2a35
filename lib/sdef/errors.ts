/**
 * What reading a scripting definition can report: a {@linkcode SdefSyntaxError} for text that is
 * not a usable definition (bad XML, a broken element, an include cycle), and
 * {@linkcode SdefWarning} values for what the reader can work around (an include it cannot find,
 * a type it does not know, a term defined twice).
 *
 * @module
 */

/** Where something is in a definition file: 1-based line and column. */
export interface SourcePosition {
  /** The file's path or URL, or `"-"` for standard input. */
  readonly file: string;
  /** The line, from 1. */
  readonly line: number;
  /** The column, from 1. */
  readonly column: number;
}

/** Formats a position as `file:line:column`. */
export function formatPosition(position: SourcePosition): string {
  return `${position.file}:${position.line}:${position.column}`;
}

/**
 * A scripting definition that cannot be read: bad XML, a broken definition, an include cycle.
 * The message starts with `file:line:column:`.
 *
 * @example Catching it
 * ```ts
 * import { parseSdef, SdefSyntaxError } from "./mod.ts";
 * try {
 *   await parseSdef("<dictionary>", { file: "x.sdef" });
 * } catch (e) {
 *   if (e instanceof SdefSyntaxError) console.log(e.file, e.line, e.column, e.reason);
 * }
 * ```
 */
export class SdefSyntaxError extends SyntaxError {
  /** The file. */
  readonly file: string;
  /** The line, from 1. */
  readonly line: number;
  /** The column, from 1. */
  readonly column: number;
  /** What is wrong, without the position. */
  readonly reason: string;
  /**
   * Makes the error; its message is `file:line:column: reason`.
   *
   * @param position where the problem is.
   * @param reason what is wrong and, where it helps, what to do.
   */
  constructor(position: SourcePosition, reason: string, options?: ErrorOptions) {
    super(`${formatPosition(position)}: ${reason}`, options);
    this.name = "SdefSyntaxError";
    this.file = position.file;
    this.line = position.line;
    this.column = position.column;
    this.reason = reason;
  }
}

/** Something in a definition the reader worked around; reading went on. */
export interface SdefWarning {
  /** Where it is. */
  readonly position: SourcePosition;
  /** What was worked around, and how. */
  readonly message: string;
}

/** Formats a warning as one line: `file:line:column: message`. */
export function formatWarning(warning: SdefWarning): string {
  return `${formatPosition(warning.position)}: ${warning.message}`;
}
