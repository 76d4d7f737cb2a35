/**
 * How the pasteboard client sends large data to the broker ahead of a write: written straight
 * into the broker's `tmp/` directory (the runtime directory is this user's alone), or as
 * `pasteboard.upload` chunks over the connection, a few in flight at once.
 *
 * @module
 */

import { IpcError } from "../errors.ts";
import { chunksOf } from "../transport/chunks.ts";
import type { Connection } from "../transport/connection.ts";
import type { Value } from "../wire/value.ts";
import { Pacer, writeSlice } from "./_streams.ts";
import { CHUNK_BYTES, diskFullMessage, UPLOAD, WINDOW } from "./protocol.ts";

/**
 * Data already sent to the broker with {@linkcode ./pasteboard.ts Pasteboard.upload}, to be
 * written with a type decided after seeing all of it.
 */
export class UploadedData {
  /** The upload's id on this pasteboard's connection. */
  readonly id: string;
  /** Its size in bytes. */
  readonly size: number;
  /** @internal made by {@linkcode ./pasteboard.ts Pasteboard.upload}. */
  constructor(id: string, size: number) {
    this.id = id;
    this.size = size;
  }
}

/** Sends bytes or a stream as upload chunks over `connection`, for the pasteboard `name`. */
export async function uploadChunks(
  connection: Connection,
  name: string,
  stream: Uint8Array | ReadableStream<Uint8Array>,
): Promise<UploadedData> {
  const id = crypto.randomUUID();
  const inFlight = new Set<Promise<Value>>();
  let failure: unknown;
  let size = 0;
  const send = async (data: Uint8Array) => {
    size += data.length;
    while (inFlight.size >= WINDOW) await Promise.race(inFlight);
    if (failure) throw failure;
    const request = connection.request(UPLOAD, { id, name, data });
    inFlight.add(request);
    request.catch((error) => failure ??= error).finally(() => inFlight.delete(request));
  };
  for await (const chunk of chunksOf(stream, CHUNK_BYTES)) await send(chunk);
  await Promise.allSettled(inFlight);
  if (failure) throw failure;
  return new UploadedData(id, size);
}

/**
 * Writes bytes or a stream into the broker's `tmp/` directory `dir` (its answer to
 * `pasteboard.prepare`), for the pasteboard `name`.
 */
export async function uploadFile(
  dir: string,
  name: string,
  source: Uint8Array | ReadableStream<Uint8Array>,
): Promise<UploadedData> {
  const id = crypto.randomUUID();
  const path = `${dir}/${id}.upload`;
  let size = 0;
  let file: Deno.FsFile | undefined;
  try {
    file = Deno.openSync(path, { write: true, createNew: true, mode: 0o600 });
    const pacer = new Pacer();
    for await (const chunk of chunksOf(source, CHUNK_BYTES)) {
      writeSlice(file, chunk);
      size += chunk.length;
      await pacer.pace();
    }
  } catch (error) {
    try {
      file?.close();
    } catch { /* closed */ }
    file = undefined;
    await Deno.remove(path).catch(() => {});
    const full = diskFullMessage(name, dir, error);
    if (full !== undefined) throw new IpcError(full, { cause: error });
    throw error;
  } finally {
    file?.close();
  }
  return new UploadedData(`file:${id}`, size);
}
