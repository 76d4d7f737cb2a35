/**
 * The public types of a scriptable app: what {@linkcode serveScriptableApp} takes (the model,
 * the handlers, the per-class accessors) and what it returns.
 *
 * @module
 */

import type { Dictionary as SdefResolvedDictionary } from "../sdef/dictionary.ts";
import type { RuntimeDirOptions } from "../transport/runtime_dir.ts";
import type { ObjectSpecifier } from "../wire/value.ts";
import type { ScriptingEvent } from "./protocol.ts";

/** What a handler of one of the definition's commands gets. */
export interface HandlerCall {
  /**
   * The direct parameter: for an object-first command (one a class `responds-to`), the one
   * receiver it is called for; otherwise the direct parameter with references resolved to
   * their model objects (an array of them for several), other values coerced to the
   * definition's type.
   */
  direct: unknown;
  /** The other parameters by camelCased name (`onlyRipe`), coerced to their types. */
  args: Record<string, unknown>;
  /** Every model object the direct parameter named (empty when it named none). */
  receivers: unknown[];
  /** The command's name in the definition (`harvest`). */
  command: string;
  /** The event as it arrived. */
  event: ScriptingEvent;
}

/**
 * A handler of a command: returns the result (plain JavaScript, coerced to the command's
 * result type; model objects come back as references), possibly async within the event's
 * timeout. An exception becomes error -10000 with its message, unless it is an
 * `AppleEventError`, which is answered as it is.
 */
export type CommandHandler = (call: HandlerCall) => unknown;

/**
 * Per-class accessors, the roles of Cocoa's key-value coding methods. Each is optional; the
 * runtime does the plain thing with arrays and fields where one is not given.
 */
export interface ClassAccessors {
  /**
   * Makes a new object of the class for `make` (`newScriptingObjectOfClass:`); `properties`
   * are already coerced and keyed by camelCased name. @default {a plain object with the
   * properties, an empty array per element, and a fresh `id` when the class has one}
   */
  create?: (properties: Record<string, unknown>) => object;
  /** Copies an object for `duplicate`. @default {a copy of its own fields, arrays copied deep} */
  copy?: (object: object) => object;
  /**
   * Inserts `object` into `container`'s elements `key` at `index` (0-based)
   * (`insertIn<Key>:atIndex:`), and returns the element as stored where that is something
   * else than `object` (text that becomes a range of its container's text, a new disk item
   * that becomes the file made): `make`, `duplicate` and `move` answer with it.
   * @default {splices the array}
   */
  insert?: (container: object, key: string, object: object, index: number) => object | void;
  /** Removes `object` from `container`'s elements `key`. @default {splices the array} */
  remove?: (container: object, key: string, object: object) => void;
  /** Finds an element by name fast (`valueIn<Key>WithName:`). @default {a scan} */
  byName?: (container: object, key: string, name: string) => object | undefined;
  /** Finds an element by unique id fast (`valueIn<Key>WithUniqueID:`). @default {a scan} */
  byId?: (container: object, key: string, id: unknown) => object | undefined;
  /**
   * Resolves a specifier of the class's elements itself (`indicesOfObjectsByEvaluatingObject
   * Specifier:`): the 0-based indices in `container`'s elements `key` it names, or `undefined`
   * to leave it to the runtime (which then does it as for any app). `spec` is the wire
   * specifier (its `form` and `seld`). @default {the runtime resolves every specifier}
   */
  resolve?: (container: object, key: string, spec: ObjectSpecifier) => number[] | undefined;
}

/** What {@linkcode ScriptableAppOptions.onChange} is told. */
export interface ModelChange {
  /** The standard command that changed the model. */
  command: "set" | "make" | "delete" | "duplicate" | "move";
  /** The event. */
  event: ScriptingEvent;
}

/** Options of {@linkcode serveScriptableApp}. */
export interface ScriptableAppOptions extends RuntimeDirOptions {
  /** The bundle id, also the port's name (`com.example.Orchard`). */
  bundleId: string;
  /** The display name (`Orchard`). */
  name: string;
  /** The scripting definition: a path, a `file:` URL, or the XML text itself. */
  definition: string | URL;
  /**
   * The application object: properties and elements are fields or getters named by the
   * `<cocoa key>` or else the camelCased term (elements: the plural's camelCase, an array).
   */
  model: object;
  /** Handlers of the definition's commands, by camelCased term or 8-character code. @default {{}} */
  handlers?: Record<string, CommandHandler>;
  /** Accessors per class, by class name (`tree`). @default {{}} */
  classes?: Record<string, ClassAccessors>;
  /**
   * The class of a model object, by name, where the element's declared class is a superclass
   * (a `disk item` that is a `folder`). @default {the element's declared class}
   */
  classOf?: (object: object) => string | undefined;
  /**
   * Told after a generic command changed the model (`set`, `make`, `delete`, `duplicate`,
   * `move`), before the reply goes out: where an app saves its model or stamps modification
   * dates. An exception is the event's error (-10000). @default {undefined}
   */
  onChange?: (change: ModelChange) => void | Promise<void>;
  /** The app's version, the standard suite's `version`. @default {"1.0"} */
  version?: string;
  /** How many events are handled at once. @default {16} */
  concurrency?: number;
}

/** A running scriptable app, as {@linkcode serveScriptableApp} returns it. */
export interface ScriptableApp {
  /** The bundle id. */
  readonly bundleId: string;
  /** The display name. */
  readonly name: string;
  /** The resolved definition. */
  readonly dictionary: SdefResolvedDictionary;
  /** Posts one of the definition's `<event>`s as a distributed notification. */
  postEvent(name: string, params?: Record<string, unknown>): Promise<void>;
  /** Stops serving: the port closes and the app leaves `ipckit apps`. */
  close(): Promise<void>;
  /** Stops serving at the end of an `await using` scope ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void>;
}
