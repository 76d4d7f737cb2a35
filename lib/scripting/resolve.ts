/**
 * Object specifier resolution against an app's model, as Cocoa Scripting does it: every key
 * form (property, index with ordinals, name, unique id, range, test, relative) from the roots
 * (application, current container, object being examined); a specifier over many objects fans
 * out into a list per container (`name of every note of every folder` is a list of lists).
 *
 * @module
 */

import { AppleEventError } from "../errors.ts";
import { toJson } from "../wire/json.ts";
import {
  type Comparison,
  EnumConstant,
  isDictionary,
  LogicalTest,
  ObjectSpecifier,
  type SpecifierRoot,
  type TestDescriptor,
  TypeCode,
  type Value,
} from "../wire/value.ts";
import {
  type ElemInfo,
  fail,
  type Many,
  type Model,
  type Node,
  type ObjItem,
  type PropInfo,
  type ValueItem,
} from "./_model.ts";
import { TEXT_ELEMENTS, textPieces } from "./_text.ts";
import { ERRORS, PROPERTY } from "./protocol.ts";

/** Where the roots point while resolving. */
export interface ResolveEnv {
  /** The current container (range bounds resolve in it). */
  container?: ObjItem;
  /** The object being examined (a test's `it`; a paragraph or word when testing text). */
  examined?: ObjItem | ValueItem;
  /** Whether what is resolved is only read from (a property of it), not remembered. */
  transient?: boolean;
}

/** The comparisons of text that a compiled test does with the literal folded once. */
const TEXT_TESTS: ReadonlySet<string> = new Set(["=", "contains", "begins with", "ends with"]);

/** The deepest specifier chain resolution follows (the wire allows less already). */
const MAX_CHAIN = 256;

/**
 * Resolves a specifier to what it names.
 *
 * @throws {AppleEventError} -1728, -1719, -1720, -10008 as Cocoa Scripting answers.
 */
export function resolveSpecifier(
  model: Model,
  spec: ObjectSpecifier | SpecifierRoot,
  env: ResolveEnv = {},
  depth = 0,
): Node {
  if (typeof spec === "string") return root(model, spec, env);
  if (depth > MAX_CHAIN) {
    fail(ERRORS.noSuchObject, `Can’t get a specifier nested deeper than ${MAX_CHAIN}.`);
  }
  // Objects whose plain property is read (`name of every note whose …`) need not be
  // remembered for a handler's result: only the values come back.
  const transient = spec.form === "property" && spec.seld !== PROPERTY.properties;
  const from = resolveSpecifier(
    model,
    spec.from,
    transient === (env.transient ?? false) ? env : { ...env, transient },
    depth + 1,
  );
  if (from.kind === "many" && overMatches(spec)) return pick(model, from, spec);
  const remember = !env.transient;
  return map(from, (item) => step(model, item, spec, remember));
}

/**
 * Whether a specifier picks among the objects its container specifier names, as AppleScript
 * sends `first folder whose name = "x"` (an ordinal over a test of the same class) and
 * `folders 2 thru 3 whose …`: the index, ordinal or range applies to the matches.
 */
function overMatches(spec: ObjectSpecifier): boolean {
  const from = spec.from;
  return from instanceof ObjectSpecifier && from.form === "test" && from.want === spec.want &&
    (spec.form === "index" || spec.form === "range");
}

/** Whether a fan-out's items are lists themselves (a test in each of several containers). */
function isFanOut(items: Node[]): boolean {
  return items.length > 0 && items.every((x) => x.kind === "many");
}

/** An index, ordinal or range applied to the objects a test matched. */
function pick(model: Model, from: Many, spec: ObjectSpecifier): Node {
  const items = from.items;
  if (isFanOut(items)) return many(items.map((x) => pick(model, x as Many, spec)));
  const n = items.length;
  const seld = spec.seld;
  if (spec.form === "range") {
    const [a, b] = seld as Value[];
    const position = (v: Value): number => {
      if (v instanceof EnumConstant) return v.code === "bgng" ? 0 : n - 1;
      const i = v instanceof ObjectSpecifier && v.form === "index" ? v.seld : v;
      if (typeof i !== "bigint" || i === 0n || Number(i) > n || Number(-i) > n) {
        return fail(ERRORS.invalidRange, `Can’t get ${model.describe(spec)}. Invalid range.`, spec);
      }
      return i > 0n ? Number(i) - 1 : n + Number(i);
    };
    if (n === 0) return many([]);
    let start = position(a), stop = position(b);
    if (start > stop) [start, stop] = [stop, start];
    return many(items.slice(start, stop + 1));
  }
  if (seld === "every") return from;
  if (typeof seld === "bigint") {
    const i = Number(seld);
    if (i === 0 || Math.abs(i) > n) {
      return fail(ERRORS.invalidIndex, `Can’t get ${model.describe(spec)}. Invalid index.`, spec);
    }
    return items[i > 0 ? i - 1 : n + i];
  }
  if (n === 0) return fail(ERRORS.noSuchObject, `Can’t get ${model.describe(spec)}.`, spec);
  if (seld === "first") return items[0];
  if (seld === "last") return items[n - 1];
  if (seld === "middle") return items[Math.floor((n + 1) / 2) - 1];
  return items[Math.floor(Math.random() * n)];
}

function root(model: Model, which: SpecifierRoot, env: ResolveEnv): ObjItem | ValueItem {
  if (which === "application") return model.root;
  const item = which === "container" ? env.container : env.examined;
  if (!item) {
    return fail(
      ERRORS.noSuchObject,
      which === "container"
        ? "Can’t get the current container here."
        : "Can’t get “it” outside a whose clause.",
    );
  }
  return item;
}

/** Applies `fn` to every leaf of a node, keeping the nesting. */
export function map(node: Node, fn: (item: ObjItem | ValueItem) => Node): Node {
  if (node.kind === "many") return { kind: "many", items: node.items.map((n) => map(n, fn)) };
  return fn(node);
}

/** The leaves of a node, flattened. */
export function leaves(node: Node): (ObjItem | ValueItem)[] {
  if (node.kind !== "many") return [node];
  return node.items.flatMap(leaves);
}

function step(
  model: Model,
  item: ObjItem | ValueItem,
  spec: ObjectSpecifier,
  remember = true,
): Node {
  if (spec.form === "property") return property(model, item, spec);
  if (spec.form === "relative") return relative(model, item, spec);
  if (item.kind === "value") {
    if (typeof item.value === "string" && TEXT_ELEMENTS.has(spec.want)) {
      return textStep(model, item as ValueItem & { value: string }, spec);
    }
    return fail(
      ERRORS.notAnElement,
      `Can’t get ${model.describe(spec)}: ${item.prop.name} is a property, not an element.`,
      spec,
    );
  }
  const sub = implicitSubcontainer(model, item, spec.want);
  if (sub) return map(sub, (x) => step(model, x, spec, remember));
  const found = fastLookup(model, item, spec);
  if (found) return found;
  const { elems, list } = collection(model, item, spec);
  // Items are made for what is chosen only: `tree 1` of 10,000 trees costs one.
  const n = list.length;
  const itemAt = (i: number, keep = remember) =>
    model.elementItem(item, list.elem(i), list.obj(i), keep);
  const candidates = () => Array.from({ length: n }, (_, i) => itemAt(i, false));
  const own = elems.length === 1 ? model.accessors(elems[0].cls).resolve : undefined;
  const indices = own?.(item.obj, elems[0].key, spec);
  if (indices) {
    // the app resolved it itself (indicesOfObjectsByEvaluatingObjectSpecifier:)
    for (const i of indices) {
      if (!Number.isInteger(i) || i < 0 || i >= n) {
        return fail(ERRORS.invalidIndex, `Can’t get ${model.describe(spec)}. Invalid index.`, spec);
      }
    }
    const plural = spec.seld === "every" || spec.form === "range" || spec.form === "test";
    if (plural) return many(indices.map((i) => itemAt(i)));
    if (indices.length === 0) {
      return fail(ERRORS.noSuchObject, `Can’t get ${model.describe(spec)}.`, spec);
    }
    return itemAt(indices[0]);
  }
  switch (spec.form) {
    case "index": {
      const seld = spec.seld;
      if (seld === "every") return many(Array.from({ length: n }, (_, i) => itemAt(i)));
      if (typeof seld === "bigint") {
        const i = Number(seld);
        if (i === 0 || Math.abs(i) > n) {
          return fail(
            ERRORS.invalidIndex,
            `Can’t get ${model.describe(spec)}. Invalid index.`,
            spec,
          );
        }
        return itemAt(i > 0 ? i - 1 : n + i);
      }
      if (n === 0) return fail(ERRORS.noSuchObject, `Can’t get ${model.describe(spec)}.`, spec);
      if (seld === "first") return itemAt(0);
      if (seld === "last") return itemAt(n - 1);
      if (seld === "middle") return itemAt(Math.floor((n + 1) / 2) - 1);
      return itemAt(Math.floor(Math.random() * n));
    }
    case "name": {
      const name = spec.seld as string;
      const fast = elems.length === 1 ? model.accessors(elems[0].cls).byName : undefined;
      if (!fast) {
        const folded = name.toLowerCase();
        const found = candidates().find((x) => {
          const p = model.prop(x.cls, PROPERTY.name);
          const v = p ? (x.obj as Record<string, unknown>)[p.key] : undefined;
          return typeof v === "string" && v.toLowerCase() === folded;
        });
        if (found) return model.remember(found);
      }
      return fail(ERRORS.noSuchObject, `Can’t get ${model.describe(spec)}.`, spec);
    }
    case "id": {
      const fast = elems.length === 1 ? model.accessors(elems[0].cls).byId : undefined;
      if (!fast) {
        const found = candidates().find((x) => {
          const p = model.prop(x.cls, PROPERTY.id);
          if (!p) return false;
          const v = (x.obj as Record<string, unknown>)[p.key];
          return sameValue(model.toWire(v, p.types), spec.seld);
        });
        if (found) return model.remember(found);
      }
      return fail(ERRORS.noSuchObject, `Can’t get ${model.describe(spec)}.`, spec);
    }
    case "range": {
      const [a, b] = spec.seld as Value[];
      const items = candidates();
      let start = bound(model, item, items, a, spec);
      let stop = bound(model, item, items, b, spec);
      if (start > stop) [start, stop] = [stop, start];
      return many(items.slice(start, stop + 1).map((x) => model.remember(x)));
    }
    case "test": {
      const t = spec.seld as TestDescriptor;
      // compiled where every candidate is of the element's class: no class-naming, or a class
      // nothing inherits from
      const fast = elems.length === 1 &&
          (!model.objectsNameClasses || !model.hasSubclasses(elems[0].cls))
        ? compileTest(model, t, elems[0].cls)
        : undefined;
      if (fast) {
        const hits: Node[] = [];
        for (let i = 0; i < n; i++) if (fast(list.obj(i))) hits.push(itemAt(i));
        return many(hits);
      }
      return many(candidates().filter((x) => test(model, t, x)).map((x) => model.remember(x)));
    }
  }
  return fail(ERRORS.noSuchObject, `Can’t get ${model.describe(spec)}.`, spec);
}

/**
 * Where an object keeps elements it does not have itself: `paragraph 1 of document 1` is
 * `paragraph 1 of text of document 1` (Cocoa's implicitly specified subcontainer). The class's
 * contents property first, else a property whose class has those elements.
 */
export function implicitSubcontainer(
  model: Model,
  item: ObjItem,
  want: string,
): Node | undefined {
  if (model.elems(item.cls).some((e) => e.cls.code === want)) return undefined;
  const wantCls = model.classByCode(want);
  if (wantCls && model.elems(item.cls).some((e) => model.isA(e.cls, wantCls))) return undefined;
  const holds = (p: PropInfo) => {
    const target = model.typeTarget(p.types);
    if (TEXT_ELEMENTS.has(want)) {
      return target?.kind === "class"
        ? target.class.code === "ctxt"
        : target?.kind === "primitive" &&
          target.primitive.kind === "text";
    }
    return target?.kind === "class" && model.elems(target.class).some((e) => e.cls.code === want);
  };
  const props = model.props(item.cls);
  const prop = props.find((p) => p.isContents && holds(p)) ??
    props.find((p) => p.code !== PROPERTY.properties && holds(p));
  if (!prop) return undefined;
  return property(model, item, new ObjectSpecifier("prop", "container", "property", prop.code));
}

/**
 * A name or id found by the class's own `byName`/`byId` accessor (`valueIn<Key>WithName:`),
 * before the collection is listed: what it answers is the object, whether or not the
 * collection lists it (System Events' `folder "/etc"` of the application). `undefined` when
 * there is no such accessor or the specifier is of another form; -1728 when it finds nothing.
 */
function fastLookup(model: Model, item: ObjItem, spec: ObjectSpecifier): ObjItem | undefined {
  if (spec.form !== "name" && spec.form !== "id") return undefined;
  const elems = elemsOf(model, item, spec).elems;
  if (elems.length !== 1) return undefined;
  const elem = elems[0];
  const accessors = model.accessors(elem.cls);
  const own = accessors.resolve;
  if (own?.(item.obj, elem.key, spec) !== undefined) return undefined; // the app's own first
  let obj: object | undefined;
  if (spec.form === "name") {
    if (!accessors.byName) return undefined;
    obj = accessors.byName(item.obj, elem.key, spec.seld as string);
  } else {
    if (!accessors.byId) return undefined;
    const wanted = typeof spec.seld === "bigint" ? Number(spec.seld) : spec.seld;
    obj = accessors.byId(item.obj, elem.key, wanted);
  }
  const wantCls = model.classByCode(spec.want);
  if (
    !obj || typeof obj !== "object" ||
    (wantCls && !model.isA(model.classOfObject(obj, elem.cls), wantCls))
  ) {
    return fail(ERRORS.noSuchObject, `Can’t get ${model.describe(spec)}.`, spec);
  }
  return model.elementItem(item, elem, obj);
}

/** Elements of a text value: paragraphs, words, characters, attribute runs. */
function textStep(
  model: Model,
  item: ValueItem & { value: string },
  spec: ObjectSpecifier,
): Node {
  const pieces = textPieces(item.value, spec.want);
  const n = pieces.length;
  const at = (i: number): ValueItem => ({
    kind: "value",
    value: pieces[i],
    owner: item.owner,
    prop: item.prop,
    part: true,
  });
  const invalid = (number: number, why = ""): never =>
    fail(number, `Can’t get ${model.describe(spec)}.${why}`, spec);
  const index = (seld: Value, number: number): number => {
    if (seld instanceof EnumConstant) return seld.code === "bgng" ? 0 : n - 1;
    if (seld instanceof ObjectSpecifier && seld.form === "index") seld = seld.seld;
    if (typeof seld !== "bigint") return invalid(number);
    const i = Number(seld);
    if (i === 0 || Math.abs(i) > n) {
      return invalid(
        number,
        number === ERRORS.invalidRange ? " Invalid range." : " Invalid index.",
      );
    }
    return i > 0 ? i - 1 : n + i;
  };
  switch (spec.form) {
    case "index": {
      const seld = spec.seld;
      if (seld === "every") return many(pieces.map((_, i) => at(i)));
      if (typeof seld === "bigint") return at(index(seld, ERRORS.invalidIndex));
      if (n === 0) return invalid(ERRORS.noSuchObject);
      if (seld === "first") return at(0);
      if (seld === "last") return at(n - 1);
      if (seld === "middle") return at(Math.floor((n + 1) / 2) - 1);
      return at(Math.floor(Math.random() * n));
    }
    case "range": {
      const [a, b] = spec.seld as Value[];
      if (n === 0) return invalid(ERRORS.invalidRange, " Invalid range.");
      let start = index(a, ERRORS.invalidRange), stop = index(b, ERRORS.invalidRange);
      if (start > stop) [start, stop] = [stop, start];
      return many(pieces.slice(start, stop + 1).map((_, i) => at(start + i)));
    }
    case "test": {
      const t = spec.seld as TestDescriptor;
      return many(pieces.map((_, i) => at(i)).filter((x) => test(model, t, x)));
    }
    default:
      return invalid(ERRORS.noSuchObject);
  }
}

function many(items: Node[]): Many {
  return { kind: "many", items };
}

/** The elements a specifier's class names in one object, in order, without copying them. */
interface Seq {
  /** How many. */
  length: number;
  /** The object at `i`. */
  obj(i: number): object;
  /** The collection the object at `i` is in. */
  elem(i: number): ElemInfo;
}

/** The elements of `item` that a specifier's class names, with the collections they are in. */
function collection(
  model: Model,
  item: ObjItem,
  spec: ObjectSpecifier,
): { elems: ElemInfo[]; list: Seq } {
  const { elems, filter } = elemsOf(model, item, spec);
  if (elems.length === 1 && !filter) {
    const elem = elems[0];
    const objs = model.elements(item, elem);
    return { elems, list: { length: objs.length, obj: (i) => objs[i], elem: () => elem } };
  }
  const objs: object[] = [];
  const of: ElemInfo[] = [];
  for (const elem of elems) {
    for (const obj of model.elements(item, elem)) {
      if (obj === null || typeof obj !== "object") continue;
      if (filter && !filter(obj, elem)) continue;
      objs.push(obj);
      of.push(elem);
    }
  }
  return { elems, list: { length: objs.length, obj: (i) => objs[i], elem: (i) => of[i] } };
}

/** The collections of `item` a specifier's class names, and a filter where a superclass's. */
function elemsOf(
  model: Model,
  item: ObjItem,
  spec: ObjectSpecifier,
): { elems: ElemInfo[]; filter?: (obj: object, elem: ElemInfo) => boolean } {
  const all = model.elems(item.cls);
  const want = spec.want;
  let elems = all.filter((e) => e.cls.code === want);
  let filter: ((obj: object, elem: ElemInfo) => boolean) | undefined;
  if (elems.length === 0) {
    const wantCls = model.classByCode(want);
    if (wantCls) {
      // `every item`, `every disk item`: the collections of its subclasses
      elems = all.filter((e) => model.isA(e.cls, wantCls));
      if (elems.length === 0) {
        // `every file` where the class has `disk items`: a superclass's collection, filtered
        elems = all.filter((e) => model.isA(wantCls, e.cls));
        filter = (obj, elem) => model.isA(model.classOfObject(obj, elem.cls), wantCls);
      }
    }
  }
  if (elems.length === 0) {
    return fail(ERRORS.noSuchObject, `Can’t get ${model.describe(spec)}.`, spec);
  }
  return { elems, filter };
}

function indexOfObj(list: Seq, obj: object): number {
  for (let i = 0; i < list.length; i++) if (list.obj(i) === obj) return i;
  return -1;
}

function property(model: Model, item: ObjItem | ValueItem, spec: ObjectSpecifier): Node {
  const code = spec.seld as string;
  if (item.kind === "value") {
    // a record's field: `name of (properties of note 1)` is not a Cocoa form; say so
    return fail(ERRORS.noSuchObject, `Can’t get ${model.describe(spec)}.`, spec);
  }
  if (code === PROPERTY.properties) {
    return {
      kind: "value",
      value: model.propertiesRecord(item),
      owner: item,
      prop: {
        name: "properties",
        code,
        key: "properties",
        types: [],
        access: "rw",
        inProperties: false,
      },
    };
  }
  const prop = model.prop(item.cls, code);
  if (!prop) {
    if (code === PROPERTY.class) {
      return {
        kind: "value",
        value: new TypeCode(item.cls.code),
        owner: item,
        prop: { name: "class", code, key: "class", types: [], access: "r", inProperties: true },
      };
    }
    return fail(ERRORS.noSuchObject, `Can’t get ${model.describe(spec)}.`, spec);
  }
  const value = model.read(item, prop);
  const type = prop.types[0];
  const target = type && !type.list ? model.dict.findType(type.name) : undefined;
  if (target?.kind === "class" && value !== null && typeof value === "object") {
    return model.propertyItem(item, prop, value, target.class);
  }
  return { kind: "value", value, owner: item, prop };
}

function relative(model: Model, item: ObjItem | ValueItem, spec: ObjectSpecifier): Node {
  if (item.kind !== "object" || item.via.kind !== "element") {
    return fail(ERRORS.noSuchObject, `Can’t get ${model.describe(spec)}.`, spec);
  }
  const parent = item.via.parent;
  const { list } = collection(
    model,
    parent,
    new ObjectSpecifier(spec.want, "container", "index", "every"),
  );
  const at = indexOfObj(list, item.obj);
  const to = at < 0 ? -1 : spec.seld === "before" ? at - 1 : at + 1;
  if (to < 0 || to >= list.length) {
    return fail(ERRORS.noSuchObject, `Can’t get ${model.describe(spec)}.`, spec);
  }
  return model.elementItem(parent, list.elem(to), list.obj(to));
}

/** A range bound's 0-based position among `items`. */
function bound(
  model: Model,
  container: ObjItem,
  items: ObjItem[],
  b: Value,
  spec: ObjectSpecifier,
): number {
  const n = items.length;
  const bad = (): never =>
    fail(ERRORS.invalidRange, `Can’t get ${model.describe(spec)}. Invalid range.`, spec);
  if (b instanceof EnumConstant) {
    if (n === 0) bad();
    return b.code === "bgng" ? 0 : n - 1;
  }
  if (typeof b === "bigint") {
    const i = Number(b);
    if (i === 0 || Math.abs(i) > n) bad();
    return i > 0 ? i - 1 : n + i;
  }
  if (typeof b === "string") {
    const folded = b.toLowerCase();
    const at = items.findIndex((x) => {
      const p = model.prop(x.cls, PROPERTY.name);
      const v = p ? (x.obj as Record<string, unknown>)[p.key] : undefined;
      return typeof v === "string" && v.toLowerCase() === folded;
    });
    return at < 0 ? bad() : at;
  }
  if (b instanceof ObjectSpecifier) {
    let node: Node;
    try {
      node = resolveSpecifier(model, b, { container });
    } catch (error) {
      if (error instanceof AppleEventError) return bad();
      throw error;
    }
    const at = node.kind === "object" ? items.findIndex((x) => x.obj === node.obj) : -1;
    return at < 0 ? bad() : at;
  }
  return bad();
}

/**
 * A test compiled to a predicate over the model's objects of one class, for the common tests
 * (`its <property>` compared with a literal, and and/or/not of those): no item per candidate,
 * the property read straight. `undefined` when the test needs the general path.
 */
function compileTest(
  model: Model,
  t: TestDescriptor,
  cls: ObjItem["cls"],
): ((obj: object) => boolean) | undefined {
  if (t instanceof LogicalTest) {
    const parts = t.operands.map((o) => compileTest(model, o, cls));
    if (parts.some((p) => p === undefined)) return undefined;
    const ps = parts as ((obj: object) => boolean)[];
    if (t.op === "not") return (obj) => !ps[0](obj);
    if (t.op === "and") return (obj) => ps.every((p) => p(obj));
    return (obj) => ps.some((p) => p(obj));
  }
  const side = (v: Value): ((obj: object) => Value) | undefined => {
    if (!(v instanceof ObjectSpecifier)) return () => v;
    if (v.from !== "examined" || v.form !== "property") return undefined;
    const prop = model.prop(cls, v.seld as string);
    if (!prop || prop.code === PROPERTY.properties || prop.code === PROPERTY.class) {
      return undefined;
    }
    const target = model.typeTarget(prop.types);
    if (target?.kind === "class") return undefined;
    const key = prop.key;
    const plainText = target?.kind === "primitive" && target.primitive.kind === "text";
    return (obj) => {
      const raw = (obj as Record<string, unknown>)[key];
      if (raw === undefined && !(key in obj)) throw new AppleEventError(ERRORS.noSuchObject, "");
      return plainText && typeof raw === "string" ? raw : model.toWire(raw, prop.types);
    };
  };
  const left = side(t.left), right = side(t.right);
  if (!left || !right) return undefined;
  const literal = typeof t.right === "string" ? t.right.toLowerCase() : undefined;
  if (literal !== undefined && t.left instanceof ObjectSpecifier && TEXT_TESTS.has(t.op)) {
    // `its body contains "x"`: the literal folded once, each candidate's text once
    return (obj) => {
      let a: Value;
      try {
        a = left(obj);
      } catch (error) {
        if (error instanceof AppleEventError) return false;
        throw error;
      }
      if (typeof a !== "string") return compare(t, a, t.right);
      const x = a.toLowerCase();
      return t.op === "contains"
        ? x.includes(literal)
        : t.op === "="
        ? x === literal
        : t.op === "begins with"
        ? x.startsWith(literal)
        : x.endsWith(literal);
    };
  }
  return (obj) => {
    let a: Value, b: Value;
    try {
      a = left(obj);
      b = right(obj);
    } catch (error) {
      if (error instanceof AppleEventError) return false;
      throw error;
    }
    return compare(t, a, b);
  };
}

/** Whether an object passes a test, with `it` the object. */
export function test(model: Model, t: TestDescriptor, it: ObjItem | ValueItem): boolean {
  if (t instanceof LogicalTest) {
    if (t.op === "not") return !test(model, t.operands[0], it);
    if (t.op === "and") return t.operands.every((o) => test(model, o, it));
    return t.operands.some((o) => test(model, o, it));
  }
  let left: Value | ModelObject, right: Value | ModelObject;
  try {
    left = operand(model, t.left, it);
    right = operand(model, t.right, it);
  } catch (error) {
    if (error instanceof AppleEventError) return false;
    throw error;
  }
  if (left instanceof ModelObject || right instanceof ModelObject) {
    // objects are the same object or not (`whose gardener is gardener "Ann"`)
    const same = left instanceof ModelObject && right instanceof ModelObject &&
      left.obj === right.obj;
    return t.op === "=" ? same : false;
  }
  return compare(t, left, right);
}

/** An operand that named an object of the model: compared by identity. */
class ModelObject {
  constructor(readonly obj: object) {}
}

function operand(model: Model, v: Value, it: ObjItem | ValueItem): Value | ModelObject {
  if (v instanceof TypeCode && v.code === "exmn") {
    // `it` itself: the object being examined (a word, in `every word whose it begins with "a"`)
    return it.kind === "object" ? new ModelObject(it.obj) : model.nodeToWire(it);
  }
  if (!(v instanceof ObjectSpecifier)) return v;
  if (v.from === "examined" && v.form === "property" && it.kind === "object") {
    // `its label`: read it straight, the common case of a whose test
    const prop = model.prop(it.cls, v.seld as string);
    if (prop && prop.code !== PROPERTY.properties && prop.code !== PROPERTY.class) {
      if (model.typeTarget(prop.types)?.kind !== "class") {
        return model.toWire(model.read(it, prop), prop.types, it);
      }
    }
  }
  const node = resolveSpecifier(model, v, { examined: it });
  return node.kind === "object" ? new ModelObject(node.obj) : model.nodeToWire(node);
}

type Comparable = string | number | boolean | null | Comparable[] | { [k: string]: Comparable };

/** A value in the form comparisons use: text folded, numbers numbers, dates their time. */
function norm(v: Value): Comparable {
  if (typeof v === "string") return v.toLowerCase();
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "number" || typeof v === "boolean" || v === null) return v;
  if (v instanceof Date) return v.getTime();
  if (v instanceof EnumConstant || v instanceof TypeCode) return `\u0000${v.code}`;
  if (Array.isArray(v)) return v.map(norm);
  if (isDictionary(v)) {
    const out: Record<string, Comparable> = {};
    for (const k of Object.keys(v).sort()) out[k] = norm(v[k]);
    return out;
  }
  return `\u0000${toJson(v)}`; // a specifier or other descriptor: by its exact form
}

function sameValue(a: Value, b: Value): boolean {
  return JSON.stringify(norm(a)) === JSON.stringify(norm(b));
}

function compare(t: Comparison, a: Value, b: Value): boolean {
  if (typeof a === "string" && typeof b === "string") {
    const x = a.toLowerCase(), y = b.toLowerCase();
    switch (t.op) {
      case "=":
        return x === y;
      case "contains":
        return x.includes(y);
      case "begins with":
        return x.startsWith(y);
      case "ends with":
        return x.endsWith(y);
    }
  }
  const x = norm(a), y = norm(b);
  switch (t.op) {
    case "=":
      return JSON.stringify(x) === JSON.stringify(y);
    case "<":
    case "<=":
    case ">":
    case ">=": {
      if (
        !((typeof x === "number" && typeof y === "number") ||
          (typeof x === "string" && typeof y === "string"))
      ) return false;
      if (t.op === "<") return x < y;
      if (t.op === "<=") return x <= y;
      if (t.op === ">") return x > y;
      return x >= y;
    }
    case "contains":
      if (typeof x === "string" && typeof y === "string") return x.includes(y);
      if (Array.isArray(x)) {
        return Array.isArray(y)
          ? containsRun(x, y)
          : x.some((e) => JSON.stringify(e) === JSON.stringify(y));
      }
      return false;
    case "begins with":
      if (typeof x === "string" && typeof y === "string") return x.startsWith(y);
      if (Array.isArray(x)) {
        const run = Array.isArray(y) ? y : [y];
        return JSON.stringify(x.slice(0, run.length)) === JSON.stringify(run);
      }
      return false;
    case "ends with":
      if (typeof x === "string" && typeof y === "string") return x.endsWith(y);
      if (Array.isArray(x)) {
        const run = Array.isArray(y) ? y : [y];
        return run.length <= x.length &&
          JSON.stringify(x.slice(x.length - run.length)) === JSON.stringify(run);
      }
      return false;
  }
}

function containsRun(x: Comparable[], y: Comparable[]): boolean {
  const run = JSON.stringify(y);
  for (let i = 0; i + y.length <= x.length; i++) {
    if (JSON.stringify(x.slice(i, i + y.length)) === run) return true;
  }
  return false;
}
