/**
 * The real Notes, TextEdit and System Events scripts of `../shared/testdata/applescript/` run
 * unchanged against ipckit's apps (scripts/apps/). Excerpts that use variables set outside the
 * lines taken get those variables set first (the `vars` of each case), and lines taken from
 * inside a tell block run told to their app (`app`). The cases that do not run say why.
 */

import assert from "node:assert/strict";
import { APPS, type RunningApp, startApp } from "../apps/_apps.ts";
import { cleanupRuntimeDir, waitFor } from "../_helpers.ts";
import {
  formatExecutionError,
  runScript,
  ScriptError,
  ScriptSyntaxError,
  sourceText,
} from "../../lib/tell/mod.ts";

const CORPUS = new URL("../../../shared/testdata/applescript/", import.meta.url);

/** A script that runs: what it is given, and what it must give or do. */
interface Runs {
  readonly vars?: string;
  readonly app?: string;
  readonly argv?: string[];
  /** The result in the source form, or a pattern it matches. */
  readonly result: string | RegExp;
  /** A script whose result shows the effect, and that result. */
  readonly check?: [string, string];
  /** What it logs. */
  readonly log?: string[];
}

/** A script that does not run here, and why. */
interface DoesNotRun {
  readonly vars?: string;
  /** The error it gives, as osascript prints it (a pattern). */
  readonly fails: RegExp;
  readonly why: string;
}

const NOTE_REF = /^note id "x-coredata:\/\/[^"]+" of (folder id "[^"]+" of )?application "Notes"$/;

/** In order: later cases see what earlier ones did. */
const CASES: [string, Runs | DoesNotRun][] = [
  ["10", {
    vars: 'set argv to {"Groceries"}\nset content to "bread"\n',
    result: NOTE_REF,
    check: ['tell application "Notes" to get body of note "Groceries"', '"bread"'],
  }],
  ["11", {
    vars: 'set search_string to "milk"\n',
    app: "Notes",
    result: /^\{note id "[^"]+" of application "Notes"\}$/,
  }],
  ["12", {
    vars: 'set folderName to "Work"\n',
    app: "Notes",
    result: /^\{note id "[^"]+" of application "Notes"\}$/, // a stable id reference, as Notes answers
  }],
  ["13", { result: '{"My Note"}' }],
  ["14", {
    result: '"New content"',
    check: ['tell application "Notes" to get body of note "My Note"', '"New content"'],
  }],
  ["15", {
    result: NOTE_REF,
    check: [
      'tell application "Notes" to get name of every note of folder "Archive"',
      '{"My Note"}',
    ],
  }],
  ["16", { app: "Notes", result: '"1.0"' }],
  ["31", { argv: ["Shopping"], result: NOTE_REF }],
  ["36", { result: '{"Shopping"}' }],
  ["32", { fails: /Mail got an error: Application isn’t running\. \(-600\)/, why: "needs Mail" }],
  ["33", { fails: /“do shell script” is outside the language/, why: "do shell script" }],
  ["34", { fails: /“display dialog” is outside the language/, why: "display dialog" }],
  ["35", { fails: /“delay” is outside the language/, why: "delay" }],
  ["20", {
    vars: 'set the_report to "one two two"\n',
    result: 'document "Word Frequencies" of application "TextEdit"',
    check: ['tell application "TextEdit" to get name of every document', '{"Word Frequencies"}'],
  }],
  ["47", {
    result: /^document "[^"]+" of application "TextEdit"$/,
    check: ['tell application "TextEdit" to count documents', "2"],
  }],
  ["45", {
    result: "missing value",
    check: ['tell application "TextEdit" to count documents', "1"],
  }],
  ["44", { result: "missing value" }],
  ["21", {
    vars: 'set person_name to "Ann"\nset phone_number to "555"\n',
    result: '"Ann\t555\n"', // the new paragraph, as text (Cocoa answers text objects so)
    check: ['tell application "TextEdit" to get text of document "Phone List"', '"Ann\t555\n"'],
  }],
  ["37", {
    result: '"Hello!"',
    check: ['tell application "TextEdit" to get text of document 1', '"Hello!"'],
  }],
  ["38", {
    // 37 left "Hello!" with no line end: the new text joins its paragraph, as on a Mac
    result: '"Hello!A new paragraph\n"',
    check: ['tell application "TextEdit" to get text of document 1', '"Hello!A new paragraph\n"'],
  }],
  // The words come back as text, as Cocoa's text suite answers them.
  ["39", { result: /^\{"[^"]+"(, "[^"]+")*\}$/ }],
  ["42", {
    vars: "set wasTextEditRunning to true\nset numFamilies to 3\nset numFaces to 7\n",
    fails: /Can’t get paragraph 1 of document 1\. Invalid index\. \(-1719\)/,
    why: "the new front document is empty: it has no paragraph 1 to set",
  }],
  ["46", { result: /^\d+$/ }],
  ["40", { fails: /“script” is outside the language/, why: "script objects" }],
  ["41", { fails: /syntax error/, why: "`TextEdit window` is no term of TextEdit" }],
  ["43", {
    fails: /Finder got an error: Application isn’t running\. \(-600\)/,
    why: "needs Finder (and do shell script)",
  }],
  ["22", { result: "missing value" }],
  ["25", {
    fails: /System Events got an error: Can’t get process 1 whose …\. \(-1728\)/,
    why: "no process is frontmost on Linux: the script's own error",
  }],
  ["55", { fails: /Can’t get process 1 whose …\. \(-1728\)/, why: "as 25" }],
  ["54", { app: "System Events", result: "0" }],
  ["23", { fails: /syntax error/, why: "login items are not in ipckit's System Events" }],
  ["24", {
    fails: /syntax error/,
    why: "appearance preferences are not in ipckit's System Events",
  }],
  ["48", { fails: /syntax error/, why: "dock preferences are not in ipckit's System Events" }],
  ["49", { fails: /syntax error/, why: "dock preferences are not in ipckit's System Events" }],
  ["50", { fails: /syntax error/, why: "login items are not in ipckit's System Events" }],
  ["51", { fails: /syntax error/, why: "login items; choose from list" }],
  ["52", { fails: /“path to” is outside the language/, why: "path to" }],
  ["53", { fails: /“display dialog” is outside the language/, why: "display dialog" }],
  ["56", {
    fails: /Finder got an error: Application isn’t running\. \(-600\)/,
    why: "needs Finder",
  }],
  ["57", { fails: /syntax error/, why: "property list files are not in ipckit's System Events" }],
  ["58", { fails: /syntax error/, why: "application file is not in ipckit's System Events" }],
  ["59", {
    fails: /Preview got an error: Application isn’t running\. \(-600\)/,
    why: "needs Preview (UI scripting)",
  }],
];

const SETUP = `tell application "Notes"
  make new folder with properties {name:"Work"}
  make new folder with properties {name:"Archive"}
  make new note at folder "Work" with properties {name:"My Note", body:"old content"}
  make new note at folder "Notes" with properties {name:"Shopping", body:"milk and search term"}
end tell`;

async function corpusFile(prefix: string): Promise<string> {
  for await (const e of Deno.readDir(CORPUS)) {
    if (e.name.startsWith(`${prefix}-`)) return await Deno.readTextFile(new URL(e.name, CORPUS));
  }
  throw new Error(`no corpus script ${prefix}`);
}

async function outcome(
  source: string,
  runtimeDir: string,
  options: { app?: string; argv?: string[]; log?: (t: string) => void } = {},
): Promise<{ ok: true; text: string } | { ok: false; text: string }> {
  try {
    return { ok: true, text: sourceText(await runScript(source, { runtimeDir, ...options })) };
  } catch (e) {
    if (e instanceof ScriptError) return { ok: false, text: formatExecutionError(e) };
    if (e instanceof ScriptSyntaxError) return { ok: false, text: e.message };
    throw e;
  }
}

Deno.test("the corpus's Notes, TextEdit and System Events scripts run unchanged against ipckit's apps", async () => {
  const data = await Deno.makeTempDir();
  const env = { XDG_DATA_HOME: data, HOME: data };
  const apps: RunningApp[] = [];
  apps.push(await startApp(APPS.notes, { env }));
  const runtimeDir = apps[0].runtimeDir;
  try {
    apps.push(await startApp(APPS.textedit, { env, runtimeDir }));
    apps.push(await startApp(APPS.systemEvents, { env, runtimeDir }));
    const setup = await outcome(SETUP, runtimeDir);
    assert.ok(setup.ok, setup.text);
    const seen = new Set<string>();
    for (const [prefix, c] of CASES) {
      seen.add(prefix);
      const source = await corpusFile(prefix);
      if ("fails" in c) {
        const r = await outcome((c.vars ?? "") + source, runtimeDir);
        assert.ok(!r.ok, `${prefix} (${c.why}) ran: ${r.text}`);
        assert.match(r.text, c.fails, `${prefix}: ${r.text}`);
        continue;
      }
      const logs: string[] = [];
      const r = await outcome((c.vars ?? "") + source, runtimeDir, {
        app: c.app,
        argv: c.argv,
        log: (t) => logs.push(t),
      });
      assert.ok(r.ok, `${prefix}: ${r.text}`);
      if (typeof c.result === "string") assert.equal(r.text, c.result, `${prefix}: ${r.text}`);
      else assert.match(r.text, c.result, `${prefix}: ${r.text}`);
      if (c.check) {
        const k = await outcome(c.check[0], runtimeDir);
        assert.equal(k.text, c.check[1], `${prefix}'s effect`);
      }
      if (c.log) assert.deepEqual(logs, c.log);
    }
    // 31 with a note that is not there logs, as on a Mac.
    const logs: string[] = [];
    const r = await outcome(await corpusFile("31"), runtimeDir, {
      argv: ["Nope"],
      log: (t) => logs.push(t),
    });
    assert.ok(r.ok, r.text);
    assert.deepEqual(logs, ['Sorry, the note "Nope" was not found']);
    // 22 quit TextEdit.
    await waitFor(async () => {
      const k = await outcome('tell application "TextEdit" to count documents', runtimeDir);
      return !k.ok && /\(-600\)$/.test(k.text);
    }, "TextEdit to quit");
    // Every script of the three apps is a case.
    const files = [...Deno.readDirSync(CORPUS)].map((e) => e.name).filter((n) =>
      /^\d+-(notes|textedit|systemevents)-/.test(n)
    );
    assert.deepEqual(files.map((f) => f.slice(0, 2)).sort(), [...seen].sort());
  } finally {
    for (const a of apps.reverse()) await a.stop();
    await cleanupRuntimeDir(runtimeDir);
    await Deno.remove(data, { recursive: true });
  }
});
