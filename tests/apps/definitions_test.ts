/**
 * The three apps' definitions (sdef/Notes.sdef, TextEdit.sdef, SystemEvents.sdef) against Apple's
 * (../shared/testdata/sdef/real/): every term both define has Apple's code, and the codes of the
 * System Events extension suite clash with none of Apple's (System Events, the standard suite,
 * the scripting additions, whose terms every script sees).
 *
 * @module
 */

import assert from "node:assert/strict";
import { readDictionary } from "../../lib/sdef/load.ts";
import { readSdef } from "../../lib/sdef/parse.ts";
import type { Dictionary } from "../../lib/sdef/dictionary.ts";
import type { SdefWarning } from "../../lib/sdef/errors.ts";
import { REAL_DIR, realDataTest, REPO_ROOT } from "../sdp/_sdp_testdata.ts";

/** Apple's files include the standard suite from here; map it to Apple's copy, not ipckit's. */
const APPLE_STANDARD = `${REAL_DIR}CocoaStandard.sdef`;
const APPLE_INCLUDES = {
  "/System/Library/ScriptingDefinitions/CocoaStandard.sdef": APPLE_STANDARD,
};

/** One term of a definition: its kind, its name (with its owner where names are per owner). */
interface Term {
  kind: "class" | "property" | "command" | "parameter" | "enumerator" | "suite";
  name: string;
  code: string;
  suite: string;
}

/** Every term of a definition with its code. */
function termsOf(dict: Dictionary): Term[] {
  const out: Term[] = [];
  for (const s of dict.suites) {
    out.push({ kind: "suite", name: s.name, code: s.code, suite: s.name });
  }
  for (const c of dict.classes) {
    out.push({ kind: "class", name: c.name, code: c.code, suite: c.suite });
    for (const p of c.properties) {
      out.push({ kind: "property", name: p.name, code: p.code, suite: c.suite });
    }
  }
  for (const c of [...dict.commands, ...dict.events]) {
    out.push({ kind: "command", name: c.name, code: c.code, suite: c.suite });
    for (const p of c.parameters) {
      out.push({ kind: "parameter", name: `${c.name}/${p.name}`, code: p.code, suite: c.suite });
    }
  }
  for (const e of dict.enumerations) {
    for (const x of e.enumerators) {
      out.push({ kind: "enumerator", name: x.name, code: x.code, suite: e.suite });
    }
  }
  for (const r of dict.recordTypes) {
    out.push({ kind: "class", name: r.name, code: r.code, suite: r.suite });
    for (const p of r.properties) {
      out.push({ kind: "property", name: p.name, code: p.code, suite: r.suite });
    }
  }
  return out;
}

/** `kind:name` (any case) → the codes Apple gives it. */
function codesByName(terms: Term[]): Map<string, Set<string>> {
  const map = new Map<string, Set<string>>();
  for (const t of terms) {
    if (t.kind === "suite") continue;
    const key = `${t.kind}:${t.name.toLowerCase()}`;
    if (!map.has(key)) map.set(key, new Set());
    map.get(key)!.add(t.code);
  }
  return map;
}

async function ours(file: string): Promise<Dictionary> {
  const warnings: SdefWarning[] = [];
  const dict = await readDictionary(`${REPO_ROOT}/sdef/${file}`, {
    onWarning: (w) => warnings.push(w),
  });
  assert.deepEqual(warnings.map((w) => w.message), [], `${file} loads without warnings`);
  return dict;
}

async function apple(...files: string[]): Promise<Term[]> {
  const all: Term[] = [];
  for (const file of files) {
    const dict = await readDictionary(`${REAL_DIR}${file}`, { includeMap: APPLE_INCLUDES });
    all.push(...termsOf(dict));
  }
  return all;
}

/**
 * Terms ours defines that Apple's snapshot here lacks, each a term of a later Apple definition
 * (with that definition's code) or ipckit's own, said why.
 */
const NOT_IN_SNAPSHOT: Record<string, string[]> = {
  "Notes.sdef": [
    // Newer Notes (macOS 10.15 and later) than the 2018 snapshot: show and plaintext.
    "command:show",
    "property:plaintext",
  ],
  // The standard suite's save needs a "saveable file format"; TextEdit's one format is plain
  // text, named and coded as System Events names it (text, 'ctxt').
  "TextEdit.sdef": ["enumerator:text"],
  // The ipckit Suite is checked on its own below (no clash with any of Apple's codes).
  "SystemEvents.sdef": [],
};

/** The `kind:name` keys of what one suite of a file defines, class-extensions included. */
async function suiteKeys(file: string, suite: string): Promise<Set<string>> {
  const raw = await readSdef(`${REPO_ROOT}/sdef/${file}`);
  const s = raw.suites.find((x) => x.name === suite);
  assert.ok(s, `${file} has the suite ${suite}`);
  const keys = new Set<string>();
  for (const c of s.classes) {
    if (!c.extension) keys.add(`class:${c.name.toLowerCase()}`);
    for (const p of c.properties) keys.add(`property:${p.name.toLowerCase()}`);
  }
  for (const c of s.commands) {
    keys.add(`command:${c.name.toLowerCase()}`);
    for (const p of c.parameters) keys.add(`parameter:${c.name}/${p.name}`.toLowerCase());
  }
  for (const e of s.enumerations) {
    for (const x of e.enumerators) keys.add(`enumerator:${x.name.toLowerCase()}`);
  }
  return keys;
}

/** Checks that each term of ours that Apple's defines has one of Apple's codes for it. */
function assertMatches(
  file: string,
  mine: Term[],
  theirs: Term[],
  skip: Set<string> = new Set(),
): void {
  const appleCodes = codesByName(theirs);
  const unknown: string[] = [];
  const wrong: string[] = [];
  for (const t of mine) {
    const key = `${t.kind}:${t.name.toLowerCase()}`;
    if (t.kind === "suite" || skip.has(key)) continue;
    const codes = appleCodes.get(key);
    if (!codes) {
      if (!NOT_IN_SNAPSHOT[file].includes(key)) unknown.push(key);
      continue;
    }
    if (!codes.has(t.code)) wrong.push(`${key} is '${t.code}', Apple's is '${[...codes][0]}'`);
  }
  assert.deepEqual(wrong, [], `${file}: codes that differ from Apple's`);
  assert.deepEqual(unknown, [], `${file}: terms Apple's definition does not have`);
}

Deno.test(realDataTest({
  name: "sdef/Notes.sdef: every term has Apple Notes' code",
  async fn() {
    const mine = termsOf(await ours("Notes.sdef"));
    assertMatches("Notes.sdef", mine, await apple("Notes.sdef"));
    // The two later terms take no code Apple's Notes uses for anything else.
    const taken = new Set((await apple("Notes.sdef")).map((t) => t.code));
    for (const code of ["notesshw", "pltx"]) assert.ok(!taken.has(code), code);
  },
}));

Deno.test(realDataTest({
  name: "sdef/TextEdit.sdef: every term has Apple TextEdit's code, the Text Suite's included",
  async fn() {
    const mine = termsOf(await ours("TextEdit.sdef"));
    assertMatches("TextEdit.sdef", mine, await apple("TextEdit.sdef", "CocoaStandard.sdef"));
    const names = new Set(mine.map((t) => `${t.kind}:${t.name}`));
    for (const c of ["text", "paragraph", "word", "character", "attribute run", "document"]) {
      assert.ok(names.has(`class:${c}`), c);
    }
  },
}));

Deno.test(realDataTest({
  name:
    "sdef/SystemEvents.sdef: Apple's terms have Apple's codes; the ipckit Suite's clash with none",
  async fn() {
    const dict = await ours("SystemEvents.sdef");
    const mine = termsOf(dict);
    const theirs = await apple("SystemEvents.sdef", "CocoaStandard.sdef");
    const everyApple = [...theirs, ...(await apple("StandardAdditions.sdef"))];
    const extensionKeys = await suiteKeys("SystemEvents.sdef", "ipckit Suite");
    const appleCodes = codesByName(everyApple);
    // Terms of the extension suite that Apple has too (name, unix id, creation date) are
    // checked with the rest; the others are the extension's own.
    const own = new Set([...extensionKeys].filter((k) => !appleCodes.has(k)));
    assertMatches("SystemEvents.sdef", mine, theirs, own);
    for (const t of ["process", "disk item", "file", "folder"]) {
      assert.ok(mine.some((m) => m.kind === "class" && m.name === t && m.suite !== "ipckit Suite"));
    }
    // Apple's terms are not redefined in the extension suite: a term there that Apple has
    // must carry Apple's code (name, unix id, creation date), and every other code is new.
    const byCode = new Map<string, string[]>();
    for (const t of everyApple) {
      if (!byCode.has(t.code)) byCode.set(t.code, []);
      byCode.get(t.code)!.push(`${t.kind}:${t.name}`);
    }
    const clashes: string[] = [];
    const extension = mine.filter((t) => own.has(`${t.kind}:${t.name.toLowerCase()}`));
    for (
      const key of ["class:message port", "class:pasteboard", "command:kill", "property:cpu time"]
    ) {
      assert.ok(own.has(key), `the ipckit Suite defines ${key}`);
    }
    for (const t of extension) {
      const users = byCode.get(t.code);
      if (users) clashes.push(`${t.kind}:${t.name} '${t.code}' is Apple's ${users.join(", ")}`);
    }
    assert.deepEqual(clashes, []);
    // The suite's own code too.
    const suite = dict.suites.find((s) => s.name === "ipckit Suite")!;
    assert.ok(!byCode.has(suite.code), suite.code);
  },
}));
