/**
 * The model of a scripting definition, as read from sdef XML: every element and attribute of the
 * format. {@linkcode parseSdef} produces a {@linkcode SdefDictionary} whose suites hold what each
 * suite defines, in file order; {@linkcode resolveDictionary} merges and resolves it.
 *
 * @module
 */

import type { SourcePosition } from "./errors.ts";

/** `r`, `w` or `rw`: what scripts may do with a property, element or parameter. */
export type SdefAccess = "r" | "w" | "rw";

/** A `cocoa` element: its attributes (`class`, `key`, `method`, `name`, `*-value`, …). */
export type SdefCocoa = Readonly<Record<string, string>>;

/** A type reference: `type="text"`, `type="list of file"`, or a `<type type="…" list="yes"/>`. */
export interface SdefType {
  /** The type's name, id or code, as written (`text`, `text.ctxt`, `savo`). */
  readonly name: string;
  /** Whether it is a list of that type. */
  readonly list: boolean;
  /** Whether the alternative is hidden. */
  readonly hidden: boolean;
}

/** A `synonym`: another name or code for the same term. */
export interface SdefSynonym {
  /** The other name, when there is one. */
  readonly name?: string;
  /** The other code, when there is one. */
  readonly code?: string;
  /** Whether it is hidden. */
  readonly hidden: boolean;
}

/** An `access-group`: a sandbox entitlement group. */
export interface SdefAccessGroup {
  /** The group's identifier (`com.apple.Mail.compose`, or `*`). */
  readonly identifier: string;
  /** The access it grants. */
  readonly access: SdefAccess;
}

/** An `xref`: a cross-reference shown in a dictionary viewer. */
export interface SdefXref {
  /** The referenced term's name. */
  readonly target: string;
  /** Whether it is hidden. */
  readonly hidden: boolean;
}

/** What most definition elements carry besides their name and code. */
export interface SdefCommon {
  /** The `description` attribute. */
  readonly description?: string;
  /** Whether the term is hidden (`hidden="yes"`). */
  readonly hidden: boolean;
  /** The `cocoa` element's attributes, if any. */
  readonly cocoa?: SdefCocoa;
  /** `synonym` children. */
  readonly synonyms: readonly SdefSynonym[];
  /** `access-group` children. */
  readonly accessGroups: readonly SdefAccessGroup[];
  /** The text of `documentation` children (their HTML as text). */
  readonly documentation: readonly string[];
  /** `xref` children. */
  readonly xrefs: readonly SdefXref[];
  /** Where the element starts. */
  readonly position: SourcePosition;
}

/** A `property` of a class, class-extension or record-type; also a class's `contents`. */
export interface SdefProperty extends SdefCommon {
  /** The term, such as `current tab`. */
  readonly name: string;
  /** The four-character code. */
  readonly code: string;
  /** The type's alternatives (usually one). */
  readonly types: readonly SdefType[];
  /** What scripts may do with it. @default {"rw"} */
  readonly access: SdefAccess;
  /** Whether it is part of the object's `properties` record (`in-properties`). */
  readonly inProperties: boolean;
  /** Whether it came from a `contents` element. */
  readonly isContents: boolean;
}

/** An `element` of a class: a collection of objects of another class. */
export interface SdefElement extends SdefCommon {
  /** The class of the elements. */
  readonly type: string;
  /** What scripts may do with the collection. @default {"rw"} */
  readonly access: SdefAccess;
  /** The `accessor` styles it supports (`index`, `name`, `id`, `range`, `relative`, `test`). */
  readonly accessors: readonly string[];
}

/** A `responds-to`: a command a class handles. */
export interface SdefRespondsTo extends SdefCommon {
  /** The command's name. */
  readonly command: string;
}

/** A `class` or a `class-extension`. */
export interface SdefClass extends SdefCommon {
  /** The name (for an extension: the extended class's name or id). */
  readonly name: string;
  /** The `id` attribute, which types may refer to (`text.ctxt`). */
  readonly id?: string;
  /** The four-character code (an extension has none of its own: `""`). */
  readonly code: string;
  /** The plural (`windows`); when absent, the name plus `s`. */
  readonly plural?: string;
  /** The class it inherits from. */
  readonly inherits?: string;
  /** Whether this is a `class-extension`. */
  readonly extension: boolean;
  /** Properties, the `contents` element included, in file order. */
  readonly properties: readonly SdefProperty[];
  /** Element collections. */
  readonly elements: readonly SdefElement[];
  /** Commands it handles. */
  readonly respondsTo: readonly SdefRespondsTo[];
  /** The type of its instances when given, for value-like classes. */
  readonly types: readonly SdefType[];
}

/** A `parameter` of a command or event. */
export interface SdefParameter extends SdefCommon {
  /** The label, such as `saving in`. */
  readonly name: string;
  /** The four-character code. */
  readonly code: string;
  /** The type's alternatives. */
  readonly types: readonly SdefType[];
  /** Whether it may be left out. */
  readonly optional: boolean;
  /** The access the command needs on it (`requires-access`). */
  readonly requiresAccess?: SdefAccess;
}

/** A `direct-parameter`. */
export interface SdefDirectParameter extends SdefCommon {
  /** The type's alternatives. */
  readonly types: readonly SdefType[];
  /** Whether it may be left out. */
  readonly optional: boolean;
  /** The access the command needs on it (`requires-access`). */
  readonly requiresAccess?: SdefAccess;
}

/** A command's or event's `result`. */
export interface SdefResult extends SdefCommon {
  /** The type's alternatives. */
  readonly types: readonly SdefType[];
}

/** A `command` (sent to the app) or an `event` (sent by the app to a script's handler). */
export interface SdefCommand extends SdefCommon {
  /** `command` or `event`. */
  readonly kind: "command" | "event";
  /** The term, such as `path to`. */
  readonly name: string;
  /** The eight-character code: event class and event id. */
  readonly code: string;
  /** The direct parameter, if any. */
  readonly directParameter?: SdefDirectParameter;
  /** Labelled parameters, in file order. */
  readonly parameters: readonly SdefParameter[];
  /** The result, if any. */
  readonly result?: SdefResult;
}

/** An `enumerator`. */
export interface SdefEnumerator extends SdefCommon {
  /** The term. */
  readonly name: string;
  /** The four-character code. */
  readonly code: string;
}

/** An `enumeration`, defined in a suite or inline in a property or parameter. */
export interface SdefEnumeration extends SdefCommon {
  /** The name. */
  readonly name: string;
  /** The four-character code. */
  readonly code: string;
  /** How many enumerators a dictionary viewer shows inline (`inline`), if set. */
  readonly inline?: number;
  /** The enumerators, in file order. */
  readonly enumerators: readonly SdefEnumerator[];
}

/** A `record-type`: a record with named, coded fields. */
export interface SdefRecordType extends SdefCommon {
  /** The name. */
  readonly name: string;
  /** The four-character code. */
  readonly code: string;
  /** Its fields. */
  readonly properties: readonly SdefProperty[];
}

/** A `value-type`: an opaque value with a type code (`bounding rectangle`, `picture`). */
export interface SdefValueType extends SdefCommon {
  /** The name. */
  readonly name: string;
  /** The four-character code. */
  readonly code: string;
}

/** A `suite`: what it defines, in file order. */
export interface SdefSuite extends SdefCommon {
  /** The name. */
  readonly name: string;
  /** The four-character code. */
  readonly code: string;
  /** Classes and class-extensions. */
  readonly classes: readonly SdefClass[];
  /** Commands and events. */
  readonly commands: readonly SdefCommand[];
  /** Enumerations (inline ones included, where they appeared). */
  readonly enumerations: readonly SdefEnumeration[];
  /** Record types. */
  readonly recordTypes: readonly SdefRecordType[];
  /** Value types. */
  readonly valueTypes: readonly SdefValueType[];
}

/** A whole definition: the `dictionary` element, its includes expanded. */
export interface SdefDictionary {
  /** The `title` attribute. */
  readonly title?: string;
  /** The suites, in order. */
  readonly suites: readonly SdefSuite[];
  /** Where the dictionary element is. */
  readonly position: SourcePosition;
}
