/**
 * Where a definition takes an enumeration: the codes of the properties (of classes and record
 * types) and of the command parameters (`event/param`, `----` for the direct parameter) whose
 * type is an enumeration and nothing else that takes text. A bridge sends a term given there as
 * the enumerator's code, and text everywhere else as text.
 *
 * @module
 */

import type { Dictionary, SdefType } from "../sdef/mod.ts";

/**
 * The enumeration slots of a definition, sorted.
 *
 * @example
 * ```ts ignore
 * import { loadDictionary } from "../sdef/mod.ts";
 * import { enumSlots } from "./enum_slots.ts";
 * enumSlots(await loadDictionary(xml)); // ["Frip", "coreclos/savo", …]
 * ```
 */
export function enumSlots(dict: Dictionary): string[] {
  const slots = new Set<string>();
  const isEnum = (types: readonly SdefType[]) =>
    types.length > 0 && types.every((t) => {
      const target = dict.findType(t.name);
      return target?.kind === "enumeration" ||
        (target?.kind === "primitive" && target.primitive.kind === "missing");
    }) && types.some((t) => dict.findType(t.name)?.kind === "enumeration");
  for (const c of dict.classes) {
    for (const p of c.properties) if (isEnum(p.types)) slots.add(p.code);
  }
  for (const r of dict.recordTypes) {
    for (const p of r.properties) if (isEnum(p.types)) slots.add(p.code);
  }
  for (const cmd of dict.commands) {
    if (cmd.directParameter && isEnum(cmd.directParameter.types)) slots.add(`${cmd.code}/----`);
    for (const p of cmd.parameters) if (isEnum(p.types)) slots.add(`${cmd.code}/${p.code}`);
  }
  return [...slots].sort();
}
