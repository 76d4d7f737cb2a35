/**
 * Values covering every type and edge, shared by the wire tests.
 *
 * @module
 */

import { INT64_MAX, INT64_MIN, UInt64, UINT64_MAX, Uuid, type Value } from "./value.ts";

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
    "mixed array": [null, false, 0n, 0, -0, "", new Uint8Array([9]), new Date(5), Uuid.random()],
  };
}
