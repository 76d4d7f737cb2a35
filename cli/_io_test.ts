import assert from "node:assert/strict";
import { IN_CI, runAsNobody } from "../tests/_helpers.ts";
import { writeReadyFile } from "./_io.ts";

Deno.test("writeReadyFile() never writes through a link planted at the ready file or its old temporary name", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-ready-" });
  try {
    const victim = `${dir}/victim`;
    await Deno.writeTextFile(victim, "precious\n");
    const ready = `${dir}/ready`;
    // What another user could plant in a shared /tmp: the name ipckit used to write first
    // (PATH.<pid>.tmp), and the ready file itself.
    await Deno.symlink(victim, `${ready}.${Deno.pid}.tmp`);
    await Deno.symlink(victim, ready);
    await writeReadyFile(ready);
    assert.equal(await Deno.readTextFile(victim), "precious\n");
    const info = await Deno.lstat(ready);
    assert.ok(info.isFile, "the ready file is a file of its own, not the link");
    assert.equal(info.mode! & 0o777, 0o600);
    assert.equal(await Deno.readTextFile(ready), `${Deno.pid}\n`);
    // Nothing else is left beside it.
    const names = [...Deno.readDirSync(dir)].map((e) => e.name).sort();
    assert.deepEqual(names, ["ready", `ready.${Deno.pid}.tmp`, "victim"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "writeReadyFile() in a shared sticky directory never follows another user's links",
  // Planting as another user needs root (setpriv); CI runs as root, so it never skips there.
  ignore: Deno.uid() !== 0 && !IN_CI,
  fn: async () => {
    const shared = await Deno.makeTempDir({ prefix: "ipckit-shared-" });
    const own = await Deno.makeTempDir({ prefix: "ipckit-own-" });
    try {
      await Deno.chmod(shared, 0o1777); // like /tmp
      const victim = `${own}/victim`;
      await Deno.writeTextFile(victim, "precious\n");
      const ready = `${shared}/ready`;
      const planted = await runAsNobody(
        `for (const path of ${JSON.stringify([ready, `${ready}.${Deno.pid}.tmp`])}) {
          Deno.symlinkSync(${JSON.stringify(victim)}, path);
        }
        console.log("planted");`,
      );
      assert.equal(planted.stdout.trim(), "planted", planted.stderr);
      await writeReadyFile(ready);
      assert.equal(await Deno.readTextFile(victim), "precious\n");
      const info = await Deno.lstat(ready);
      assert.ok(info.isFile && info.uid === Deno.uid(), "the ready file is ours, not the link");
      assert.equal(await Deno.readTextFile(ready), `${Deno.pid}\n`);
    } finally {
      await Deno.remove(shared, { recursive: true });
      await Deno.remove(own, { recursive: true });
    }
  },
});
