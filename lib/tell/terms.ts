/**
 * Terminology for `tell` scripts: AppleScript's own terms (the classes, properties, constants
 * and commands of the language), and the lookup a script compiles against, innermost app's
 * definition first, then AppleScript's. Apps' terms come from their definitions through
 * lib/sdef's {@linkcode Terminology}.
 *
 * @module
 */

import { Terminology, type TerminologyTable, type TermMatch } from "../sdef/terminology.ts";
import { appleScriptIndex } from "./_applescript_index.ts";

/** AppleScript's own terminology, as a table like an app's. */
export const APPLESCRIPT_TERMS: TerminologyTable = {
  classes: [
    ["item", "cobj", "items"],
    ["character", "cha ", "characters"],
    ["word", "cwor", "words"],
    ["paragraph", "cpar", "paragraphs"],
    ["text item", "citm", "text items"],
    ["text", "ctxt", "text"],
    ["string", "TEXT", "strings"],
    ["unicode text", "utxt", "unicode texts"],
    ["list", "list", "lists"],
    ["record", "reco", "records"],
    ["integer", "long", "integers"],
    ["real", "doub", "reals"],
    ["number", "nmbr", "numbers"],
    ["boolean", "bool", "booleans"],
    ["date", "ldt ", "dates"],
    ["application", "capp", "applications"],
    ["file", "file", "files"],
    ["alias", "alis", "aliases"],
    ["POSIX file", "furl", "POSIX files"],
    ["class", "pcls", "classes"],
    ["reference", "obj ", "references"],
    ["constant", "enum", "constants"],
    ["script", "scpt", "scripts"],
    ["missing value", "msng", "missing values"],
  ],
  properties: [
    ["length", "leng"],
    ["rest", "rest"],
    ["reverse", "rvse"],
    ["class", "pcls"],
    ["year", "year"],
    ["month", "mnth"],
    ["day", "day "],
    ["weekday", "wkdy"],
    ["hours", "hour"],
    ["minutes", "min "],
    ["seconds", "secs"],
    ["time", "time"],
    ["date string", "dstr"],
    ["time string", "tstr"],
    ["short date string", "shdt"],
    ["text item delimiters", "txdl"],
    ["contents", "pcnt"],
    ["id", "ID  "],
    ["name", "pnam"],
    ["version", "vers"],
    ["frontmost", "pisf"],
    ["running", "prun"],
    ["POSIX path", "psxp"],
    ["quoted form", "strq"],
    ["properties", "pALL"],
  ],
  enumerations: [],
  enumerators: [
    ["yes", "yes "],
    ["no", "no  "],
    ["ask", "ask "],
    ["January", "jan "],
    ["February", "feb "],
    ["March", "mar "],
    ["April", "apr "],
    ["May", "may "],
    ["June", "jun "],
    ["July", "jul "],
    ["August", "aug "],
    ["September", "sep "],
    ["October", "oct "],
    ["November", "nov "],
    ["December", "dec "],
    ["Monday", "mon "],
    ["Tuesday", "tue "],
    ["Wednesday", "wed "],
    ["Thursday", "thu "],
    ["Friday", "fri "],
    ["Saturday", "sat "],
    ["Sunday", "sun "],
    ["case", "case"],
    ["white space", "whit"],
    ["diacriticals", "diac"],
    ["hyphens", "hyph"],
    ["punctuation", "punc"],
    ["numeric strings", "nume"],
    ["application responses", "rmte"],
  ],
  recordTypes: [],
  valueTypes: [],
  commands: [
    { name: "get", code: "coregetd", parameters: [["as", "rtyp"]] },
    { name: "count", code: "corecnte", parameters: [["each", "kocl"]] },
    { name: "number", code: "corecnte", parameters: [] },
    { name: "exists", code: "coredoex", parameters: [] },
    { name: "run", code: "aevtoapp", parameters: [] },
    { name: "activate", code: "miscactv", parameters: [] },
    { name: "quit", code: "aevtquit", parameters: [["saving", "savo"]] },
    { name: "launch", code: "ascrnoop", parameters: [] },
    { name: "current date", code: "misccurd", parameters: [] },
    { name: "offset", code: "sysooffs", parameters: [["of", "psof"], ["in", "psin"]] },
    {
      name: "make",
      code: "corecrel",
      parameters: [["new", "kocl"], ["at", "insh"], ["with data", "data"], [
        "with properties",
        "prdt",
      ]],
    },
    { name: "delete", code: "coredelo", parameters: [] },
    {
      name: "duplicate",
      code: "coreclon",
      parameters: [["to", "insh"], ["with properties", "prdt"]],
    },
    { name: "move", code: "coremove", parameters: [["to", "insh"]] },
  ],
  events: [],
  synonyms: [["app", "application"], ["string", "text"]],
};

/** The constants AppleScript defines as values (`pi`, `tab`, `minutes`…), by lower-case name. */
export const CONSTANT_VALUES: ReadonlyMap<string, string | number> = new Map<
  string,
  string | number
>([
  ["space", " "],
  ["tab", "\t"],
  ["return", "\r"],
  ["linefeed", "\n"],
  ["quote", '"'],
  ["minutes", 60],
  ["hours", 3600],
  ["days", 86400],
  ["weeks", 604800],
]);

let builtin: Terminology | undefined;

/** AppleScript's own terminology as a {@linkcode Terminology} (its lookups built ahead of time). */
export function appleScriptTerms(): Terminology {
  return builtin ??= new Terminology(APPLESCRIPT_TERMS, appleScriptIndex());
}

/** Where a term was found: in an app's definition or AppleScript's own. */
export interface ScopedMatch extends TermMatch {
  /** The app's terminology it came from, or `undefined` for AppleScript's own. */
  readonly app: Terminology | undefined;
}

/**
 * The terminology a piece of script compiles against: the innermost app's definition (when the
 * tell target is known), then AppleScript's own.
 */
export class TermScope {
  /** The app's terminology, if any. */
  readonly app: Terminology | undefined;
  /** The app's name as the script gives it, if known. */
  readonly appName: string | undefined;
  /**
   * @param app the app's terminology.
   * @param appName its name as the script gives it.
   */
  constructor(app?: Terminology, appName?: string) {
    this.app = app;
    this.appName = appName;
  }
  /** The longest term at `words[start]`, the app's first on equal length. */
  match(
    words: readonly string[],
    start: number,
    kinds?: TermMatch["kind"][],
  ): ScopedMatch | undefined {
    const options = kinds ? { kinds } : {};
    const a = this.app?.match(words, start, options);
    const b = appleScriptTerms().match(words, start, options);
    if (a && (!b || a.words >= b.words)) return { ...a, app: this.app };
    if (b) return { ...b, app: undefined };
    return undefined;
  }
  /** A command's labelled parameter code, in the app's or AppleScript's terms. */
  parameterCode(command: ScopedMatch, label: string): string | undefined {
    return (command.app ?? appleScriptTerms()).parameterCode(command.code, label);
  }
  /** The first words of a command's parameter labels. */
  labels(command: ScopedMatch): string[][] {
    const table = (command.app ?? appleScriptTerms()).table;
    const entry = [...table.commands, ...table.events].find((c) => c.code === command.code);
    return (entry?.parameters ?? []).map(([name]) => name.toLowerCase().split(/\s+/));
  }
}
