/**
 * The terms a bridge looks names up in: a terminology table (what `ipckit sdp` writes into a
 * generated module, or what a running app sends with its definition) indexed by the camelCase
 * keys the bridge's objects use (`fruitCount` → `Afct`, `trees` → class `Tree`, `onlyRipe` →
 * `Onlr`), and enumerators both ways.
 *
 * @module
 */

import type { CommandEntry, TerminologyTable } from "../sdef/terminology_table.ts";
import { camelCase } from "../sdp/naming.ts";
import { EVENTS, PARAMS } from "./protocol.ts";

/** A command as a bridge sends it: its code and its parameters by camelCase key. */
export interface BridgeCommand {
  /** The term (`count fruit`). */
  readonly name: string;
  /** The eight-character event code. */
  readonly code: string;
  /** Parameter codes by camelCase key (`onlyRipe` → `Onlr`). */
  readonly parameters: ReadonlyMap<string, string>;
}

/** The standard suite's commands, for a definition that leaves them out. */
const STANDARD_PARAMETERS: Readonly<Record<string, readonly (readonly [string, string])[]>> = {
  get: [],
  set: [["to", PARAMS.data]],
  count: [["each", PARAMS.class]],
  exists: [],
  make: [
    ["new", PARAMS.class],
    ["at", PARAMS.location],
    ["with data", PARAMS.data],
    ["with properties", PARAMS.properties],
  ],
  delete: [],
  duplicate: [["to", PARAMS.location], ["with properties", PARAMS.properties]],
  move: [["to", PARAMS.location]],
  close: [["saving", PARAMS.saving]],
  quit: [["saving", PARAMS.saving]],
};

/** A terminology table indexed for a bridge; see the module documentation. */
export class BridgeTerms {
  /** The table. */
  readonly table: TerminologyTable;
  #properties = new Map<string, string>();
  #propertyKeys = new Map<string, string>();
  #elements = new Map<string, string>();
  #classes = new Map<string, string>();
  #classNames = new Map<string, string>();
  #commands = new Map<string, BridgeCommand>();
  #enumCodes = new Map<string, string>();
  #enumTerms = new Map<string, string>();
  #enumSlots: ReadonlySet<string>;

  /**
   * Indexes a table.
   *
   * @param table the terminology table.
   * @param enumSlots the property codes and `event/param` codes whose type is an enumeration,
   *   where text is sent as an enumerator's code.
   */
  constructor(table: TerminologyTable, enumSlots: readonly string[] = []) {
    this.table = table;
    this.#enumSlots = new Set(enumSlots);
    for (const [name, code] of table.properties) {
      const key = camelCase(name);
      if (!this.#properties.has(key)) this.#properties.set(key, code);
      if (!this.#propertyKeys.has(code)) this.#propertyKeys.set(code, key);
    }
    for (const [name, code, plural] of table.classes) {
      const key = camelCase(plural);
      if (!this.#elements.has(key)) this.#elements.set(key, code);
      if (!this.#classes.has(name)) this.#classes.set(name, code);
      if (!this.#classes.has(camelCase(name))) this.#classes.set(camelCase(name), code);
      if (!this.#classNames.has(code)) this.#classNames.set(code, name);
    }
    for (const c of table.commands) this.#addCommand(c);
    for (const [name, params] of Object.entries(STANDARD_PARAMETERS)) {
      if (!this.#commands.has(name)) {
        this.#addCommand({ name, code: EVENTS[name], parameters: params });
      }
    }
    for (const [name, code] of table.enumerators) {
      if (!this.#enumCodes.has(name)) this.#enumCodes.set(name, code);
      if (!this.#enumTerms.has(code)) this.#enumTerms.set(code, name);
    }
  }

  #addCommand(c: CommandEntry): void {
    const key = camelCase(c.name);
    if (this.#commands.has(key)) return;
    const parameters = new Map<string, string>();
    for (const [name, code] of c.parameters) {
      if (!parameters.has(camelCase(name))) parameters.set(camelCase(name), code);
    }
    this.#commands.set(key, { name: c.name, code: c.code, parameters });
  }

  /** A property's code by camelCase key (`fruitCount` → `Afct`). */
  property(key: string): string | undefined {
    return this.#properties.get(key);
  }

  /** A property's camelCase key by code, for records that come back. */
  propertyKey(code: string): string | undefined {
    return this.#propertyKeys.get(code);
  }

  /** The class code of an element collection by its camelCase plural (`trees` → `Tree`). */
  elements(key: string): string | undefined {
    return this.#elements.get(key);
  }

  /** A class's code by its term or camelCase name; a four-character code passes through. */
  classCode(name: string): string | undefined {
    return this.#classes.get(name) ?? (name.length === 4 ? name : undefined);
  }

  /** A class's term by code. */
  className(code: string): string | undefined {
    return this.#classNames.get(code);
  }

  /** A command by camelCase key (`countFruit`). */
  command(key: string): BridgeCommand | undefined {
    return this.#commands.get(key);
  }

  /** An enumerator's code by term (`"over ripe"` → `Ovrp`). */
  enumCode(term: string): string | undefined {
    return this.#enumCodes.get(term);
  }

  /** An enumerator's term by code. */
  enumTerm(code: string): string | undefined {
    return this.#enumTerms.get(code);
  }

  /** Whether text sent to this slot (a property code, or `event/param`) is an enumerator. */
  isEnumSlot(slot: string): boolean {
    return this.#enumSlots.has(slot);
  }
}
