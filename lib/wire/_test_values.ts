/**
 * Values covering every type and edge, shared by the wire tests.
 *
 * @module
 */

import {
  Comparison,
  EnumConstant,
  InsertionLocation,
  INT64_MAX,
  INT64_MIN,
  LogicalTest,
  ObjectSpecifier,
  TypeCode,
  UInt64,
  UINT64_MAX,
  Uuid,
  type Value,
} from "./value.ts";
import { EXT_SPECIFIER } from "./msgpack.ts";

/** Named sample values: every XPC type, its extremes and its traps. */
export function sampleValues(): Record<string, Value> {
  const eightMiB = new Uint8Array(8 * 1024 * 1024);
  for (let i = 0; i < eightMiB.length; i += 4093) eightMiB[i] = i & 0xff;
  return {
    "null": null,
    "true": true,
    "false": false,
    "int64 zero": 0n,
    "int64 max": INT64_MAX,
    "int64 min": INT64_MIN,
    "int64 past 2^53": 2n ** 53n + 1n,
    "int64 -1": -1n,
    "uint64 zero": new UInt64(0n),
    "uint64 max": new UInt64(UINT64_MAX),
    "uint64 2^63": new UInt64(2n ** 63n),
    "double 1.0": 1,
    "double -0": -0,
    "double 0": 0,
    "double NaN": NaN,
    "double Infinity": Infinity,
    "double -Infinity": -Infinity,
    "double -1.0": -1,
    "double pi": Math.PI,
    "double smallest": Number.MIN_VALUE,
    "double largest": Number.MAX_VALUE,
    "double 2^53": 2 ** 53,
    "empty string": "",
    "unicode string": "héllo wörld — 日本語 🎉",
    "string with NUL and quotes": 'a\u0000b"c\\d\n',
    "string that looks like a number": "12",
    "0-byte data": new Uint8Array(0),
    "small data": new Uint8Array([0, 1, 2, 253, 254, 255]),
    "8 MiB data": eightMiB,
    "date epoch": new Date(0),
    "date with ms": new Date("2026-11-28T01:02:03.456Z"),
    "date before epoch": new Date("1901-12-13T20:45:52.001Z"),
    "date far future": new Date("9999-12-31T23:59:59.999Z"),
    "uuid": new Uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
    "uuid nil": new Uuid("00000000-0000-0000-0000-000000000000"),
    "empty array": [],
    "empty dictionary": {},
    "nested": {
      a: [1n, 2.5, "x", [[], [{}]], { b: { c: [null, true, new UInt64(7n)] } }],
      "": "empty key",
      "key with spaces": new Date(1),
    },
    "dictionary that looks like a tag": { $data: "not base64 but a string" },
    "dictionary with a $ key among others": { $int64: "x", other: 1n },
    "type code": new TypeCode("docu"),
    "enumerator constant with a space": new EnumConstant("yes "),
    "type code in MacRoman": new TypeCode("dtpƒ"),
    ...descriptorSamples(),
    "dictionary that looks like a specifier": { $specifier: "a user's text" },
    "dictionary that looks like a type": { $type: "docu" },
    "mixed array": [null, false, 0n, 0, -0, "", new Uint8Array([9]), new Date(5), Uuid.random()],
  };
}

/** The names of the samples of the scripting kinds (other MessagePack codecs see extensions). */
export function scriptingSampleNames(): Set<string> {
  return new Set([
    "type code",
    "enumerator constant with a space",
    "type code in MacRoman",
    ...Object.keys(descriptorSamples()),
  ]);
}

/** Specifiers of every form and ordinal, insertion locations and tests, nested. */
function descriptorSamples(): Record<string, Value> {
  const folder = new ObjectSpecifier("cfol", "application", "name", "Notes");
  const its = new ObjectSpecifier("prop", "examined", "property", "pnam");
  const test = new LogicalTest("and", [
    new Comparison("contains", its, "milk"),
    new LogicalTest("not", [
      new Comparison("=", new ObjectSpecifier("prop", its, "property", "ID  "), 3n),
    ]),
    new LogicalTest("or", [
      new Comparison(">=", its, 2.5),
      new Comparison("begins with", its, "A"),
    ]),
  ]);
  return {
    "specifier by index": new ObjectSpecifier("note", folder, "index", -1n),
    "specifier by ordinal": new ObjectSpecifier("note", folder, "index", "middle"),
    "specifier every": new ObjectSpecifier("note", "application", "index", "every"),
    "specifier by id": new ObjectSpecifier("note", "application", "id", { x: [1n, null] }),
    "specifier of a range": new ObjectSpecifier("note", folder, "range", [
      2n,
      new ObjectSpecifier("note", "container", "name", "z"),
    ]),
    "specifier of a range to the end": new ObjectSpecifier("note", folder, "range", [
      "a",
      new EnumConstant("end "),
    ]),
    "specifier whose": new ObjectSpecifier("note", folder, "test", test),
    "specifier relative": new ObjectSpecifier("note", folder, "relative", "before"),
    "insertion location": new InsertionLocation("end", folder),
    "insertion at the application": new InsertionLocation("beginning", "application"),
    "comparison of a date": new Comparison("<", its, new Date(5)),
  };
}

/**
 * `cobj 1 of cobj 1 of …` nested `levels` deep, written by hand as a hostile peer would send it
 * (ipckit's encoder refuses to write it).
 */
export function deepSpecifierBytes(levels: number): Uint8Array {
  const text = (t: string) => [0xa0 | t.length, ...new TextEncoder().encode(t)];
  const head = [0x94, ...text("cobj")];
  const tail = [...text("index"), 0x01];
  const root = text("application");
  const per = 6 + head.length; // what each level writes before its container
  const out = new Uint8Array(levels * (per + tail.length) + root.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < levels; i++) {
    const at = i * per;
    const inner = out.length - at - 6 - i * tail.length; // this level's body, to its tail's end
    out.set([0xc9, 0, 0, 0, 0, EXT_SPECIFIER, ...head], at);
    view.setUint32(at + 1, inner);
    out.set(tail, out.length - (i + 1) * tail.length);
  }
  out.set(root, levels * per);
  return out;
}
