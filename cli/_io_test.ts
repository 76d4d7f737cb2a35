import assert from "node:assert/strict";
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
