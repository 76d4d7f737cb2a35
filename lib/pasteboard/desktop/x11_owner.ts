/**
 * An owner of the X11 clipboard that offers several targets, each with its own data (HTML as
 * `text/html` and its text as `UTF8_STRING`), speaking the X11 protocol itself over the display's
 * Unix socket: xclip serves one target per process and answers any target with its one data, so
 * it cannot offer an item's representations side by side.
 *
 * It owns the `CLIPBOARD` selection while its connection is open and until another program takes
 * the selection; it answers `TARGETS`, `TIMESTAMP` and its targets, large data by the ICCCM's
 * `INCR` transfer. Local displays only (`:N`, `unix:N`), with no authorization or an
 * `MIT-MAGIC-COOKIE-1` from `XAUTHORITY` (or `~/.Xauthority`).
 *
 * @example
 * ```ts
 * import { X11SelectionOwner } from "./x11_owner.ts";
 * const owner = await X11SelectionOwner.open(":0");
 * await owner?.own(new Map([["text/html", html], ["UTF8_STRING", text]]));
 * ```
 *
 * @module
 */

const SELECTION_REQUEST = 30;
const SELECTION_CLEAR = 29;
const PROPERTY_NOTIFY = 28;
const PROPERTY_CHANGE_MASK = 0x400000;
/** Bytes of data per `INCR` chunk and the most sent at once. */
const INCR_CHUNK = 64 * 1024;

interface Incr {
  requestor: number;
  property: number;
  type: number;
  data: Uint8Array;
  offset: number;
}

/** An owner of the X11 clipboard; see the module documentation. */
export class X11SelectionOwner {
  #conn: Deno.Conn;
  #root: number;
  #idBase: number;
  #maxRequestBytes: number;
  #seq = 0;
  #replies = new Map<number, (reply: Uint8Array | Error) => void>();
  #atoms = new Map<string, number>();
  #window = 0;
  #targets = new Map<number, Uint8Array>();
  #owns = false;
  #closed = false;
  #incr: Incr[] = [];
  #writing: Promise<void> = Promise.resolve();
  #onLost: (() => void) | undefined;

  private constructor(conn: Deno.Conn, setup: Uint8Array) {
    this.#conn = conn;
    const view = new DataView(setup.buffer, setup.byteOffset, setup.byteLength);
    this.#idBase = view.getUint32(12, true);
    this.#maxRequestBytes = view.getUint16(26, true) * 4;
    const vendorLength = view.getUint16(24, true);
    const formats = setup[29];
    const screen = 40 + pad4(vendorLength) + 8 * formats;
    this.#root = view.getUint32(screen, true);
  }

  /**
   * Connects to a local display, or `undefined` when it is not local or refuses the connection
   * (the caller falls back to a tool).
   */
  static async open(
    display: string,
    env: Record<string, string | undefined> = {},
  ): Promise<X11SelectionOwner | undefined> {
    const match = /^(?:unix)?:(\d+)(?:\.\d+)?$/.exec(display);
    if (!match) return undefined;
    let conn: Deno.Conn;
    try {
      conn = await Deno.connect({ transport: "unix", path: `/tmp/.X11-unix/X${match[1]}` });
    } catch {
      return undefined;
    }
    try {
      const [name, data] = cookie(match[1], env);
      const request = new Uint8Array(12 + pad4(name.length) + pad4(data.length));
      const view = new DataView(request.buffer);
      request[0] = 0x6c; // "l": little-endian
      view.setUint16(2, 11, true);
      view.setUint16(6, name.length, true);
      view.setUint16(8, data.length, true);
      request.set(name, 12);
      request.set(data, 12 + pad4(name.length));
      await writeAll(conn, request);
      const head = await readExactly(conn, 8);
      const length = new DataView(head.buffer).getUint16(6, true) * 4;
      const rest = await readExactly(conn, length);
      if (head[0] !== 1) throw new Error("the X server refused the connection");
      const setup = new Uint8Array(8 + length);
      setup.set(head);
      setup.set(rest, 8);
      const owner = new X11SelectionOwner(conn, setup);
      owner.#read();
      owner.#window = owner.#idBase | 1;
      // An input-only window of our own, never mapped, to own the selection with.
      const create = owner.#request(1, 0, 8);
      const cv = new DataView(create.buffer);
      cv.setUint32(4, owner.#window, true);
      cv.setUint32(8, owner.#root, true);
      cv.setUint16(16, 1, true); // 1×1
      cv.setUint16(18, 1, true);
      cv.setUint16(22, 2, true); // InputOnly
      await owner.#send(create);
      return owner;
    } catch {
      try {
        conn.close();
      } catch { /* closed */ }
      return undefined;
    }
  }

  /** Whether it owns the clipboard now. */
  get owns(): boolean {
    return this.#owns && !this.#closed;
  }

  /** Calls `fn` once it no longer owns the clipboard (taken, or its connection gone). */
  set onLost(fn: () => void) {
    this.#onLost = fn;
  }

  /**
   * Takes the clipboard (or another selection: `PRIMARY`), offering these targets (atom names:
   * MIME types, `UTF8_STRING`…) with their data; resolves once the X server says it owns it.
   *
   * @returns whether it owns the clipboard.
   */
  async own(targets: Map<string, Uint8Array>, selection = "CLIPBOARD"): Promise<boolean> {
    this.#targets.clear();
    for (const [name, data] of targets) this.#targets.set(await this.#atom(name), data);
    const clipboard = await this.#atom(selection);
    for (const name of ["TARGETS", "TIMESTAMP", "INCR", "ATOM", "INTEGER"]) await this.#atom(name);
    const set = this.#request(22, 0, 4);
    const sv = new DataView(set.buffer);
    sv.setUint32(4, this.#window, true);
    sv.setUint32(8, clipboard, true);
    await this.#send(set);
    const get = this.#request(23, 0, 2);
    new DataView(get.buffer).setUint32(4, clipboard, true);
    const reply = await this.#call(get);
    this.#owns = new DataView(reply.buffer, reply.byteOffset).getUint32(8, true) === this.#window;
    return this.#owns;
  }

  /** Lets go of the clipboard and closes the connection. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* closed */ }
    this.#lost();
  }

  #lost(): void {
    const wasOwner = this.#owns;
    this.#owns = false;
    if (wasOwner) this.#onLost?.();
  }

  // ---- requests ----

  /** A request of `words` 4-byte units: its opcode, its data byte and its length set. */
  #request(opcode: number, data: number, words: number): Uint8Array {
    const request = new Uint8Array(words * 4);
    request[0] = opcode;
    request[1] = data;
    new DataView(request.buffer).setUint16(2, words, true);
    return request;
  }

  /** Sends a request (in order with the others); returns its sequence number. */
  #send(request: Uint8Array): Promise<number> {
    const seq = this.#seq = (this.#seq + 1) & 0xffff;
    this.#writing = this.#writing.then(() => writeAll(this.#conn, request)).catch(() => {});
    return this.#writing.then(() => seq);
  }

  /** Sends a request that has a reply and waits for it. */
  #call(request: Uint8Array): Promise<Uint8Array> {
    const seq = (this.#seq + 1) & 0xffff;
    const reply = new Promise<Uint8Array>((resolve, reject) => {
      this.#replies.set(seq, (r) => r instanceof Error ? reject(r) : resolve(r));
    });
    this.#send(request);
    return reply;
  }

  async #atom(name: string): Promise<number> {
    const known = this.#atoms.get(name);
    if (known !== undefined) return known;
    const bytes = new TextEncoder().encode(name);
    const request = this.#request(16, 0, 2 + pad4(bytes.length) / 4);
    new DataView(request.buffer).setUint16(4, bytes.length, true);
    request.set(bytes, 8);
    const reply = await this.#call(request);
    const atom = new DataView(reply.buffer, reply.byteOffset).getUint32(8, true);
    this.#atoms.set(name, atom);
    return atom;
  }

  #changeProperty(
    window: number,
    property: number,
    type: number,
    format: 8 | 32,
    data: Uint8Array,
  ): void {
    const request = this.#request(18, 0, 6 + pad4(data.length) / 4);
    const view = new DataView(request.buffer);
    view.setUint32(4, window, true);
    view.setUint32(8, property, true);
    view.setUint32(12, type, true);
    request[16] = format;
    view.setUint32(20, data.length / (format / 8), true);
    request.set(data, 24);
    this.#send(request);
  }

  #notify(requestor: number, selection: number, target: number, property: number, time: number) {
    const request = this.#request(25, 0, 11);
    const view = new DataView(request.buffer);
    view.setUint32(4, requestor, true);
    request[12] = 31; // SelectionNotify
    view.setUint32(16, time, true);
    view.setUint32(20, requestor, true);
    view.setUint32(24, selection, true);
    view.setUint32(28, target, true);
    view.setUint32(32, property, true);
    this.#send(request);
  }

  // ---- events ----

  async #read(): Promise<void> {
    let buffer = new Uint8Array(0);
    const chunk = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await this.#conn.read(chunk);
        if (n === null) break;
        const joined = new Uint8Array(buffer.length + n);
        joined.set(buffer);
        joined.set(chunk.subarray(0, n), buffer.length);
        buffer = joined;
        while (buffer.length >= 32) {
          const view = new DataView(buffer.buffer, buffer.byteOffset);
          const size = buffer[0] === 1 ? 32 + view.getUint32(4, true) * 4 : 32;
          if (buffer.length < size) break;
          this.#dispatch(buffer.slice(0, size));
          buffer = buffer.subarray(size);
        }
      }
    } catch { /* closed */ }
    this.#closed = true;
    for (const resolve of this.#replies.values()) resolve(new Error("the X connection closed"));
    this.#replies.clear();
    this.#lost();
  }

  #dispatch(message: Uint8Array): void {
    const view = new DataView(message.buffer, message.byteOffset);
    const code = message[0] & 0x7f;
    if (code === 0 || code === 1) {
      const seq = view.getUint16(2, true);
      const resolve = this.#replies.get(seq);
      this.#replies.delete(seq);
      resolve?.(code === 1 ? message : new Error(`X error ${message[1]}`));
      return;
    }
    if (code === SELECTION_CLEAR) this.#lost();
    else if (code === SELECTION_REQUEST) {
      this.#answer(
        view.getUint32(4, true),
        view.getUint32(12, true),
        view.getUint32(16, true),
        view.getUint32(20, true),
        view.getUint32(24, true),
      );
    } else if (code === PROPERTY_NOTIFY && message[16] === 1) {
      this.#nextChunk(view.getUint32(4, true), view.getUint32(8, true));
    }
  }

  /** Answers a request for a target: the property set on the requestor's window, then told. */
  #answer(time: number, requestor: number, selection: number, target: number, property: number) {
    if (property === 0) property = target; // an obsolete client
    const atom = (name: string) => this.#atoms.get(name)!;
    const data = this.#targets.get(target);
    if (!this.owns) property = 0;
    else if (target === atom("TARGETS")) {
      const list = [atom("TARGETS"), atom("TIMESTAMP"), ...this.#targets.keys()];
      const bytes = new Uint8Array(list.length * 4);
      list.forEach((a, i) => new DataView(bytes.buffer).setUint32(i * 4, a, true));
      this.#changeProperty(requestor, property, atom("ATOM"), 32, bytes);
    } else if (target === atom("TIMESTAMP")) {
      this.#changeProperty(requestor, property, atom("INTEGER"), 32, new Uint8Array(4));
    } else if (data && data.length + 24 <= Math.min(this.#maxRequestBytes, 256 * 1024)) {
      this.#changeProperty(requestor, property, target, 8, data);
    } else if (data) {
      // Too large for one request: INCR, chunk by chunk as the requestor deletes the property.
      const events = this.#request(2, 0, 4);
      const ev = new DataView(events.buffer);
      ev.setUint32(4, requestor, true);
      ev.setUint32(8, 0x800, true); // CWEventMask
      ev.setUint32(12, PROPERTY_CHANGE_MASK, true);
      this.#send(events);
      const size = new Uint8Array(4);
      new DataView(size.buffer).setUint32(0, data.length, true);
      this.#changeProperty(requestor, property, atom("INCR"), 32, size);
      this.#incr.push({ requestor, property, type: target, data, offset: 0 });
    } else property = 0; // not offered: refused
    this.#notify(requestor, selection, target, property, time);
  }

  #nextChunk(window: number, property: number): void {
    const index = this.#incr.findIndex((t) => t.requestor === window && t.property === property);
    if (index < 0) return;
    const transfer = this.#incr[index];
    const chunk = transfer.data.subarray(transfer.offset, transfer.offset + INCR_CHUNK);
    this.#changeProperty(window, property, transfer.type, 8, chunk);
    transfer.offset += chunk.length;
    if (chunk.length === 0) this.#incr.splice(index, 1); // the empty chunk ends it
  }
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

/** The `MIT-MAGIC-COOKIE-1` for display `number` from the Xauthority file, or no authorization. */
function cookie(
  number: string,
  env: Record<string, string | undefined>,
): [Uint8Array, Uint8Array] {
  const none: [Uint8Array, Uint8Array] = [new Uint8Array(), new Uint8Array()];
  const path = env.XAUTHORITY ?? (env.HOME ? `${env.HOME}/.Xauthority` : undefined);
  if (!path) return none;
  let file: Uint8Array;
  try {
    file = Deno.readFileSync(path);
  } catch {
    return none;
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const text = new TextDecoder();
  let at = 0;
  const field = () => {
    const length = view.getUint16(at);
    const bytes = file.subarray(at + 2, at + 2 + length);
    at += 2 + length;
    return bytes;
  };
  try {
    while (at < file.length) {
      at += 2; // family
      field(); // address
      const display = text.decode(field());
      const name = field();
      const data = field();
      if ((display === number || display === "") && text.decode(name) === "MIT-MAGIC-COOKIE-1") {
        return [name, data];
      }
    }
  } catch { /* cut short */ }
  return none;
}

async function writeAll(conn: Deno.Conn, data: Uint8Array): Promise<void> {
  for (let at = 0; at < data.length;) at += await conn.write(data.subarray(at));
}

async function readExactly(conn: Deno.Conn, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  for (let got = 0; got < length;) {
    const n = await conn.read(out.subarray(got));
    if (n === null) throw new Error("the X server closed the connection");
    got += n;
  }
  return out;
}
