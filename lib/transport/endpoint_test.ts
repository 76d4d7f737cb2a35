import assert from "node:assert/strict";
import { NameTakenError } from "../errors.ts";
import { openEndpoint } from "./endpoint.ts";

async function withDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ipckit-endpoint-" });
  try {
    await body(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function exists(path: string): Promise<boolean> {
  return Deno.lstat(path).then(() => true, () => false);
}

Deno.test("openEndpoint() hands each accepted socket to the caller as it is", async () => {
  await withDir(async (dir) => {
    await using endpoint = await openEndpoint(`${dir}/a.sock`, { lock: `${dir}/a.lock` });
    const accepted = Promise.withResolvers<Deno.UnixConn>();
    endpoint.accept((conn) => accepted.resolve(conn));
    const client = await Deno.connect({ transport: "unix", path: `${dir}/a.sock` });
    const conn = await accepted.promise;
    await client.write(new Uint8Array([1, 2, 3]));
    const buffer = new Uint8Array(3);
    assert.equal(await conn.read(buffer), 3);
    assert.deepEqual([...buffer], [1, 2, 3]);
    conn.close();
    client.close();
  });
});

Deno.test("openEndpoint() refuses a name another endpoint holds, and takes it once let go", async () => {
  await withDir(async (dir) => {
    const options = { lock: `${dir}/a.lock` };
    const first = await openEndpoint(`${dir}/a.sock`, options);
    first.accept((conn) => conn.close());
    await assert.rejects(openEndpoint(`${dir}/a.sock`, options), NameTakenError);
    await assert.rejects(
      openEndpoint(`${dir}/a.sock`, { ...options, taken: () => new RangeError("taken") }),
      /taken/,
    );
    // Closed, the socket is gone but the name is still held until released.
    await first.close();
    assert.equal(await exists(`${dir}/a.sock`), false);
    await assert.rejects(openEndpoint(`${dir}/a.sock`, options), NameTakenError);
    first.release();
    await using second = await openEndpoint(`${dir}/a.sock`, options);
    assert.equal(await exists(`${dir}/a.sock`), true);
    second.accept((conn) => conn.close());
  });
});

Deno.test("openEndpoint() takes over a socket file a dead owner left, once the name is held", async () => {
  await withDir(async (dir) => {
    const path = `${dir}/a.sock`;
    // What a killed owner leaves: a file at the path that nobody answers on.
    await Deno.writeTextFile(path, "");
    let claimed = false;
    await using endpoint = await openEndpoint(path, {
      lock: `${dir}/a.lock`,
      onClaimed: () => claimed = true,
    });
    assert.equal(claimed, true);
    const accepted = Promise.withResolvers<void>();
    endpoint.accept((conn) => {
      conn.close();
      accepted.resolve();
    });
    (await Deno.connect({ transport: "unix", path })).close();
    await accepted.promise;
  });
});

Deno.test("openEndpoint() refuses a directory where its socket goes, and lets go of the name", async () => {
  await withDir(async (dir) => {
    await Deno.mkdir(`${dir}/a.sock`);
    await assert.rejects(openEndpoint(`${dir}/a.sock`, { lock: `${dir}/a.lock` }), /a directory/);
    await Deno.remove(`${dir}/a.sock`);
    await using endpoint = await openEndpoint(`${dir}/a.sock`, { lock: `${dir}/a.lock` });
    endpoint.accept((conn) => conn.close());
  });
});
