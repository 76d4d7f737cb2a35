/**
 * The hot frames of notifications, written by hand: a one-way post (client → broker), a
 * delivery (broker → each observer) and a straight notification (poster → an observer's
 * inbox), written straight into memory of their exact size. They are
 * the same bytes as `encodeMessage()` writes (tests hold them equal), in a fraction of its time;
 * anything unusual (long strings, large userInfo, a state) goes through `encodeMessage()`. For
 * the client library and the broker: the command line's one-shot calls do not load this.
 *
 * @module
 */

import { writeUint32 } from "../wire/bytes.ts";
import { encodeMessage } from "../wire/frame.ts";
import type { Dictionary } from "../wire/value.ts";
import { INBOX_EVENTS, NOTIFY_EVENTS, NOTIFY_METHODS } from "./protocol.ts";

const textEncoder = new TextEncoder();
const ASCII = (text: string) => [...text].map((c) => c.charCodeAt(0));
// {t: "evt", m: "notify.post", b: {…}}: "notify.post" is 11 characters, which encodeMessage
// heads as str 8 (it sizes headers by 3 bytes a character).
const POST_HEAD = [0x83, 0xa1, ...ASCII("t"), 0xa3, ...ASCII("evt"), 0xa1, ...ASCII("m"), 0xd9, 11]
  .concat(ASCII(NOTIFY_METHODS.post), [0xa1, ...ASCII("b")]);
// {t: "evt", m: "notify.d", b: {i: …
const DELIVERY_HEAD = [0x83, 0xa1, ...ASCII("t"), 0xa3, ...ASCII("evt"), 0xa1, ...ASCII("m")]
  .concat([0xa8, ...ASCII(NOTIFY_EVENTS.delivery), 0xa1, ...ASCII("b"), 0x87, 0xa1, ...ASCII("i")]);
// {t: "evt", m: "notify.x", b: {q: …
const STRAIGHT_HEAD = [0x83, 0xa1, ...ASCII("t"), 0xa3, ...ASCII("evt"), 0xa1, ...ASCII("m")]
  .concat([0xa8, ...ASCII(INBOX_EVENTS.straight), 0xa1, ...ASCII("b"), 0x86, 0xa1, ...ASCII("q")]);
const KEY = 0xa1; // a one-letter key
const float = new DataView(new ArrayBuffer(8));

/** A short string's bytes (the string itself when ASCII), or undefined when it is not short. */
function shortText(text: string): string | Uint8Array | undefined {
  if (text.length >= 64) return undefined;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return textEncoder.encode(text);
  }
  return text;
}

/** The size of a short string as MessagePack (headed by its UTF-16 length, as encodeMessage does). */
function textSize(text: string, bytes: string | Uint8Array): number {
  return (text.length * 3 < 32 ? 1 : 2) + bytes.length;
}

class Out {
  readonly bytes: Uint8Array;
  at = 4;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    writeUint32(this.bytes, 0, size - 4);
  }
  raw(list: readonly number[]): void {
    for (let i = 0; i < list.length; i++) this.bytes[this.at++] = list[i];
  }
  byte(b: number): void {
    this.bytes[this.at++] = b;
  }
  key(letter: number): void {
    this.bytes[this.at++] = KEY;
    this.bytes[this.at++] = letter;
  }
  text(text: string, bytes: string | Uint8Array): void {
    const out = this.bytes;
    if (text.length * 3 < 32) out[this.at++] = 0xa0 | bytes.length;
    else {
      out[this.at++] = 0xd9;
      out[this.at++] = bytes.length;
    }
    if (typeof bytes === "string") {
      for (let i = 0; i < bytes.length; i++) out[this.at++] = bytes.charCodeAt(i);
    } else {
      out.set(bytes, this.at);
      this.at += bytes.length;
    }
  }
  bin(data: Uint8Array): void {
    const n = data.length, out = this.bytes;
    if (n < 0x100) {
      out[this.at++] = 0xc4;
      out[this.at++] = n;
    } else {
      out[this.at++] = 0xc5;
      out[this.at++] = n >>> 8;
      out[this.at++] = n & 0xff;
    }
    out.set(data, this.at);
    this.at += n;
  }
  float(value: number): void {
    float.setFloat64(0, value);
    for (let i = 0; i < 8; i++) this.bytes[this.at++] = float.getUint8(i);
  }
  /** A short array of numbers (as encodeMessage writes numbers: doubles). */
  numbers(list: readonly number[]): void {
    this.bytes[this.at++] = 0x90 | list.length;
    for (let i = 0; i < list.length; i++) {
      this.bytes[this.at++] = 0xcb;
      this.float(list[i]);
    }
  }
}

/** Whether `value` is a short array (under 16) of numbers. */
function isNumbers(value: unknown): value is number[] {
  if (!Array.isArray(value) || value.length >= 16) return false;
  for (let i = 0; i < value.length; i++) if (typeof value[i] !== "number") return false;
  return true;
}

/** Whether a post's `d` is a short array of short arrays of numbers. */
function isReached(value: unknown): value is number[][] {
  if (!Array.isArray(value) || value.length >= 16) return false;
  for (let i = 0; i < value.length; i++) if (!isNumbers(value[i])) return false;
  return true;
}

function reachedSize(d: number[][]): number {
  let size = 1;
  for (let i = 0; i < d.length; i++) size += 1 + 9 * d[i].length;
  return size;
}

const BIG = 0x10000;

function binSize(data: Uint8Array): number {
  return (data.length < 0x100 ? 2 : 3) + data.length;
}

/**
 * The frame of a one-way post of `body` (from {@linkcode postBody}):
 * `encodeMessage({ t: "evt", m: "notify.post", b: body })`, written by hand when it is small.
 */
export function encodePostEvent(body: Dictionary): Uint8Array {
  const { n, o, u, i, p, q, d } = body;
  const name = typeof n === "string" ? shortText(n) : undefined;
  const object = typeof o === "string" ? shortText(o) : o === null ? null : undefined;
  let keys = 0;
  for (const _ in body) keys++;
  if (
    name === undefined || object === undefined || !(u === null || u instanceof Uint8Array) ||
    (u !== null && u.length >= BIG) ||
    keys !==
      3 + (i === true ? 1 : 0) + (p !== undefined ? 1 : 0) + (q !== undefined ? 1 : 0) +
        (d !== undefined ? 1 : 0) ||
    (i !== undefined && i !== true) || (q !== undefined && typeof q !== "number") ||
    (p !== undefined && typeof p !== "number") ||
    (d !== undefined && (q === undefined || !isReached(d)))
  ) {
    return encodeMessage({ t: "evt", m: NOTIFY_METHODS.post, b: body });
  }
  const size = 4 + POST_HEAD.length + 1 + 2 + textSize(n as string, name) + 2 +
    (object === null ? 1 : textSize(o as string, object)) + 2 +
    (u === null ? 1 : binSize(u)) + (i === true ? 3 : 0) + (p !== undefined ? 11 : 0) +
    (q !== undefined ? 11 : 0) +
    (d !== undefined ? 2 + reachedSize(d as number[][]) : 0);
  const out = new Out(size);
  out.raw(POST_HEAD);
  out.byte(0x80 | keys);
  // In the order postBody makes them, n, o, u, then i; then the center's p and q, the routes' d.
  out.key(0x6e);
  out.text(n as string, name);
  out.key(0x6f);
  if (object === null) out.byte(0xc0);
  else out.text(o as string, object);
  out.key(0x75);
  if (u === null) out.byte(0xc0);
  else out.bin(u);
  if (i === true) {
    out.key(0x69);
    out.byte(0xc3);
  }
  if (p !== undefined) {
    out.key(0x70);
    out.byte(0xcb);
    out.float(p as number);
  }
  if (q !== undefined) {
    out.key(0x71);
    out.byte(0xcb);
    out.float(q as number);
  }
  if (d !== undefined) {
    const reached = d as number[][];
    out.key(0x64);
    out.byte(0x90 | reached.length);
    for (let k = 0; k < reached.length; k++) out.numbers(reached[k]);
  }
  return out.bytes;
}

/**
 * The frame of a straight notification to an inbox:
 * `encodeMessage({ t: "evt", m: "notify.x", b: { q, n: name, o: object, u: userInfo, t: time, i: ids } })`,
 * written by hand when it is small.
 */
export function encodeStraight(
  q: number,
  name: string,
  object: string | null,
  userInfo: Uint8Array | null,
  time: number,
  ids: number[],
): Uint8Array {
  return encodeNote(q, name, object, userInfo, time, 0, ids);
}

/**
 * The frame of a delivery to observer `id` of the `q`th post of poster `p`:
 * `encodeMessage({ t: "evt", m: "notify.d", b: { i: id, n: name, o: object, u: userInfo, t: time, p, q } })`,
 * written by hand when it is small.
 */
export function encodeDelivery(
  id: number,
  name: string,
  object: string | null,
  userInfo: Uint8Array | null,
  time: number,
  p: number,
  q: number,
): Uint8Array {
  return encodeNote(id, name, object, userInfo, time, p, undefined, q);
}

/** A delivery (without `ids`) or a straight notification (with them), as above. */
function encodeNote(
  first: number,
  name: string,
  object: string | null,
  userInfo: Uint8Array | null,
  time: number,
  p: number,
  ids?: number[],
  q = 0,
): Uint8Array {
  const nameBytes = shortText(name);
  const objectBytes = object === null ? null : shortText(object);
  if (
    nameBytes === undefined || objectBytes === undefined ||
    (userInfo !== null && userInfo.length >= BIG) || (ids !== undefined && ids.length >= 16)
  ) {
    const fields = { n: name, o: object, u: userInfo, t: time };
    return encodeMessage(
      ids === undefined
        ? { t: "evt", m: NOTIFY_EVENTS.delivery, b: { i: first, ...fields, p, q } }
        : { t: "evt", m: INBOX_EVENTS.straight, b: { q: first, ...fields, i: ids } },
    );
  }
  const head = ids === undefined ? DELIVERY_HEAD : STRAIGHT_HEAD;
  const size = 4 + head.length + 9 + 2 + textSize(name, nameBytes) + 2 +
    (objectBytes === null ? 1 : textSize(object!, objectBytes)) + 2 +
    (userInfo === null ? 1 : binSize(userInfo)) + 2 + 9 +
    (ids === undefined ? 2 * (2 + 9) : 2 + 1 + 9 * ids.length);
  const out = new Out(size);
  out.raw(head);
  out.byte(0xcb);
  out.float(first);
  out.key(0x6e);
  out.text(name, nameBytes);
  out.key(0x6f);
  if (objectBytes === null) out.byte(0xc0);
  else out.text(object!, objectBytes);
  out.key(0x75);
  if (userInfo === null) out.byte(0xc0);
  else out.bin(userInfo);
  out.key(0x74);
  out.byte(0xcb);
  out.float(time);
  if (ids !== undefined) {
    out.key(0x69);
    out.numbers(ids);
  } else {
    out.key(0x70);
    out.byte(0xcb);
    out.float(p);
    out.key(0x71);
    out.byte(0xcb);
    out.float(q);
  }
  return out.bytes;
}
