/**
 * The start-up check of a model against its definition: the application object and every
 * object reachable from it through elements held as arrays must have every property and
 * element the definition gives its class (as a field, a getter, or the runtime's default for
 * the standard suite's window terms). Collections given by getters are checked to be there,
 * not listed: they may be lazy or huge. Where Cocoa fails "mysteriously", this names each
 * missing key.
 *
 * @module
 */

import { isLazy, type Model, type ObjItem } from "./_model.ts";
import { PROPERTY } from "./protocol.ts";

/** Codes the runtime answers itself, so the model need not have them. */
const RUNTIME_PROPERTIES = new Set([PROPERTY.class, PROPERTY.properties]);
/** The application's standard terms a headless app gets defaults for. */
const APP_DEFAULTS = new Set(["pnam", "pisf", "vers", "cwin", "docu"]);

/** How many missing keys the message lists before it says "and N more". */
const LIST_AT_MOST = 20;

/**
 * Checks the model; returns the problems found, one line each (empty when it is complete).
 *
 * @example
 * ```ts ignore
 * const problems = checkModel(model);
 * if (problems.length) throw new TypeError(problems.join("; "));
 * ```
 */
export function checkModel(model: Model): string[] {
  const problems: string[] = [];
  const checkedClasses = new Map<string, Set<string>>();
  const visited = new Set<object>();
  const queue: { item: ObjItem; path: string }[] = [{ item: model.root, path: "application" }];
  while (queue.length > 0) {
    const { item, path } = queue.shift()!;
    if (visited.has(item.obj)) continue;
    visited.add(item.obj);
    const isRoot = item.via.kind === "root";
    const obj = item.obj as Record<string, unknown>;
    const a = /^[aeiou]/i.test(item.cls.name) ? "an" : "a";
    const reported = checkedClasses.get(item.cls.name) ?? new Set<string>();
    checkedClasses.set(item.cls.name, reported);
    for (const p of model.props(item.cls)) {
      if (RUNTIME_PROPERTIES.has(p.code) || (isRoot && APP_DEFAULTS.has(p.code))) continue;
      if (!(p.key in obj) && !reported.has(p.key)) {
        reported.add(p.key);
        problems.push(
          `${path} (${a} ${item.cls.name}) has no "${p.key}" for the property "${p.name}"`,
        );
      }
    }
    for (const e of model.elems(item.cls)) {
      if (isLazy(obj, e.key)) continue; // a getter: its key is there; it is not listed here
      const list = obj[e.key];
      if (list === undefined && isRoot && APP_DEFAULTS.has(e.cls.code)) continue;
      if (!Array.isArray(list)) {
        if (!reported.has(e.key)) {
          reported.add(e.key);
          problems.push(
            `${path} (${a} ${item.cls.name}) has no array "${e.key}" for its ${e.cls.plural}`,
          );
        }
        continue;
      }
      list.forEach((child, i) => {
        if (child === null || typeof child !== "object") {
          problems.push(`${path}.${e.key}[${i}] is not an object`);
          return;
        }
        queue.push({
          item: model.elementItem(item, e, child),
          path: `${path}.${e.key}[${i}]`,
        });
      });
    }
  }
  if (problems.length > LIST_AT_MOST) {
    const more = problems.length - LIST_AT_MOST;
    problems.splice(LIST_AT_MOST, more, `and ${more} more`);
  }
  return problems;
}
