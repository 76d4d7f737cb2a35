/**
 * What `copy` and `paste` share: the options that choose the pasteboard, declared once, and the
 * name they choose.
 *
 * @module
 */

import type { OptionSpec } from "../_spec.ts";
import { UsageError } from "../_errors.ts";

/** `--pboard NAME`. */
export const PBOARD_OPTION = {
  flags: "--pboard <name>",
  description: "the pasteboard: general (default), find, font, ruler, drag or any name",
  complete: "pasteboards",
} as const satisfies OptionSpec;

/** `--primary`. */
export const PRIMARY_OPTION = {
  flags: "--primary",
  description: "the primary selection (the primary pasteboard, mirrored to the desktop's)",
} as const satisfies OptionSpec;

/**
 * The pasteboard `--pboard` or `--primary` names: `general` when neither is given.
 *
 * @throws {UsageError} when both are given, or the name is empty or over 255 characters.
 */
export function pasteboardName(
  options: { readonly pboard?: string; readonly primary?: boolean },
): string {
  if (options.primary && options.pboard !== undefined) {
    throw new UsageError("--primary is the primary selection's pasteboard; give it or --pboard");
  }
  const name = options.primary ? "primary" : options.pboard ?? "general";
  if (name === "" || name.length > 255) {
    throw new UsageError("--pboard takes a name of 1 to 255 characters");
  }
  return name;
}
