/**
 * The pasteboard service's storage (broker side): the pasteboards, their items and change
 * counts, kept under `pasteboards/` in the runtime directory as they change (one `NAME.state`
 * file each, representations over 16 KiB in files of their own under `data/`), so a crash or an
 * idle exit loses nothing. Nothing there is opened through a link.
 *
 * @module
 */

import { RemoteError } from "../errors.ts";
import type { Connection } from "../transport/connection.ts";
import { decodeValue, encodeValue } from "../wire/msgpack.ts";
import { type Dictionary, isDictionary, type Value } from "../wire/value.ts";
import type { Logger } from "../broker/log.ts";
import type { DesktopEnv } from "./desktop/backend.ts";
import type { X11SelectionOwner } from "./desktop/x11_owner.ts";
import { diskFullMessage } from "./protocol.ts";
import {
  ensureDirSync,
  readFileNoFollow,
  writeExclusiveSync,
  writeFileReplacing,
  writeNewFile,
} from "../transport/no_follow.ts";

/** One representation of an item: its type and its data, here or promised. */
export interface Rep {
  /** Its type (a UTI). */
  type: string;
  /** The data file's name under `data/`, for data larger than {@linkcode STATE_INLINE_BYTES}. */
  file?: string;
  /** Small data, kept in the state file itself (one file write per copy, not two). */
  inline?: Uint8Array;
  /** Its size in bytes (-1 while promised). */
  size: number;
  /** The connection that promised the data (lazy), while it is connected. */
  owner?: Connection;
  /** The pid of the program that promised the data. */
  ownerPid?: number;
  /** The owner's name for the promise, sent back when its data is wanted. */
  tag?: string;
  /** Why a promise can no longer be kept. */
  broken?: string;
  /** A read in progress that asked the owner. */
  providing?: Promise<void>;
}

/** A named pasteboard as the broker holds it. */
export interface Board {
  /** Its name. */
  name: string;
  /** Its change count. */
  changeCount: number;
  /** Its items, each its representations. */
  items: Rep[][];
  /** The connections told of its changes. */
  watchers: Set<Connection>;
  /** Its copy on the desktop clipboard (`general` and `primary` only). */
  mirror?: Mirror;
  /** Emptied by the first read of its data (`copy --paste-once`); never on the desktop. */
  pasteOnce?: boolean;
}

/** A process that holds a pasteboard's copy on the desktop clipboard. */
export interface Mirror {
  /** Its pid (this broker's, for {@linkcode Mirror.owner}). */
  pid: number;
  /** Its program, checked before it is signalled (a pid can be used again). */
  program: string;
  /** The type it offers first (a UTI). */
  type: string;
  /** Whether it still owns the desktop clipboard, as far as is known. */
  alive: boolean;
  /** The tool's process, when this broker started it. */
  child?: Deno.ChildProcess;
  /** Set when another mirror took its place (its exit is then no error). */
  replaced?: boolean;
  /** Which mirror this is, for watchers (`pasteboard.info`'s `mirror`). */
  id: string;
  /** The X11 owner in this process, offering several types (while the broker runs). */
  owner?: X11SelectionOwner;
  /** What a tool publishes when the broker stops while {@linkcode Mirror.owner} owns it. */
  handOver?: { desktop: DesktopEnv; offer: Offer };
}

/** One type offered to the desktop: its UTI, the desktop's name for it and the data. */
export interface Offer {
  /** The type (a UTI). */
  uti: string;
  /** The desktop's name for it (a MIME type or an X atom). */
  target: string;
  /** The data. */
  data: Uint8Array;
}

/** The name of a data file under `data/`. */
const DATA_FILE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Data up to this size is kept inside the pasteboard's state file rather than a file of its own. */
const STATE_INLINE_BYTES = 16 * 1024;

/** Whether a representation's data is here (not only promised). */
export function hasData(rep: Rep): boolean {
  return rep.file !== undefined || rep.inline !== undefined;
}

/** How a message names a pasteboard. */
export function describe(name: string): string {
  return `${name} pasteboard`;
}

/** The pasteboards and their data on disk; see the module documentation. */
export class PasteboardStore {
  /** `pasteboards/` in the runtime directory. */
  readonly root: string;
  /** Where representations' data files are. */
  readonly dataDir: string;
  /** Where uploads, reads' links and state files are made before they take their place. */
  readonly tmpDir: string;
  #log: Logger;
  #boards = new Map<string, Board>();

  /** A store under `runtimeDir`; {@linkcode PasteboardStore.load} reads what it held. */
  constructor(runtimeDir: string, log: Logger) {
    this.root = `${runtimeDir}/pasteboards`;
    this.dataDir = `${this.root}/data`;
    this.tmpDir = `${this.root}/tmp`;
    this.#log = log;
  }

  /** Reads the pasteboards saved, and removes data files that none of them uses. */
  async load(): Promise<void> {
    ensureDirSync(this.root);
    ensureDirSync(this.dataDir);
    // Removing a link removes the link only, never what it points to.
    await Deno.remove(this.tmpDir, { recursive: true }).catch(() => {});
    ensureDirSync(this.tmpDir);
    const used = new Set<string>();
    // A state saved whole but not yet in its place when the last broker stopped (see save).
    const fresh: string[] = [];
    for await (const entry of Deno.readDir(this.root)) {
      if (entry.isFile && entry.name.endsWith(".state.new")) fresh.push(entry.name);
    }
    for (const name of fresh) {
      await Deno.rename(`${this.root}/${name}`, `${this.root}/${name.slice(0, -4)}`);
    }
    for await (const entry of Deno.readDir(this.root)) {
      if (!entry.isFile || !entry.name.endsWith(".state")) continue;
      try {
        const value = decodeValue(await readFileNoFollow(`${this.root}/${entry.name}`));
        const board = boardFromValue(value);
        if (!board) continue;
        for (const item of board.items) for (const rep of item) if (rep.file) used.add(rep.file);
        this.#boards.set(board.name, board);
      } catch (error) {
        this.#log.error(`cannot read ${entry.name}: ${(error as Error).message}`);
      }
    }
    for await (const entry of Deno.readDir(this.dataDir)) {
      if (!used.has(entry.name)) {
        await Deno.remove(`${this.dataDir}/${entry.name}`).catch(() => {});
      }
    }
  }

  /** The pasteboard `name`, made empty when there is none yet. */
  board(name: string): Board {
    let board = this.#boards.get(name);
    if (!board) {
      board = { name, changeCount: 0, items: [], watchers: new Set() };
      this.#boards.set(name, board);
    }
    return board;
  }

  /** The pasteboard `name`, when there is one. */
  get(name: string): Board | undefined {
    return this.#boards.get(name);
  }

  /** Every pasteboard. */
  boards(): IterableIterator<Board> {
    return this.#boards.values();
  }

  /** Writes a pasteboard's state file (never half-written). */
  async save(board: Board): Promise<void> {
    const value: Dictionary = {
      name: board.name,
      changeCount: board.changeCount,
      ...(board.pasteOnce ? { pasteOnce: true } : {}),
      items: board.items.map((item) =>
        item.map((rep) => {
          const out: Dictionary = { type: rep.type, size: rep.size };
          if (rep.inline) out.data = rep.inline;
          else if (rep.file) out.file = rep.file;
          else {
            out.broken = rep.broken ??
              `the program that promised ${rep.type} (pid ${
                rep.ownerPid ?? "?"
              }) lost its connection when the broker stopped`;
          }
          return out;
        })
      ),
    };
    // A mirror in this process ends with it: only a tool's is worth remembering.
    if (board.mirror?.alive && !board.mirror.owner) {
      value.mirror = {
        pid: board.mirror.pid,
        program: board.mirror.program,
        type: board.mirror.type,
      };
    }
    const path = `${this.root}/${fileKey(board.name)}.state`;
    let temp: string | undefined;
    let renamed = false;
    try {
      const bytes = encodeValue(value);
      if (bytes.length <= 256 * 1024) {
        // A small state file: the blocking calls take microseconds, where each async one costs
        // a trip through the runtime's thread pool (and every copy waits on this one). It takes
        // the old one's place in two steps, through `NAME.state.new` (whole, and preferred by
        // load should the broker die in between): a rename over an existing file makes ext4
        // write the new file out at once (its replace-by-rename heuristic), which costs more
        // than the rest of a save and which the broker does not need (no fsync: a broker crash
        // is not a machine crash).
        temp = writeExclusiveSync(this.tmpDir, bytes, ".state");
        Deno.renameSync(temp, `${path}.new`);
        renamed = true;
        try {
          Deno.removeSync(path);
        } catch (error) {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        }
        Deno.renameSync(`${path}.new`, path);
      } else {
        await writeFileReplacing(path, bytes, { tempDir: this.tmpDir });
      }
    } catch (error) {
      if (temp) await Deno.remove(temp).catch(() => {});
      // Not saved after all: the old state stays, unless it is already gone.
      if (renamed && exists(path)) await Deno.remove(`${path}.new`).catch(() => {});
      throw this.storageError(board.name, error);
    }
  }

  /** The error to answer for a failed write: `disk-full` when the disk is full. */
  storageError(name: string, error: unknown): Error {
    const full = diskFullMessage(name, this.root, error);
    if (full !== undefined) return new RemoteError("disk-full", full);
    const message = (error as Error)?.message ?? String(error);
    return new RemoteError(
      "storage",
      `cannot store the ${describe(name)} under ${this.root}: ${message}`,
    );
  }

  /** Keeps data: small data in the state file, larger in a data file of its own. */
  async keep(name: string, data: Uint8Array): Promise<{ file?: string; inline?: Uint8Array }> {
    if (data.length <= STATE_INLINE_BYTES) return { inline: data.slice() };
    return { file: await this.writeData(name, data) };
  }

  /** A representation's data (it must be here). */
  async read(rep: Rep): Promise<Uint8Array> {
    if (rep.inline) return rep.inline;
    return await readFileNoFollow(this.dataPath(rep.file!));
  }

  /** Where a data file is; its name is checked (a state file could say anything). */
  dataPath(file: string): string {
    if (!DATA_FILE.test(file)) {
      throw new RemoteError("storage", `a bad data file name in the pasteboard state: ${file}`);
    }
    return `${this.dataDir}/${file}`;
  }

  /** Writes a new data file; returns its name. */
  async writeData(name: string, data: Uint8Array): Promise<string> {
    const file = crypto.randomUUID();
    try {
      await writeNewFile(`${this.dataDir}/${file}`, data);
    } catch (error) {
      throw this.storageError(name, error);
    }
    return file;
  }

  /** Removes a data file, in the background (a file already gone is no error). */
  removeData(file: string): Promise<void> {
    return Deno.remove(`${this.dataDir}/${file}`).catch(() => {});
  }
}

function boardFromValue(value: Value): Board | undefined {
  if (!isDictionary(value) || typeof value.name !== "string") return undefined;
  const items: Rep[][] = [];
  for (const item of Array.isArray(value.items) ? value.items : []) {
    if (!Array.isArray(item)) continue;
    const reps: Rep[] = [];
    for (const raw of item) {
      if (!isDictionary(raw) || typeof raw.type !== "string") continue;
      // Only a data file's own kind of name: a state file could name any path.
      const file = typeof raw.file === "string" && DATA_FILE.test(raw.file) ? raw.file : undefined;
      const lost = typeof raw.file === "string" && !file ? "its data file was lost" : undefined;
      reps.push({
        type: raw.type,
        size: Number(raw.size ?? 0),
        file,
        inline: raw.data instanceof Uint8Array ? raw.data : undefined,
        broken: typeof raw.broken === "string" ? raw.broken : lost,
      });
    }
    if (reps.length) items.push(reps);
  }
  const board: Board = {
    name: value.name,
    changeCount: Number(value.changeCount ?? 0),
    pasteOnce: value.pasteOnce === true,
    items,
    watchers: new Set(),
  };
  if (isDictionary(value.mirror)) {
    const m = value.mirror;
    board.mirror = {
      pid: Number(m.pid),
      program: String(m.program),
      type: String(m.type),
      alive: true,
      id: String(m.pid),
    };
  }
  return board;
}

/** A file name for a pasteboard name: safe characters kept, others %-escaped, long ones hashed. */
function fileKey(name: string): string {
  const safe = [...new TextEncoder().encode(name)].map((byte) => {
    const c = String.fromCharCode(byte);
    return /[A-Za-z0-9_-]/.test(c) ? c : `%${byte.toString(16).padStart(2, "0")}`;
  }).join("");
  if (safe.length <= 200) return safe;
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(name)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return `${safe.slice(0, 150)}~${hash.toString(16)}`;
}

/** Whether a file exists (a blocking call: microseconds). */
function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}
