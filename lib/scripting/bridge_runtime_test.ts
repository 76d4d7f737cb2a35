// The runtime's wire forms, against a connection that records what it is given and answers
// from a script: the events references send, and what replies turn into. The end-to-end tests
// against real apps are in tests/scripting/bridge_test.ts and bridge_apps_test.ts.
import assert from "node:assert/strict";
import { AppleEventError, ScriptingError } from "../errors.ts";
import type { TerminologyTable } from "../sdef/terminology_table.ts";
import {
  Comparison,
  EnumConstant,
  InsertionLocation,
  LogicalTest,
  ObjectSpecifier,
  TypeCode,
  type Value,
} from "../wire/value.ts";
import { applicationReference, BridgeSession, specifierOf } from "./bridge_runtime.ts";
import { BridgeTerms } from "./bridge_terms.ts";
import type { AppConnection } from "./client.ts";
import type { DynamicApplication } from "./dynamic.ts";
import type { ScriptingEvent } from "./protocol.ts";

const TABLE: TerminologyTable = {
  classes: [["application", "capp", "applications"], ["chat", "ichc", "chats"]],
  properties: [["name", "pnam"], ["status", "stat"], ["unread count", "unrd"]],
  enumerations: [["status", "Stat"]],
  enumerators: [["away", "Away"], ["available", "Avai"]],
  recordTypes: [],
  valueTypes: [],
  commands: [{ name: "send", code: "ichtsend", parameters: [["to", "to  "]] }],
  events: [],
};

function fake(answers: Value[] | ((e: ScriptingEvent) => Value)): {
  app: DynamicApplication;
  events: ScriptingEvent[];
} {
  const events: ScriptingEvent[] = [];
  const connection = {
    app: { name: "Messages", bundleId: "com.example.Messages", pid: 1, since: "" },
    send(event: ScriptingEvent): Promise<Value> {
      events.push(event);
      if (typeof answers === "function") {
        try {
          return Promise.resolve(answers(event));
        } catch (error) {
          return Promise.reject(error);
        }
      }
      return Promise.resolve(answers.shift() ?? null);
    },
    close() {},
  } as unknown as AppConnection;
  const session = new BridgeSession(connection, new BridgeTerms(TABLE, ["stat"]));
  return { app: applicationReference(session) as DynamicApplication, events };
}

Deno.test("references send nothing until a command, then one event with the whole specifier", async () => {
  const { app, events } = fake(["x"]);
  const ref = app.chats.at(-2).name;
  assert.equal(events.length, 0);
  assert.equal(await ref.get(), "x");
  assert.deepEqual(events, [{
    code: "coregetd",
    params: {
      "----": new ObjectSpecifier(
        "prop",
        new ObjectSpecifier("ichc", "application", "index", -2n),
        "property",
        "pnam",
      ),
    },
  }]);
});

Deno.test("whose is one test; terms go as codes where the slot is an enumeration, text elsewhere", async () => {
  const { app, events } = fake([[]]);
  await app.chats.whose((c) =>
    c.status.equals("away").or(c.name.isIn(["away"])).and(c.unreadCount.notEquals(0))
  ).get();
  const its = (code: string) => new ObjectSpecifier("prop", "examined", "property", code);
  assert.deepEqual(
    (events[0].params!["----"] as ObjectSpecifier).seld,
    new LogicalTest("and", [
      new LogicalTest("or", [
        new Comparison("=", its("stat"), new EnumConstant("Away")),
        new Comparison("contains", ["away"], its("pnam")),
      ]),
      new LogicalTest("not", [new Comparison("=", its("unrd"), 0n)]),
    ]),
  );
});

Deno.test("a term of the app's wins over an escape hatch of the same name; the others stay", async () => {
  const { app, events } = fake([null, "n"]);
  await app.send("hi", { to: app.chats.byName("Ann") });
  assert.equal(events[0].code, "ichtsend");
  assert.deepEqual(events[0].params, {
    "----": "hi",
    "to  ": new ObjectSpecifier("ichc", "application", "name", "Ann"),
  });
  assert.equal(await app.property("pnam").get(), "n");
  assert.deepEqual(
    specifierOf(app.elements("chat").first()),
    new ObjectSpecifier("ichc", "application", "index", "first"),
  );
});

Deno.test("make sends its class as a type code and its location and record by code", async () => {
  const { app, events } = fake([new ObjectSpecifier("ichc", "application", "id", 7n)]);
  const made = await app.make({
    new: "chat",
    at: app.chats.end(),
    withProperties: { name: "x", status: "available" },
  });
  assert.deepEqual(events[0].params, {
    kocl: new TypeCode("ichc"),
    insh: new InsertionLocation("end", "application"),
    prdt: { pnam: "x", stat: new EnumConstant("Avai") },
  });
  assert.deepEqual(specifierOf(made), new ObjectSpecifier("ichc", "application", "id", 7n));
});

Deno.test("replies become bridge values: numbers, terms, records by name, references, null", async () => {
  const { app } = fake([{
    pnam: "x",
    stat: new EnumConstant("Away"),
    unrd: 3n,
    chat: new ObjectSpecifier("ichc", "application", "id", 1n),
    none: null,
  }]);
  const got = await app.chats.at(0).get() as Record<string, unknown>;
  assert.equal(got.name, "x");
  assert.equal(got.status, "away");
  assert.equal(got.unreadCount, 3);
  assert.equal(got.none, null);
  assert.deepEqual(specifierOf(got.chat), new ObjectSpecifier("ichc", "application", "id", 1n));
});

Deno.test("an app's error is a ScriptingError with tell's message and bridge values", async () => {
  const missing = new ObjectSpecifier("ichc", "application", "name", "Bo");
  const { app } = fake(() => {
    throw new AppleEventError(-1728, 'Can’t get chat "Bo".', {
      offendingObject: missing,
      expectedType: "ichc",
    });
  });
  const error = await app.chats.byName("Bo").name.get().catch((e: unknown) => e);
  assert.ok(error instanceof ScriptingError);
  assert.equal(error.message, 'Messages got an error: Can’t get chat "Bo".');
  assert.equal(error.number, -1728);
  assert.deepEqual(specifierOf(error.offendingObject), missing);
  assert.equal(error.expectedType, "chat");
  assert.ok(error.cause instanceof AppleEventError);
});

Deno.test("bad input is a TypeError that says what to do", () => {
  const { app } = fake([]);
  assert.throws(() => app.chats.at(1.5), /an index is a whole number, not 1.5/);
  assert.throws(() => app.chats.whose(() => true), /a whose callback returns a test/);
  assert.throws(
    () => app.send("hi", { cc: "x" }),
    /the command ichtsend has no parameter "cc": it takes to/,
  );
  assert.throws(() => app.before(), /no place before the application/);
});
