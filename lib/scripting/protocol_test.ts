import assert from "node:assert/strict";
import { decodeValue, encodeValue } from "../wire/msgpack.ts";
import { ObjectSpecifier, valueEquals } from "../wire/value.ts";
import {
  eventFromValue,
  eventToValue,
  replyFromValue,
  replyToValue,
  type ScriptingEvent,
} from "./protocol.ts";

Deno.test("an event survives its wire form exactly", () => {
  const event: ScriptingEvent = {
    code: "coregetd",
    params: { "----": new ObjectSpecifier("note", "application", "index", 1n), data: "x" },
    subject: null,
    timeout: 2.5,
  };
  const back = eventFromValue(decodeValue(encodeValue(eventToValue(event))));
  assert.equal(back.code, "coregetd");
  assert.equal(back.timeout, 2.5);
  assert.equal(back.subject, null);
  assert.ok(valueEquals(back.params!, event.params!));
});

Deno.test("a malformed event is a TypeError that says what is wrong", () => {
  assert.throws(() => eventFromValue("coregetd"), /an event is a dictionary/);
  assert.throws(() => eventFromValue({ e: "get" }), /8 characters/);
  assert.throws(
    () => eventFromValue({ e: "coregetd", p: [] }),
    /parameters \(p\) are a dictionary/,
  );
  assert.throws(
    () => eventFromValue({ e: "coregetd", p: { to: 1n } }),
    /four characters, not "to"/,
  );
  assert.throws(() => eventFromValue({ e: "coregetd", t: "soon" }), /timeout \(t\) is a number/);
  for (const t of [0, -1, NaN, Infinity, 1e300]) {
    assert.throws(() => eventFromValue({ e: "coregetd", t }), /above 0 and at most 2147483/);
  }
});

Deno.test("a reply is a value or an error with its details", () => {
  const ok = replyFromValue(decodeValue(encodeValue(replyToValue({ ok: true, value: [1n] }))));
  assert.deepEqual(ok, { ok: true, value: [1n] });
  const error = replyFromValue(
    decodeValue(encodeValue(replyToValue({
      ok: false,
      number: -1700,
      message: 'Can’t make "x" into type integer.',
      offendingObject: "x",
      expectedType: "long",
    }))),
  );
  assert.deepEqual(error, {
    ok: false,
    number: -1700,
    message: 'Can’t make "x" into type integer.',
    offendingObject: "x",
    expectedType: "long",
  });
  assert.throws(() => replyFromValue({ n: "x" }), /a reply is \{v\} or an error/);
});
