import assert from "node:assert/strict";
import { formatExecutionError, runScript, ScriptError, sourceText } from "./mod.ts";

const noApps = { connect: () => Promise.reject(new Error("this test runs no apps")) };

async function run(source: string, argv?: string[]): Promise<string> {
  return sourceText(await runScript(source, { ...noApps, argv }));
}

async function fails(source: string): Promise<string> {
  try {
    await runScript(source, noApps);
  } catch (e) {
    if (e instanceof ScriptError) return formatExecutionError(e);
    throw e;
  }
  throw new Error(`no error from ${source}`);
}

const CASES: [string, string][] = [
  // variables, lists, records
  ["set x to {1, 2, 3}\nset end of x to 4\nx", "{1, 2, 3, 4}"],
  ["set x to {1, 2}\nset beginning of x to 0\nset item 2 of x to 9\nx", "{0, 9, 2}"],
  ["set {a, b} to {1, 2}\n{b, a}", "{2, 1}"],
  ['set r to {name:"a", size:3}\nname of r & "!"', '"a!"'],
  ["{a:1} & {b:2}", "{a:1, b:2}"],
  ["set a to {1}\nset b to a\nset end of b to 2\na", "{1, 2}"],
  ["set a to {1}\ncopy a to b\nset end of b to 2\na", "{1}"],
  ["reverse of {1, 2, 3}", "{3, 2, 1}"],
  ["rest of {1, 2, 3}", "{2, 3}"],
  ["items 2 thru 3 of {1, 2, 3, 4}", "{2, 3}"],
  ["last item of {1, 2, 3}", "3"],
  ["count {1, 2, 3}", "3"],
  ["number of {1, 2}", "2"],
  ['every integer of {1, "a", 2}', "{1, 2}"],
  ["1 & 2", "{1, 2}"],
  // text
  ['text 2 thru 4 of "abcdef"', '"bcd"'],
  ['characters 1 thru 3 of "abcdef"', '"abc"'],
  ['words of "hello big world"', '{"hello", "big", "world"}'],
  ['paragraphs of "a\nb\nc"', '{"a", "b", "c"}'],
  [
    'set AppleScript\'s text item delimiters to ","\nset l to text items of "a,b,c"\nset AppleScript\'s text item delimiters to "-"\nl as text',
    '"a-b-c"',
  ],
  ['offset of "c" in "abcdef"', "3"],
  ['count of "hello"', "5"],
  ['length of "héllo"', "5"],
  ['"x" & 1.5', '"x1.5"'],
  ['"abc" contains "B"', "true"],
  ['considering case\n"abc" contains "B"\nend considering', "false"],
  ['"abc" starts with "a"', "true"],
  ['"abc" does not end with "c"', "false"],
  ['"a" comes before "b"', "true"],
  ['"b" is in {"a", "b"}', "true"],
  ['{"a", "b"} does not contain "c"', "true"],
  // numbers
  ["10 / 4", "2.5"],
  ["10 / 5", "2.0"],
  ["10 div 3", "3"],
  ["-7 mod 3", "-1"],
  ["2 ^ 10", "1024.0"],
  ["1 + 2 * 3 - 4", "3"],
  ["1.5e3", "1500.0"],
  ["0.1 + 0.2", "0.3"],
  ['"12" as integer', "12"],
  ["3.7 as integer", "4"],
  ["class of 1.5", "real"],
  ["class of 1", "integer"],
  ["1 ≠ 2 and 3 ≥ 3", "true"],
  ["1 is not equal to 2", "true"],
  ["2 is greater than or equal to 3", "false"],
  ["not true or false", "false"],
  // dates
  ['year of date "2024-03-05"', "2024"],
  ['month of date "March 5, 2024"', "March"],
  ['date "2024-03-05T10:20:30" + 2 * days', 'date "Thursday, March 7, 2024 at 10:20:30 AM"'],
  ['(date "2024-03-06") - (date "2024-03-05")', "86400"],
  ["class of (current date)", "date"],
  [
    'set d to date "2024-01-31"\nset day of d to 1\nset month of d to March\nset year of d to 2025\nd',
    'date "Saturday, March 1, 2025 at 12:00:00 AM"',
  ],
  ['set d to date "2024-01-01"\nset e to d\nset month of d to 2\nmonth of e', "February"],
  // control
  ['if 1 < 2 then\n"yes"\nelse if 1 > 2 then\n"no"\nelse\n"?"\nend if', '"yes"'],
  ['if 1 > 2 then "a" else "b"', '"b"'],
  ["set i to 0\nrepeat\nset i to i + 1\nif i = 5 then exit repeat\nend repeat\ni", "5"],
  ["set i to 0\nrepeat 3 times\nset i to i + 1\nend repeat\ni", "3"],
  ["set i to 0\nrepeat while i < 4\nset i to i + 1\nend repeat\ni", "4"],
  ["set i to 0\nrepeat until i ≥ 7\nset i to i + 1\nend repeat\ni", "7"],
  ["set s to 0\nrepeat with i from 1 to 10 by 2\nset s to s + i\nend repeat\ns", "25"],
  ["set s to {}\nrepeat with i from 3 to 1 by -1\nset end of s to i\nend repeat\ns", "{3, 2, 1}"],
  ["set l to {}\nrepeat with x in {1, 2, 3}\nset end of l to x * 2\nend repeat\nl", "{2, 4, 6}"],
  // errors
  ['try\nerror "boom" number 42\non error msg number n\nreturn {msg, n}\nend try', '{"boom", 42}'],
  [
    "try\nitem 3 of {1}\non error e number n\n{e, n}\nend try",
    '{"Can’t get item 3 of {1}.", -1728}',
  ],
  ['try\nerror "x"\nend try\n1', "1"],
  // handlers
  ["on fact(n)\nif n ≤ 1 then return 1\nreturn n * fact(n - 1)\nend fact\nfact(10)", "3628800"],
  ["my f(2)\non f(x)\nreturn x * 3\nend f", "6"],
  ['to twice(x)\nreturn x & x\nend twice\ntwice("ab")', '"abab"'],
  ["property p : 5\non f()\nset p to p + 1\nend f\nf()\np", "6"],
  ["global g\nset g to 1\non f()\nglobal g\nset g to g + 10\nend f\nf()\ng", "11"],
  ["on run argv\nreturn item 2 of argv\nend run", '"b"'],
  // values
  ["missing value", "missing value"],
  ['set r to {name:"n", |class name|:"c"}\n|class name| of r', '"c"'],
  ['{1, "a", {2, 3}, true, 2.0}', '{1, "a", {2, 3}, true, 2.0}'],
  ['POSIX path of POSIX file "/tmp/x"', '"/tmp/x"'],
  ["set x to 3\nset r to a reference to x\nset x to 4\ncontents of r", "4"],
  ["«class ctxt»", "text"],
  ["with timeout of 5 seconds\n1\nend timeout", "1"],
  ['ignoring case\n"A" = "a"\nend ignoring', "true"],
];

Deno.test("runScript() evaluates the core language without apps", async () => {
  for (const [source, expected] of CASES) {
    assert.equal(await run(source, ["a", "b"]), expected, source);
  }
});

Deno.test("runScript() reports execution errors with their place and number, as osascript", async () => {
  assert.equal(
    await fails("x + 1"),
    "0:1: execution error: The variable x is not defined. (-2753)",
  );
  assert.equal(
    await fails("set l to {1, 2}\nitem 5 of l"),
    "16:27: execution error: Can’t get item 5 of {1, 2}. (-1728)",
  );
  assert.equal(await fails('error "nope" number 7'), "0:21: execution error: nope (7)");
  assert.equal(await fails("1 / 0"), "0:5: execution error: Can’t divide 1 by zero. (-2701)");
  assert.equal(
    await fails('"a" as integer'),
    '0:14: execution error: Can’t make "a" into type integer. (-1700)',
  );
  assert.equal(
    await fails("on f(a)\nreturn a\nend f\nf(1, 2)"),
    "23:30: execution error: f takes 1 parameter, not 2. (-1721)",
  );
});

Deno.test("runScript() sends log lines to options.log in the human form", async () => {
  const lines: string[] = [];
  await runScript('log "a"\nlog {1, "b"}', { ...noApps, log: (t) => lines.push(t) });
  assert.deepEqual(lines, ["a", "1, b"]);
});

Deno.test("runScript() of a long loop gives its host's timers a turn before it ends", async () => {
  const order: string[] = [];
  setTimeout(() => order.push("timer"), 0);
  await runScript("set x to 0\nrepeat 3000000 times\nset x to x + 1\nend repeat\nx", noApps);
  order.push("script");
  assert.deepEqual(order, ["timer", "script"]);
});
