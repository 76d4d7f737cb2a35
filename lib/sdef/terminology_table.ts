/**
 * The plain form of a terminology: the table generated bridges export and the `tell` runtime
 * reads. Types only, with no imports, so generated modules pull in nothing else.
 *
 * @module
 */

/** One term: its name and code. */
export type TermEntry = readonly [name: string, code: string];

/** A class's terms: name, code, plural. */
export type ClassEntry = readonly [name: string, code: string, plural: string];

/** A command's or event's terms: name, eight-character code, and its labelled parameters. */
export interface CommandEntry {
  /** The command's name. */
  readonly name: string;
  /** The eight-character code. */
  readonly code: string;
  /** Its labelled parameters. */
  readonly parameters: readonly TermEntry[];
}

/** The plain form of a terminology, as generated bridges export it. */
export interface TerminologyTable {
  /** Classes, with their plurals. */
  readonly classes: readonly ClassEntry[];
  /** Properties (one entry per distinct name and code). */
  readonly properties: readonly TermEntry[];
  /** Enumerations. */
  readonly enumerations: readonly TermEntry[];
  /** Enumerators (one entry per distinct name and code). */
  readonly enumerators: readonly TermEntry[];
  /** Record types. */
  readonly recordTypes: readonly TermEntry[];
  /** Value types. */
  readonly valueTypes: readonly TermEntry[];
  /** Commands. */
  readonly commands: readonly CommandEntry[];
  /** Events. */
  readonly events: readonly CommandEntry[];
  /** Other names for terms: synonym → the term's name. */
  readonly synonyms?: readonly (readonly [synonym: string, name: string])[];
  /** Other codes for terms (`<synonym code="…">`): code → the term's name. */
  readonly codeSynonyms?: readonly (readonly [code: string, name: string])[];
}
