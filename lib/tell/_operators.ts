/**
 * Local values in `tell` scripts: operators, the parts of texts, lists, records and dates, and
 * the arithmetic AppleScript does on them.
 *
 * @module
 */

import type * as A from "./ast.ts";
import { ScriptError } from "./errors.ts";
import {
  AsConstant,
  AsFile,
  AsRecord,
  classOf,
  compare,
  contains,
  dateString,
  deref,
  equals,
  humanText,
  LocalRef,
  MAX_INTEGER,
  MONTHS,
  Real,
  shortDateString,
  sourceText,
  timeString,
  toInteger,
  toList,
  toNumber,
  toText,
  type Val,
  WEEKDAYS,
} from "./values.ts";
import { describeElement } from "./_eval_context.ts";

/** A property of a local value: a record's field, a text's length, a date's year… */
export function localProperty(c: Val, term: A.Term): Val {
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
        const name = MONTHS[c.getMonth()];
        return new AsConstant(name, dateConstantCode(name));
      }
      case "day ":
        return c.getDate();
      case "wkdy": {
        const name = WEEKDAYS[c.getDay()];
        return new AsConstant(name, dateConstantCode(name));
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

/** How {@linkcode localElement} gets what it needs from the script. */
export interface LocalElementOptions {
  /** AppleScript's text item delimiters. */
  readonly delimiters: Val;
  /** The value of an index or range bound. */
  value(e: A.Expr): Promise<Val>;
}

/** An element of a local value: `item 2 of l`, `words of t`, `text 2 thru 5 of t`… */
export async function localElement(
  c: Val,
  e: A.ElementExpr,
  options: LocalElementOptions,
): Promise<Val> {
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
        const d = options.delimiters;
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
      const k = deref(await options.value(e.key!));
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
      let a = toInteger(deref(await options.value(e.key!)));
      let b = toInteger(deref(await options.value(e.key2!)));
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

/** A record's field by its label or its property's code, as the record spells it. */
export function findField(r: AsRecord, name: string, code?: string): string | undefined {
  if (r.fields.has(name)) return name;
  const lower = name.toLowerCase();
  for (const k of r.fields.keys()) {
    if (k.toLowerCase() === lower || (code && r.codes.get(k) === code)) return k;
  }
  return undefined;
}

/** The 0-based index of AppleScript's index `i` (negative from the end); -1728 outside. */
export function listIndex(items: Val[], i: number, what?: () => string): number {
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

/** A text split at any of several delimiters. */
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

/** Whether a value is of a class (`text`, `number`… match their kinds). */
function classMatches(v: Val, code: string): boolean {
  const c = classOf(v).code;
  if (code === "ctxt" || code === "TEXT" || code === "utxt") return c === "ctxt";
  if (code === "nmbr") return c === "long" || c === "doub";
  return c === code;
}

/** `set month of d to 2`: a date's part, changed in place (dates are shared, as lists are). */
export function setDatePart(d: Date, term: A.Term, v: Val): void {
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

/** The number of a month constant (`March`: 3). */
function monthOf(c: AsConstant): number {
  const i = MONTHS.findIndex((name) => dateConstantCode(name) === c.code);
  if (i < 0) throw new ScriptError(`Can’t make ${c.name} into type integer.`, -1700);
  return i + 1;
}

/** A month's or weekday's constant code: its first three letters and a space (`mar `). */
function dateConstantCode(name: string): string {
  return `${name.slice(0, 3).toLowerCase()} `;
}

/** `copy`'s copy: lists, records and dates are copied, deeply. */
export function deepCopy(v: Val): Val {
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

/** A value as `log` writes it. */
export function logText(v: Val): string {
  return humanText(v);
}

/** Addition, subtraction and multiplication, with dates and integer overflow to reals. */
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
export function binaryOp(
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
