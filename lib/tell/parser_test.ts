import assert from "node:assert/strict";
import { readDictionary, Terminology } from "../sdef/mod.ts";
import { tokenize } from "./lexer.ts";
import { appNames, parse } from "./parser.ts";
import { ScriptSyntaxError } from "./errors.ts";
import type {
  CommandExpr,
  ElementExpr,
  ExprStmt,
  FilterExpr,
  PropertyExpr,
  SetStmt,
} from "./ast.ts";

const TESTDATA = new URL("../../../shared/testdata/", import.meta.url);
const CORPUS = new URL("applescript/", TESTDATA);
const REAL_SDEF = new URL("sdef/real/", TESTDATA);
const OWN_SDEF = new URL("../../sdef/", import.meta.url);

const terminologies = new Map<string, Terminology>();
async function terms(app: string): Promise<Terminology | undefined> {
  const file = app.replace(/ /g, "") + ".sdef";
  // The apps of ipckit define Notes and TextEdit; the real definitions the rest.
  const url = new URL(file, ["Notes", "TextEdit"].includes(app) ? OWN_SDEF : REAL_SDEF);
  if (!terminologies.has(url.href)) {
    try {
      terminologies.set(url.href, Terminology.fromDictionary(await readDictionary(url.pathname)));
    } catch {
      return undefined;
    }
  }
  return terminologies.get(url.href);
}

const APP_OF_FILE: Record<string, string> = {
  finder: "Finder",
  safari: "Safari",
  notes: "Notes",
  mail: "Mail",
  textedit: "TextEdit",
  systemevents: "System Events",
  reminders: "Reminders",
};

/** Compiles a corpus script against the definitions of the apps it names (an excerpt from inside a tell block: its file's app). */
export async function compileCorpusScript(file: string, source: string) {
  const own = APP_OF_FILE[file.split("-")[1]];
  const names = appNames(source);
  const table = new Map<string, Terminology | undefined>();
  for (const n of [...names, own]) table.set(n, await terms(n));
  return parse(source, { terminology: (a) => table.get(a), app: names.length ? undefined : own });
}

/** The corpus scripts outside the language, with the construct and where the error points. */
const OUTSIDE: Record<string, string> = {
  "32-notes-mail-message-to-notes-folder.applescript": "display dialog",
  "33-notes-tell-account-folder-note.applescript": "do shell script",
  "34-notes-notes-of-folder-plaintext.applescript": "display dialog",
  "35-notes-find-with-name-in-accounts.applescript": "delay",
  "40-textedit-script-object-log-document.applescript": "script",
  // `TextEdit window` is no term of TextEdit's definition.
  "41-textedit-cascade-window-bounds.applescript": "TextEdit",
  "43-textedit-open-file-made-by-finder.applescript": "do shell script",
  "51-systemevents-delete-login-item.applescript": "choose",
  "52-systemevents-properties-of-first-folder.applescript": "path to",
  "53-systemevents-name-and-unix-id-of-processes.applescript": "display dialog",
  "56-systemevents-every-disk-whose-posix-path.applescript": "beep",
  "59-systemevents-ui-preview-search-rows.applescript": "delay",
  "60-reminders-reminders-in-list-whose.applescript": "display dialog",
  "62-finder-every-disk-whose-eject.applescript": "display alert",
  "65-mail-save-attachments.applescript": "path to",
};

Deno.test("parse() compiles every corpus script, or fails at the construct outside the language", async () => {
  const files = [...Deno.readDirSync(CORPUS)].map((e) => e.name).filter((n) =>
    n.endsWith(".applescript")
  ).sort();
  assert.equal(files.length, 65);
  const failed: Record<string, string> = {};
  for (const file of files) {
    const source = await Deno.readTextFile(new URL(file, CORPUS));
    try {
      await compileCorpusScript(file, source);
    } catch (e) {
      assert.ok(e instanceof ScriptSyntaxError, `${file}: ${e}`);
      assert.match(e.message, /^\d+:\d+: syntax error: .+ \(-2741\)$/);
      failed[file] = source.slice(e.start, e.end);
    }
  }
  assert.deepEqual(failed, OUTSIDE);
});

Deno.test("tokenize() reads comments, continuations, escapes, typographic quotes, raw codes and operators", () => {
  const tokens = tokenize(
    'set x to "a\\"b\\n" -- c\n(* (* nested *) *) # x\n“t” ≠ 1.5e3 ¬\n ÷ «class docu» x\'s |odd name| isn\'t',
  );
  assert.deepEqual(
    tokens.map((t) => [t.kind, t.value]),
    [
      ["word", "set"],
      ["word", "x"],
      ["word", "to"],
      ["string", 'a"b\n'],
      ["eol", ""],
      ["string", "t"],
      ["op", "≠"],
      ["number", "1.5e3"],
      ["op", "÷"],
      ["raw", "class:docu"],
      ["word", "x"],
      ["op", "'s"],
      ["word", "odd name"],
      ["word", "isn't"],
      ["eol", ""],
      ["eof", ""],
    ],
  );
});

Deno.test("tokenize() fails with the position of an unterminated string", () => {
  assert.throws(() => tokenize('log "abc'), (e: unknown) => {
    assert.ok(e instanceof ScriptSyntaxError);
    assert.equal(e.start, 4);
    assert.equal(e.line, 1);
    assert.equal(e.column, 5);
    return true;
  });
});

Deno.test("parse() gives osascript's syntax error with offsets, line and column", () => {
  assert.throws(() => parse("set x to 1\nset y to 2 3"), (e: unknown) => {
    assert.ok(e instanceof ScriptSyntaxError);
    assert.equal(e.message, "22:23: syntax error: Expected end of line but found number. (-2741)");
    assert.equal(e.line, 2);
    assert.equal(e.column, 12);
    return true;
  });
  assert.throws(() => parse("if x then\nlog 1\n"), /Expected “end” but found end of script/);
  assert.throws(() => parse("display dialog 1"), /0:14: syntax error: “display dialog” is outside/);
  assert.throws(
    () => parse("repeat 3 times\nend if"),
    /Expected “end” or “end repeat” but found “end if”/,
  );
});

Deno.test("parse() tells class from property by what follows, and ends a direct parameter at a label", async () => {
  const t = await terms("TextEdit");
  const script = parse(
    'tell application "TextEdit"\nget document 1\nget document of window 1\nclose front document saving no\nend tell',
    { terminology: () => t },
  );
  const body = (script.body[0] as { body: ExprStmt[] }).body;
  const get1 = (body[0].expr as CommandExpr).direct as ElementExpr;
  assert.equal(get1.type, "element");
  assert.equal(get1.cls.code, "docu");
  const get2 = (body[1].expr as CommandExpr).direct as PropertyExpr;
  assert.equal(get2.type, "property");
  const close = body[2].expr as CommandExpr;
  assert.equal(close.term.code, "coreclos");
  assert.equal((close.direct as ElementExpr).ordinal, 1);
  assert.deepEqual(close.params.map((p) => [p.label, p.code]), [["saving", "savo"]]);
});

Deno.test("parse() applies whose to the element that names several, under the property", async () => {
  const t = await terms("Notes");
  const script = parse('get name of every note whose body contains "milk"', {
    terminology: () => t,
    app: "Notes",
  });
  const get = (script.body[0] as ExprStmt).expr as CommandExpr;
  const name = get.direct as PropertyExpr;
  assert.equal(name.term.code, "pnam");
  const filter = name.of as FilterExpr;
  assert.equal(filter.type, "filter");
  assert.equal(filter.ref.form, "every");
  assert.equal(filter.ref.cls.name, "note");
});

Deno.test("parse() reads set {a, b} to …, possessives and a reference to", () => {
  const script = parse(
    "set {a, b} to {1, 2}\nset x to AppleScript's text item delimiters\nset r to a reference to item 1 of l",
  );
  const [s1, s2, s3] = script.body as SetStmt[];
  assert.equal(s1.target.type, "list");
  assert.equal((s2.value as PropertyExpr).term.code, "txdl");
  assert.equal(s3.value.type, "refto");
});
