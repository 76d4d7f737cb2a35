// The decoder's counts of containers and values go through descriptors: what a specifier holds
// counts toward the body's limits like anything else (a merge once gave each descriptor a
// count of its own, so a body of many descriptors could hold many times the limit).
import assert from "node:assert/strict";
import { LimitError } from "../errors.ts";
import { DEFAULT_LIMITS } from "./limits.ts";
import { decodeValue, encodeValue } from "./msgpack.ts";
import { ObjectSpecifier } from "./value.ts";

function specifiers(count: number, each: number): ObjectSpecifier[] {
  const ids = Array.from({ length: each }, (_, i) => BigInt(i));
  return Array.from({ length: count }, () => new ObjectSpecifier("note", "application", "id", ids));
}

Deno.test("decodeValue() counts the values inside descriptors toward the body's limit", () => {
  const limits = { ...DEFAULT_LIMITS, maxValues: 1000 };
  // 3 specifiers of 400 ids each: under the limit one by one, over it together.
  assert.ok(decodeValue(encodeValue(specifiers(1, 400)), limits));
  assert.throws(() => decodeValue(encodeValue(specifiers(3, 400)), limits), LimitError);
});

Deno.test("decodeValue() counts the containers inside descriptors toward the body's limit", () => {
  const limits = { ...DEFAULT_LIMITS, maxContainers: 50 };
  // Each specifier is two containers (its parts and its list of ids).
  assert.ok(decodeValue(encodeValue(specifiers(20, 1)), limits));
  assert.throws(() => decodeValue(encodeValue(specifiers(30, 1)), limits), LimitError);
});
