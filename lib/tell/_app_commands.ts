/**
 * What the `tell` evaluator sends to apps: references to their objects as object specifiers,
 * `whose` tests, and commands with their parameters (or their local meaning when no app is
 * told).
 *
 * @module
 */

import {
  Comparison,
  type ComparisonOperator,
  InsertionLocation,
  LogicalTest,
  ObjectSpecifier,
  type TestDescriptor,
  type Value,
} from "../wire/value.ts";
import type { ScriptingEvent } from "../scripting/protocol.ts";
import type * as A from "./ast.ts";
import { ScriptError } from "./errors.ts";
import {
  type AppHandle,
  AppRef,
  AsClass,
  AsRecord,
  coerce,
  deref,
  fromWire,
  Real,
  sourceText,
  toInteger,
  toList,
  toText,
  toWire,
  type Val,
} from "./values.ts";
import { type Ctx, describeElement, type Evaluation, EXAMINED } from "./_eval_context.ts";

/**
 * The evaluator's dealings with apps; it hands itself over for the values of the expressions
 * they hold.
 */
export class AppCommands {
  #ev: Evaluation;

  /** Commands for the evaluator `ev`. */
  constructor(ev: Evaluation) {
    this.#ev = ev;
  }

  /** The container of a reference without `of`: the `whose` test's object, else the tell target. */
  async container(of: A.Expr | undefined, ctx: Ctx): Promise<Val | undefined> {
    if (of) return await this.#ev.ref(of, ctx);
    if (ctx.filterApp) return new AppRef(ctx.filterApp, EXAMINED);
    return ctx.target;
  }

  /** A container's value: an app's object is got first. */
  async resolved(v: Val, ctx: Ctx): Promise<Val> {
    if (v instanceof AppRef && v.spec instanceof ObjectSpecifier) {
      return await this.send(v.app, { code: "coregetd", params: { "----": v.spec } }, ctx);
    }
    return v;
  }

  /** The object specifier of an element of an app's object. */
  async elementSpec(
    e: A.ElementExpr,
    from: ObjectSpecifier | "application" | "examined",
    ctx: Ctx,
  ): Promise<ObjectSpecifier> {
    const want = e.cls.code;
    const bound = async (x: A.Expr): Promise<Value> => {
      const v = await this.#ev.ref(x, ctx);
      if (v instanceof AppRef && v.spec instanceof ObjectSpecifier) return v.spec;
      const d = deref(v);
      if (typeof d === "number" || d instanceof Real) return BigInt(toInteger(d));
      return toText(d);
    };
    switch (e.form) {
      case "key": {
        const k = deref(await this.#ev.value(e.key!, ctx));
        if (typeof k === "number" || k instanceof Real) {
          return new ObjectSpecifier(want, from, "index", BigInt(toInteger(k)));
        }
        if (typeof k === "string") return new ObjectSpecifier(want, from, "name", k);
        if (Array.isArray(k) && k.length === 1) {
          return new ObjectSpecifier(want, from, "name", toText(k[0]));
        }
        throw new ScriptError(`Can’t make ${sourceText(k)} into type integer or text.`, -1700);
      }
      case "index":
        return new ObjectSpecifier(
          want,
          from,
          "index",
          BigInt(toInteger(await this.#ev.value(e.key!, ctx))),
        );
      case "name":
        return new ObjectSpecifier(want, from, "name", toText(await this.#ev.value(e.key!, ctx)));
      case "id": {
        let id = toWire(deref(await this.#ev.value(e.key!, ctx)));
        if (Array.isArray(id) && id.length === 1) id = id[0];
        return new ObjectSpecifier(want, from, "id", id);
      }
      case "every":
        return new ObjectSpecifier(want, from, "index", "every");
      case "ordinal": {
        const o = e.ordinal!;
        if (typeof o === "number") return new ObjectSpecifier(want, from, "index", BigInt(o));
        return new ObjectSpecifier(want, from, "index", o as "first" | "last" | "middle" | "some");
      }
      case "range":
        return new ObjectSpecifier(want, from, "range", [
          await bound(e.key!),
          await bound(e.key2!),
        ]);
      case "relative": {
        const of = await this.#ev.ref(e.key!, ctx);
        if (!(of instanceof AppRef) || !(of.spec instanceof ObjectSpecifier)) {
          throw new ScriptError(`Can’t get ${describeElement(e)}.`, -1728);
        }
        return new ObjectSpecifier(want, of.spec, "relative", e.ordinal as "before" | "after");
      }
    }
  }

  /** `every note whose …` (a test sent to the app), `first note whose …` (its match). */
  async filter(e: A.FilterExpr, ctx: Ctx): Promise<Val> {
    const container = await this.container(e.ref.of, ctx);
    if (!(container instanceof AppRef)) {
      throw new ScriptError(
        `Can’t get ${describeElement(e.ref)} whose …: whose works on an app’s elements, not on ${
          container === undefined ? "nothing" : sourceText(deref(container))
        }.`,
        -1700,
      );
    }
    const test = await this.#test(e.test, { ...ctx, filterApp: container.app });
    const every = new ObjectSpecifier(e.ref.cls.code, specOf(container), "test", test);
    if (e.ref.form === "every") return new AppRef(container.app, every);
    // `first note whose …`: the matches' references, then the one asked for.
    const found = toList(
      await this.send(container.app, {
        code: "coregetd",
        params: { "----": every },
      }, ctx),
    );
    const o = e.ref.ordinal;
    const n = found.length;
    const i = typeof o === "number"
      ? o - 1
      : o === "last"
      ? n - 1
      : o === "middle"
      ? Math.floor((n + 1) / 2) - 1
      : o === "some"
      ? Math.floor(Math.random() * n)
      : 0;
    if (i < 0 || i >= n) {
      throw new ScriptError(`Can’t get ${describeElement(e.ref)} whose ….`, -1728, {
        app: container.app.name,
      });
    }
    return found[i];
  }

  async #test(e: A.Expr, ctx: Ctx): Promise<TestDescriptor> {
    if (e.type === "binary" && (e.op === "and" || e.op === "or")) {
      const operands: TestDescriptor[] = [];
      const collect = async (x: A.Expr) => {
        if (x.type === "binary" && x.op === e.op) {
          await collect(x.left);
          await collect(x.right);
        } else operands.push(await this.#test(x, ctx));
      };
      await collect(e);
      return new LogicalTest(e.op, operands);
    }
    if (e.type === "unary" && e.op === "not") {
      return new LogicalTest("not", [await this.#test(e.operand, ctx)]);
    }
    if (e.type === "binary") {
      const map: Partial<Record<A.BinaryOp, [ComparisonOperator, boolean, boolean]>> = {
        "=": ["=", false, false],
        "≠": ["=", true, false],
        "<": ["<", false, false],
        "≤": ["<=", false, false],
        ">": [">", false, false],
        "≥": [">=", false, false],
        "contains": ["contains", false, false],
        "does not contain": ["contains", true, false],
        "is in": ["contains", false, true],
        "is not in": ["contains", true, true],
        "starts with": ["begins with", false, false],
        "does not start with": ["begins with", true, false],
        "ends with": ["ends with", false, false],
        "does not end with": ["ends with", true, false],
      };
      const m = map[e.op];
      if (m) {
        let left = await this.#operand(e.left, ctx);
        let right = await this.#operand(e.right, ctx);
        // `it is frontmost`: the property is true.
        if (left === EXAMINED_VALUE && right instanceof ObjectSpecifier) {
          [left, right] = [right, true];
        }
        if (right === EXAMINED_VALUE && left instanceof ObjectSpecifier) right = true;
        if (typeof left === "symbol" || typeof right === "symbol") {
          throw new ScriptError("Can’t compare it with itself in a test.", -1700);
        }
        const [op, negate, swap] = m;
        const c = swap ? new Comparison(op, right, left) : new Comparison(op, left, right);
        return negate ? new LogicalTest("not", [c]) : c;
      }
    }
    const v = await this.#operand(e, ctx);
    if (v instanceof ObjectSpecifier) return new Comparison("=", v, true);
    throw new ScriptError(
      `Can’t make ${sourceText(deref(await this.#ev.value(e, ctx)))} into a test.`,
      -1700,
    );
  }

  async #operand(e: A.Expr, ctx: Ctx): Promise<Value | typeof EXAMINED_VALUE> {
    if (e.type === "it") return EXAMINED_VALUE;
    const v = await this.#ev.ref(e, ctx);
    if (v instanceof AppRef) {
      if (v.spec === EXAMINED) return EXAMINED_VALUE;
      if (v.spec instanceof ObjectSpecifier && rootOf(v.spec) === "examined") return v.spec;
      const got = await this.#ev.value(e, { ...ctx, filterApp: undefined });
      return toWire(got);
    }
    return toWire(deref(v));
  }

  /** `end of x`: an insertion location in an app, or the last item of a list or text. */
  async insertion(e: A.InsertionExpr, ctx: Ctx): Promise<Val> {
    const container = e.of ? await this.#ev.ref(e.of, ctx) : ctx.target;
    if (container instanceof AppRef) {
      // `end of notes of folder 1` goes as AppleScript sends it: the runtime takes the
      // container's elements of that class.
      const spec = specOf(container);
      if (spec === "examined") throw new ScriptError(`Can’t get ${e.position} of it.`, -1728);
      return new AppRef(container.app, new InsertionLocation(e.position, spec));
    }
    const c = deref(container ?? null);
    if (Array.isArray(c) || typeof c === "string") {
      const items = typeof c === "string" ? [...c] : c;
      if (items.length === 0) {
        throw new ScriptError(`Can’t get ${e.position} of ${sourceText(c)}.`, -1728);
      }
      if (e.position === "beginning") return items[0];
      if (e.position === "end") return items[items.length - 1];
    }
    throw new ScriptError(`Can’t get ${e.position} of ${sourceText(c)}.`, -1728);
  }

  /** A command: sent to the app it is for, or done here (`count` of a list, `current date`). */
  async command(e: A.CommandExpr, ctx: Ctx): Promise<Val> {
    // `get x as text`: the result is coerced here, as AppleScript does what an app does not.
    const as = e.term.code === "coregetd" ? e.params.find((p) => p.code === "rtyp") : undefined;
    if (as) {
      const v = deref(await this.command({ ...e, params: e.params.filter((p) => p !== as) }, ctx));
      const to = await this.#ev.value(as.value, ctx);
      if (!(to instanceof AsClass)) {
        throw new ScriptError(`Can’t make ${sourceText(v)} into type ${sourceText(to)}.`, -1700);
      }
      return Array.isArray(v) && (to.code === "ctxt" || to.code === "TEXT" || to.code === "utxt")
        ? toText(v, this.#ev.delimiterText())
        : coerce(v, to);
    }
    const code = e.term.code;
    const direct = e.direct ? await this.#ev.ref(e.direct, ctx) : undefined;
    const params: { code: string; label: string; value: Val }[] = [];
    for (const p of e.params) {
      params.push({ code: p.code, label: p.label, value: await this.#ev.ref(p.value, ctx) });
    }
    // Which app: the direct parameter's, else the tell target's (for the app's own terms, or
    // the standard commands with no local meaning).
    let app: AppHandle | undefined;
    if (direct instanceof AppRef && direct.spec !== EXAMINED) {
      app = direct.app as AppHandle;
    } else if (
      ctx.target instanceof AppRef &&
      (e.term.app !== undefined || direct === undefined ||
        ["corecrel", "coredelo", "coreclon", "coremove"].includes(code))
    ) app = ctx.target.app as AppHandle;
    if (app && !(code === "corecnte" && direct !== undefined && !(direct instanceof AppRef))) {
      return await this.#appCommand(app, e, direct, params, ctx);
    }
    return await this.#localCommand(e, direct, params, ctx);
  }

  async #appCommand(
    app: AppHandle,
    e: A.CommandExpr,
    direct: Val | undefined,
    params: { code: string; label: string; value: Val }[],
    ctx: Ctx,
  ): Promise<Val> {
    const code = e.term.code;
    const wire: Record<string, Value> = {};
    const target = ctx.target instanceof AppRef ? ctx.target : undefined;
    const subject = target && target.spec instanceof ObjectSpecifier ? target.spec : undefined;
    if (direct !== undefined) {
      if (direct instanceof AppRef) {
        if (direct.spec !== "application") wire["----"] = direct.spec;
      } else wire["----"] = toWire(deref(direct));
    }
    for (const p of params) {
      if (!p.code) {
        throw new ScriptError(`${e.term.name} doesn’t take the parameter “${p.label}”.`, -1715);
      }
      const v = p.value;
      wire[p.code] = v instanceof AppRef
        ? (v.spec === "application" ? "application" as unknown as Value : v.spec)
        : toWire(deref(v));
      if (v instanceof AppRef && v.spec === "application") wire[p.code] = null;
    }
    // A command told to an object: the object is its direct parameter (make: where it goes).
    if (subject && !("----" in wire)) {
      if (code === "corecrel") {
        if (!("insh" in wire)) wire.insh = new InsertionLocation("end", subject);
      } else wire["----"] = subject;
    }
    // Activate, launch and run need no more than a running app here.
    if ((code === "miscactv" || code === "ascrnoop" || code === "aevtoapp") && !("----" in wire)) {
      try {
        await this.send(app, { code, params: wire }, ctx);
      } catch (err) {
        if (!(err instanceof ScriptError) || err.number !== -1708) throw err;
      }
      return null;
    }
    const result = await this.send(app, { code, params: wire }, ctx);
    return result;
  }

  /** Sends an event within the context's timeout; `null` at once when ignoring responses. */
  async send(app: AppHandle, event: ScriptingEvent, ctx: Ctx): Promise<Val> {
    const e: ScriptingEvent = ctx.timeout !== undefined
      ? { ...event, timeout: ctx.timeout }
      : event;
    if (ctx.ignoreResponses) {
      app.send(e).catch(() => {});
      return null;
    }
    return fromWire(await app.send(e), app);
  }

  async #localCommand(
    e: A.CommandExpr,
    direct: Val | undefined,
    params: { code: string; label: string; value: Val }[],
    ctx: Ctx,
  ): Promise<Val> {
    const d = direct === undefined ? undefined : deref(await this.resolved(direct, ctx));
    switch (e.term.code) {
      case "coregetd":
        return d ?? null;
      case "corecnte": {
        if (d === undefined) throw new ScriptError("count needs something to count.", -1701);
        if (typeof d === "string") return [...d].length;
        if (Array.isArray(d)) return d.length;
        if (d instanceof AsRecord) return d.fields.size;
        return 1;
      }
      case "coredoex":
        return d !== undefined && d !== null;
      case "misccurd":
        return new Date();
      case "sysooffs": {
        const of = params.find((p) => p.code === "psof");
        const inn = params.find((p) => p.code === "psin");
        if (!of || !inn) throw new ScriptError("offset needs “of” and “in”.", -1701);
        const needle = toText(deref(of.value));
        const hay = toText(deref(inn.value));
        const i = ctx.considerCase
          ? hay.indexOf(needle)
          : hay.toLowerCase().indexOf(needle.toLowerCase());
        return i < 0 ? 0 : [...hay.slice(0, i)].length + 1;
      }
      case "aevtoapp":
      case "miscactv":
      case "aevtquit":
      case "ascrnoop":
        if (d instanceof AppRef) {
          return await this.#appCommand(
            d.app as AppHandle,
            { ...e, direct: undefined },
            undefined,
            params,
            { ...ctx, target: d },
          );
        }
        if (d === undefined && e.term.code === "aevtoapp") return null;
        break;
    }
    throw new ScriptError(
      `${
        d === undefined ? "«script»" : sourceText(d)
      } doesn’t understand the “${e.term.name}” message.`,
      -1708,
    );
  }
}

const EXAMINED_VALUE = Symbol("examined");

function rootOf(spec: ObjectSpecifier): string {
  let s: ObjectSpecifier = spec;
  while (s.from instanceof ObjectSpecifier) s = s.from;
  return s.from;
}

/** The specifier a reference stands for, to take an element or property of. */
export function specOf(ref: AppRef): ObjectSpecifier | "application" | "examined" {
  if (ref.spec === "application") return "application";
  if (ref.spec === EXAMINED) return "examined";
  if (ref.spec instanceof ObjectSpecifier) return ref.spec;
  throw new ScriptError(`Can’t get an element of ${sourceText(ref)}.`, -1728);
}
