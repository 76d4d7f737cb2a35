/**
 * The evaluator of `tell` scripts: walks a compiled {@linkcode Script}, keeps variables,
 * properties and globals, calls handlers, and turns references to apps' objects into object
 * specifiers sent as events through the scripting client (an implicit `get` where AppleScript
 * does one). Errors are {@linkcode ScriptError}s with AppleScript's numbers and the place in
 * the script where they happened.
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
  AsConstant,
  AsFile,
  AsRecord,
  classOf,
  coerce,
  compare,
  contains,
  dateString,
  equals,
  fromWire,
  humanText,
  LocalRef,
  Real,
  ScriptObject,
  shortDateString,
  sourceText,
  timeString,
  toBoolean,
  toDate,
  toInteger,
  toList,
  toNumber,
  toText,
  toWire,
  type Val,
} from "./values.ts";

/** An app as the evaluator sends it events. */
export type AppLink = AppHandle;

/** Options of {@linkcode evaluate}. */
export interface EvaluateOptions {
  /** The arguments `on run argv` gets. @default {[]} */
  argv?: string[];
  /** Where `log` writes. @default {() => {}} */
  log?: (text: string) => void;
  /** The app a name (or bundle id) stands for. */
  app: (name: string, byId: boolean) => AppLink;
  /** The app the whole script is told to (`--app`). @default {undefined} */
  tellApp?: string;
}

class ReturnSignal {
  constructor(readonly value: Val) {}
}
class ExitSignal {}

interface Frame {
  readonly vars: Map<string, Val>;
  readonly globals: Set<string>;
}

interface Ctx {
  readonly frame: Frame;
  /** The tell target. */
  readonly target: Val | undefined;
  /** The app of the `whose` test being built, if any. */
  readonly filterApp?: AppLink;
  readonly considerCase: boolean;
  readonly ignoreResponses: boolean;
  readonly timeout: number | undefined;
}

const EXAMINED = "examined" as const;

const MAX_INTEGER = 536870911;

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

class Evaluator {
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
  #apps = new Map<string, AppLink>();

  constructor(script: A.Script, options: EvaluateOptions) {
    this.#script = script;
    this.#options = options;
  }

  async run(): Promise<Val> {
    const frame: Frame = { vars: new Map(), globals: new Set() };
    const tellApp = this.#options.tellApp;
    const ctx: Ctx = {
      frame,
      target: tellApp === undefined
        ? undefined
        : new AppRef(this.#app(tellApp, false), "application"),
      considerCase: false,
      ignoreResponses: false,
      timeout: undefined,
    };
    for (const p of this.#script.properties) {
      this.#properties.set(p.names[0], await this.#value(p.value!, ctx));
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

  #delimiterText(): string {
    const d = this.#delimiters;
    return toText(Array.isArray(d) ? (d[0] ?? "") : d);
  }

  #app(name: string, byId: boolean): AppLink {
    const key = `${byId ? "id:" : ""}${name.toLowerCase()}`;
    let app = this.#apps.get(key);
    if (!app) this.#apps.set(key, app = this.#options.app(name, byId));
    return app;
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
      if (e instanceof ScriptError && !e.span) e.span = { start: s.start, end: s.end };
      throw e;
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
      if (e instanceof ScriptError && !e.span) e.span = { start: s.start, end: s.end };
      throw e;
    }
  }

  async #statementInner(s: A.Stmt, ctx: Ctx): Promise<void> {
    switch (s.kind) {
      case "expr":
        this.#result = await this.#value(s.expr, ctx);
        return;
      case "set":
      case "copy": {
        let v = await this.#value(s.value, ctx);
        if (s.kind === "copy") v = deepCopy(v);
        await this.#assign(s.target, v, ctx);
        this.#result = v;
        return;
      }
      case "tell": {
        const target = await this.#ref(s.target, ctx);
        await this.#block(s.body, { ...ctx, target });
        return;
      }
      case "if": {
        for (const b of s.branches) {
          if (toBoolean(await this.#value(b.cond, ctx))) return await this.#block(b.body, ctx);
        }
        if (s.otherwise) await this.#block(s.otherwise, ctx);
        return;
      }
      case "repeat":
        return await this.#repeat(s, ctx);
      case "exit":
        throw new ExitSignal();
      case "return":
        throw new ReturnSignal(s.value ? await this.#value(s.value, ctx) : null);
      case "error": {
        const message = s.message ? toText(await this.#value(s.message, ctx)) : undefined;
        const number = s.number ? toInteger(await this.#value(s.number, ctx)) : -2700;
        const offending = s.from ? await this.#value(s.from, ctx) : undefined;
        const partial = s.partial ? await this.#value(s.partial, ctx) : undefined;
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
        const v = await this.#value(s.value, ctx);
        this.#options.log?.(logText(v));
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
        const seconds = toNumber(await this.#value(s.seconds!, ctx));
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
          state.n = toInteger(await this.#value(e!, ctx));
          break;
        case "from": {
          const from = await this.#value(e!, ctx);
          state.n = toNumber(await this.#value(s.to!, ctx));
          state.by = s.by ? toNumber(await this.#value(s.by, ctx)) : 1;
          if (state.by === 0) throw new ScriptError("The repeat step can’t be 0.", -2700);
          state.real = from instanceof Real || !Number.isInteger(state.n) ||
            !Number.isInteger(state.by);
          state.i = toNumber(from);
          break;
        }
        case "in":
          state.list = toList(await this.#value(e!, ctx));
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
          const c = toBoolean(await this.#value(e!, ctx));
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
    const e = new ScriptError(`The variable ${name} is not defined.`, -2753);
    e.span = { start: node.start, end: node.end };
    throw e;
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
        const container = target.of ? await this.#ref(target.of, ctx) : ctx.target;
        if (Array.isArray(container)) {
          if (target.position === "end") container.push(v);
          else if (target.position === "beginning") container.unshift(v);
          else throw new ScriptError(`Can’t set ${target.position} of a list.`, -10006);
          return;
        }
        break;
      }
      case "property": {
        const container = target.of ? await this.#ref(target.of, ctx) : ctx.target;
        if (container instanceof AsRecord) {
          const key = findField(container, target.term.name) ?? target.term.name;
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
        if (container instanceof Date) return setDatePart(container, target.term, v);
        if (container instanceof LocalRef && target.term.code === "pcnt") {
          container.set(v);
          return;
        }
        break;
      }
      case "element": {
        const container = target.of ? await this.#ref(target.of, ctx) : ctx.target;
        if (Array.isArray(container) && (target.cls.code === "cobj") && target.key) {
          const i = listIndex(container, toInteger(await this.#value(target.key, ctx)));
          container[i] = v;
          return;
        }
        break;
      }
    }
    const ref = await this.#ref(target, ctx);
    if (ref instanceof AppRef && ref.spec !== "application") {
      await this.#send(
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
  async #value(e: A.Expr, ctx: Ctx): Promise<Val> {
    if (isLocal(e)) return this.#sync(e, ctx);
    const v = await this.#ref(e, ctx);
    if (v instanceof AppRef && v.spec instanceof ObjectSpecifier && e.type !== "refto") {
      try {
        return await this.#send(v.app, { code: "coregetd", params: { "----": v.spec } }, ctx);
      } catch (err) {
        if (err instanceof ScriptError && !err.span) err.span = { start: e.start, end: e.end };
        throw err;
      }
    }
    return v;
  }

  /** An expression as a reference: app objects stay specifiers. */
  async #ref(e: A.Expr, ctx: Ctx): Promise<Val> {
    try {
      return await this.#refInner(e, ctx);
    } catch (err) {
      if (err instanceof ScriptError && !err.span) err.span = { start: e.start, end: e.end };
      throw err;
    }
  }

  async #refInner(e: A.Expr, ctx: Ctx): Promise<Val> {
    switch (e.type) {
      case "literal":
        if (typeof e.value === "number") {
          return e.real || !Number.isInteger(e.value) || Math.abs(e.value) > MAX_INTEGER
            ? new Real(e.value)
            : e.value;
        }
        return e.value;
      case "list": {
        const out: Val[] = [];
        for (const x of e.items) out.push(await this.#value(x, ctx));
        return out;
      }
      case "record": {
        const r = new AsRecord();
        for (const f of e.fields) {
          r.fields.set(f.key.name, await this.#value(f.value, ctx));
          if (f.key.code) r.codes.set(f.key.name, f.key.code);
        }
        return r;
      }
      case "var":
        return this.#getVar(e.name, ctx, e);
      case "binary":
        return await this.#binary(e, ctx);
      case "unary": {
        const v = deref(await this.#value(e.operand, ctx));
        if (e.op === "not") return !toBoolean(v);
        if (e.op === "+") return v;
        if (typeof v === "number") return -v;
        return new Real(-toNumber(v));
      }
      case "coerce": {
        const v = deref(await this.#value(e.value, ctx));
        const to = await this.#value(e.to, ctx);
        if (!(to instanceof AsClass)) {
          throw new ScriptError(`Can’t make ${sourceText(v)} into type ${sourceText(to)}.`, -1700);
        }
        if (Array.isArray(v) && (to.code === "ctxt" || to.code === "TEXT" || to.code === "utxt")) {
          return toText(v, this.#delimiterText());
        }
        return coerce(v, to);
      }
      case "class":
        return new AsClass(e.term.name, e.term.code);
      case "constant":
        return new AsConstant(e.term.name, e.term.code);
      case "object": {
        const v = await this.#value(e.value, ctx);
        if (e.kind === "date") return toDate(v);
        return new AsFile(toText(v), e.kind);
      }
      case "it":
        if (ctx.filterApp) return new AppRef(ctx.filterApp, EXAMINED as unknown as "application");
        return ctx.target ?? ME;
      case "me":
        return ME;
      case "applescript":
        return new AsConstant("AppleScript", "ascr");
      case "application": {
        const v = toText(await this.#value(e.value, ctx));
        return new AppRef(this.#app(v, e.by === "id"), "application");
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
        return await this.#ref(t, ctx);
      }
      case "property":
        return await this.#property(e, ctx);
      case "element":
        return await this.#element(e, ctx);
      case "filter":
        return await this.#filter(e, ctx);
      case "insertion":
        return await this.#insertion(e, ctx);
      case "command":
        return await this.#command(e, ctx);
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
        for (const a of e.args) args.push(await this.#value(a, ctx));
        return await this.#callHandler(h, args, ctx);
      }
    }
  }

  async #container(of: A.Expr | undefined, ctx: Ctx): Promise<Val | undefined> {
    if (of) return await this.#ref(of, ctx);
    if (ctx.filterApp) return new AppRef(ctx.filterApp, EXAMINED as unknown as "application");
    return ctx.target;
  }

  async #property(e: A.PropertyExpr, ctx: Ctx): Promise<Val> {
    const container = await this.#container(e.of, ctx);
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
    return this.#localProperty(deref(await this.#resolved(container, ctx)), term);
  }

  /** A container's value: an app's object is got first. */
  async #resolved(v: Val, ctx: Ctx): Promise<Val> {
    if (v instanceof AppRef && v.spec instanceof ObjectSpecifier) {
      return await this.#send(v.app, { code: "coregetd", params: { "----": v.spec } }, ctx);
    }
    return v;
  }

  #localProperty(c: Val, term: A.Term): Val {
    const code = term.code;
    if (code === "pcls") return classOf(c);
    if (c instanceof AsRecord) {
      const key = findField(c, term.name, code);
      if (key !== undefined) return c.fields.get(key)!;
      throw new ScriptError(`Can’t get ${term.name} of ${sourceText(c)}.`, -1728);
    }
    if (typeof c === "string") {
      switch (code) {
        case "leng":
          return [...c].length;
        case "strq":
          return `'${c.replace(/'/g, "'\\''")}'`;
        case "psxp":
          return c;
        case "ID  ": {
          const ids = [...c].map((ch) => ch.codePointAt(0)!);
          return ids.length === 1 ? ids[0] : ids;
        }
      }
    }
    if (Array.isArray(c)) {
      switch (code) {
        case "leng":
          return c.length;
        case "rest":
          return c.slice(1);
        case "rvse":
          return [...c].reverse();
      }
    }
    if (c instanceof Date) {
      switch (code) {
        case "year":
          return c.getFullYear();
        case "mnth": {
          const m = [
            "jan ",
            "feb ",
            "mar ",
            "apr ",
            "may ",
            "jun ",
            "jul ",
            "aug ",
            "sep ",
            "oct ",
            "nov ",
            "dec ",
          ][c.getMonth()];
          const names = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
          ];
          return new AsConstant(names[c.getMonth()], m);
        }
        case "day ":
          return c.getDate();
        case "wkdy": {
          const names = [
            "Sunday",
            "Monday",
            "Tuesday",
            "Wednesday",
            "Thursday",
            "Friday",
            "Saturday",
          ];
          return new AsConstant(
            names[c.getDay()],
            names[c.getDay()].slice(0, 3).toLowerCase() + " ",
          );
        }
        case "hour":
          return c.getHours();
        case "min ":
          return c.getMinutes();
        case "secs":
          return c.getSeconds();
        case "time":
          return c.getHours() * 3600 + c.getMinutes() * 60 + c.getSeconds();
        case "dstr":
          return dateString(c);
        case "tstr":
          return timeString(c);
        case "shdt":
          return shortDateString(c);
      }
    }
    if (c instanceof AsFile && code === "psxp") return c.path;
    if (c instanceof LocalRef && code === "pcnt") return c.get();
    if (code === "pcnt") return c;
    throw new ScriptError(`Can’t get ${term.name} of ${sourceText(c)}.`, -1728);
  }

  async #element(e: A.ElementExpr, ctx: Ctx): Promise<Val> {
    const container = await this.#container(e.of, ctx);
    if (container instanceof AppRef) {
      return new AppRef(container.app, await this.#elementSpec(e, specOf(container), ctx));
    }
    if (container === undefined || container instanceof ScriptObject) {
      throw new ScriptError(`Can’t get ${describeElement(e)}.`, -1728);
    }
    const c = deref(await this.#resolved(container, ctx));
    return await this.#localElement(c, e, ctx);
  }

  async #elementSpec(
    e: A.ElementExpr,
    from: ObjectSpecifier | "application" | "examined",
    ctx: Ctx,
  ): Promise<ObjectSpecifier> {
    const want = e.cls.code;
    const bound = async (x: A.Expr): Promise<Value> => {
      const v = await this.#ref(x, ctx);
      if (v instanceof AppRef && v.spec instanceof ObjectSpecifier) return v.spec;
      const d = deref(v);
      if (typeof d === "number" || d instanceof Real) return BigInt(toInteger(d));
      return toText(d);
    };
    switch (e.form) {
      case "key": {
        const k = deref(await this.#value(e.key!, ctx));
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
          BigInt(toInteger(await this.#value(e.key!, ctx))),
        );
      case "name":
        return new ObjectSpecifier(want, from, "name", toText(await this.#value(e.key!, ctx)));
      case "id": {
        let id = toWire(deref(await this.#value(e.key!, ctx)));
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
        const of = await this.#ref(e.key!, ctx);
        if (!(of instanceof AppRef) || !(of.spec instanceof ObjectSpecifier)) {
          throw new ScriptError(`Can’t get ${describeElement(e)}.`, -1728);
        }
        return new ObjectSpecifier(want, of.spec, "relative", e.ordinal as "before" | "after");
      }
    }
  }

  async #localElement(c: Val, e: A.ElementExpr, ctx: Ctx): Promise<Val> {
    const code = e.cls.code;
    let items: Val[];
    let join = false;
    if (typeof c === "string") {
      join = true;
      switch (code) {
        case "cha ":
        case "cobj":
          items = [...c];
          break;
        case "cwor":
          items = c.match(/[\p{L}\p{N}_'’.@-]+/gu)?.map((w) =>
            w.replace(/[.'’-]+$/u, "")
          ).filter((w) => w) ?? [];
          join = false;
          break;
        case "cpar":
          items = c === "" ? [] : c.split(/\r\n|\r|\n/);
          if (items.length > 1 && items[items.length - 1] === "") {
            items.pop();
          }
          join = false;
          break;
        case "citm": {
          const d = this.#delimiters;
          const delims = (Array.isArray(d) ? d : [d]).map((x) =>
            toText(x)
          );
          items = delims.length === 0 || delims[0] === "" ? [c] : splitAny(c, delims);
          join = false;
          break;
        }
        case "ctxt":
        case "TEXT":
          items = [...c];
          if (e.form !== "range") {
            if (e.form === "every") return c;
            throw new ScriptError(`Can’t get ${describeElement(e)} of ${sourceText(c)}.`, -1728);
          }
          break;
        default:
          throw new ScriptError(`Can’t get ${describeElement(e)} of ${sourceText(c)}.`, -1728);
      }
      if (code === "cha " || code === "cobj") join = e.form === "range" ? code !== "cobj" : false;
      if (code === "ctxt" || code === "TEXT") join = true;
    } else if (Array.isArray(c)) {
      items = code === "cobj" ? c : c.filter((x) => classMatches(x, code));
    } else if (c instanceof AsRecord && code === "cobj") {
      items = [...c.fields.values()];
    } else {
      throw new ScriptError(`Can’t get ${describeElement(e)} of ${sourceText(c)}.`, -1728);
    }
    const pick = (i: number): Val =>
      items[listIndex(items, i, () => `${e.cls.name} ${i} of ${sourceText(c)}`)];
    switch (e.form) {
      case "every":
        return typeof c === "string" && (code === "cha " || code === "cobj") ? [...c] : items;
      case "key":
      case "index": {
        const k = deref(await this.#value(e.key!, ctx));
        if (typeof k === "string") {
          throw new ScriptError(
            `Can’t get ${e.cls.name} ${sourceText(k)} of ${sourceText(c)}.`,
            -1728,
          );
        }
        return pick(toInteger(k));
      }
      case "ordinal": {
        const o = e.ordinal!;
        if (typeof o === "number") return pick(o);
        if (o === "last") return pick(-1);
        if (o === "first") return pick(1);
        if (o === "middle") return pick(Math.floor((items.length + 1) / 2));
        if (items.length === 0) return pick(1);
        return items[Math.floor(Math.random() * items.length)];
      }
      case "range": {
        let a = toInteger(deref(await this.#value(e.key!, ctx)));
        let b = toInteger(deref(await this.#value(e.key2!, ctx)));
        const n = items.length;
        const where = () => `${describeElement(e)} of ${sourceText(c)}`;
        const ia = listIndex(items, a, where);
        const ib = listIndex(items, b, where);
        [a, b] = ia <= ib ? [ia, ib] : [ib, ia];
        void n;
        const slice = items.slice(a, b + 1);
        return join ? (slice as string[]).join("") : slice;
      }
      default:
        throw new ScriptError(`Can’t get ${describeElement(e)} of ${sourceText(c)}.`, -1728);
    }
  }

  async #filter(e: A.FilterExpr, ctx: Ctx): Promise<Val> {
    const container = await this.#container(e.ref.of, ctx);
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
      await this.#send(container.app, {
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
      `Can’t make ${sourceText(deref(await this.#value(e, ctx)))} into a test.`,
      -1700,
    );
  }

  async #operand(e: A.Expr, ctx: Ctx): Promise<Value | typeof EXAMINED_VALUE> {
    if (e.type === "it") return EXAMINED_VALUE;
    const v = await this.#ref(e, ctx);
    if (v instanceof AppRef) {
      if (v.spec === (EXAMINED as unknown)) return EXAMINED_VALUE;
      if (v.spec instanceof ObjectSpecifier && rootOf(v.spec) === "examined") return v.spec;
      const got = await this.#value(e, { ...ctx, filterApp: undefined });
      return toWire(got);
    }
    return toWire(deref(v));
  }

  async #insertion(e: A.InsertionExpr, ctx: Ctx): Promise<Val> {
    const container = e.of ? await this.#ref(e.of, ctx) : ctx.target;
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

  // -- commands --------------------------------------------------------------------------

  async #command(e: A.CommandExpr, ctx: Ctx): Promise<Val> {
    // `get x as text`: the result is coerced here, as AppleScript does what an app does not.
    const as = e.term.code === "coregetd" ? e.params.find((p) => p.code === "rtyp") : undefined;
    if (as) {
      const v = deref(await this.#command({ ...e, params: e.params.filter((p) => p !== as) }, ctx));
      const to = await this.#value(as.value, ctx);
      if (!(to instanceof AsClass)) {
        throw new ScriptError(`Can’t make ${sourceText(v)} into type ${sourceText(to)}.`, -1700);
      }
      return Array.isArray(v) && (to.code === "ctxt" || to.code === "TEXT" || to.code === "utxt")
        ? toText(v, this.#delimiterText())
        : coerce(v, to);
    }
    const code = e.term.code;
    const direct = e.direct ? await this.#ref(e.direct, ctx) : undefined;
    const params: { code: string; label: string; value: Val }[] = [];
    for (const p of e.params) {
      params.push({ code: p.code, label: p.label, value: await this.#ref(p.value, ctx) });
    }
    // Which app: the direct parameter's, else the tell target's (for the app's own terms, or
    // the standard commands with no local meaning).
    let app: AppLink | undefined;
    if (direct instanceof AppRef && direct.spec !== (EXAMINED as unknown)) {
      app = direct.app as AppLink;
    } else if (
      ctx.target instanceof AppRef &&
      (e.term.app !== undefined || direct === undefined ||
        ["corecrel", "coredelo", "coreclon", "coremove"].includes(code))
    ) app = ctx.target.app as AppLink;
    if (app && !(code === "corecnte" && direct !== undefined && !(direct instanceof AppRef))) {
      return await this.#appCommand(app, e, direct, params, ctx);
    }
    return await this.#localCommand(e, direct, params, ctx);
  }

  async #appCommand(
    app: AppLink,
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
        await this.#send(app, { code, params: wire }, ctx);
      } catch (err) {
        if (!(err instanceof ScriptError) || err.number !== -1708) throw err;
      }
      return null;
    }
    const result = await this.#send(app, { code, params: wire }, ctx);
    return result;
  }

  async #send(app: AppLink, event: ScriptingEvent, ctx: Ctx): Promise<Val> {
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
    const d = direct === undefined ? undefined : deref(await this.#resolved(direct, ctx));
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
            d.app as AppLink,
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

  // -- operators -------------------------------------------------------------------------

  /** The value of an expression of local values only ({@linkcode isLocal}), without a promise. */
  #sync(e: A.Expr, ctx: Ctx): Val {
    try {
      return this.#syncInner(e, ctx);
    } catch (err) {
      if (err instanceof ScriptError && !err.span) err.span = { start: e.start, end: e.end };
      throw err;
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
        if (e.op === "&" && typeof a === "string" && Array.isArray(b)) {
          return a + toText(b, this.#delimiterText());
        }
        return binaryOp(e.op, a, b, ctx.considerCase ? CONSIDER_CASE : IGNORE_CASE);
      }
      case "unary": {
        const v = deref(this.#sync(e.operand, ctx));
        if (e.op === "not") return !toBoolean(v);
        if (e.op === "+") return v;
        if (typeof v === "number") return -v;
        return new Real(-toNumber(v));
      }
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
      if (!toBoolean(deref(await this.#value(e.left, ctx)))) return false;
      return toBoolean(deref(await this.#value(e.right, ctx)));
    }
    if (e.op === "or") {
      if (toBoolean(deref(await this.#value(e.left, ctx)))) return true;
      return toBoolean(deref(await this.#value(e.right, ctx)));
    }
    const a = deref(await this.#value(e.left, ctx));
    const b = deref(await this.#value(e.right, ctx));
    if (e.op === "&" && typeof a === "string" && Array.isArray(b)) {
      return a + toText(b, this.#delimiterText());
    }
    return binaryOp(e.op, a, b, ctx.considerCase ? CONSIDER_CASE : IGNORE_CASE);
  }
}

const EXAMINED_VALUE = Symbol("examined");

/** Where a repeat is: its counter, its end, its step, its list. */
interface Rounds {
  i: number;
  n: number;
  by: number;
  real: boolean;
  list: Val[] | undefined;
}

const CONSIDER_CASE = Object.freeze({ considerCase: true });
const IGNORE_CASE = Object.freeze({ considerCase: false });

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

function rootOf(spec: ObjectSpecifier): string {
  let s: ObjectSpecifier = spec;
  while (s.from instanceof ObjectSpecifier) s = s.from;
  return s.from;
}

function specOf(ref: AppRef): ObjectSpecifier | "application" | "examined" {
  if (ref.spec === "application") return "application";
  if (ref.spec === (EXAMINED as unknown)) return "examined";
  if (ref.spec instanceof ObjectSpecifier) return ref.spec;
  throw new ScriptError(`Can’t get an element of ${sourceText(ref)}.`, -1728);
}

function deref(v: Val): Val {
  return v instanceof LocalRef ? v.get() : v;
}

function findField(r: AsRecord, name: string, code?: string): string | undefined {
  if (r.fields.has(name)) return name;
  const lower = name.toLowerCase();
  for (const k of r.fields.keys()) {
    if (k.toLowerCase() === lower || (code && r.codes.get(k) === code)) return k;
  }
  return undefined;
}

function listIndex(items: Val[], i: number, what?: () => string): number {
  const n = items.length;
  const j = i < 0 ? n + i : i - 1;
  if (i === 0 || j < 0 || j >= n) {
    throw new ScriptError(
      `Can’t get ${what ? what() : `item ${i} of ${sourceText(items)}`}.`,
      -1728,
    );
  }
  return j;
}

function splitAny(s: string, delims: string[]): string[] {
  if (delims.length === 1) return s.split(delims[0]);
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length;) {
    const d = delims.find((x) => x !== "" && s.startsWith(x, i));
    if (d) {
      out.push(s.slice(start, i));
      i += d.length;
      start = i;
    } else i++;
  }
  out.push(s.slice(start));
  return out;
}

function classMatches(v: Val, code: string): boolean {
  const c = classOf(v).code;
  if (code === "ctxt" || code === "TEXT" || code === "utxt") return c === "ctxt";
  if (code === "nmbr") return c === "long" || c === "doub";
  return c === code;
}

function describeElement(e: A.ElementExpr): string {
  switch (e.form) {
    case "every":
      return `every ${e.cls.name}`;
    case "ordinal":
      return typeof e.ordinal === "number"
        ? `${e.cls.name} ${e.ordinal}`
        : `${e.ordinal} ${e.cls.name}`;
    default:
      return e.cls.name;
  }
}

/** `set month of d to 2`: a date's part, changed in place (dates are shared, as lists are). */
function setDatePart(d: Date, term: A.Term, v: Val): void {
  const n = v instanceof AsConstant ? monthOf(v) : toInteger(v);
  switch (term.code) {
    case "year":
      d.setFullYear(n);
      return;
    case "mnth":
      d.setMonth(n - 1);
      return;
    case "day ":
      d.setDate(n);
      return;
    case "hour":
      d.setHours(n);
      return;
    case "min ":
      d.setMinutes(n);
      return;
    case "secs":
      d.setSeconds(n);
      return;
    case "time":
      d.setHours(0, 0, n, 0);
      return;
  }
  throw new ScriptError(`Can’t set ${term.name} of ${sourceText(d)}.`, -10006);
}

function monthOf(c: AsConstant): number {
  const codes = [
    "jan ",
    "feb ",
    "mar ",
    "apr ",
    "may ",
    "jun ",
    "jul ",
    "aug ",
    "sep ",
    "oct ",
    "nov ",
    "dec ",
  ];
  const i = codes.indexOf(c.code);
  if (i < 0) throw new ScriptError(`Can’t make ${c.name} into type integer.`, -1700);
  return i + 1;
}

function deepCopy(v: Val): Val {
  if (Array.isArray(v)) return v.map(deepCopy);
  if (v instanceof AsRecord) {
    const r = new AsRecord();
    for (const [k, x] of v.fields) r.fields.set(k, deepCopy(x));
    for (const [k, c] of v.codes) r.codes.set(k, c);
    return r;
  }
  if (v instanceof Date) return new Date(v.getTime());
  return v;
}

function logText(v: Val): string {
  return humanText(v);
}

function arith(op: "+" | "-" | "*", a: Val, b: Val): Val {
  if (typeof a === "number" && typeof b === "number") {
    const r = op === "+" ? a + b : op === "-" ? a - b : a * b;
    return Math.abs(r) > MAX_INTEGER ? new Real(r) : r;
  }
  if (a instanceof Date && op !== "*") {
    if (b instanceof Date && op === "-") return Math.round((a.getTime() - b.getTime()) / 1000);
    const s = toNumber(b);
    return new Date(a.getTime() + (op === "+" ? s : -s) * 1000);
  }
  if (b instanceof Date && op === "+") return new Date(b.getTime() + toNumber(a) * 1000);
  const x = toNumber(a);
  const y = toNumber(b);
  const r = op === "+" ? x + y : op === "-" ? x - y : x * y;
  const ints = (typeof a === "number" || (typeof a === "string" && /^[+-]?\d+$/.test(a.trim()))) &&
    (typeof b === "number" || (typeof b === "string" && /^[+-]?\d+$/.test(b.trim())));
  return ints && Math.abs(r) <= MAX_INTEGER ? r : new Real(r);
}

/** A binary operator on two values (not `and`/`or`, which short-circuit). */
function binaryOp(
  op: A.BinaryOp,
  a: Val,
  b: Val,
  options: { considerCase?: boolean } = {},
): Val {
  switch (op) {
    case "&": {
      if (typeof a === "string") {
        return a + (b instanceof AsRecord || Array.isArray(b) ? toText(b as Val) : toText(b));
      }
      if (a instanceof AsRecord && b instanceof AsRecord) {
        const r = a.clone();
        for (const [k, v] of b.fields) {
          if (!r.fields.has(k)) {
            r.fields.set(k, v);
            const c = b.codes.get(k);
            if (c) r.codes.set(k, c);
          }
        }
        return r;
      }
      if (Array.isArray(a)) return [...a, ...toList(b)];
      if (Array.isArray(b)) return [a, ...b];
      return [a, b];
    }
    case "+":
    case "-":
    case "*":
      return arith(op, a, b);
    case "/": {
      const y = toNumber(b);
      if (y === 0) throw new ScriptError(`Can’t divide ${sourceText(a)} by zero.`, -2701);
      return new Real(toNumber(a) / y);
    }
    case "div": {
      const y = toNumber(b);
      if (y === 0) throw new ScriptError(`Can’t divide ${sourceText(a)} by zero.`, -2701);
      return Math.trunc(toNumber(a) / y);
    }
    case "mod": {
      const y = toNumber(b);
      if (y === 0) throw new ScriptError(`Can’t divide ${sourceText(a)} by zero.`, -2701);
      const r = toNumber(a) % y;
      return typeof a === "number" && typeof b === "number" ? r : new Real(r);
    }
    case "^":
      return new Real(Math.pow(toNumber(a), toNumber(b)));
    case "=":
      return equals(a, b, options);
    case "≠":
      return !equals(a, b, options);
    case "<":
      return compare(a, b, options) < 0;
    case ">":
      return compare(a, b, options) > 0;
    case "≤":
      return compare(a, b, options) <= 0;
    case "≥":
      return compare(a, b, options) >= 0;
    case "contains":
      return contains(a, b, options);
    case "does not contain":
      return !contains(a, b, options);
    case "is in":
      return contains(b, a, options);
    case "is not in":
      return !contains(b, a, options);
    case "starts with":
    case "does not start with": {
      let r: boolean;
      if (Array.isArray(a)) r = a.length > 0 && equals(a[0], Array.isArray(b) ? b[0] : b, options);
      else {
        const x = toText(a);
        const y = toText(b);
        r = options.considerCase ? x.startsWith(y) : x.toLowerCase().startsWith(y.toLowerCase());
      }
      return op === "starts with" ? r : !r;
    }
    case "ends with":
    case "does not end with": {
      let r: boolean;
      if (Array.isArray(a)) {
        r = a.length > 0 &&
          equals(a[a.length - 1], Array.isArray(b) ? b[b.length - 1] : b, options);
      } else {
        const x = toText(a);
        const y = toText(b);
        r = options.considerCase ? x.endsWith(y) : x.toLowerCase().endsWith(y.toLowerCase());
      }
      return op === "ends with" ? r : !r;
    }
    default:
      throw new ScriptError(`Unknown operator ${op}.`, -2700);
  }
}
