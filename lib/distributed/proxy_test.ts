import assert from "node:assert/strict";
import type { ByRef } from "./references.ts";
import { invoke, isValid, release, type Remote, withTimeout } from "./proxy.ts";

interface Counter {
  increment(by: number): number;
}

interface Store {
  name: string;
  add(a: number, b: number): number;
  counter(): ByRef<Counter>;
  range(n: number): AsyncIterable<number>;
  then(): void;
  counters(): { all: ByRef<Counter>[]; at: Date; data: Uint8Array };
  adder(): ByRef<(a: number) => number>;
  [Symbol.iterator](): Iterator<number>;
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;

Deno.test("Remote<T> has T's methods returning promises, no properties and no then", () => {
  const add: Equal<Remote<Store>["add"], (a: number, b: number) => Promise<number>> = true;
  const counter: Equal<Awaited<ReturnType<Remote<Store>["counter"]>>, Remote<Counter>> = true;
  const range: Equal<
    Awaited<ReturnType<Remote<Store>["range"]>>,
    AsyncIterableIterator<number>
  > = true;
  const keys: Equal<
    keyof Remote<Store>,
    "add" | "counter" | "range" | "counters" | "adder"
  > = true;
  const nested: Equal<
    Awaited<ReturnType<Remote<Store>["counters"]>>,
    { all: Remote<Counter>[]; at: Date; data: Uint8Array }
  > = true;
  const fn: Equal<
    Awaited<ReturnType<Remote<Store>["adder"]>>,
    (a: number) => Promise<number>
  > = true;
  assert.ok(add && counter && range && keys && nested && fn);
});

Deno.test("release(), isValid(), withTimeout() and invoke() take only remote objects", () => {
  assert.throws(() => release({}), TypeError);
  assert.throws(() => isValid({}), TypeError);
  assert.throws(() => withTimeout({}, 1), TypeError);
  assert.throws(() => invoke({}, "x"), TypeError);
});
