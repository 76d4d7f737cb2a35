import assert from "node:assert/strict";
import { type AccountEvent, Accounting } from "./_accounting.ts";

const n = (seq: number, poster = 7): AccountEvent => ({ type: "notification", poster, seq });
const dropped = (first: number, last: number, poster = 7): AccountEvent => ({
  type: "dropped",
  count: last - first + 1,
  posters: [{ poster, first, last, count: last - first + 1 }],
});

function check(events: AccountEvent[], strict = true) {
  const a = new Accounting(() => 1, strict);
  for (const e of events) a.add(e);
  return a.finish();
}

Deno.test("the per-poster check: holes in records pass, holes outside them do not", () => {
  const ok = check([
    n(1),
    dropped(2, 4),
    n(5),
    { type: "gap", posters: [{ poster: 7, after: 5 }] },
    n(9),
  ]);
  assert.deepEqual(ok, { received: 3, missing: 6, accounted: 6, problems: [] });
  const late = check([n(1), n(5), dropped(2, 4)]);
  assert.equal(late.accounted, 0);
  assert.equal(late.problems.length, 1);
  assert.equal(check([n(1), n(5), dropped(2, 4)], false).problems.length, 0, "not strict");
  const gapTooLate = check([n(1), n(5), { type: "gap", posters: [] }, n(6)]);
  assert.equal(gapTooLate.problems.length, 1, "a gap after the hole's next one covers nothing");
  assert.equal(check([n(1), n(1)]).problems.length, 1, "a repeat");
  const other = check([n(1), dropped(2, 3, 8), n(4)]);
  assert.equal(other.problems.length, 1, "another poster's record covers nothing");
});
