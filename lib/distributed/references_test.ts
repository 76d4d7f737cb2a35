import assert from "node:assert/strict";
import { KIND_FUNCTION, KIND_OBJECT } from "./protocol.ts";
import { byRef, ExportTable, isByRef, isOneway, methodTableOf, oneway } from "./references.ts";

class Base {
  base(): number {
    return 1;
  }
}
class Derived extends Base {
  field = 5;
  arrow = () => 2;
  own(): number {
    return 3;
  }
  get computed(): number {
    throw new Error("a getter is never called to find methods");
  }
  quiet = oneway(() => {});
}

Deno.test("methodTableOf() takes the prototype chain up to Object.prototype, never constructor", () => {
  const table = methodTableOf(new Derived());
  assert.deepEqual(table.methods.sort(), ["arrow", "base", "own", "quiet"]);
  assert.deepEqual(table.oneway, ["quiet"]);
  assert.deepEqual(methodTableOf({ f() {}, x: 1 }).methods, ["f"]);
  assert.deepEqual(methodTableOf(Object.create(null)).methods, []);
});

Deno.test("methodTableOf() takes a methods list as exact, and checks it and the oneway list", () => {
  const table = methodTableOf(new Derived(), { methods: ["own"], oneway: ["own"] });
  assert.deepEqual(table, { methods: ["own"], oneway: ["own"] });
  assert.throws(() => methodTableOf(new Derived(), { methods: ["field"] }), TypeError);
  assert.throws(
    () => methodTableOf(new Derived(), { methods: ["own"], oneway: ["base"] }),
    TypeError,
  );
});

Deno.test("byRef() and oneway() mark their argument and return it", () => {
  const object = {};
  assert.equal(byRef(object), object);
  assert.ok(isByRef(object));
  assert.ok(!isByRef({}));
  const fn = () => {};
  assert.equal(oneway(fn), fn);
  assert.ok(isOneway(fn));
  assert.throws(() => byRef(1 as unknown as object), TypeError);
});

Deno.test("ExportTable counts each holder's receipts and drops an object once nobody holds it", () => {
  const table = new ExportTable();
  const a = {}, b = {};
  const object = byRef({ m() {} });
  const first = table.export(object, a);
  assert.equal(first.kind, KIND_OBJECT);
  assert.equal(table.export(object, a).id, first.id); // the same id while exported
  table.export(object, b);
  assert.equal(table.size, 1);
  assert.equal(table.heldBy(a), 1);
  table.release(first.id, a, 1); // a received it twice: still held
  assert.ok(table.held(first.id, a));
  table.release(first.id, a, 1);
  assert.equal(table.held(first.id, a), undefined);
  assert.equal(table.size, 1); // b holds it
  table.releaseAll(b);
  assert.equal(table.size, 0);
  assert.equal(table.retain(first.id, a, first.token), false);
  const fn = table.export(() => 1, a);
  // A third process takes a reference with its secret, never with a guessed id alone.
  assert.equal(table.retain(fn.id, b, ""), false);
  assert.equal(table.retain(fn.id, b, crypto.randomUUID()), false);
  assert.equal(table.held(fn.id, b), undefined);
  assert.equal(table.retain(fn.id, b, fn.token), true);
  table.release(fn.id, b, 1);
  assert.equal(fn.kind, KIND_FUNCTION);
  assert.notEqual(fn.id, first.id); // ids are not reused
  table.release(fn.id, b, 5); // not b's: nothing happens
  assert.equal(table.size, 1);
});
