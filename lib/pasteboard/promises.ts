/**
 * Promised (lazy) data (broker side): a representation written without data is asked of the
 * program that promised it (`pasteboard.provide`) when someone reads it, or handed over by
 * that program (`pasteboard.fulfill`); a promise whose program went away is broken, with why.
 *
 * @module
 */

import { RemoteError } from "../errors.ts";
import type { Connection } from "../transport/connection.ts";
import { isDictionary, type Value } from "../wire/value.ts";
import { type Board, describe, hasData, type PasteboardStore, type Rep } from "./store.ts";
import type { Uploads } from "./uploads.ts";
import { PROVIDE } from "./protocol.ts";

/** The promises the pasteboards hold; see the module documentation. */
export class Promises {
  #store: PasteboardStore;
  #uploads: Uploads;

  /** Promises of `store`'s pasteboards; large provided data comes through `uploads`. */
  constructor(store: PasteboardStore, uploads: Uploads) {
    this.#store = store;
    this.#uploads = uploads;
  }

  /** Makes sure a representation's data is here: asks its owner when it was promised. */
  async materialize(board: Board, index: number, rep: Rep): Promise<void> {
    if (hasData(rep)) return;
    if (rep.providing) return await rep.providing;
    if (!rep.owner) {
      throw new RemoteError(
        "promise-broken",
        `cannot paste ${rep.type}: ${rep.broken ?? "nobody can provide it any more"}`,
      );
    }
    const owner = rep.owner;
    rep.providing = (async () => {
      let reply: Value;
      try {
        reply = await owner.request(PROVIDE, {
          name: board.name,
          changeCount: board.changeCount,
          item: index,
          type: rep.type,
          tag: rep.tag ?? "",
        }, { timeoutMs: 60_000 });
      } catch (error) {
        if (hasData(rep)) return; // handed over while we asked
        throw new RemoteError(
          "promise-broken",
          `cannot paste ${rep.type}: the program that promised it (pid ${
            rep.ownerPid ?? "?"
          }) did not provide it: ${(error as Error).message}`,
        );
      }
      if (hasData(rep)) return;
      await this.#keep(board, rep, reply, owner);
    })();
    try {
      await rep.providing;
    } finally {
      rep.providing = undefined;
    }
  }

  /**
   * Answers `pasteboard.fulfill`: keeps the data `connection` hands over for its promise `tag`.
   *
   * @returns whether the pasteboard still held that promise.
   */
  async fulfill(
    board: Board | undefined,
    tag: string,
    data: Value,
    connection: Connection,
  ): Promise<boolean> {
    for (const item of board?.items ?? []) {
      const rep = item.find((r) => r.owner === connection && r.tag === tag && !hasData(r));
      if (rep) {
        await this.#keep(board!, rep, data, connection);
        return true;
      }
    }
    return false;
  }

  /** Stores data an owner provided for its promise. */
  async #keep(board: Board, rep: Rep, reply: Value, owner: Connection): Promise<void> {
    if (!isDictionary(reply)) throw new RemoteError("bad-request", "bad provided data");
    let stored: { file?: string; inline?: Uint8Array; size: number };
    if (reply.data instanceof Uint8Array) {
      stored = { ...(await this.#store.keep(board.name, reply.data)), size: reply.data.length };
    } else if (typeof reply.upload === "string") {
      stored = await this.#uploads.take(board.name, reply.upload, owner);
    } else {
      throw new RemoteError("bad-request", `the owner sent no data for ${rep.type}`);
    }
    rep.file = stored.file;
    rep.inline = stored.inline;
    rep.size = stored.size;
    rep.owner = undefined;
    rep.broken = undefined;
    if (board.items.some((item) => item.includes(rep))) await this.#store.save(board);
    else if (stored.file) await this.#store.removeData(stored.file);
  }

  /** A client went away: the promises it made and did not keep are broken. */
  disconnected(connection: Connection): void {
    for (const board of this.#store.boards()) {
      let changed = false;
      for (const item of board.items) {
        for (const rep of item) {
          if (rep.owner === connection && !hasData(rep)) {
            rep.owner = undefined;
            rep.broken = `the program that promised ${rep.type} on the ${
              describe(board.name)
            } (pid ${rep.ownerPid ?? "?"}) exited without providing it`;
            changed = true;
          } else if (rep.owner === connection) rep.owner = undefined;
        }
      }
      if (changed) this.#store.save(board).catch(() => {});
    }
  }
}
