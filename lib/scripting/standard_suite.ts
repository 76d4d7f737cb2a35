/**
 * The standard suite, generically, as Cocoa Scripting implements it for every app: get, set,
 * count, exists, make, delete, duplicate, move, and the `properties` record.
 *
 * @module
 */

import { AppleEventError } from "../errors.ts";
import type { ResolvedClass } from "../sdef/dictionary.ts";
import { camelCase } from "../sdp/naming.ts";
import {
  InsertionLocation,
  isDictionary,
  ObjectSpecifier,
  TypeCode,
  type Value,
} from "../wire/value.ts";
import {
  describeLiteral,
  type ElemInfo,
  fail,
  type Model,
  type Node,
  type ObjItem,
} from "./_model.ts";
import { coerceIn, recordIn } from "./coerce.ts";
import { DIRECT, ERRORS, PARAMS, PROPERTY, type ScriptingEvent } from "./protocol.ts";
import { implicitSubcontainer, leaves, resolveSpecifier } from "./resolve.ts";

/** Resolves a wire value that may be a reference: a node, or `undefined` for a literal. */
function nodeOf(model: Model, value: Value): Node | undefined {
  if (value instanceof ObjectSpecifier || value === "application") {
    return resolveSpecifier(model, value as ObjectSpecifier);
  }
  return undefined;
}

/** A reference resolved to its model object(s), for coercion to class types. */
export function referenceResolver(model: Model): (spec: ObjectSpecifier) => unknown {
  return (spec) => {
    const node = resolveSpecifier(model, spec);
    const objs = leaves(node).map((x) => x.kind === "object" ? x.obj : x.value);
    return node.kind === "many" ? objs : objs[0];
  };
}

function param(event: ScriptingEvent, code: string): Value | undefined {
  return event.params?.[code];
}

/** `get`: what the direct parameter names, as wire values (objects as references). */
export function get(model: Model, event: ScriptingEvent): Value {
  const direct = param(event, DIRECT);
  if (direct === undefined) return model.nodeToWire(model.root);
  const node = nodeOf(model, direct);
  return node ? model.nodeToWire(node, { textAsValue: true }) : direct;
}

/** `set`: the properties the direct parameter names, to `to` coerced to their type. */
export function set(model: Model, event: ScriptingEvent): Value {
  const direct = param(event, DIRECT);
  const to = param(event, PARAMS.data);
  if (!(direct instanceof ObjectSpecifier)) {
    return fail(
      ERRORS.cannotSet,
      `Can’t set ${describeLiteral(direct)} to ${describeLiteral(to ?? null)}.`,
      direct ?? null,
    );
  }
  if (to === undefined) {
    return fail(
      ERRORS.missingParameter,
      `Can’t set ${model.describe(direct)}: the “to” parameter is missing.`,
    );
  }
  const resolve = referenceResolver(model);
  const cannot = (): never =>
    fail(ERRORS.cannotSet, `Can’t set ${model.describe(direct)} to ${model.describe(to)}.`, direct);
  if (direct.form !== "property") {
    // an object itself, or a paragraph or word of a text (a value of its own): not settable;
    // resolving first answers -1728 for what does not exist
    resolveSpecifier(model, direct);
    return cannot();
  }
  // The receivers are the owners, the key the property (as NSSetCommand has them): a property
  // whose value is an object is set like any other.
  const code = direct.seld as string;
  const owners = leaves(resolveSpecifier(model, direct.from));
  for (const owner of owners) {
    if (owner.kind !== "object") return cannot();
    if (code === PROPERTY.properties) {
      if (!isDictionary(to)) {
        return fail(ERRORS.cannotCoerce, `Can’t make ${model.describe(to)} into type record.`, to);
      }
      for (const [key, v] of Object.entries(to)) {
        const p = model.props(owner.cls).find((x) => x.code === key || camelCase(x.name) === key);
        if (!p || p.code === PROPERTY.class) continue;
        if (p.access === "r") continue; // Cocoa leaves read-only fields of the record alone
        assign(model, owner, p, coerceIn(v, p.types, model, resolve), direct, v);
      }
      continue;
    }
    const prop = model.prop(owner.cls, code);
    if (!prop) {
      return fail(ERRORS.noSuchObject, `Can’t get ${model.describe(direct)}.`, direct);
    }
    if (prop.access === "r" || prop.code === PROPERTY.class) {
      return fail(
        ERRORS.notModifiable,
        `Can’t set ${model.describe(direct)} to ${model.describe(to)}. Access not allowed.`,
        direct,
      );
    }
    // `set name of tree 1 to name of tree 2`: a reference is evaluated first, as NSSetCommand
    // does, unless the property holds references (`set gardener of tree 1 to gardener 2`)
    const target = model.typeTarget(prop.types);
    const holdsReferences = target?.kind === "class" ||
      (target?.kind === "primitive" &&
        ["specifier", "location", "any"].includes(target.primitive.kind));
    const value = to instanceof ObjectSpecifier && !holdsReferences
      ? model.nodeToWire(resolveSpecifier(model, to))
      : to;
    assign(model, owner, prop, coerceIn(value, prop.types, model, resolve), direct, to);
  }
  return null;
}

function assign(
  model: Model,
  owner: ObjItem,
  prop: { key: string },
  value: unknown,
  direct: ObjectSpecifier,
  to: Value,
): void {
  const obj = owner.obj as Record<string, unknown>;
  try {
    const descriptor = findDescriptor(obj, prop.key);
    if (descriptor && descriptor.get && !descriptor.set) throw new TypeError("read-only");
    if (descriptor && "value" in descriptor && descriptor.writable === false) {
      throw new TypeError("read-only");
    }
    obj[prop.key] = value;
  } catch (error) {
    if (error instanceof AppleEventError) throw error;
    fail(
      ERRORS.cannotSet,
      `Can’t set ${model.describe(direct)} to ${model.describe(to)}.`,
      direct,
    );
  }
}

function findDescriptor(obj: object, key: string): PropertyDescriptor | undefined {
  for (let o: object | null = obj; o; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d) return d;
  }
  return undefined;
}

/** `count`: how many objects the direct parameter names (`each` a class inside one object). */
export function count(model: Model, event: ScriptingEvent): Value {
  const direct = param(event, DIRECT) ?? "application";
  const each = param(event, PARAMS.class);
  const node = nodeOf(model, direct);
  if (!node) return BigInt(Array.isArray(direct) ? direct.length : 1);
  if (each instanceof TypeCode && node.kind === "object") {
    const every = new ObjectSpecifier(
      each.code,
      direct === "application" ? "application" : direct as ObjectSpecifier,
      "index",
      "every",
    );
    return BigInt(leaves(resolveSpecifier(model, every)).length);
  }
  if (node.kind === "many") return BigInt(node.items.length);
  if (node.kind === "value" && Array.isArray(node.value)) return BigInt(node.value.length);
  return 1n;
}

/** `exists`: whether the direct parameter names anything. */
export function exists(model: Model, event: ScriptingEvent): Value {
  const direct = param(event, DIRECT);
  if (!(direct instanceof ObjectSpecifier)) return direct !== undefined && direct !== null;
  try {
    const node = resolveSpecifier(model, direct);
    return node.kind !== "many" || leaves(node).length > 0;
  } catch (error) {
    if (error instanceof AppleEventError && error.number !== ERRORS.notAnElement) return false;
    throw error;
  }
}

/** Where an insertion location or a reference puts new objects: container, collection, index. */
interface Place {
  container: ObjItem;
  elem: ElemInfo;
  index: number;
}

function place(
  model: Model,
  where: Value | undefined,
  cls: ResolvedClass,
  subject: Value | undefined,
): Place {
  let container: ObjItem;
  let position: "beginning" | "end" | "before" | "after" = "end";
  let anchor: ObjItem | undefined;
  if (where === undefined) {
    const node = subject instanceof ObjectSpecifier ? resolveSpecifier(model, subject) : model.root;
    if (node.kind !== "object") return cannotPut(model, cls);
    container = node;
  } else if (where instanceof InsertionLocation) {
    position = where.position;
    const object = where.object;
    // `end of paragraphs of X`: the beginning or end of a collection is that of its container
    const ofCollection = (position === "beginning" || position === "end") &&
      object instanceof ObjectSpecifier && object.form === "index" && object.seld === "every";
    const node = resolveSpecifier(model, ofCollection ? object.from : object);
    if (node.kind !== "object") return cannotPut(model, cls);
    if (position === "before" || position === "after") {
      if (node.via.kind !== "element") return cannotPut(model, cls);
      anchor = node;
      container = node.via.parent;
    } else container = node;
  } else if (where instanceof ObjectSpecifier || where === "application") {
    const node = resolveSpecifier(model, where as ObjectSpecifier);
    if (node.kind !== "object") return cannotPut(model, cls);
    container = node;
  } else {
    return fail(
      ERRORS.cannotCoerce,
      `Can’t make ${describeLiteral(where)} into type location specifier.`,
      where,
    );
  }
  const elemIn = (c: ObjItem) =>
    model.elems(c.cls).find((e) => e.cls === cls) ??
      model.elems(c.cls).find((e) => model.isA(cls, e.cls));
  let elem = elemIn(container);
  if (!elem && !anchor) {
    // `make new paragraph at end of document 1`: into the document's text, its implicitly
    // specified subcontainer, as for `paragraph 1 of document 1`
    const sub = implicitSubcontainer(model, container, cls.code);
    if (sub?.kind === "object") {
      container = sub;
      elem = elemIn(sub);
    }
  }
  if (!elem) return cannotPut(model, cls);
  if (elem.access === "r") {
    return fail(
      ERRORS.notModifiable,
      `Can’t make or move a ${cls.name} into ${model.describeItem(container)}. Access not allowed.`,
    );
  }
  const list = model.elements(container, elem);
  let index = position === "beginning" ? 0 : list.length;
  if (anchor) {
    const at = list.indexOf(anchor.obj);
    if (at < 0) return cannotPut(model, cls);
    index = position === "before" ? at : at + 1;
  }
  return { container, elem, index };
}

function cannotPut(model: Model, cls: ResolvedClass): never {
  void model;
  return fail(
    ERRORS.cannotPutThere,
    `Can’t make or move a ${cls.name} into that container.`,
  );
}

function insert(model: Model, p: Place, obj: object): ObjItem {
  const accessors = model.accessors(p.elem.cls);
  let stored: object | void = undefined;
  if (accessors.insert) stored = accessors.insert(p.container.obj, p.elem.key, obj, p.index);
  else model.elements(p.container, p.elem).splice(p.index, 0, obj);
  return model.elementItem(p.container, p.elem, stored ?? obj);
}

function remove(model: Model, item: ObjItem): void {
  if (item.via.kind !== "element") {
    fail(ERRORS.cannotSet, `Can’t delete ${model.describeItem(item)}.`);
  }
  const { parent, elem } = item.via;
  const accessors = model.accessors(elem.cls);
  if (accessors.remove) accessors.remove(parent.obj, elem.key, item.obj);
  else {
    const list = model.elements(parent, elem);
    const at = list.indexOf(item.obj);
    if (at >= 0) list.splice(at, 1);
  }
}

function checkWritable(model: Model, item: ObjItem, what: string): void {
  if (item.via.kind === "element" && item.via.elem.access === "r") {
    fail(
      ERRORS.notModifiable,
      `Can’t ${what} ${model.describeItem(item)}. Access not allowed.`,
      model.nodeToWire(item),
    );
  }
}

function applyProperties(
  model: Model,
  item: ObjItem,
  props: Record<string, unknown>,
): void {
  for (const [key, value] of Object.entries(props)) {
    const p = model.props(item.cls).find((x) => camelCase(x.name) === key);
    (item.obj as Record<string, unknown>)[p?.key ?? key] = value;
  }
}

/** `make`: a new object of class `new`, `at` a location, `with properties`, `with data`. */
export function make(model: Model, event: ScriptingEvent): Value {
  const kind = param(event, PARAMS.class);
  if (kind === undefined) {
    return fail(ERRORS.missingParameter, "Can’t make: the “new” parameter is missing.");
  }
  const cls = kind instanceof TypeCode
    ? model.classByCode(kind.code)
    : typeof kind === "string"
    ? model.classByName(kind)
    : undefined;
  if (!cls || cls.code === "capp") {
    return fail(
      ERRORS.cannotMakeClass,
      `Can’t make class ${
        kind instanceof TypeCode ? `«class ${kind.code}»` : describeLiteral(kind)
      }.`,
      kind,
    );
  }
  const p = place(model, param(event, PARAMS.location), cls, event.subject);
  const resolve = referenceResolver(model);
  const withProps = param(event, PARAMS.properties);
  if (withProps !== undefined && !isDictionary(withProps)) {
    return fail(
      ERRORS.cannotCoerce,
      `Can’t make ${describeLiteral(withProps)} into type record.`,
      withProps,
    );
  }
  const props = withProps ? recordIn(withProps, model.props(cls), model, resolve) : {};
  const data = param(event, PARAMS.data);
  if (data !== undefined) {
    const contents = model.props(cls).find((x) => x.isContents) ??
      model.props(cls).find((x) => x.code === "pcnt");
    if (!contents) {
      return fail(
        ERRORS.cannotMakeClass,
        `Can’t make a ${cls.name} with data: the class has no contents.`,
        data,
      );
    }
    props[camelCase(contents.name)] = coerceIn(data, contents.types, model, resolve);
  }
  const accessors = model.accessors(cls);
  let obj: object;
  if (accessors.create) obj = accessors.create(props);
  else {
    obj = {};
    for (const e of model.elems(cls)) (obj as Record<string, unknown>)[e.key] = [];
    const idProp = model.prop(cls, PROPERTY.id);
    if (idProp && props[camelCase(idProp.name)] === undefined) {
      (obj as Record<string, unknown>)[idProp.key] = model.freshId(
        idProp,
        model.elements(p.container, p.elem),
      );
    }
    for (const prop of model.props(cls)) {
      if (prop.code === PROPERTY.class || prop.code === PROPERTY.properties) continue;
      if (!(prop.key in obj)) (obj as Record<string, unknown>)[prop.key] = null;
    }
  }
  const item = insert(model, p, obj);
  if (!accessors.create) applyProperties(model, item, props);
  return model.nodeToWire(item);
}

/** `delete`: removes the objects the direct parameter names. */
export function del(model: Model, event: ScriptingEvent): Value {
  const direct = param(event, DIRECT);
  const node = direct === undefined ? undefined : nodeOf(model, direct);
  if (!node) {
    return fail(
      ERRORS.cannotSet,
      `Can’t delete ${describeLiteral(direct ?? null)}.`,
      direct ?? null,
    );
  }
  const items = leaves(node);
  for (const item of items) {
    if (item.kind !== "object") {
      return fail(ERRORS.cannotSet, `Can’t delete ${model.describe(direct!)}.`, direct!);
    }
    checkWritable(model, item, "delete");
  }
  for (const item of items) remove(model, item as ObjItem);
  return null;
}

function copyOf(model: Model, item: ObjItem, into: Place): object {
  const accessors = model.accessors(item.cls);
  if (accessors.copy) return accessors.copy(item.obj);
  const copy = deepCopy(item.obj) as Record<string, unknown>;
  const idProp = model.prop(item.cls, PROPERTY.id);
  if (idProp && idProp.key in copy) {
    copy[idProp.key] = model.freshId(idProp, model.elements(into.container, into.elem));
  }
  return copy;
}

function deepCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deepCopy);
  if (value instanceof Date) return new Date(value.getTime());
  if (isDictionary(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepCopy(v);
    return out;
  }
  return value;
}

/** `duplicate`: copies the objects `to` a location (else after themselves), `with properties`. */
export function duplicate(model: Model, event: ScriptingEvent): Value {
  const direct = param(event, DIRECT);
  const node = direct === undefined ? undefined : nodeOf(model, direct);
  if (!node) {
    return fail(
      ERRORS.cannotSet,
      `Can’t duplicate ${describeLiteral(direct ?? null)}.`,
      direct ?? null,
    );
  }
  const to = param(event, PARAMS.location);
  const withProps = param(event, PARAMS.properties);
  const resolve = referenceResolver(model);
  const out: Value[] = [];
  for (const item of leaves(node)) {
    if (item.kind !== "object" || item.via.kind !== "element") {
      return fail(ERRORS.cannotSet, `Can’t duplicate ${model.describe(direct!)}.`, direct!);
    }
    const p = to === undefined
      ? place(
        model,
        new InsertionLocation("after", model.refOf(item) as ObjectSpecifier),
        item.cls,
        undefined,
      )
      : place(model, to, item.cls, event.subject);
    const copy = copyOf(model, item, p);
    const made = insert(model, p, copy);
    if (isDictionary(withProps)) {
      applyProperties(model, made, recordIn(withProps, model.props(item.cls), model, resolve));
    }
    out.push(model.nodeToWire(made));
  }
  return node.kind === "many" ? out : out[0];
}

/** `move`: moves the objects `to` a location. */
export function move(model: Model, event: ScriptingEvent): Value {
  const direct = param(event, DIRECT);
  const node = direct === undefined ? undefined : nodeOf(model, direct);
  if (!node) {
    return fail(ERRORS.cannotSet, `Can’t move ${describeLiteral(direct ?? null)}.`, direct ?? null);
  }
  const to = param(event, PARAMS.location);
  if (to === undefined) {
    return fail(
      ERRORS.missingParameter,
      `Can’t move ${model.describe(direct!)}: the “to” parameter is missing.`,
    );
  }
  const items = leaves(node);
  const out: Value[] = [];
  for (const item of items) {
    if (item.kind !== "object" || item.via.kind !== "element") {
      return fail(ERRORS.cannotSet, `Can’t move ${model.describe(direct!)}.`, direct!);
    }
    checkWritable(model, item, "move");
    const p = place(model, to, item.cls, event.subject);
    const { parent, elem } = item.via;
    let index = p.index;
    if (p.container === parent || p.container.obj === parent.obj) {
      const at = model.elements(parent, elem).indexOf(item.obj);
      if (at >= 0 && at < index && p.elem.key === elem.key) index--;
    }
    remove(model, item);
    out.push(model.nodeToWire(insert(model, { ...p, index }, item.obj)));
  }
  return node.kind === "many" ? out : out[0];
}
