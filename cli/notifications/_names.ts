/**
 * The notification names a command line gives, checked before anything connects: a name the
 * library would refuse (empty, too long, too many) is the user's mistake, a usage error.
 *
 * @module
 */

import { UsageError } from "../_errors.ts";
import { checkName, MAX_NAMES } from "../../lib/notifications/protocol.ts";

/**
 * Throws a {@linkcode UsageError} unless every one of `names` is a notification name and
 * there are at most {@linkcode MAX_NAMES} of them.
 *
 * @example
 * ```ts
 * import { checkNames } from "./_names.ts";
 * checkNames(["com.example.ping", "com.example.*"]);
 * ```
 */
export function checkNames(names: readonly string[]): void {
  if (names.length > MAX_NAMES) {
    throw new UsageError(`give at most ${MAX_NAMES} names and globs, not ${names.length}`);
  }
  for (const name of names) {
    try {
      checkName(name);
    } catch (error) {
      throw new UsageError(`${(error as Error).message}, not ${name.length}`);
    }
  }
}
