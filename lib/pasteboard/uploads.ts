/**
 * Large data on its way into a pasteboard (broker side): the chunks of `pasteboard.upload`
 * written to a file per upload, or a file a client wrote itself into `tmp/`, taken as a data
 * file when `pasteboard.write` (or a promise's data) names it.
 *
 * @module
 */

import { RemoteError } from "../errors.ts";
import type { Connection } from "../transport/connection.ts";
import { MAX_OPEN_PER_CLIENT } from "./protocol.ts";
import type { PasteboardStore } from "./store.ts";

interface Upload {
  path: string;
  file: Deno.FsFile;
  size: number;
  chain: Promise<void>;
  failed?: Error;
}

/** Every connection's uploads in progress, by the id the client gave. */
export class Uploads {
  #store: PasteboardStore;
  #clients = new Map<Connection, Map<string, Upload>>();

  /** Uploads into `store`'s data files. */
  constructor(store: PasteboardStore) {
    this.#store = store;
  }

  /** Appends a chunk to the upload `id` of `connection` (for the pasteboard `name`). */
  async append(connection: Connection, id: string, name: string, data: Uint8Array): Promise<void> {
    let uploads = this.#clients.get(connection);
    if (!uploads) {
      uploads = new Map();
      this.#clients.set(connection, uploads);
    }
    let upload = uploads.get(id);
    if (!upload) {
      if (uploads.size >= MAX_OPEN_PER_CLIENT) {
        throw new RemoteError(
          "too-many",
          `this connection has ${MAX_OPEN_PER_CLIENT} uploads open; finish them (pasteboard.write) first`,
        );
      }
      // Opened without a pause: the next chunk, already on its way, must find this upload.
      const path = `${this.#store.tmpDir}/${crypto.randomUUID()}.upload`;
      let file: Deno.FsFile;
      try {
        file = Deno.openSync(path, { write: true, createNew: true, mode: 0o600 });
      } catch (error) {
        throw this.#store.storageError(name, error);
      }
      upload = { path, file, size: 0, chain: Promise.resolve() };
      uploads.set(id, upload);
    }
    const u = upload;
    u.chain = u.chain.then(async () => {
      if (u.failed) return;
      try {
        let written = 0;
        while (written < data.length) written += await u.file.write(data.subarray(written));
        u.size += data.length;
      } catch (error) {
        u.failed = this.#store.storageError(name, error);
      }
    });
    await u.chain;
    if (u.failed) throw u.failed;
  }

  /** Turns a finished upload into a data file. */
  async take(
    name: string,
    id: string,
    connection: Connection,
  ): Promise<{ file: string; size: number }> {
    if (id.startsWith("file:")) return this.#takeFile(name, id.slice(5));
    const upload = this.#clients.get(connection)?.get(id);
    if (!upload) {
      // An empty stream sends no chunk.
      return { file: await this.#store.writeData(name, new Uint8Array()), size: 0 };
    }
    this.#clients.get(connection)!.delete(id);
    await upload.chain;
    try {
      upload.file.close();
    } catch { /* closed */ }
    if (upload.failed) {
      await Deno.remove(upload.path).catch(() => {});
      throw upload.failed;
    }
    const file = crypto.randomUUID();
    await Deno.rename(upload.path, `${this.#store.dataDir}/${file}`);
    return { file, size: upload.size };
  }

  /**
   * Takes a file a client wrote itself into `tmp/` (large data: the bytes go through the page
   * cache once instead of through the socket). Same user, same 0700 runtime directory.
   */
  #takeFile(name: string, id: string): { file: string; size: number } {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new RemoteError("bad-request", "bad upload file name");
    const path = `${this.#store.tmpDir}/${id}.upload`;
    let size: number;
    // Blocking calls: microseconds each, less than a trip through the runtime's thread pool.
    try {
      const info = Deno.lstatSync(path);
      if (!info.isFile) throw new Error("not a file");
      size = info.size;
    } catch {
      throw new RemoteError("bad-request", `the uploaded data for the ${name} pasteboard is gone`);
    }
    const file = crypto.randomUUID();
    Deno.renameSync(path, `${this.#store.dataDir}/${file}`);
    return { file, size };
  }

  /** A client went away: its unfinished uploads are removed. */
  disconnected(connection: Connection): void {
    const uploads = this.#clients.get(connection);
    this.#clients.delete(connection);
    for (const upload of uploads?.values() ?? []) {
      upload.chain.then(() => {
        try {
          upload.file.close();
        } catch { /* closed */ }
        return Deno.remove(upload.path);
      }).catch(() => {});
    }
  }
}
