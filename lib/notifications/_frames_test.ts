import assert from "node:assert/strict";
import { encodeDelivery, encodePostEvent, encodeStraight } from "./_frames.ts";
import { postBody, type PostFields } from "./protocol.ts";
import { encodeMessage } from "../wire/frame.ts";
import { decodeValue } from "../wire/msgpack.ts";
import { type Dictionary, UInt64 } from "../wire/value.ts";

const NAMES = [
  "a",
  "bench.ping",
  "com.example.a", // 13 characters: a str 8 header
  "x".repeat(10),
  "x".repeat(11),
  "x".repeat(63),
  "x".repeat(64), // not short: the general encoder
  "x".repeat(300),
  "é",
  "née.ü",
  "日本語の通知".repeat(3),
  "\ud83d\ude00 smile",
  "lone \ud800 surrogate",
];

const USER_INFOS: PostFields["userInfo"][] = [
  undefined,
  null,
  {},
  { i: 5n },
  { text: "x".repeat(200) },
  { data: new Uint8Array(300) },
  { data: new Uint8Array(70_000) },
];

Deno.test("a one-way post's frame, written by hand, is byte for byte what encodeMessage writes", () => {
  for (const name of NAMES) {
    for (const object of [undefined, null, "o", ...NAMES.slice(0, 6), "ü".repeat(20)]) {
      for (const userInfo of USER_INFOS) {
        for (const deliverImmediately of [false, true]) {
          const body = postBody(name, { object, userInfo, deliverImmediately });
          assert.deepEqual(
            encodePostEvent(body),
            encodeMessage({ t: "evt", m: "notify.post", b: body }),
            `${name} / ${object} / ${JSON.stringify(Object.keys(userInfo ?? {}))}`,
          );
        }
      }
    }
  }
  // A poster with the routes numbers its posts and lists whom it reached straight.
  for (const d of [undefined, [], [[3, 1]], [[1, 1, 2, 3], [2 ** 40, 7]], [Array(16).fill(1)]]) {
    for (const q of [1, 123456789]) {
      const body = postBody("bench.ping", { userInfo: { i: 5n } });
      body.p = 2 ** 48 + q;
      body.q = q;
      if (d !== undefined) body.d = d;
      assert.deepEqual(
        encodePostEvent(body),
        encodeMessage({ t: "evt", m: "notify.post", b: body }),
        `q ${q}, d ${JSON.stringify(d)}`,
      );
    }
  }
  const withState = postBody("s", { state: 7 });
  assert.ok(withState.s instanceof UInt64);
  assert.deepEqual(
    encodePostEvent(withState),
    encodeMessage({ t: "evt", m: "notify.post", b: withState }),
  );
});

Deno.test("a delivery's frame, written by hand, is byte for byte what encodeMessage writes", () => {
  const userInfos = [null, new Uint8Array(0), new Uint8Array(255), new Uint8Array(256)];
  userInfos.push(new Uint8Array(65_535), new Uint8Array(65_536));
  for (const name of NAMES) {
    for (const object of [null, "o", ...NAMES]) {
      for (const userInfo of userInfos) {
        for (const [id, time] of [[1, 1_700_000_000_123], [123456, 0], [2 ** 40, 1.5]]) {
          assert.deepEqual(
            encodeDelivery(id, name, object, userInfo, time, 2 ** 50 + id, id * 7),
            encodeMessage({
              t: "evt",
              m: "notify.d",
              b: { i: id, n: name, o: object, u: userInfo, t: time, p: 2 ** 50 + id, q: id * 7 },
            }),
            `${name} / ${object} / ${userInfo?.length}`,
          );
        }
      }
    }
  }
});

Deno.test("a straight notification's frame, written by hand, is byte for byte what encodeMessage writes", () => {
  const userInfos = [null, new Uint8Array(0), new Uint8Array(256), new Uint8Array(65_536)];
  const idLists = [[1], [1, 2, 3], Array.from({ length: 15 }, (_, i) => i), Array(16).fill(2)];
  for (const name of NAMES) {
    for (const object of [null, "o", ...NAMES.slice(0, 8)]) {
      for (const userInfo of userInfos) {
        for (const ids of idLists) {
          const [q, time] = [name.length * 1000 + 1, 1_700_000_000_123];
          assert.deepEqual(
            encodeStraight(q, name, object, userInfo, time, ids),
            encodeMessage({
              t: "evt",
              m: "notify.x",
              b: { q, n: name, o: object, u: userInfo, t: time, i: ids },
            }),
            `${name} / ${object} / ${userInfo?.length} / ${ids.length}`,
          );
        }
      }
    }
  }
});

Deno.test("decoded short strings are right whatever the decoder reused", () => {
  // Many names (so that hash slots are shared), each decoded twice, mixed with lookalikes.
  const names: string[] = [""];
  for (let i = 0; i < 5000; i++) names.push(`n.${i.toString(36)}`, `N.${i}`, "x".repeat(i % 31));
  for (let round = 0; round < 2; round++) {
    for (const name of names) {
      const frame = encodeMessage({ t: "evt", m: "x", b: { n: name } });
      const message = decodeValue(frame.subarray(4)) as Dictionary;
      assert.equal((message.b as Dictionary).n, name);
    }
  }
});
