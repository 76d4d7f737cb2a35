/**
 * The evaluator of `tell` scripts: walks a compiled {@linkcode Script}, keeps variables,
 * properties and globals, calls handlers, and turns references to apps' objects into object
 * specifiers sent as events through the scripting client (an implicit `get` where AppleScript
 * does one). Errors are {@linkcode ScriptError}s with AppleScript's numbers and the place in
 * the script where they happened. What goes to apps is in `_app_commands.ts`; the operators and
 * the parts of local values in `_operators.ts`.
 *
 * @module
 */

import { ObjectSpecifier } from "../wire/value.ts";
import type * as A from "./ast.ts";
import { ScriptError } from "./errors.ts";
import {
  type AppHandle,
  AppRef,
  AsClass,
  AsConstant,
  AsFile,
  AsRecord,
  classOf,
  coerce,
  CONSIDER_CASE,
  deref,
  IGNORE_CASE,
  LocalRef,
  MAX_INTEGER,
  Real,
  ScriptObject,
  sourceText,
  toBoolean,
  toDate,
  toInteger,
  toList,
  toNumber,
  toText,
  toWire,
  type Val,
} from "./values.ts";
import { AppCommands, specOf } from "./_app_commands.ts";
import {
  type Ctx,
  describeElement,
  type Evaluation,
  EXAMINED,
  type Frame,
} from "./_eval_context.ts";

/** The lazily loaded operators and parts of local values. */
type Operators = typeof import("./_operators.ts");

/** Options of {@linkcode evaluate}. */
export interface EvaluateOptions {
  /** The arguments `on run argv` gets. @default {[]} */
  argv?: string[];
  /** Where `log` writes. @default {() => {}} */
  log?: (text: string) => void;
  /** The app a name (or bundle id) stands for: the same for the same name (runScript's session keeps them). */
  app: (name: string, byId: boolean) => AppHandle;
  /** The app the whole script is told to (`--app`). @default {undefined} */
  tellApp?: string;
}

class ReturnSignal {
  constructor(readonly value: Val) {}
}
class ExitSignal {}

const ME = new ScriptObject();

/**
 * Runs a compiled script and returns its result.
 *
 * @example
 * ```ts
 * import { parse } from "./parser.ts";
 * import { evaluate } from "./evaluator.ts";
 * const script = parse("set x to 0\nrepeat with i from 1 to 4\nset x to x + i\nend repeat\nx");
 * await evaluate(script, { app: () => { throw new Error("no apps"); } }); // 10
 * ```
 */
export async function evaluate(script: A.Script, options: EvaluateOptions): Promise<Val> {
  return await new Evaluator(script, options).run();
}

class Evaluator implements Evaluation {
  #script: A.Script;
  #options: EvaluateOptions;
  #globals = new Map<string, Val>();
  #properties = new Map<string, Val>();
  #delimiters: Val = "";
  #result: Val = null;
  /** Rounds of every repeat so far, to give the event loop a turn now and then. */
  #rounds = 0;
  /** When the event loop last had a turn. */
  #lastTurn = performance.now();
  #commands = new AppCommands(this);
  /** The operators and the parts of local values, once loaded (a one-liner to an app needs none). */
  #ops: Operators | undefined;

  constructor(script: A.Script, options: EvaluateOptions) {
    this.#script = script;
    this.#options = options;
  }

  async run(): Promise<Val> {
    // Expressions of local values run without promises: load what they need first.
    if (hasBinary(this.#script)) await this.#operators();
    const frame: Frame = { vars: new Map(), globals: new Set() };
    const tellApp = this.#options.tellApp;
    const ctx: Ctx = {
      frame,
      target: tellApp === undefined
        ? undefined
        : new AppRef(this.#options.app(tellApp, false), "application"),
      considerCase: false,
      ignoreResponses: false,
      timeout: undefined,
    };
    for (const p of this.#script.properties) {
      this.#properties.set(p.names[0], await this.value(p.value!, ctx));
    }
    const run = this.#script.handlers.get("run");
    if (run) {
      const argv = this.#options.argv ?? [];
      return await this.#callHandler(run, run.params.length ? [argv] : [], ctx);
    }
    try {
      await this.#block(this.#script.body, ctx);
    } catch (e) {
      if (e instanceof ReturnSignal) return e.value;
      throw e;
    }
    return this.#result;
  }

  /** Loads the operators and the parts of local values on first use. */
  async #operators(): Promise<Operators> {
    return this.#ops ??= await import("./_operators.ts");
  }

  /** The operators, where the code runs without promises: {@linkcode run} loaded them. */
  #loadedOperators(): Operators {
    if (!this.#ops) throw new Error("the operators were not loaded before a local expression");
    return this.#ops;
  }

  delimiterText(): string {
    const d = this.#delimiters;
    return toText(Array.isArray(d) ? (d[0] ?? "") : d);
  }

  // -- statements ------------------------------------------------------------------------

  async #block(body: A.Stmt[], ctx: Ctx): Promise<void> {
    for (const s of body) {
      // Statements of local values run without a promise (loops over arithmetic and text).
      if (this.#syncStatement(s, ctx)) continue;
      await this.#statement(s, ctx);
    }
  }

  /** Runs a statement of local values only ({@linkcode canSync}) without a promise. */
  #syncStatement(s: A.Stmt, ctx: Ctx): boolean {
    if (!canSync(s)) return false;
    try {
      this.#runSync(s, ctx);
    } catch (e) {
      throw placed(e, s);
    }
    return true;
  }

  #runSyncBlock(body: A.Stmt[], ctx: Ctx): void {
    for (const s of body) this.#syncStatement(s, ctx);
  }

  #runSync(s: A.Stmt, ctx: Ctx): void {
    switch (s.kind) {
      case "expr":
        this.#result = this.#sync(s.expr, ctx);
        return;
      case "set": {
        const v = this.#sync(s.value, ctx);
        this.#setVar((s.target as A.VarExpr).name, v, ctx);
        this.#result = v;
        return;
      }
      case "if": {
        for (const b of s.branches) {
          if (toBoolean(deref(this.#sync(b.cond, ctx)))) return this.#runSyncBlock(b.body, ctx);
        }
        if (s.otherwise) this.#runSyncBlock(s.otherwise, ctx);
        return;
      }
      case "exit":
        throw new ExitSignal();
      case "return":
        throw new ReturnSignal(s.value ? this.#sync(s.value, ctx) : null);
      default:
        throw new Error(`not a local statement: ${s.kind}`);
    }
  }

  async #statement(s: A.Stmt, ctx: Ctx): Promise<void> {
    try {
      await this.#statementInner(s, ctx);
    } catch (e) {
      throw placed(e, s);
    }
  }

  async #statementInner(s: A.Stmt, ctx: Ctx): Promise<void> {
    switch (s.kind) {
      case "expr":
        this.#result = await this.value(s.expr, ctx);
        return;
      case "set":
      case "copy": {
        let v = await this.value(s.value, ctx);
        if (s.kind === "copy") v = (await this.#operators()).deepCopy(v);
        await this.#assign(s.target, v, ctx);
        this.#result = v;
        return;
      }
      case "tell": {
        const target = await this.ref(s.target, ctx);
        await this.#block(s.body, { ...ctx, target });
        return;
      }
      case "if": {
        for (const b of s.branches) {
          if (toBoolean(await this.value(b.cond, ctx))) return await this.#block(b.body, ctx);
        }
        if (s.otherwise) await this.#block(s.otherwise, ctx);
        return;
      }
      case "repeat":
        return await this.#repeat(s, ctx);
      case "exit":
        throw new ExitSignal();
      case "return":
        throw new ReturnSignal(s.value ? await this.value(s.value, ctx) : null);
      case "error": {
        const message = s.message ? toText(await this.value(s.message, ctx)) : undefined;
        const number = s.number ? toInteger(await this.value(s.number, ctx)) : -2700;
        const offending = s.from ? await this.value(s.from, ctx) : undefined;
        const partial = s.partial ? await this.value(s.partial, ctx) : undefined;
        throw new ScriptError(message ?? `An error of type ${number} has occurred.`, number, {
          offending,
          partial,
        });
      }
      case "try": {
        try {
          await this.#block(s.body, ctx);
        } catch (e) {
          if (!(e instanceof ScriptError)) throw e;
          if (!s.handler) return;
          const msg = e.app ? `${e.app} got an error: ${e.message}` : e.message;
          if (s.messageVar) this.#setVar(s.messageVar, msg, ctx);
          if (s.numberVar) this.#setVar(s.numberVar, e.number, ctx);
          if (s.fromVar) this.#setVar(s.fromVar, (e.offending ?? null) as Val, ctx);
          await this.#block(s.handler, ctx);
        }
        return;
      }
      case "global":
        for (const n of s.names) {
          ctx.frame.globals.add(n);
          if (!this.#globals.has(n)) this.#globals.set(n, undefined as unknown as Val);
        }
        return;
      case "local":
        for (const n of s.names) {
          ctx.frame.globals.delete(n);
          if (!ctx.frame.vars.has(n)) ctx.frame.vars.set(n, undefined as unknown as Val);
        }
        return;
      case "property":
        return;
      case "log": {
        const v = await this.value(s.value, ctx);
        this.#options.log?.((await this.#operators()).logText(v));
        return;
      }
      case "considering":
      case "ignoring": {
        const on = s.kind === "considering";
        const attrs = s.attributes ?? [];
        await this.#block(s.body, {
          ...ctx,
          considerCase: attrs.includes("case") ? on : ctx.considerCase,
          ignoreResponses: attrs.includes("application responses") ? !on : ctx.ignoreResponses,
        });
        return;
      }
      case "timeout": {
        const seconds = toNumber(await this.value(s.seconds!, ctx));
        await this.#block(s.body, { ...ctx, timeout: seconds });
        return;
      }
      case "terms":
        return await this.#block(s.body, ctx);
    }
  }

  /**
   * Every `repeat`: a body of local statements runs without promises; every few thousand
   * rounds the loop gives the event loop a turn, so that Ctrl-C ends a script that loops.
   */
  async #repeat(s: A.RepeatStmt, ctx: Ctx): Promise<void> {
    const e = s.expr;
    const state: Rounds = { i: 0, n: Infinity, by: 1, real: false, list: undefined };
    try {
      switch (s.form) {
        case "times":
          state.n = toInteger(await this.value(e!, ctx));
          break;
        case "from": {
          const from = await this.value(e!, ctx);
          state.n = toNumber(await this.value(s.to!, ctx));
          state.by = s.by ? toNumber(await this.value(s.by, ctx)) : 1;
          if (state.by === 0) throw new ScriptError("The repeat step can’t be 0.", -2700);
          state.real = from instanceof Real || !Number.isInteger(state.n) ||
            !Number.isInteger(state.by);
          state.i = toNumber(from);
          break;
        }
        case "in":
          state.list = toList(await this.value(e!, ctx));
          state.n = state.list.length;
          break;
      }
      const cond = s.form === "while" || s.form === "until";
      if (s.body.every(canSync) && (!cond || isLocal(e!))) {
        // Local rounds run in chunks without promises, with a turn of the event loop between.
        while (!this.#syncRounds(s, ctx, state)) await this.#turn();
        return;
      }
      for (;;) {
        if (cond) {
          const c = toBoolean(await this.value(e!, ctx));
          if (c !== (s.form === "while")) return;
        } else if (!this.#nextRound(s, ctx, state)) return;
        await this.#block(s.body, ctx);
        if ((++this.#rounds & 4095) === 0) await this.#turn();
      }
    } catch (err) {
      if (err instanceof ExitSignal) return;
      throw err;
    }
  }

  /** A turn of the event loop at most every 50 ms of looping, so that Ctrl-C is handled. */
  async #turn(): Promise<void> {
    const now = performance.now();
    if (now - this.#lastTurn < 50) return;
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.#lastTurn = performance.now();
  }

  /** Sets up the next round of a counted repeat; false when there is none. */
  #nextRound(s: A.RepeatStmt, ctx: Ctx, st: Rounds): boolean {
    switch (s.form) {
      case "forever":
        return true;
      case "times":
        return st.i++ < st.n;
      case "from": {
        const i = st.i;
        if (st.by > 0 ? i > st.n : i < st.n) return false;
        st.i += st.by;
        this.#setVar(s.variable!, st.real ? new Real(i) : i, ctx);
        return true;
      }
      case "in":
        if (st.i >= st.n) return false;
        this.#setVar(s.variable!, st.list![st.i++], ctx);
        return true;
      default:
        return false;
    }
  }

  /** Up to 4,096 rounds of a repeat of local statements; true when the loop has ended. */
  #syncRounds(s: A.RepeatStmt, ctx: Ctx, st: Rounds): boolean {
    const cond = s.form === "while" || s.form === "until";
    for (let k = 0; k < 4096; k++) {
      if (cond) {
        const c = toBoolean(this.#sync(s.expr!, ctx));
        if (c !== (s.form === "while")) return true;
      } else if (!this.#nextRound(s, ctx, st)) return true;
      this.#runSyncBlock(s.body, ctx);
    }
    return false;
  }

  // -- variables -------------------------------------------------------------------------

  #getVar(name: string, ctx: Ctx, node: A.Node): Val {
    const frame = ctx.frame;
    if (!frame.globals.has(name)) {
      const v = frame.vars.get(name);
      if (v !== undefined) return v;
    }
    if (this.#globals.has(name)) {
      const v = this.#globals.get(name);
      if (v !== undefined) return v;
    }
    if (this.#properties.has(name)) return this.#properties.get(name)!;
    if (name === "result") return this.#result;
    throw placed(new ScriptError(`The variable ${name} is not defined.`, -2753), node);
  }

  #setVar(name: string, v: Val, ctx: Ctx): void {
    const frame = ctx.frame;
    if (frame.globals.has(name)) this.#globals.set(name, v);
    else if (frame.vars.has(name)) frame.vars.set(name, v);
    else if (this.#properties.has(name)) this.#properties.set(name, v);
    else frame.vars.set(name, v);
  }

  async #assign(target: A.Expr, v: Val, ctx: Ctx): Promise<void> {
    switch (target.type) {
      case "var":
        return this.#setVar(target.name, v, ctx);
      case "list": {
        const items = toList(v);
        if (items.length < target.items.length) {
          throw new ScriptError(
            `Can’t get item ${items.length + 1} of ${sourceText(items)}.`,
            -1728,
          );
        }
        for (let i = 0; i < target.items.length; i++) {
          await this.#assign(target.items[i], items[i], ctx);
        }
        return;
      }
      case "insertion": {
        const container = target.of ? await this.ref(target.of, ctx) : ctx.target;
        if (Array.isArray(container)) {
          if (target.position === "end") container.push(v);
          else if (target.position === "beginning") container.unshift(v);
          else throw new ScriptError(`Can’t set ${target.position} of a list.`, -10006);
          return;
        }
        break;
      }
      case "property": {
        const container = target.of ? await this.ref(target.of, ctx) : ctx.target;
        if (container instanceof AsRecord) {
          const key = (await this.#operators()).findField(container, target.term.name) ??
            target.term.name;
          container.fields.set(key, v);
          if (target.term.code) container.codes.set(key, target.term.code);
          return;
        }
        if (
          target.term.code === "txdl" &&
          (container === undefined || target.of?.type === "applescript")
        ) {
          this.#delimiters = v;
          return;
        }
        if (container instanceof ScriptObject || (container === undefined && !target.term.code)) {
          this.#setVar(target.term.name, v, ctx);
          return;
        }
        if (container instanceof Date) {
          return (await this.#operators()).setDatePart(container, target.term, v);
        }
        if (container instanceof LocalRef && target.term.code === "pcnt") {
          container.set(v);
          return;
        }
        break;
      }
      case "element": {
        const container = target.of ? await this.ref(target.of, ctx) : ctx.target;
        if (Array.isArray(container) && (target.cls.code === "cobj") && target.key) {
          const { listIndex } = await this.#operators();
          const i = listIndex(container, toInteger(await this.value(target.key, ctx)));
          container[i] = v;
          return;
        }
        break;
      }
    }
    const ref = await this.ref(target, ctx);
    if (ref instanceof AppRef && ref.spec !== "application") {
      await this.#commands.send(
        ref.app,
        { code: "coresetd", params: { "----": ref.spec, data: toWire(v) } },
        ctx,
      );
      return;
    }
    if (ref instanceof LocalRef) return ref.set(v);
    throw new ScriptError(`Can’t set ${sourceText(ref)} to ${sourceText(v)}.`, -10006);
  }

  // -- handlers --------------------------------------------------------------------------

  async #callHandler(h: A.Handler, args: Val[], ctx: Ctx): Promise<Val> {
    if (args.length !== h.params.length) {
      throw new ScriptError(
        `${h.name} takes ${h.params.length} parameter${
          h.params.length === 1 ? "" : "s"
        }, not ${args.length}.`,
        -1721,
      );
    }
    const frame: Frame = { vars: new Map(), globals: new Set() };
    h.params.forEach((p, i) => frame.vars.set(p, args[i]));
    try {
      await this.#block(h.body, {
        frame,
        target: undefined,
        considerCase: ctx.considerCase,
        ignoreResponses: false,
        timeout: ctx.timeout,
      });
    } catch (e) {
      if (e instanceof ReturnSignal) return e.value;
      throw e;
    }
    return this.#result;
  }

  // -- expressions -----------------------------------------------------------------------

  /** The value of an expression: references to apps' objects are got. */
  async value(e: A.Expr, ctx: Ctx): Promise<Val> {
    if (isLocal(e)) return this.#sync(e, ctx);
    const v = await this.ref(e, ctx);
    if (v instanceof AppRef && v.spec instanceof ObjectSpecifier && e.type !== "refto") {
      try {
        return await this.#commands.resolved(v, ctx);
      } catch (err) {
        throw placed(err, e);
      }
    }
    return v;
  }

  /** An expression as a reference: app objects stay specifiers. */
  async ref(e: A.Expr, ctx: Ctx): Promise<Val> {
    try {
      return await this.#refInner(e, ctx);
    } catch (err) {
      throw placed(err, e);
    }
  }

  async #refInner(e: A.Expr, ctx: Ctx): Promise<Val> {
    switch (e.type) {
      case "literal":
      case "var":
      case "class":
      case "constant":
        return this.#syncInner(e, ctx);
      case "list": {
        const out: Val[] = [];
        for (const x of e.items) out.push(await this.value(x, ctx));
        return out;
      }
      case "record": {
        const r = new AsRecord();
        for (const f of e.fields) {
          r.fields.set(f.key.name, await this.value(f.value, ctx));
          if (f.key.code) r.codes.set(f.key.name, f.key.code);
        }
        return r;
      }
      case "binary":
        return await this.#binary(e, ctx);
      case "unary":
        return unary(e.op, deref(await this.value(e.operand, ctx)));
      case "coerce": {
        const v = deref(await this.value(e.value, ctx));
        const to = await this.value(e.to, ctx);
        if (!(to instanceof AsClass)) {
          throw new ScriptError(`Can’t make ${sourceText(v)} into type ${sourceText(to)}.`, -1700);
        }
        if (Array.isArray(v) && (to.code === "ctxt" || to.code === "TEXT" || to.code === "utxt")) {
          return toText(v, this.delimiterText());
        }
        return coerce(v, to);
      }
      case "object": {
        const v = await this.value(e.value, ctx);
        if (e.kind === "date") return toDate(v);
        return new AsFile(toText(v), e.kind);
      }
      case "it":
        if (ctx.filterApp) return new AppRef(ctx.filterApp, EXAMINED);
        return ctx.target ?? ME;
      case "me":
        return ME;
      case "applescript":
        return new AsConstant("AppleScript", "ascr");
      case "application": {
        const v = toText(await this.value(e.value, ctx));
        return new AppRef(this.#options.app(v, e.by === "id"), "application");
      }
      case "refto": {
        const t = e.target;
        if (t.type === "var") {
          return new LocalRef(
            () => this.#getVar(t.name, ctx, t),
            (v) => this.#setVar(t.name, v, ctx),
            t.name,
          );
        }
        return await this.ref(t, ctx);
      }
      case "property":
        return await this.#property(e, ctx);
      case "element":
        return await this.#element(e, ctx);
      case "filter":
        return await this.#commands.filter(e, ctx);
      case "insertion":
        return await this.#commands.insertion(e, ctx);
      case "command":
        return await this.#commands.command(e, ctx);
      case "call": {
        const h = this.#script.handlers.get(e.name);
        if (!h) {
          if (ctx.target instanceof AppRef && !e.my) {
            throw new ScriptError(`Can’t continue ${e.name}.`, -1708, {
              app: ctx.target.app.name,
            });
          }
          throw new ScriptError(`«script» doesn’t understand the “${e.name}” message.`, -1708);
        }
        const args: Val[] = [];
        for (const a of e.args) args.push(await this.value(a, ctx));
        return await this.#callHandler(h, args, ctx);
      }
    }
  }

  async #property(e: A.PropertyExpr, ctx: Ctx): Promise<Val> {
    const container = await this.#commands.container(e.of, ctx);
    const term = e.term;
    if (container instanceof AppRef && !(e.of?.type === "applescript")) {
      if (!term.code) {
        throw new ScriptError(`Can’t get ${term.name} of ${sourceText(container)}.`, -1728);
      }
      return new AppRef(
        container.app,
        new ObjectSpecifier("prop", specOf(container), "property", term.code),
      );
    }
    if (e.of?.type === "applescript" || (container === undefined && term.code === "txdl")) {
      switch (term.code) {
        case "txdl":
          return this.#delimiters;
        case "vers":
          return "2.8";
        case "pnam":
          return "AppleScript";
      }
      throw new ScriptError(`Can’t get ${term.name} of AppleScript.`, -1728);
    }
    if (container === undefined || container instanceof ScriptObject) {
      if (!term.code || container instanceof ScriptObject) return this.#getVar(term.name, ctx, e);
      if (term.code === "pcls") return classOf(ME);
      throw new ScriptError(`Can’t get ${term.name}.`, -1728);
    }
    const c = deref(await this.#commands.resolved(container, ctx));
    return (await this.#operators()).localProperty(c, term);
  }

  async #element(e: A.ElementExpr, ctx: Ctx): Promise<Val> {
    const container = await this.#commands.container(e.of, ctx);
    if (container instanceof AppRef) {
      return new AppRef(container.app, await this.#commands.elementSpec(e, specOf(container), ctx));
    }
    if (container === undefined || container instanceof ScriptObject) {
      throw new ScriptError(`Can’t get ${describeElement(e)}.`, -1728);
    }
    const c = deref(await this.#commands.resolved(container, ctx));
    return await (await this.#operators()).localElement(c, e, {
      delimiters: this.#delimiters,
      value: (x) => this.value(x, ctx),
    });
  }

  // -- operators -------------------------------------------------------------------------

  /** The value of an expression of local values only ({@linkcode isLocal}), without a promise. */
  #sync(e: A.Expr, ctx: Ctx): Val {
    try {
      return this.#syncInner(e, ctx);
    } catch (err) {
      throw placed(err, e);
    }
  }

  #syncInner(e: A.Expr, ctx: Ctx): Val {
    switch (e.type) {
      case "literal":
        if (typeof e.value === "number") {
          return e.real || !Number.isInteger(e.value) || Math.abs(e.value) > MAX_INTEGER
            ? new Real(e.value)
            : e.value;
        }
        return e.value;
      case "var":
        return this.#getVar(e.name, ctx, e);
      case "binary": {
        if (e.op === "and") {
          return toBoolean(deref(this.#sync(e.left, ctx))) &&
            toBoolean(deref(this.#sync(e.right, ctx)));
        }
        if (e.op === "or") {
          return toBoolean(deref(this.#sync(e.left, ctx))) ||
            toBoolean(deref(this.#sync(e.right, ctx)));
        }
        const a = deref(this.#sync(e.left, ctx));
        const b = deref(this.#sync(e.right, ctx));
        return this.#combine(this.#loadedOperators(), e.op, a, b, ctx);
      }
      case "unary":
        return unary(e.op, deref(this.#sync(e.operand, ctx)));
      case "list":
        return e.items.map((x) => this.#sync(x, ctx));
      case "record": {
        const r = new AsRecord();
        for (const f of e.fields) {
          r.fields.set(f.key.name, this.#sync(f.value, ctx));
          if (f.key.code) r.codes.set(f.key.name, f.key.code);
        }
        return r;
      }
      case "class":
        return new AsClass(e.term.name, e.term.code);
      case "constant":
        return new AsConstant(e.term.name, e.term.code);
      default:
        throw new Error(`not a local expression: ${e.type}`);
    }
  }

  async #binary(e: A.BinaryExpr, ctx: Ctx): Promise<Val> {
    if (e.op === "and") {
      if (!toBoolean(deref(await this.value(e.left, ctx)))) return false;
      return toBoolean(deref(await this.value(e.right, ctx)));
    }
    if (e.op === "or") {
      if (toBoolean(deref(await this.value(e.left, ctx)))) return true;
      return toBoolean(deref(await this.value(e.right, ctx)));
    }
    const a = deref(await this.value(e.left, ctx));
    const b = deref(await this.value(e.right, ctx));
    return this.#combine(await this.#operators(), e.op, a, b, ctx);
  }

  /** `a op b` of two values (`and` and `or` are their callers', for their short circuit). */
  #combine(ops: Operators, op: A.BinaryOp, a: Val, b: Val, ctx: Ctx): Val {
    if (op === "&" && typeof a === "string" && Array.isArray(b)) {
      return a + toText(b, this.delimiterText());
    }
    return ops.binaryOp(op, a, b, ctx.considerCase ? CONSIDER_CASE : IGNORE_CASE);
  }
}

/** `not v`, `-v`, `+v`. */
function unary(op: A.UnaryExpr["op"], v: Val): Val {
  if (op === "not") return !toBoolean(v);
  if (op === "+") return v;
  if (typeof v === "number") return -v;
  return new Real(-toNumber(v));
}

/** Where a repeat is: its counter, its end, its step, its list. */
interface Rounds {
  i: number;
  n: number;
  by: number;
  real: boolean;
  list: Val[] | undefined;
}

/** `error` given the place of `node` when it is a script error without one (the innermost place stays). */
function placed(error: unknown, node: A.Node): unknown {
  if (error instanceof ScriptError && !error.span) {
    error.span = { start: node.start, end: node.end };
  }
  return error;
}

/** Whether a syntax tree (or any part of it) holds a binary operation. */
function hasBinary(node: unknown): boolean {
  if (typeof node !== "object" || node === null) return false;
  if ((node as { type?: unknown }).type === "binary") return true;
  const parts = node instanceof Map ? [...node.values()] : Object.values(node);
  return parts.some(hasBinary);
}

const LOCAL = new WeakMap<A.Expr, boolean>();
const SYNC = new WeakMap<A.Stmt, boolean>();

/** Whether a statement only uses local values, so that it runs without promises. */
function canSync(s: A.Stmt): boolean {
  let sync = SYNC.get(s);
  if (sync !== undefined) return sync;
  const body = (b: A.Stmt[] | undefined) => (b ?? []).every(canSync);
  const local = (e: A.Expr | undefined) => e === undefined || isLocal(e);
  switch (s.kind) {
    case "expr":
      sync = isLocal(s.expr);
      break;
    case "set":
      sync = s.target.type === "var" && isLocal(s.value);
      break;
    case "if":
      sync = s.branches.every((b) => isLocal(b.cond) && body(b.body)) && body(s.otherwise);
      break;
    case "exit":
      sync = true;
      break;
    case "return":
      sync = local(s.value);
      break;
    // A repeat gives the event loop a turn now and then (Ctrl-C): never without promises.
    default:
      sync = false;
  }
  SYNC.set(s, sync);
  return sync;
}

/** Whether an expression only combines literals and variables (no references, no commands). */
function isLocal(e: A.Expr): boolean {
  let local = LOCAL.get(e);
  if (local !== undefined) return local;
  switch (e.type) {
    case "literal":
    case "var":
    case "class":
    case "constant":
      local = true;
      break;
    case "binary":
      local = isLocal(e.left) && isLocal(e.right);
      break;
    case "unary":
      local = isLocal(e.operand);
      break;
    case "list":
      local = e.items.every(isLocal);
      break;
    case "record":
      local = e.fields.every((f) => isLocal(f.value));
      break;
    default:
      local = false;
  }
  LOCAL.set(e, local);
  return local;
}
