/**
 * The errors of `tell` scripts, in osascript's forms: a {@linkcode ScriptSyntaxError} for a
 * script that does not compile (`12:16: syntax error: Expected end of line but found
 * identifier. (-2741)`), a {@linkcode ScriptError} for one that fails as it runs
 * (`12:30: execution error: Notes got an error: Can’t get note "x". (-1728)`). Offsets are
 * character offsets into the script, as osascript gives them; line and column are 1-based.
 *
 * @module
 */

/** AppleScript's error number of a syntax error. */
export const SYNTAX_ERROR_NUMBER = -2741;

/** Where a piece of a script is: character offsets, end exclusive. */
export interface Span {
  /** The offset of its first character. */
  readonly start: number;
  /** The offset after its last character. */
  readonly end: number;
}

/** The 1-based line and column of a character offset. */
export function lineColumn(source: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < source.length; i++) {
    const c = source.charCodeAt(i);
    if (c === 10 || (c === 13 && source.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/**
 * A script that does not compile. Its message is osascript's line,
 * `start:end: syntax error: reason (-2741)`.
 *
 * @example Catching it
 * ```ts
 * import { compile, ScriptSyntaxError } from "./mod.ts";
 * try {
 *   await compile("set x to");
 * } catch (e) {
 *   if (e instanceof ScriptSyntaxError) console.log(e.line, e.column, e.reason);
 * }
 * ```
 */
export class ScriptSyntaxError extends SyntaxError {
  /** The offset where the problem starts. */
  readonly start: number;
  /** The offset where it ends. */
  readonly end: number;
  /** Its line, from 1. */
  readonly line: number;
  /** Its column, from 1. */
  readonly column: number;
  /** What is wrong, without the position. */
  readonly reason: string;
  /** AppleScript's number for it, -2741. */
  readonly number: number = SYNTAX_ERROR_NUMBER;
  /**
   * @param source the script, for the line and column.
   * @param span where the problem is.
   * @param reason what is wrong, as a sentence.
   */
  constructor(source: string, span: Span, reason: string) {
    super(`${span.start}:${span.end}: syntax error: ${reason} (${SYNTAX_ERROR_NUMBER})`);
    this.name = "ScriptSyntaxError";
    this.start = span.start;
    this.end = span.end;
    const { line, column } = lineColumn(source, span.start);
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** Options of a {@linkcode ScriptError}. */
export interface ScriptErrorOptions extends ErrorOptions {
  /** The app whose error it is, for “Notes got an error: …”. @default {undefined} */
  app?: string;
  /** The value the error is about (`error … from x`). @default {undefined} */
  offending?: unknown;
  /** The partial result, when the app gave one. @default {undefined} */
  partial?: unknown;
}

/**
 * An error raised as a script runs: by `error`, by the language (-1700 cannot coerce, -1728 no
 * such item…) or by an app. Scripts catch it with `try … on error msg number n`. Its message is
 * the bare message; {@linkcode formatExecutionError} gives osascript's line.
 */
export class ScriptError extends Error {
  /** The AppleScript error number. */
  readonly number: number;
  /** The app whose error it is, if any. */
  app: string | undefined;
  /** The value the error is about. */
  readonly offending: unknown;
  /** The partial result. */
  readonly partial: unknown;
  /** Where in the script it happened, once known. */
  span: Span | undefined;
  /**
   * @param message the message, without the app's name.
   * @param number the AppleScript error number.
   */
  constructor(message: string, number: number, options: ScriptErrorOptions = {}) {
    super(message, options);
    this.name = "ScriptError";
    this.number = number;
    this.app = options.app;
    this.offending = options.offending;
    this.partial = options.partial;
  }
}

/** osascript's line for an execution error: `start:end: execution error: Notes got an error: … (-1728)`. */
export function formatExecutionError(error: ScriptError): string {
  const where = error.span ? `${error.span.start}:${error.span.end}: ` : "";
  const who = error.app ? `${error.app} got an error: ` : "";
  return `${where}execution error: ${who}${error.message} (${error.number})`;
}
