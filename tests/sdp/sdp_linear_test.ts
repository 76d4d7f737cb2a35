/**
 * Reading a definition and generating its bridge take time linear in its size. Shown without
 * timing: the test counts the elements that array searches and walks go through (`find`,
 * `filter`, `includes`, `for … of`, spreads…) while a definition is read and generated, for a
 * definition and one four times its size. Linear work grows four times; work that searches a
 * growing list for each item (what made 5, 10, 20, 50 MiB take 1.9, 6.6, 27 and 72 s) grows
 * sixteen times.
 *
 * @module
 */

import assert from "node:assert/strict";
import { loadDictionary } from "../../lib/sdef/mod.ts";
import { generateBridge } from "../../lib/sdp/mod.ts";

/** A four-character code for `i`. */
function code(prefix: string, i: number): string {
  return prefix + (i % 46656).toString(36).padStart(3, "0");
}

/**
 * A definition of `n` units, each with what grows with size in real files: a suite with a
 * class that responds to its own command, an enumeration, a record type, a class-extension of
 * the application, a class further down one long inheritance chain, and a second definition of
 * a shared command and of a shared enumeration.
 */
export function scaledDefinition(n: number): string {
  const parts = [
    `<?xml version="1.0" encoding="UTF-8"?>\n<dictionary title="Scaled">`,
    `<suite name="Base" code="Base"><class name="application" code="capp"/>` +
    `<class name="link 0" code="${code("L", 0)}"/></suite>`,
  ];
  for (let i = 0; i < n; i++) {
    parts.push(`<suite name="Suite ${i}" code="${code("S", i)}" description="Suite ${i}.">
  <class name="thing ${i}" code="${code("T", i)}" description="A thing.">
    <property name="size ${i}" code="${code("Z", i)}" type="integer" description="Its size."/>
    <element type="thing ${i}"/>
    <responds-to command="poke ${i}"/>
  </class>
  <class name="link ${i + 1}" code="${code("L", i + 1)}" inherits="link ${i}">
    <property name="depth ${i}" code="${code("D", i)}" type="thing ${i}"/>
  </class>
  <class-extension extends="application">
    <element type="thing ${i}"/>
    <property name="current thing ${i}" code="${code("C", i)}" type="thing ${i}"/>
  </class-extension>
  <command name="poke ${i}" code="${code("Poke0", i)}" description="Pokes.">
    <direct-parameter type="thing ${i}"/>
    <parameter name="with ${i}" code="${code("W", i)}" type="mood" optional="yes"/>
    <result type="record ${i}"/>
  </command>
  <command name="shared" code="ShrdShrd">
    <parameter name="via ${i}" code="${code("V", i)}" type="text"/>
  </command>
  <enumeration name="mood" code="Mood">
    <enumerator name="mood ${i}" code="${code("M", i)}"/>
  </enumeration>
  <record-type name="record ${i}" code="${code("R", i)}">
    <property name="count ${i}" code="${code("N", i)}" type="integer"/>
  </record-type>
</suite>`);
  }
  parts.push("</dictionary>\n");
  return parts.join("\n");
}

const ARRAY_WORK: PropertyKey[] = [
  "find",
  "findIndex",
  "findLast",
  "findLastIndex",
  "filter",
  "some",
  "every",
  "includes",
  "indexOf",
  "lastIndexOf",
  "forEach",
  "map",
  "flatMap",
  "reduce",
  Symbol.iterator,
];

/** Runs `fn`, counting the elements of the arrays that array searches and walks go through. */
async function countArrayWork(fn: () => Promise<void>): Promise<number> {
  let work = 0;
  const proto = Array.prototype as unknown as Record<PropertyKey, unknown>;
  const originals = new Map<PropertyKey, unknown>();
  for (const name of ARRAY_WORK) {
    const original = proto[name] as (this: unknown[], ...args: unknown[]) => unknown;
    originals.set(name, original);
    proto[name] = function (this: unknown[], ...args: unknown[]) {
      work += this.length;
      return original.apply(this, args);
    };
  }
  try {
    await fn();
  } finally {
    for (const [name, original] of originals) proto[name] = original;
  }
  return work;
}

async function readAndGenerate(text: string): Promise<void> {
  const dict = await loadDictionary(text, { file: "scaled.sdef", onWarning: () => {} });
  generateBridge(dict, { basename: "Scaled" });
}

Deno.test("reading and generating a definition 4× the size does about 4× the work, not 16×", async () => {
  const n = 300;
  // Warm up (the parser loads once) so that only the work of each size is counted.
  await readAndGenerate(scaledDefinition(2));
  const once = await countArrayWork(() => readAndGenerate(scaledDefinition(n)));
  const four = await countArrayWork(() => readAndGenerate(scaledDefinition(4 * n)));
  assert.ok(once > 10 * n, `counted too little to mean anything: ${once}`);
  const ratio = four / once;
  assert.ok(ratio < 6, `4× the definition took ${ratio.toFixed(1)}× the work (${once} → ${four})`);
});

Deno.test("the work counter sees work that grows as the square of the size", async () => {
  // A control: a search of a growing list for each item must show up as about 16×.
  const quadratic = (n: number) => () => {
    const seen: number[] = [];
    for (let i = 0; i < n; i++) if (!seen.includes(i)) seen.push(i);
    return Promise.resolve();
  };
  const once = await countArrayWork(quadratic(300));
  const four = await countArrayWork(quadratic(1200));
  assert.ok(four / once > 12, `${once} → ${four}`);
});
