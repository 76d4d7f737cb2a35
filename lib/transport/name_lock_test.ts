import assert from "node:assert/strict";
import { lockHolder, NameLock } from "./name_lock.ts";

/** Starts another process that takes the lock and holds it until killed; resolves once held. */
async function holder(path: string): Promise<Deno.ChildProcess> {
  const code = `
    const f = await Deno.open(${JSON.stringify(path)}, { read: true, write: true, create: true });
    await f.lock(true);
    console.log("held");
    setInterval(() => {}, 1000);
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", code],
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  assert.equal(new TextDecoder().decode(value).trim(), "held");
  reader.releaseLock();
  return child;
}

Deno.test("NameLock: a name held by a live process cannot be taken; after kill -9 it can", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/name.lock`;
  const child = await holder(path);
  assert.equal(await NameLock.tryAcquire(path), null);
  assert.equal(await NameLock.acquire(path, 100), null);
  child.kill("SIGKILL");
  await child.status;
  await child.stdout.cancel();
  const lock = await NameLock.tryAcquire(path);
  assert.ok(lock);
  assert.equal(await NameLock.tryAcquire(path), null, "the same name twice in one process");
  lock.release();
  const again = await NameLock.tryAcquire(path);
  assert.ok(again);
  again.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("lockHolder names the process that holds a name, and nobody once it is let go", async () => {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/name.lock`;
  const child = await holder(path);
  assert.equal(lockHolder(path), child.pid);
  child.kill("SIGKILL");
  await child.status;
  await child.stdout.cancel();
  assert.equal(lockHolder(path), undefined);
  await Deno.remove(dir, { recursive: true });
});
