/**
 * `tell` scripts against a real scriptable app in a process of its own (the Pantry app of
 * these tests), through the scripting client: references in every form, whose tests, the
 * standard commands, the app's own command, tell blocks on objects, and the app's errors.
 */

import assert from "node:assert/strict";
import { startApp } from "../scripting/_orchard.ts";
import { connectApp, type ScriptingEvent } from "../../lib/scripting/mod.ts";
import {
  type AppEndpoint,
  formatExecutionError,
  runScript,
  ScriptError,
  sourceText,
} from "../../lib/tell/mod.ts";

const PANTRY = new URL("./_pantry_app.ts", import.meta.url).pathname;

async function withPantry(
  f: (run: (source: string) => Promise<string>) => Promise<void>,
): Promise<void> {
  const app = await startApp(PANTRY);
  try {
    await f(async (source) => {
      try {
        return sourceText(await runScript(source, { runtimeDir: app.runtimeDir }));
      } catch (e) {
        if (e instanceof ScriptError) return formatExecutionError(e);
        throw e;
      }
    });
  } finally {
    await app.stop();
  }
}

const T = 'tell application "Pantry" to ';

/** A `connect` for {@linkcode runScript} over the scripting client that counts the app's definition fetched. */
function countingFetches(runtimeDir: string): {
  connect: (name: string) => Promise<AppEndpoint>;
  readonly count: number;
} {
  let count = 0;
  return {
    connect: async (name) => {
      const c = await connectApp(name, { runtimeDir });
      return {
        app: c.app,
        send: (e: ScriptingEvent) => c.send(e),
        definition: () => {
          count++;
          return c.definition();
        },
        close: () => c.close(),
      };
    },
    get count() {
      return count;
    },
  };
}

Deno.test("tell reads an app's objects by every reference form", async () => {
  await withPantry(async (run) => {
    const cases: [string, string][] = [
      [`${T}get name of every jar of shelf 1`, '{"Raspberry", "Honey", "Gherkins"}'],
      [
        `${T}get name of every jar of every shelf`,
        '{{"Raspberry", "Honey", "Gherkins"}, {"Apricot"}}',
      ],
      [`${T}get jar 1 of shelf "Top"`, 'jar id 1 of shelf "Top" of application "Pantry"'],
      [`${T}get name of jars 1 thru 2 of shelf 1`, '{"Raspberry", "Honey"}'],
      [`${T}get name of last jar of shelf 1`, '"Gherkins"'],
      [`${T}get name of the second jar of shelf 1`, '"Honey"'],
      [`${T}get name of jar -1 of shelf 1`, '"Gherkins"'],
      [`${T}get name of jar after jar 1 of shelf 1`, '"Honey"'],
      [`${T}get name of jar id 2 of shelf 1`, '"Honey"'],
      [`${T}get name of jar named "Honey" of shelf 1`, '"Honey"'],
      [`${T}get shelf 1's jar 2's name`, '"Honey"'],
      [`${T}get name of every jar in shelf "Top" whose quantity > 2`, '{"Raspberry", "Gherkins"}'],
      [`${T}get name of first jar of shelf 1 whose name contains "rasp"`, '"Raspberry"'],
      [`${T}get name of jars of shelf 1 where it is opened`, '{"Raspberry"}'],
      [`${T}get name of every jar of shelf 1 whose kind is jam and quantity ≥ 3`, '{"Raspberry"}'],
      [
        `${T}get name of every jar of shelf 1 whose not (name starts with "G" or opened)`,
        '{"Honey"}',
      ],
      [
        `${T}get name of (every jar of shelf 1 whose name is not "Honey")`,
        '{"Raspberry", "Gherkins"}',
      ],
      [`${T}get owner`, '"Ann"'],
      [`${T}get quantity of jar 1 of shelf 1 as text`, '"3"'],
      ['tell application "Pantry"\nactivate\nlaunch\nrun\nget owner\nend tell', '"Ann"'],
      ['activate application "Pantry"\nlaunch application "Pantry"\n1', "1"],
      ["get 3 as text", '"3"'],
      [`${T}count shelves`, "2"],
      [`${T}count every jar of shelf 1`, "3"],
      [
        `${T}get best before of jar 1 of shelf 1`,
        'date "Wednesday, January 2, 2030 at 12:00:00 AM"',
      ],
      [`${T}get kind of jar 2 of shelf 1`, "honey"],
      [`${T}get class of jar 1 of shelf 1`, "jar"],
      ['tell application id "com.example.Pantry" to get owner', '"Ann"'],
      [
        'tell app "Pantry"\ntell shelf "Top"\nget {name of jar 2, quantity of jar 2}\nend tell\nend tell',
        '{"Honey", 1}',
      ],
      [
        'tell application "Pantry"\nset s to shelf "Top"\ntell s to get name of jar 1\nend tell',
        '"Raspberry"',
      ],
      [
        'tell application "Pantry"\nset l to {}\nrepeat with j in every jar of shelf 1\nset end of l to name of j\nend repeat\nl\nend tell',
        '{"Raspberry", "Honey", "Gherkins"}',
      ],
      [
        'tell application "Pantry"\nset r to a reference to jar 1 of shelf 1\nend tell\nclass of r',
        "jar",
      ],
      ['tell application "Pantry" to get (name of jar 1 of shelf 1) as text', '"Raspberry"'],
      [
        'tell application "Pantry"\nset p to properties of jar 1 of shelf 1\n{name of p, quantity of p}\nend tell',
        '{"Raspberry", 3}',
      ],
      ['tell application "Pantry" to exists jar "Nope" of shelf 1', "false"],
      ['tell application "Pantry" to jar "Honey" of shelf 1 exists', "true"],
    ];
    for (const [source, expected] of cases) assert.equal(await run(source), expected, source);
  });
});

Deno.test("tell changes an app's objects: set, make, delete, and the app's own command", async () => {
  await withPantry(async (run) => {
    assert.equal(
      await run(
        'tell application "Pantry"\nset quantity of jar "Honey" of shelf 1 to 7\nget quantity of jar "Honey" of shelf 1\nend tell',
      ),
      "7",
    );
    assert.equal(
      await run(
        'tell application "Pantry"\nset j to make new jar at end of jars of shelf "Top" with properties {name:"Salsa", quantity:1, kind:pickle}\n{name of j, kind of j, count jars of shelf "Top"}\nend tell',
      ),
      '{"Salsa", pickle, 4}',
    );
    assert.equal(
      await run(
        'tell application "Pantry"\ndelete jar "Salsa" of shelf 1\ncount of jars of shelf 1\nend tell',
      ),
      "3",
    );
    assert.equal(await run(`${T}restock jar "Honey" of shelf 1 by 3`), "10");
    assert.equal(
      await run('tell application "Pantry"\ntell jar "Honey" of shelf 1 to restock by 2\nend tell'),
      "12",
    );
    assert.equal(
      await run(
        'tell application "Pantry"\ntell shelf "Bottom"\nmake new jar with properties {name:"Fig"}\nget name of every jar\nend tell\nend tell',
      ),
      '{"Apricot", "Fig"}',
    );
    assert.equal(
      await run(
        'tell application "Pantry"\nset opened of every jar of shelf 1 whose kind is pickle to true\nget name of every jar of shelf 1 whose opened is true\nend tell',
      ),
      '{"Raspberry", "Gherkins"}',
    );
  });
});

Deno.test("tell reports an app's errors as osascript, and a script catches them", async () => {
  await withPantry(async (run) => {
    assert.equal(
      await run(`${T}get jar "nope" of shelf 1`),
      '29:54: execution error: Pantry got an error: Can’t get jar "nope" of shelf 1. (-1728)',
    );
    assert.equal(
      await run(
        'tell application "Pantry"\ntry\nget jar "nope" of shelf 1\non error m number n\n{m, n}\nend try\nend tell',
      ),
      '{"Pantry got an error: Can’t get jar \\"nope\\" of shelf 1.", -1728}',
    );
    assert.match(
      await run('tell application "Pantry"\nwith timeout of 1 second\nnap\nend timeout\nend tell'),
      /^51:54: execution error: Pantry got an error: .*AppleEvent timed out.* \(-1712\)$/,
    );
    assert.equal(
      await run('tell application "Nope" to quit'),
      "5:23: execution error: Nope got an error: Application isn’t running. (-600)",
    );
  });
});

Deno.test("tell asks a running app for its terminology once; later scripts read it from the cache", async () => {
  const app = await startApp(PANTRY);
  try {
    const fetches = countingFetches(app.runtimeDir);
    for (let i = 0; i < 3; i++) {
      const owner = await runScript(`${T}get owner`, {
        runtimeDir: app.runtimeDir,
        connect: fetches.connect,
      });
      assert.equal(owner, "Ann");
    }
    assert.equal(fetches.count, 1);
  } finally {
    await app.stop();
  }
});

Deno.test("a terms cache file that does not read (torn) is no cache: tell asks the app again", async () => {
  const app = await startApp(PANTRY);
  try {
    const fetches = countingFetches(app.runtimeDir);
    const options = { runtimeDir: app.runtimeDir, connect: fetches.connect };
    assert.equal(await runScript(`${T}get owner`, options), "Ann");
    const dir = `${app.runtimeDir}/tell-terms`;
    const files = [...Deno.readDirSync(dir)].map((e) => e.name);
    assert.equal(files.length, 1);
    await Deno.writeTextFile(`${dir}/${files[0]}`, '{"classes": [["shelf", "');
    assert.equal(await runScript(`${T}get owner`, options), "Ann");
    assert.equal(fetches.count, 2);
    assert.equal(await runScript(`${T}get owner`, options), "Ann");
    assert.equal(fetches.count, 2, "the cache written again is read");
  } finally {
    await app.stop();
  }
});

Deno.test("an app that was killed, its record and cached terms left behind: -600 at its name, before the script's own syntax error", async () => {
  const app = await startApp(PANTRY);
  const options = { runtimeDir: app.runtimeDir };
  try {
    assert.equal(await runScript(`${T}get owner`, options), "Ann"); // its terms are cached now
    app.child.kill("SIGKILL");
    await app.child.status;
    assert.ok([...Deno.readDirSync(`${app.runtimeDir}/apps`)].length > 0, "the record is left");
    for (const source of [`${T}get owner`, `${T}get owner of of`]) {
      const error = await runScript(source, options).then(() => undefined, (e) => e);
      assert.ok(error instanceof ScriptError, `${source}: ${error}`);
      assert.equal(error.number, -600);
      assert.deepEqual(error.span, { start: 5, end: 25 }); // application "Pantry"
    }
  } finally {
    await app.stop();
  }
});
