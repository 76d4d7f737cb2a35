/**
 * Reads of large data over the broker connection (broker side): an open file per read, its
 * chunks answered to `pasteboard.chunk` one after another, closed by `pasteboard.close` or when
 * the client goes away.
 *
 * @module
 */

import { RemoteError } from "../errors.ts";
import type { Connection } from "../transport/connection.ts";
import { CHUNK_BYTES, MAX_OPEN_PER_CLIENT } from "./protocol.ts";

/** The most one `pasteboard.chunk` answers with (clients ask for `CHUNK_BYTES`). */
const MAX_CHUNK_BYTES = 4 * CHUNK_BYTES;

interface ReadHandle {
  file: Deno.FsFile;
  size: number;
  chain: Promise<unknown>;
}

interface ClientHandles {
  handles: Map<number, ReadHandle>;
  next: number;
}

/** Every connection's open reads, by handle. */
export class ReadHandles {
  #clients = new Map<Connection, ClientHandles>();

  /** Refuses a read handle over {@linkcode MAX_OPEN_PER_CLIENT} (each holds an open file). */
  checkRoom(connection: Connection): void {
    if ((this.#clients.get(connection)?.handles.size ?? 0) >= MAX_OPEN_PER_CLIENT) {
      throw new RemoteError(
        "too-many",
        `this connection has ${MAX_OPEN_PER_CLIENT} reads open; close some (pasteboard.close) first`,
      );
    }
  }

  /** Opens a read of `size` bytes of `file` for `connection`; returns its handle. */
  add(connection: Connection, file: Deno.FsFile, size: number): number {
    let client = this.#clients.get(connection);
    if (!client) {
      client = { handles: new Map(), next: 1 };
      this.#clients.set(connection, client);
    }
    const id = client.next++;
    client.handles.set(id, { file, size, chain: Promise.resolve() });
    return id;
  }

  /** Answers `pasteboard.chunk`: up to `asked` bytes at `offset` of the read `handle`. */
  async chunk(
    connection: Connection,
    id: number,
    offset: number,
    asked: number,
  ): Promise<Uint8Array> {
    const handle = this.#clients.get(connection)?.handles.get(id);
    if (!handle) throw new RemoteError("bad-request", "no such read handle");
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(asked) || asked < 0) {
      throw new RemoteError("bad-request", "a chunk needs a whole offset and length, 0 or more");
    }
    // What one request may make the broker hold: a client asking for a whole large file in
    // one chunk gets MAX_CHUNK_BYTES of it, and asks again for the rest.
    const length = Math.min(asked, MAX_CHUNK_BYTES, Math.max(0, handle.size - offset));
    const result = handle.chain.then(async () => {
      await handle.file.seek(offset, Deno.SeekMode.Start);
      const out = new Uint8Array(length);
      let got = 0;
      while (got < length) {
        const n = await handle.file.read(out.subarray(got));
        if (n === null) break;
        got += n;
      }
      return got === length ? out : out.subarray(0, got);
    });
    handle.chain = result.catch(() => {});
    return await result;
  }

  /** Closes the read `id` of `connection` (once the chunks asked before are answered). */
  close(connection: Connection, id: number): void {
    const client = this.#clients.get(connection);
    const handle = client?.handles.get(id);
    if (handle) {
      client!.handles.delete(id);
      closeAfter(handle);
    }
  }

  /** A client went away: its reads are closed. */
  disconnected(connection: Connection): void {
    const client = this.#clients.get(connection);
    this.#clients.delete(connection);
    for (const handle of client?.handles.values() ?? []) closeAfter(handle);
  }
}

function closeAfter(handle: ReadHandle): void {
  handle.chain.finally(() => {
    try {
      handle.file.close();
    } catch { /* closed */ }
  });
}
