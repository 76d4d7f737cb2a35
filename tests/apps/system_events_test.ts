/**
 * System Events as a real process over the real machine, driven through the scripting client
 * with the events the System Events scripts in ../shared/testdata/applescript/ send: processes
 * whose name contains, their name and unix id, count, quit and kill; folders and files of a
 * folder (10,000 of them), their properties, make new folder, rename, move, delete; the live
 * message ports.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { AppleEventError } from "../../lib/errors.ts";
import type { AppConnection } from "../../lib/scripting/client.ts";
import { createLocalPort } from "../../lib/ports/mod.ts";
import { setState } from "../../lib/notifications/mod.ts";
import { Pasteboard } from "../../lib/pasteboard/mod.ts";
import { ObjectSpecifier, type Value } from "../../lib/wire/value.ts";
import {
  byId,
  cmp,
  every,
  get,
  insertion,
  its,
  named,
  prop,
  set,
  type,
  whose,
} from "../scripting/_orchard.ts";
import { waitFor } from "../_helpers.ts";
import { APPS, type RunningApp, withAppAndDir } from "./_apps.ts";

const PROCESS = "prcs";
const FILE = "file";
const FOLDER = "cfol";
const TMP = prop("temp", "application");

function withSystemEvents(
  fn: (client: AppConnection, tmp: string, app: RunningApp) => Promise<void>,
): Promise<void> {
  return withAppAndDir(APPS.systemEvents, "System Events", "TMPDIR", fn);
}

Deno.test("System Events: processes whose name contains, unix id, user, command line; kill and quit", async () => {
  await withSystemEvents(async (client) => {
    const sleepers = [0, 1].map(() =>
      new Deno.Command("sleep", { args: ["300"], stdin: "null", stdout: "null", stderr: "null" })
        .spawn()
    );
    try {
      const [a, b] = sleepers.map((s) => BigInt(s.pid));
      const mine = whose(PROCESS, cmp("=", its("idux"), a));
      // 53: {name, unix id} of (every process whose name contains …)
      assert.deepEqual(await get(client, prop("pnam", mine)), ["sleep"]);
      const ids = await get(
        client,
        prop("idux", whose(PROCESS, cmp("contains", its("pnam"), "slee"))),
      ) as bigint[];
      assert.ok(ids.includes(a) && ids.includes(b), `${ids}`);
      // 54: count of (processes whose name is "sleep")
      const count = await client.send({
        code: "corecnte",
        params: { "----": whose(PROCESS, cmp("=", its("pnam"), "sleep")) },
      });
      assert.ok((count as bigint) >= 2n);
      // The ipckit Suite's terms.
      const [commandLine] = await get(client, prop("IPcl", mine)) as string[];
      assert.match(commandLine, /^(\S*\/)?sleep 300$/);
      assert.deepEqual(await get(client, prop("IPpp", mine)), [BigInt(Deno.pid)]);
      const user = new TextDecoder().decode(
        new Deno.Command("id", { args: ["-un"] }).outputSync().stdout,
      ).trim();
      assert.deepEqual(await get(client, prop("IPus", mine)), [user]);
      const [rss] = await get(client, prop("IPrm", mine)) as bigint[];
      assert.ok(rss > 0n, `resident memory ${rss}`);
      const [cpu] = await get(client, prop("IPct", mine)) as number[];
      assert.equal(typeof cpu, "number");
      // background only: whether it has a terminal (ours inherit this test's, if it has one)
      const tty = new TextDecoder().decode(
        new Deno.Command("ps", { args: ["-o", "tty=", "-p", String(a)] }).outputSync().stdout,
      ).trim();
      assert.deepEqual(await get(client, prop("bkgo", mine)), [tty === "?"]);
      // 58: every process whose background only is false
      const foreground = await get(
        client,
        prop("idux", whose(PROCESS, cmp("=", its("bkgo"), false))),
      ) as bigint[];
      assert.equal(foreground.includes(a), tty !== "?");
      // Processes are not made or deleted by scripts: the collection is read-only.
      await assert.rejects(
        () => client.send({ code: "corecrel", params: { kocl: type(PROCESS) } }),
        { number: -10003 },
      );
      await assert.rejects(
        () => client.send({ code: "coredelo", params: { "----": mine } }),
        { number: -1708 },
      );
      // 25, 55: processes whose frontmost is true: none here, an empty list, not an error
      assert.deepEqual(await get(client, whose(PROCESS, cmp("=", its("pisf"), true))), []);
      // A signal it does not know: -1700, nothing sent.
      await assert.rejects(
        () => client.send({ code: "IPseKILL", params: { "----": mine, IPsg: "BOGUS" } }),
        { number: -1700 },
      );
      // kill process … with signal "TERM"; quit process … (SIGTERM)
      await client.send({ code: "IPseKILL", params: { "----": mine, IPsg: "TERM" } });
      assert.equal((await sleepers[0].status).signal, "SIGTERM");
      await client.send({
        code: "aevtquit",
        params: { "----": whose(PROCESS, cmp("=", its("idux"), b)) },
      });
      assert.equal((await sleepers[1].status).signal, "SIGTERM");
    } finally {
      for (const s of sleepers) {
        try {
          s.kill("SIGKILL");
        } catch { /* gone */ }
        await s.status;
      }
    }
  });
});

Deno.test("System Events: make new folder and file, properties, rename, move, delete", async () => {
  await withSystemEvents(async (client, tmp) => {
    // make new folder at temporary items folder with properties {name:"work"}
    const made = await client.send({
      code: "corecrel",
      params: { kocl: type(FOLDER), insh: TMP, prdt: { pnam: "work" } },
    });
    assert.ok(made instanceof ObjectSpecifier);
    assert.ok((await Deno.stat(`${tmp}/work`)).isDirectory);
    const work = named(FOLDER, "work", TMP);
    await client.send({
      code: "corecrel",
      params: { kocl: type(FILE), insh: insertion("end", work), prdt: { pnam: "a.txt" } },
    });
    await Deno.writeTextFile(`${tmp}/work/a.txt`, "hello");
    await Deno.mkdir(`${tmp}/work/inner`);
    // files of folder, folders of folder, every disk item
    assert.deepEqual(await get(client, prop("pnam", every(FILE, work))), ["a.txt"]);
    assert.deepEqual(await get(client, prop("pnam", every(FOLDER, work))), ["inner"]);
    assert.deepEqual(await get(client, prop("pnam", every("ditm", work))), ["a.txt", "inner"]);
    // properties of a file
    const a = named(FILE, "a.txt", work);
    const props = await get(client, prop("pALL", a)) as Record<string, Value>;
    assert.equal(props.posx, `${tmp}/work/a.txt`);
    assert.equal(props.ptsz, 5n);
    assert.equal(props.extn, "txt");
    assert.equal(props.utid, "public.plain-text");
    assert.equal(props.kind, "plain text");
    assert.ok(props.asmo instanceof Date && props.ascd instanceof Date);
    assert.ok(Math.abs(props.ascd.getTime() - Date.now()) < 60_000, `${props.ascd}`);
    assert.equal(props["url "], `file://${tmp}/work/a.txt`);
    // 52: properties of first folder of … (a folder's container is a reference, no walk)
    const f = await get(client, prop("pALL", every(FOLDER, TMP))) as Record<string, Value>[];
    assert.equal(f[0].pnam, "work");
    // set name → renamed on disk
    await set(client, prop("pnam", a), "b.txt");
    assert.deepEqual([...Deno.readDirSync(`${tmp}/work`)].map((e) => e.name).sort(), [
      "b.txt",
      "inner",
    ]);
    // move file "b.txt" of … to folder "inner" of …
    await client.send({
      code: "coremove",
      params: {
        "----": named(FILE, "b.txt", work),
        insh: insertion("end", named(FOLDER, "inner", work)),
      },
    });
    assert.equal(await Deno.readTextFile(`${tmp}/work/inner/b.txt`), "hello");
    // a file whose size > 3
    assert.deepEqual(
      await get(
        client,
        prop("pnam", whose(FILE, cmp(">", its("ptsz"), 3n), named(FOLDER, "inner", work))),
      ),
      ["b.txt"],
    );
    // duplicate file "b.txt" of folder "inner" of … to folder "work" of …: a copy on disk
    await client.send({
      code: "coreclon",
      params: {
        "----": named(FILE, "b.txt", named(FOLDER, "inner", work)),
        insh: insertion("end", work),
      },
    });
    assert.equal(await Deno.readTextFile(`${tmp}/work/b.txt`), "hello");
    assert.equal(await Deno.readTextFile(`${tmp}/work/inner/b.txt`), "hello");
    // move folder "work" into its own folder "inner": -10024, the offending object the
    // folder's reference (by its POSIX path, from the application)
    await assert.rejects(
      () =>
        client.send({
          code: "coremove",
          params: { "----": work, insh: insertion("end", named(FOLDER, "inner", work)) },
        }),
      (e: AppleEventError) => {
        assert.equal(e.number, -10024);
        assert.deepEqual(e.offendingObject, byId(FOLDER, `${tmp}/work/inner`));
        return true;
      },
    );
    // delete folder "work" of …: gone, with what was in it
    await client.send({ code: "coredelo", params: { "----": work } });
    await assert.rejects(() => Deno.stat(`${tmp}/work`), Deno.errors.NotFound);
    await assert.rejects(() => get(client, prop("pnam", work)), { number: -1728 });
  });
});

Deno.test("System Events: make answers the folder it made, not the one at its place in name order", async () => {
  await withSystemEvents(async (client, tmp) => {
    await Deno.mkdir(`${tmp}/zz`);
    // make new folder at end of folders of temporary items folder: "work" sorts before "zz"
    const made = await client.send({
      code: "corecrel",
      params: { kocl: type(FOLDER), insh: insertion("end", TMP), prdt: { pnam: "work" } },
    });
    assert.ok(made instanceof ObjectSpecifier);
    assert.equal(await get(client, prop("posx", made)), `${tmp}/work`);
  });
});

Deno.test("System Events: any disk item by its POSIX path from the application; containers are references", async () => {
  await withSystemEvents(async (client, tmp) => {
    await Deno.mkdir(`${tmp}/d`);
    await Deno.writeTextFile(`${tmp}/d/f.txt`, "abc");
    // folder "/Users", disk item "/etc", file "…": by POSIX path, as Apple's System Events
    assert.equal(await get(client, prop("pnam", named(FOLDER, `${tmp}/d`))), "d");
    assert.equal(await get(client, prop("ptsz", named(FILE, `${tmp}/d/f.txt`))), 3n);
    assert.equal(await get(client, prop("posx", named("ditm", "/etc"))), "/etc");
    assert.deepEqual(await get(client, prop("pcls", named("ditm", "/etc"))), type(FOLDER));
    assert.equal(await get(client, prop("pnam", byId(FILE, `${tmp}/d/f.txt`))), "f.txt");
    // the startup disk's items by name, and a reference that names the same item again
    const etc = await get(client, named(FOLDER, "etc")) as ObjectSpecifier;
    assert.deepEqual(etc, byId(FOLDER, "/etc"));
    assert.equal(await get(client, prop("posx", etc)), "/etc");
    // a folder is not a file; nothing there is -1728
    await assert.rejects(() => get(client, named(FILE, `${tmp}/d`)), { number: -1728 });
    await assert.rejects(() => get(client, named(FOLDER, `${tmp}/none`)), { number: -1728 });
    // properties of …: the container is a reference (its POSIX path), not text
    const props = await get(client, prop("pALL", named(FILE, `${tmp}/d/f.txt`))) as Record<
      string,
      Value
    >;
    assert.deepEqual(props.ctnr, byId(FOLDER, `${tmp}/d`));
    // 52: properties of home folder: its container too
    const home = await get(client, prop("pALL", prop("cusr", "application"))) as Record<
      string,
      Value
    >;
    const homePath = await Deno.realPath(Deno.env.get("HOME")!);
    assert.equal(home.posx, homePath);
    assert.deepEqual(home.ctnr, byId(FOLDER, homePath.replace(/\/[^/]+$/, "") || "/"));
  });
});

Deno.test("System Events: every file of a folder of 10,000 files", async () => {
  await withSystemEvents(async (client, tmp) => {
    await Deno.mkdir(`${tmp}/many`);
    const names: string[] = [];
    for (let i = 0; i < 10_000; i++) names.push(`f${String(i).padStart(5, "0")}.dat`);
    await Promise.all(names.map((n) => Deno.writeFile(`${tmp}/many/${n}`, new Uint8Array())));
    const got = await get(client, prop("pnam", every(FILE, named(FOLDER, "many", TMP))));
    assert.deepEqual(got, names);
    assert.equal(
      await client.send({
        code: "corecnte",
        params: { "----": every(FILE, named(FOLDER, "many", TMP)) },
      }),
      10_000n,
    );
  });
});

Deno.test("System Events: the live message ports, by name, with their process", async () => {
  await withSystemEvents(async (client, _tmp, app) => {
    const name = `com.example.se-test.${crypto.randomUUID()}`;
    const port = await createLocalPort(name, () => new Uint8Array(), {
      runtimeDir: app.runtimeDir,
    });
    try {
      // The ports are read again every second: wait until this one is listed.
      await waitFor(async () => {
        const names = await get(client, prop("pnam", every("IPmp"))) as string[];
        return names.includes(name);
      }, "the port to be listed");
      assert.equal(await get(client, prop("idux", named("IPmp", name))), BigInt(Deno.pid));
      // System Events' own port (its bundle id) is one of them.
      const names = await get(client, prop("pnam", every("IPmp"))) as string[];
      assert.ok(names.includes("com.apple.systemevents"), names.join());
    } finally {
      await port.invalidate();
    }
  });
});

Deno.test("System Events: every pasteboard and every notification state, by name", async () => {
  await withSystemEvents(async (client, _tmp, app) => {
    const runtimeDir = app.runtimeDir;
    const pb = Pasteboard.named("com.example.se-test", { runtimeDir, desktop: false });
    try {
      await pb.writeItems([{ "public.png": new Uint8Array(4) }]);
      await setState("com.example.se-test.ready", 2n ** 64n - 1n, { runtimeDir });
      await setState("com.example.se-test.count", 42, { runtimeDir });
      // Read again every second: wait until both show.
      await waitFor(async () => {
        const boards = await get(client, prop("pnam", every("IPpb"))) as string[];
        const names = await get(client, prop("pnam", every("IPns"))) as string[];
        return boards.includes("com.example.se-test") && names.length === 2;
      }, "the pasteboard and the states to show");
      const named_ = named("IPpb", "com.example.se-test");
      assert.deepEqual(await get(client, prop("IPty", named_)), ["public.png"]);
      assert.equal(await get(client, prop("IPcc", named_)), BigInt(await pb.changeCount()));
      // name of every notification state; the state of one, by name; whose state > 40
      assert.deepEqual(await get(client, prop("pnam", every("IPns"))), [
        "com.example.se-test.count",
        "com.example.se-test.ready",
      ]);
      assert.equal(
        await get(client, prop("IPst", named("IPns", "com.example.se-test.count"))),
        42n,
      );
      assert.equal(
        await get(client, prop("IPst", named("IPns", "com.example.se-test.ready"))),
        2 ** 64,
      );
      assert.deepEqual(
        await get(client, prop("pnam", whose("IPns", cmp(">", its("IPst"), 40n)))),
        ["com.example.se-test.count", "com.example.se-test.ready"],
      );
    } finally {
      await pb.close();
    }
  });
});

Deno.test("System Events: the general pasteboard with its types and change count", async () => {
  await withSystemEvents(async (client, _tmp, app) => {
    const pb = Pasteboard.general({ runtimeDir: app.runtimeDir, desktop: false });
    try {
      await pb.writeItems([{ "public.html": "<b>hi</b>", "public.utf8-plain-text": "hi" }]);
      const count = await pb.changeCount();
      // Read again every second: wait until the copy shows.
      const general = named("IPpb", "general");
      await waitFor(async () => {
        const names = await get(client, prop("pnam", every("IPpb"))) as string[];
        return names.includes("general") &&
          await get(client, prop("IPcc", general)) === BigInt(count);
      }, "the pasteboard's change to show");
      assert.deepEqual(
        (await get(client, prop("IPty", general)) as string[]).sort(),
        ["public.html", "public.utf8-plain-text"],
      );
    } finally {
      await pb.close();
    }
  });
});
