import assert from "node:assert/strict";
import { readDictionary, Terminology } from "../sdef/mod.ts";
import { parse } from "./parser.ts";
import { ScriptSyntaxError } from "./errors.ts";

const CORPUS = new URL("../../../shared/testdata/applescript/", import.meta.url);
const NOTES = new URL("../../sdef/Notes.sdef", import.meta.url);

const PIECES = [
  "tell",
  "end",
  "to",
  "of",
  "'s",
  "whose",
  "every",
  "first",
  "thru",
  "if",
  "then",
  "else",
  "repeat",
  "with",
  "from",
  "in",
  "try",
  "on error",
  "set",
  "(",
  ")",
  "{",
  "}",
  ",",
  ":",
  '"',
  "“",
  "«",
  "»",
  "«class docu»",
  "«event coregetd»",
  "|",
  "(*",
  "*)",
  "--",
  "#",
  "¬",
  "\n",
  "\r",
  "-",
  "1.5e",
  "1st",
  "≠",
  "&",
  "as",
  "is not",
  "a reference to",
  "application",
  "note",
  "notes",
  "its",
  "my",
  "given",
  "without",
  "property",
  "global",
  "considering",
  "ignoring",
  "using terms from",
  "with timeout of",
  "exit",
  "return",
  "error",
];

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mutate(text: string, rnd: () => number): string {
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(rnd() * (text.length + 1));
    const j = Math.min(text.length, i + Math.floor(rnd() * 12));
    switch (Math.floor(rnd() * 5)) {
      case 0:
        text = text.slice(0, i) + text.slice(j);
        break;
      case 1:
        text = text.slice(0, i) + ` ${PIECES[Math.floor(rnd() * PIECES.length)]} ` + text.slice(i);
        break;
      case 2:
        text = text.slice(0, i) + text.slice(i, j) + text.slice(i);
        break;
      case 3: {
        const a = Math.floor(rnd() * text.length);
        text = text.slice(0, a) + text.slice(j) + text.slice(a, j);
        break;
      }
      default:
        text = text.slice(0, j);
    }
  }
  return text;
}

Deno.test("parse() of 100,000 mutated corpus scripts: no crash, no hang, every failure a syntax error with a position", async () => {
  const sources: string[] = [];
  for await (const e of Deno.readDir(CORPUS)) {
    if (e.name.endsWith(".applescript")) {
      sources.push(await Deno.readTextFile(new URL(e.name, CORPUS)));
    }
  }
  sources.sort();
  const notes = Terminology.fromDictionary(await readDictionary(NOTES.pathname));
  const terminology = (app: string) => app === "Notes" ? notes : undefined;
  const rnd = random(17);
  let failed = 0;
  for (let i = 0; i < 100_000; i++) {
    const text = mutate(sources[i % sources.length], rnd);
    try {
      parse(text, { terminology });
    } catch (e) {
      if (!(e instanceof ScriptSyntaxError)) {
        assert.fail(`mutation ${i} threw ${e} for ${JSON.stringify(text)}`);
      }
      assert.ok(
        e.start >= 0 && e.start <= e.end && e.end <= text.length && e.line >= 1 && e.column >= 1,
        `mutation ${i}: position ${e.start}:${e.end} for ${JSON.stringify(text)}`,
      );
      failed++;
    }
  }
  // Most mutations break a script; some leave it valid.
  assert.ok(failed > 50_000 && failed < 100_000, `${failed} failed`);
});
