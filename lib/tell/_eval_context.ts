/**
 * What the parts of the `tell` evaluator share: the context a statement runs in, and what the
 * commands need of the evaluator.
 *
 * @module
 */

import type * as A from "./ast.ts";
import type { AppHandle, Val } from "./values.ts";

/** A handler's (or the script's) variables, and the names it declared global. */
export interface Frame {
  /** Its local variables. */
  readonly vars: Map<string, Val>;
  /** The names it declared `global`. */
  readonly globals: Set<string>;
}

/** Where a statement runs: its frame, its tell target, the blocks around it. */
export interface Ctx {
  /** The variables. */
  readonly frame: Frame;
  /** The tell target. */
  readonly target: Val | undefined;
  /** The app of the `whose` test being built, if any. */
  readonly filterApp?: AppHandle;
  /** Inside `considering case`. */
  readonly considerCase: boolean;
  /** Inside `ignoring application responses`. */
  readonly ignoreResponses: boolean;
  /** `with timeout of N seconds`, in seconds. */
  readonly timeout: number | undefined;
}

/** The object a `whose` test examines (`it`), in place of a reference's root. */
export const EXAMINED = "examined" as const;

/** What the commands sent to apps need of the evaluator. */
export interface Evaluation {
  /** The value of an expression: references to apps' objects are got. */
  value(e: A.Expr, ctx: Ctx): Promise<Val>;
  /** An expression as a reference: app objects stay specifiers. */
  ref(e: A.Expr, ctx: Ctx): Promise<Val>;
  /** AppleScript's text item delimiters as one text (to join a list). */
  delimiterText(): string;
}

/** An element as an error message names it (`note 3`, `every word`). */
export function describeElement(e: A.ElementExpr): string {
  switch (e.form) {
    case "every":
      return `every ${e.cls.name}`;
    case "ordinal":
      return typeof e.ordinal === "number"
        ? `${e.cls.name} ${e.ordinal}`
        : `${e.ordinal} ${e.cls.name}`;
    default:
      return e.cls.name;
  }
}
