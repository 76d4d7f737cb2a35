/**
 * System Events' snapshot of ipckit's objects, in-process with sources given by the test.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  creationDateOf,
  IpckitObjects,
  listProcesses,
} from "../../scripts/apps/system_events_model.ts";

Deno.test("System Events model: ports, pasteboards and notification states keep their objects while unchanged", async () => {
  let ports = [{ name: "a", pid: 10, since: new Date(0) }];
  let boards: { name: string; types: string[]; changeCount: number }[] = [];
  let states = [{ name: "com.example.s", state: 1n }];
  const objects = new IpckitObjects({
    ports: () => Promise.resolve(ports),
    pasteboards: () => Promise.resolve(boards),
    states: () => Promise.resolve(states),
  });
  await objects.refresh();
  const a = objects.messagePorts[0];
  assert.deepEqual([a.name, a.unixId], ["a", 10]);
  assert.equal(objects.pasteboards.length, 0);
  const s = objects.notificationStates[0];
  assert.deepEqual([s.name, s.state], ["com.example.s", 1n]);
  ports = [...ports, { name: "b", pid: 11, since: new Date(1) }];
  boards = [
    { name: "com.example.pb", types: ["public.png"], changeCount: 1 },
    { name: "general", types: ["public.utf8-plain-text"], changeCount: 3 },
  ];
  await objects.refresh();
  assert.equal(objects.messagePorts[0], a);
  assert.equal(objects.notificationStates[0], s);
  assert.deepEqual(objects.messagePorts.map((p) => p.name), ["a", "b"]);
  const pb = objects.pasteboards[1];
  assert.deepEqual([pb.name, pb.types, pb.changeCount], ["general", ["public.utf8-plain-text"], 3]);
  await objects.refresh();
  assert.equal(objects.pasteboards[1], pb);
  boards = [{ name: "general", types: ["public.png"], changeCount: 4 }];
  states = [{ name: "com.example.s", state: 2n }];
  await objects.refresh();
  assert.deepEqual(objects.pasteboards.map((b) => [b.name, b.types]), [["general", [
    "public.png",
  ]]]);
  assert.deepEqual(objects.notificationStates.map((x) => x.state), [2n]);
});

Deno.test("System Events model: ps lists this process with its command line", () => {
  const me = listProcesses().find((p) => p.pid === Deno.pid);
  assert.ok(me);
  assert.equal(me.ppid > 0, true);
  assert.match(me.args, /deno/);
  assert.ok(me.rssKiB > 0);
});

Deno.test("System Events model: a creation date is the birth time, else the change time (never the epoch)", () => {
  const ctime = new Date("2026-01-02T03:04:05Z");
  const mtime = new Date("2026-01-01T00:00:00Z");
  const birth = new Date("2025-12-31T00:00:00Z");
  assert.equal(creationDateOf({ birthtime: birth, ctime, mtime }), birth);
  // What a file system without birth times reports through Deno: the epoch.
  assert.equal(creationDateOf({ birthtime: new Date(0), ctime, mtime }), ctime);
  assert.equal(creationDateOf({ birthtime: null, ctime, mtime }), ctime);
  assert.equal(creationDateOf({ birthtime: null, ctime: null, mtime }), mtime);
});
