/**
 * The runtime's view of an app's model: the definition's classes with their properties and
 * elements keyed as the model names them, the items resolution produces, the references it
 * sends back, and values converted from the model to the wire by the definition's types.
 *
 * @module
 */

import { AppleEventError } from "../errors.ts";
import type { Dictionary, ResolvedClass, TypeTarget } from "../sdef/dictionary.ts";
import type { SdefAccess, SdefType } from "../sdef/model.ts";
import { camelCase } from "../sdp/naming.ts";
import {
  EnumConstant,
  INT64_MAX,
  INT64_MIN,
  isDictionary,
  ObjectSpecifier,
  type SpecifierRoot,
  TypeCode,
  type Value,
} from "../wire/value.ts";
import { ERRORS, PROPERTY } from "./protocol.ts";
import { TEXT_ELEMENTS } from "./_text.ts";
import type { ClassAccessors } from "./types.ts";

/** A property of a class as the runtime uses it. */
export interface PropInfo {
  /** The term. */
  name: string;
  /** The code. */
  code: string;
  /** The model's key (cocoa key or camelCased term). */
  key: string;
  /** The type's alternatives. */
  types: readonly SdefType[];
  /** The access. */
  access: SdefAccess;
  /** Whether it is in the `properties` record. */
  inProperties: boolean;
  /** Whether it is the class's `contents` (what `make … with data` sets). */
  isContents?: boolean;
}

/** An element collection of a class as the runtime uses it. */
export interface ElemInfo {
  /** The class of the elements. */
  cls: ResolvedClass;
  /** The model's key (cocoa key or the plural's camelCase). */
  key: string;
  /** The access. */
  access: SdefAccess;
}

/** An object of the model and how it was reached. */
export interface ObjItem {
  /** Always "object". */
  kind: "object";
  /** The model object. */
  obj: object;
  /** Its class. */
  cls: ResolvedClass;
  /** How it was reached: the root, an element of a parent, a property of an owner. */
  via:
    | { kind: "root" }
    | { kind: "element"; parent: ObjItem; elem: ElemInfo }
    | { kind: "property"; owner: ObjItem; prop: PropInfo };
}

/** A property's value. */
export interface ValueItem {
  /** Always "value". */
  kind: "value";
  /** The value as the model holds it. */
  value: unknown;
  /** The object it belongs to. */
  owner: ObjItem;
  /** The property. */
  prop: PropInfo;
  /** Whether it is a part of the property's text (a paragraph, a word…), not all of it. */
  part?: boolean;
}

/** Several results of a specifier over many objects (a list; nested for fan-out). */
export interface Many {
  /** Always "many". */
  kind: "many";
  /** The results. */
  items: Node[];
}

/** What resolving a specifier gives. */
export type Node = ObjItem | ValueItem | Many;

/** Properties the standard suite's headless terms default to, by code. */
const DEFAULT_APP_PROPERTIES = new Set(["pnam", "pisf", "vers"]);
/** Elements of the application that default to none (windows, documents of a headless app). */
const DEFAULT_APP_ELEMENTS = new Set(["cwin", "docu"]);

/** Throws an AppleEvent error. */
export function fail(number: number, message: string, offendingObject?: Value): never {
  throw new AppleEventError(
    number,
    message,
    offendingObject === undefined ? {} : { offendingObject },
  );
}

/** The model with the definition it answers to. */
export class Model {
  /** The definition. */
  readonly dict: Dictionary;
  /** The application object. */
  readonly root: ObjItem;
  /** The app's name. */
  readonly appName: string;
  /** The app's version. */
  readonly version: string;
  #accessors: Record<string, ClassAccessors>;
  #classOf: ((object: object) => string | undefined) | undefined;
  #props = new Map<ResolvedClass, PropInfo[]>();
  #elems = new Map<ResolvedClass, ElemInfo[]>();
  #byCode = new Map<string, ResolvedClass>();
  #seen = new WeakMap<object, ObjItem>();
  #propByCode = new Map<ResolvedClass, Map<string, PropInfo>>();
  #targets = new WeakMap<readonly SdefType[], TypeTarget | null>();
  #topLevel = new Map<ResolvedClass, ElemInfo | undefined>();
  #accessorsOf = new Map<ResolvedClass, ClassAccessors>();
  #ancestorsOf = new Map<ResolvedClass, readonly ResolvedClass[]>();
  #hasSubclasses = new Map<ResolvedClass, boolean>();
  #nextId = 1;

  constructor(
    dict: Dictionary,
    model: object,
    options: {
      name: string;
      version: string;
      classes: Record<string, ClassAccessors>;
      classOf?: (object: object) => string | undefined;
    },
  ) {
    this.dict = dict;
    const app = dict.application;
    if (!app) {
      throw new TypeError(
        "the definition has no application class (code capp): include the standard suite or define one",
      );
    }
    for (const c of dict.classes) if (!this.#byCode.has(c.code)) this.#byCode.set(c.code, c);
    this.root = { kind: "object", obj: model, cls: app, via: { kind: "root" } };
    this.appName = options.name;
    this.version = options.version;
    this.#accessors = options.classes;
    this.#classOf = options.classOf;
  }

  /** Whether objects may name their own class (the `classOf` option). */
  get objectsNameClasses(): boolean {
    return this.#classOf !== undefined;
  }

  /** The class with this code. */
  classByCode(code: string): ResolvedClass | undefined {
    return this.#byCode.get(code);
  }

  /** The class with this name, case-insensitively, or code. */
  classByName(name: string): ResolvedClass | undefined {
    return this.dict.findClass(name) ??
      this.dict.classes.find((c) => c.name.toLowerCase() === name.toLowerCase()) ??
      this.#byCode.get(name);
  }

  /** A class's accessors (its own, else the nearest ancestor's), found once per class. */
  accessors(cls: ResolvedClass): ClassAccessors {
    let found = this.#accessorsOf.get(cls);
    if (found) return found;
    found = {};
    for (const c of [cls, ...this.ancestors(cls)]) {
      const a = this.#accessors[c.name];
      if (a) {
        found = a;
        break;
      }
    }
    this.#accessorsOf.set(cls, found);
    return found;
  }

  /** A class's ancestors, nearest first, worked out once per class. */
  ancestors(cls: ResolvedClass): readonly ResolvedClass[] {
    let out = this.#ancestorsOf.get(cls);
    if (!out) {
      out = this.dict.ancestors(cls);
      this.#ancestorsOf.set(cls, out);
    }
    return out;
  }

  /** Whether any class of the definition inherits from `cls`. */
  hasSubclasses(cls: ResolvedClass): boolean {
    let has = this.#hasSubclasses.get(cls);
    if (has === undefined) {
      has = this.dict.classes.some((c) => c !== cls && this.ancestors(c).includes(cls));
      this.#hasSubclasses.set(cls, has);
    }
    return has;
  }

  /** Whether `cls` is `ancestor` or inherits from it. */
  isA(cls: ResolvedClass, ancestor: ResolvedClass): boolean {
    return cls === ancestor || ancestor.code === "cobj" || this.ancestors(cls).includes(ancestor);
  }

  /** The properties of a class, inherited ones included (nearest definition first). */
  props(cls: ResolvedClass): PropInfo[] {
    let out = this.#props.get(cls);
    if (out) return out;
    out = [];
    const seen = new Set<string>();
    for (const c of [cls, ...this.dict.ancestors(cls)]) {
      for (const p of c.properties) {
        if (seen.has(p.code)) continue;
        seen.add(p.code);
        out.push({
          name: p.name,
          code: p.code,
          key: p.cocoa?.key ?? camelCase(p.name),
          types: p.types,
          access: p.access,
          inProperties: p.inProperties,
          isContents: p.isContents,
        });
      }
    }
    this.#props.set(cls, out);
    return out;
  }

  /** The property of a class with this code. */
  prop(cls: ResolvedClass, code: string): PropInfo | undefined {
    let byCode = this.#propByCode.get(cls);
    if (!byCode) {
      byCode = new Map(this.props(cls).map((p) => [p.code, p]));
      this.#propByCode.set(cls, byCode);
    }
    return byCode.get(code);
  }

  /** What the first visible alternative of a type names, remembered per type list. */
  typeTarget(types: readonly SdefType[]): TypeTarget | undefined {
    let target = this.#targets.get(types);
    if (target === undefined) {
      const type = types.find((t) => !t.hidden) ?? types[0];
      target = (type && !type.list ? this.dict.findType(type.name) : undefined) ?? null;
      this.#targets.set(types, target);
    }
    return target ?? undefined;
  }

  /** The element collections of a class, inherited ones included. */
  elems(cls: ResolvedClass): ElemInfo[] {
    let out = this.#elems.get(cls);
    if (out) return out;
    out = [];
    const seen = new Set<string>();
    for (const c of [cls, ...this.dict.ancestors(cls)]) {
      for (const e of c.elements) {
        const ec = this.dict.findClass(e.type) ?? this.classByName(e.type);
        if (!ec || seen.has(ec.code)) continue;
        seen.add(ec.code);
        out.push({ cls: ec, key: e.cocoa?.key ?? camelCase(ec.plural), access: e.access });
      }
    }
    this.#elems.set(cls, out);
    return out;
  }

  /** The actual class of a model object found where `declared` was expected. */
  classOfObject(obj: object, declared: ResolvedClass): ResolvedClass {
    const named = this.#classOf?.(obj);
    if (named) {
      const cls = this.classByName(named);
      if (cls) return cls;
    }
    return declared;
  }

  /** Reads a property of an object (runtime defaults for the standard terms). */
  read(item: ObjItem, prop: PropInfo): unknown {
    const obj = item.obj as Record<string, unknown>;
    if (prop.key in obj) return obj[prop.key];
    if (item.via.kind === "root" && DEFAULT_APP_PROPERTIES.has(prop.code)) {
      if (prop.code === "pnam") return this.appName;
      if (prop.code === "pisf") return false;
      return this.version;
    }
    if (prop.code === PROPERTY.class) return new TypeCode(item.cls.code);
    return fail(
      ERRORS.noSuchObject,
      `Can’t get ${prop.name} of ${this.describeItem(item)}: the model has no "${prop.key}".`,
    );
  }

  /** The elements array of an object (a copy is never made: it is the model's). */
  elements(item: ObjItem, elem: ElemInfo): object[] {
    const obj = item.obj as Record<string, unknown>;
    const list = obj[elem.key];
    if (Array.isArray(list)) return list as object[];
    if (list === undefined && item.via.kind === "root" && DEFAULT_APP_ELEMENTS.has(elem.cls.code)) {
      return [];
    }
    return fail(
      ERRORS.noSuchObject,
      `Can’t get every ${elem.cls.name} of ${
        this.describeItem(item)
      }: the model has no array "${elem.key}".`,
    );
  }

  /**
   * An element item, remembered (unless `remember` is false: a whose test's candidates) so that
   * a handler's result can name it later.
   */
  elementItem(parent: ObjItem, elem: ElemInfo, obj: object, remember = true): ObjItem {
    const item: ObjItem = {
      kind: "object",
      obj,
      cls: this.classOfObject(obj, elem.cls),
      via: { kind: "element", parent, elem },
    };
    if (remember) this.#seen.set(obj, item);
    return item;
  }

  /** Remembers where an item is, so that a handler's result can name it later. */
  remember<T extends ObjItem>(item: T): T {
    this.#seen.set(item.obj, item);
    return item;
  }

  /** An item for a model object reached by a property. */
  propertyItem(owner: ObjItem, prop: PropInfo, obj: object, cls: ResolvedClass): ObjItem {
    const known = this.#seen.get(obj);
    if (known) return known;
    const item: ObjItem = {
      kind: "object",
      obj,
      cls: this.classOfObject(obj, cls),
      via: { kind: "property", owner, prop },
    };
    return item;
  }

  /**
   * The application's element collection of a class with an `id` (or of a superclass), where
   * the application finds objects of the class by id itself; `undefined` if it has none.
   */
  topLevel(cls: ResolvedClass): ElemInfo | undefined {
    if (this.#topLevel.has(cls)) return this.#topLevel.get(cls);
    const found = this.prop(cls, PROPERTY.id)
      ? this.elems(this.root.cls).find((e) => e.cls === cls) ??
        this.elems(this.root.cls).find((e) => this.isA(cls, e.cls))
      : undefined;
    this.#topLevel.set(cls, found);
    return found;
  }

  /**
   * The item of a model object found where an object of `declared` was expected: as last
   * seen; else, where its class has an `id` the application finds it by, named from the
   * application; else found by a walk from the application.
   */
  itemOf(obj: object, declared?: ResolvedClass): ObjItem | undefined {
    if (obj === this.root.obj) return this.root;
    const known = this.#seen.get(obj);
    if (known && this.#stillThere(known)) return known;
    const named = this.#classOf?.(obj);
    const cls = (named ? this.classByName(named) : undefined) ?? declared;
    const elem = cls ? this.topLevel(cls) : undefined;
    if (cls && elem) {
      const idProp = this.prop(cls, PROPERTY.id)!;
      const id = (obj as Record<string, unknown>)[idProp.key];
      if (id !== undefined && id !== null) {
        return { kind: "object", obj, cls, via: { kind: "element", parent: this.root, elem } };
      }
    }
    return this.find(obj);
  }

  /**
   * The item of a model object: as last seen, else found by a walk from the application
   * through its collections and the arrays below them.
   */
  find(obj: object): ObjItem | undefined {
    if (obj === this.root.obj) return this.root;
    const known = this.#seen.get(obj);
    if (known && this.#stillThere(known)) return known;
    const queue: ObjItem[] = [this.root];
    const visited = new Set<object>([this.root.obj]);
    while (queue.length > 0) {
      const item = queue.shift()!;
      for (const elem of this.elems(item.cls)) {
        // a getter below the application may list a lot (every file of a folder): not walked
        if (item !== this.root && isLazy(item.obj, elem.key)) continue;
        const list = (item.obj as Record<string, unknown>)[elem.key];
        if (!Array.isArray(list)) continue;
        for (const child of list) {
          if (child === null || typeof child !== "object" || visited.has(child)) continue;
          visited.add(child);
          const childItem = this.elementItem(item, elem, child);
          if (child === obj) return childItem;
          queue.push(childItem);
        }
      }
    }
    return undefined;
  }

  #stillThere(item: ObjItem): boolean {
    if (item.via.kind !== "element") return true;
    const list = (item.via.parent.obj as Record<string, unknown>)[item.via.elem.key];
    return Array.isArray(list) && list.includes(item.obj) && this.#stillThere(item.via.parent);
  }

  /**
   * A fresh id for a new object going into `list`: text ids are UUIDs; numbers count up from
   * above every id in the list and every id this app gave before, so that a deleted object's
   * reference never names a new one.
   */
  freshId(idProp: PropInfo, list: readonly object[]): string | number {
    const numeric = idProp.types.some((t) => {
      const target = this.dict.findType(t.name);
      return target?.kind === "primitive" && target.primitive.kind === "number";
    });
    if (!numeric) return crypto.randomUUID().toUpperCase();
    for (const o of list) {
      const v = (o as Record<string, unknown>)[idProp.key];
      if (typeof v === "number" && v >= this.#nextId) this.#nextId = Math.floor(v) + 1;
    }
    return this.#nextId++;
  }

  /**
   * A stable reference to an object: by `id` where its class has one, else by name, else by
   * index, from its container's reference.
   */
  refOf(item: ObjItem): ObjectSpecifier | SpecifierRoot {
    if (item.via.kind === "root") return "application";
    if (item.via.kind === "property") {
      return new ObjectSpecifier(
        "prop",
        this.refOf(item.via.owner),
        "property",
        item.via.prop.code,
      );
    }
    const { parent, elem } = item.via;
    const idProp = this.prop(item.cls, PROPERTY.id);
    const obj = item.obj as Record<string, unknown>;
    if (idProp && obj[idProp.key] !== undefined && obj[idProp.key] !== null) {
      // An object the application finds by id itself (`note id "…"`, as Apple's Notes answers)
      // is named from the application, so its reference holds wherever it moves.
      return new ObjectSpecifier(
        item.cls.code,
        this.topLevel(item.cls) ? "application" : this.refOf(parent),
        "id",
        this.toWire(obj[idProp.key], idProp.types),
      );
    }
    const from = this.refOf(parent);
    const nameProp = this.prop(item.cls, PROPERTY.name);
    if (nameProp && typeof obj[nameProp.key] === "string") {
      return new ObjectSpecifier(item.cls.code, from, "name", obj[nameProp.key] as string);
    }
    const list = this.elements(parent, elem).filter((o) =>
      this.isA(this.classOfObject(o, elem.cls), item.cls)
    );
    const index = list.indexOf(item.obj);
    return new ObjectSpecifier(item.cls.code, from, "index", BigInt(index + 1));
  }

  /**
   * A resolved node as a wire value: objects as references, values by their types. With
   * `textAsValue` (what `get` answers), an object of the text suite's classes (text,
   * paragraph, word, character, attribute run) is its text, as Cocoa answers
   * `get text of document 1` with the string.
   */
  nodeToWire(node: Node, options: { textAsValue?: boolean } = {}): Value {
    if (node.kind === "many") return node.items.map((n) => this.nodeToWire(n, options));
    if (node.kind === "object") {
      if (options.textAsValue) {
        const text = this.textValue(node.obj, node.cls);
        if (text !== undefined) return text;
      }
      const ref = this.refOf(node);
      return typeof ref === "string" ? new TypeCode("capp") : ref;
    }
    return this.toWire(node.value, node.prop.types, node.owner);
  }

  /**
   * The text an object of one of the text suite's classes stands for (its contents, else its
   * string form); `undefined` for an object of any other class.
   */
  textValue(obj: object, cls: ResolvedClass): string | undefined {
    const isText = [cls, ...this.ancestors(cls)].some((c) =>
      c.code === "ctxt" || TEXT_ELEMENTS.has(c.code)
    );
    if (!isText) return undefined;
    const contents = this.props(cls).find((p) => p.isContents);
    const value = contents ? (obj as Record<string, unknown>)[contents.key] : undefined;
    return typeof value === "string" ? value : String(obj);
  }

  /** The `properties` record of an object: every property in it, keyed by code. */
  propertiesRecord(item: ObjItem): Value {
    const out: Record<string, Value> = {};
    for (const p of this.props(item.cls)) {
      if (!p.inProperties || p.code === PROPERTY.properties) continue;
      if (p.code === PROPERTY.class) {
        out[p.code] = new TypeCode(item.cls.code);
        continue;
      }
      try {
        out[p.code] = this.toWire(this.read(item, p), p.types, item);
      } catch {
        // a property the model does not have is left out of the record
      }
    }
    if (!(PROPERTY.class in out)) out[PROPERTY.class] = new TypeCode(item.cls.code);
    return out;
  }

  /**
   * Converts a model value to a wire value by the definition's type: text a string, integers
   * int64, reals doubles, enumerators constants, records by code, objects references.
   */
  toWire(value: unknown, types: readonly SdefType[] | undefined, owner?: ObjItem): Value {
    if (value === undefined || value === null) return null;
    const type = types?.find((t) => !t.hidden) ?? types?.[0];
    if (Array.isArray(value)) {
      const one = type ? [{ ...type, list: false }] : undefined;
      return value.map((v) => this.toWire(v, one, owner));
    }
    if (!type) return this.generic(value);
    const target = types && !type.list ? this.typeTarget(types) : this.dict.findType(type.name);
    if (!target) return this.generic(value);
    switch (target.kind) {
      case "primitive":
        switch (target.primitive.kind) {
          case "text":
            return typeof value === "string" ? value : this.generic(value);
          case "number":
            if (typeof value !== "number" && typeof value !== "bigint") return this.generic(value);
            if (target.primitive.name === "integer") {
              // a 64-bit value the model keeps as a bigint stays exact; above int64, a real
              if (typeof value === "bigint") {
                return value >= INT64_MIN && value <= INT64_MAX ? value : Number(value);
              }
              return BigInt(Math.round(Number(value)));
            }
            if (target.primitive.name === "real") return Number(value);
            return this.generic(value);
          case "boolean":
            return typeof value === "boolean" ? value : this.generic(value);
          case "type":
            if (typeof value === "string") {
              const cls = this.classByName(value);
              return new TypeCode(cls ? cls.code : value.padEnd(4).slice(0, 4));
            }
            return this.generic(value);
          case "record":
            return isDictionary(value) ? this.recordToWire(value, undefined) : this.generic(value);
          default:
            return this.generic(value);
        }
      case "class": {
        if (value === null || typeof value !== "object" || Array.isArray(value)) {
          return this.generic(value);
        }
        // an object of the model, wherever it is: a reference, never its text; a text
        // suite object (a document's text) is its text
        const text = this.textValue(value, this.classOfObject(value, target.class));
        if (text !== undefined) return text;
        const item = this.itemOf(value, target.class);
        return item ? this.nodeToWire(item) : this.generic(value);
      }
      case "enumeration": {
        if (typeof value !== "string") return this.generic(value);
        const folded = value.toLowerCase();
        const e = target.enumeration.enumerators.find((x) =>
          x.name.toLowerCase() === folded || x.code === value
        );
        return e ? new EnumConstant(e.code) : value;
      }
      case "record":
        return isDictionary(value)
          ? this.recordToWire(value, target.record.properties)
          : this.generic(value);
      case "value":
        return this.generic(value);
    }
  }

  /** A record's fields by code, through its properties where known, else any term's code. */
  recordToWire(
    record: Record<string, unknown>,
    props: readonly { name: string; code: string; types: readonly SdefType[] }[] | undefined,
  ): Value {
    const out: Record<string, Value> = {};
    for (const [key, v] of Object.entries(record)) {
      if (v === undefined) continue;
      const p = props?.find((x) => camelCase(x.name) === key || x.code === key);
      if (p) {
        out[p.code] = this.toWire(v, p.types);
        continue;
      }
      const code = this.#propertyCodeOfKey(key);
      out[code ?? key] = this.generic(v);
    }
    return out;
  }

  #propertyCodeOfKey(key: string): string | undefined {
    for (const c of this.dict.classes) {
      for (const p of c.properties) if (camelCase(p.name) === key) return p.code;
    }
    for (const r of this.dict.recordTypes) {
      for (const p of r.properties) if (camelCase(p.name) === key) return p.code;
    }
    return undefined;
  }

  /** A model value of no declared type: integers as int64, objects of the model as references. */
  generic(value: unknown): Value {
    switch (typeof value) {
      case "undefined":
        return null;
      case "number":
        return Number.isInteger(value) && Math.abs(value) <= Number.MAX_SAFE_INTEGER
          ? BigInt(value)
          : value;
      case "bigint":
      case "string":
      case "boolean":
        return value;
      case "object": {
        if (value === null) return null;
        if (
          value instanceof Date || value instanceof Uint8Array || value instanceof TypeCode ||
          value instanceof EnumConstant || value instanceof ObjectSpecifier
        ) return value;
        if (Array.isArray(value)) return value.map((v) => this.generic(v));
        const item = this.itemOf(value);
        if (item) return this.nodeToWire(item);
        if (isDictionary(value)) return this.recordToWire(value, undefined);
        return String(value);
      }
    }
    return String(value);
  }

  /** An item in AppleScript's words, for messages: `note "x" of folder 1`. */
  describeItem(item: ObjItem): string {
    const ref = this.refOf(item);
    return typeof ref === "string" ? `application "${this.appName}"` : this.describe(ref);
  }

  /** A specifier in AppleScript's words: `name of note 3 of folder "Notes"`. */
  describe(spec: Value): string {
    if (!(spec instanceof ObjectSpecifier)) return describeLiteral(spec);
    const cls = this.#byCode.get(spec.want);
    const name = cls?.name ?? `«class ${spec.want}»`;
    const plural = cls?.plural ?? `${name}s`;
    let own: string;
    switch (spec.form) {
      case "property": {
        const code = spec.seld as string;
        own = this.#propertyName(code) ?? `«property ${code}»`;
        break;
      }
      case "index":
        own = typeof spec.seld === "bigint"
          ? `${name} ${spec.seld}`
          : spec.seld === "every"
          ? `every ${name}`
          : `${spec.seld} ${name}`;
        break;
      case "name":
        own = `${name} ${JSON.stringify(spec.seld)}`;
        break;
      case "id":
        own = `${name} id ${describeLiteral(spec.seld)}`;
        break;
      case "range": {
        const [a, b] = spec.seld as Value[];
        own = `${plural} ${this.#bound(a)} thru ${this.#bound(b)}`;
        break;
      }
      case "test":
        own = `every ${name} whose …`;
        break;
      case "relative":
        own = `${name} ${spec.seld}`;
        return `${own} ${spec.from instanceof ObjectSpecifier ? this.describe(spec.from) : "it"}`;
    }
    if (spec.from instanceof ObjectSpecifier) return `${own} of ${this.describe(spec.from)}`;
    return own;
  }

  #bound(b: Value): string {
    if (b instanceof ObjectSpecifier) return this.describe(b);
    if (b instanceof EnumConstant) return b.code === "bgng" ? "beginning" : "end";
    return typeof b === "string" ? JSON.stringify(b) : String(b);
  }

  #propertyName(code: string): string | undefined {
    if (code === PROPERTY.properties) return "properties";
    if (code === PROPERTY.class) return "class";
    for (const c of this.dict.classes) {
      for (const p of c.properties) if (p.code === code) return p.name;
    }
    return undefined;
  }
}

/**
 * Whether an object gives a key through a getter (its own or its class's): a collection that
 * may be lazy or huge (every file of a folder, every process).
 */
export function isLazy(obj: object, key: string): boolean {
  for (let o: object | null = obj; o !== null; o = Object.getPrototypeOf(o)) {
    const d = Object.getOwnPropertyDescriptor(o, key);
    if (d) return d.get !== undefined;
  }
  return false;
}

/** A literal in AppleScript's words, for messages. */
export function describeLiteral(value: unknown): string {
  if (value === null || value === undefined) return "missing value";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "bigint" || typeof value === "number" || typeof value === "boolean") {
    return String(value);
  }
  if (value instanceof Date) return `date "${value.toISOString()}"`;
  if (value instanceof TypeCode) return `«class ${value.code}»`;
  if (value instanceof EnumConstant) return `«constant ${value.code}»`;
  if (Array.isArray(value)) return `{${value.map(describeLiteral).join(", ")}}`;
  if (isDictionary(value)) {
    return `{${Object.entries(value).map(([k, v]) => `${k}:${describeLiteral(v)}`).join(", ")}}`;
  }
  return String(value);
}
