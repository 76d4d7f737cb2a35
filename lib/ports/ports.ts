/**
 * Message ports, the `CFMessagePort` model: a named local port whose callback answers each
 * request, and remote ports looked up by name that send requests with a message id, send and
 * receive timeouts, one-way sends, and CF status codes ({@linkcode PORT_STATUS}).
 *
 * Ports are peer-to-peer: a local port listens on its own Unix socket under `ports/` in the
 * runtime directory and a sender connects straight to it; the broker is never on the data path.
 * A name belongs to the process holding the `flock` on its lock file, so a second owner is
 * refused and a socket left by a killed owner is taken over. Names of up to 255 characters work:
 * one that is not a plain file name, or would make the socket path too long, maps to a hashed
 * file name (the real name is kept beside it and listed by {@linkcode listPorts}).
 *
 * As with `CFMessagePortCallBack`, the bytes a local port's callback gets are valid until the
 * request's reply has been sent (a one-way request's, until the callback is done): the port
 * then reuses their memory for later requests, which spares large requests the cost of fresh
 * memory. A callback that keeps them longer copies them (`data.slice()`), or the port is
 * created with `recycleRequests: false`. The reply a remote port's `sendRequest` resolves with
 * is always the caller's to keep.
 *
 * On the socket, every frame is a 4-byte big-endian length and a MessagePack body, as everywhere
 * in ipckit. The hello and bye frames are small dictionaries; a data frame is a dictionary with
 * a fixed layout, `{t, id, m, n, b}` with int64 fields and the payload as bin 32, so it is read
 * and written at fixed offsets and the payload moves without encoding or copying:
 *
 * | `t` | meaning                                         |
 * |-----|-------------------------------------------------|
 * | `q` | a request (its last or only frame)              |
 * | `o` | a one-way request (its last or only frame)      |
 * | `s` | a chunk of a request, more follow               |
 * | `c` | a chunk of a one-way request, more follow       |
 * | `r` | a reply (its last or only frame)                |
 * | `S` | a chunk of a reply, more follow                 |
 * | `e` | the callback failed; the payload is its message |
 * | `x` | the sender gave up on a streamed message        |
 *
 * `id` pairs a reply with its request, `m` is the message id, `n` the whole message's length
 * when known (else -1). Payloads over the frame limit are streamed in 1 MiB chunks
 * ({@linkcode chunksOf}); a streamed message's frames go out back to back, and a streaming
 * callback reads its request as it arrives, its pace holding the sender back, so large
 * messages take bounded memory on both sides.
 *
 * While a monitor is attached (`ipckit monitor`), a local port reports each message it handles
 * (port, message id, sizes, time taken) straight to the monitor; the broker tells it of monitors
 * attaching and detaching with a `monitor` control frame on its socket, and it reads the
 * runtime directory's `monitors` file when it opens. With none attached it does nothing per
 * message (`ports/monitor.ts`).
 *
 * This module is the public entry; the parts live in `ports/`: the frames both sides speak
 * (`frames.ts`), names and files (`names.ts`), and the client side of one request
 * (`client.ts`, {@linkcode sendOnce}), which a command that sends one request and exits
 * (`ipckit send`) loads without the rest.
 *
 * @example A port and a request to it
 * ```ts
 * import { connectPort, createLocalPort } from "./ports.ts";
 * const port = await createLocalPort("com.example.upper", (_msgid, data) =>
 *   new TextDecoder().decode(data).toUpperCase());
 * const remote = await connectPort("com.example.upper");
 * const reply = await remote.sendRequest(1, new TextEncoder().encode("hi"), { receiveTimeout: 5 });
 * console.log(new TextDecoder().decode(reply!)); // HI
 * await remote.close();
 * await port.close();
 * ```
 *
 * @module
 */

import {
  IpcError,
  NameTakenError,
  PORT_STATUS,
  PortError,
  PortHandlerError,
  PortTimeoutError,
  ProtocolError,
} from "../errors.ts";
import { startTimer, startWatchdog } from "../_timer.ts";
import { concatBytes, readInt64, readUint32 } from "../wire/bytes.ts";
import { type ByteSource, ChunkQueue, chunksOf } from "../transport/chunks.ts";
import { NameLock } from "../transport/name_lock.ts";
import { ensureDirSync, readFileNoFollow, writeFileReplacing } from "../transport/no_follow.ts";
import { IPCKIT_VERSION, PROTOCOL_VERSION } from "../transport/protocol.ts";
import {
  checkSocketPath,
  ensureRuntimeDir,
  resolveRuntimeDir,
  type RuntimeDirOptions,
} from "../transport/runtime_dir.ts";
import {
  AT_ID,
  AT_KIND,
  AT_MSGID,
  AT_TOTAL,
  checkHeader,
  CHUNK,
  COALESCE,
  controlFrame,
  copyOf,
  dataFrame,
  EMPTY,
  HEADER,
  helloFrame,
  isDataFrame,
  K_ABORT,
  K_CHUNK,
  K_ERROR,
  K_ONEWAY,
  K_ONEWAY_CHUNK,
  K_REPLY,
  K_REPLY_CHUNK,
  K_REQUEST,
  MAX_CONTROL,
  MAX_FRAME,
  MAX_WHOLE,
  type MessageKinds,
  PREFIX,
  READ_BUFFER,
  readControl,
  RECYCLE_MIN,
  SourceError,
  writeChunked,
} from "./protocol.ts";
import { MONITORS_FILE, type PortPaths, portPaths } from "./names.ts";
import { type OpenPortOptions, openPortSocket, type SendRequestOptions } from "./client.ts";
import type { PortReporter } from "./monitor.ts";

export { PORT_STATUS } from "../errors.ts";
export { MAX_PORT_NAME, portNameProblem, type PortPaths, portPaths } from "./names.ts";
export {
  type PortSocket,
  sendOnce,
  type SendOnceOptions,
  type SendRequestOptions,
} from "./client.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// ---------------------------------------------------------------------------------------------
// One connection, either side

/** What {@linkcode Receiver.target} returns for "a fresh array of its own". */
const FRESH = new Uint8Array(0);
/**
 * What {@linkcode Receiver.target} returns for "a copy, not to be kept as an array of its own"
 * (a small request's data, valid until it is answered): cut from shared memory
 * ({@linkcode copyOf}), which spares each message a buffer of its own.
 */
export const COPY = new Uint8Array(0);
/** What `Channel.#quick` returns when the channel closed meanwhile. */
const CLOSED: Promise<void> = Promise.resolve();
/**
 * For "a microtask later": `queueMicrotask` wraps each callback in a closure of its own, which
 * costs a message more than a reaction to a settled promise.
 */
const LATER: Promise<void> = Promise.resolve();

/** What a {@linkcode Channel} hands what it reads to (`distributed/` speaks through one too). */
export type Receiver = {
  /**
   * Where a data frame's payload goes: {@linkcode FRESH} for a fresh array, {@linkcode COPY}
   * for a copy in shared memory, an array (a view into a preassembled one, memory to reuse), or
   * null to drop it.
   */
  target(kind: number, id: number, msgid: number, total: number, length: number): Uint8Array | null;
  /** A data frame arrived whole; a promise holds the reading back. */
  data(kind: number, id: number, msgid: number, total: number, payload: Uint8Array | null):
    | void
    | Promise<void>;
  /** A hello arrived. */
  hello(fields: Record<string, unknown>): void;
  /** The channel closed; `error` says why (undefined: an orderly goodbye or our own close). */
  closed(error: IpcError | undefined, bye: boolean): void;
  /** All that was read is handled; the channel is about to wait for more. */
  idle?(channel: Channel): void;
  /** The broker says which monitors are attached (`to`: their inboxes, one a line). */
  monitor?(fields: Record<string, unknown>): void;
};

/** A data frame being read: its header, and where its payload goes and how much is there. */
interface OpenFrame {
  kind: number;
  id: number;
  msgid: number;
  total: number;
  /** The payload's length. */
  size: number;
  /** Where the payload goes (null: dropped). */
  target: Uint8Array | null;
  /** How much of the payload was in the read buffer. */
  got: number;
}

/** Told once a write is done: without an error when it was written. */
type Done = (error?: unknown) => void;

function ignore(): void {}

interface WriteJob {
  small?: Uint8Array;
  run?: (write: (bytes: Uint8Array) => Promise<void>) => Promise<void>;
  started: boolean;
  cancelled: boolean;
  done: Done;
}

/**
 * A port connection: frames out in order (small ones coalesced), frames in, one at a time.
 * Either side may send any kind of data frame: ports use it one way (requests in, replies
 * out), Distributed Objects (`distributed/connection.ts`) both ways.
 */
export class Channel {
  #conn: Deno.UnixConn;
  #receiver: Receiver;
  #jobs: WriteJob[] = [];
  #pumping = false;
  #closed = false;
  #refed = true;
  /**
   * Whether the read loop is handling what it read: frames queued meanwhile (the answers of
   * callbacks that answered at once) go out together when it is done, before it waits again.
   */
  #reading = false;
  /** Whether a pump waits for the read loop to be done. */
  #deferred = false;
  /** The frame alone being written. */
  #writing: WriteJob | undefined;
  /** What was read and not handled yet: from `#start` to `#end` of `#buffer`. */
  #buffer = new Uint8Array(READ_BUFFER);
  #start = 0;
  #end = 0;
  /** Whether the peer's hello came. */
  helloSeen = false;

  /** Reads `conn` at once, handing what comes to `receiver`. */
  constructor(conn: Deno.UnixConn, receiver: Receiver) {
    this.#conn = conn;
    this.#receiver = receiver;
    this.#readMore();
  }

  /** Whether it is closed. */
  get isClosed(): boolean {
    return this.#closed;
  }

  /** Lets the connection keep the process alive, or not. */
  ref(wanted: boolean): void {
    if (wanted === this.#refed || this.#closed) return;
    this.#refed = wanted;
    if (wanted) this.#conn.ref();
    else this.#conn.unref();
  }

  /**
   * Queues a whole frame (or a frame and its payload written right after it); `done` is told
   * when it is written or why not.
   */
  write(frame: Uint8Array, payload?: Uint8Array, done: Done = ignore): WriteJob {
    const job: WriteJob = { started: false, cancelled: false, done };
    if (payload && payload.length > 0 && frame.length === PREFIX + HEADER) {
      job.run = async (write) => {
        await write(frame);
        await write(payload);
      };
    } else job.small = frame;
    this.#push(job);
    return job;
  }

  /** Queues a run of frames that must go out back to back. */
  writeRun(
    run: (write: (bytes: Uint8Array) => Promise<void>) => Promise<void>,
    done: Done = ignore,
  ): WriteJob {
    const job: WriteJob = { run, started: false, cancelled: false, done };
    this.#push(job);
    return job;
  }

  #push(job: WriteJob): void {
    if (this.#closed) {
      job.done(new PortError(PORT_STATUS.isInvalid, "the connection is closed"));
      return;
    }
    this.#jobs.push(job);
    if (!this.#pumping) {
      // A frame alone goes out at once; frames queued while one is being written (a hello and
      // the first request, concurrent requests) go out together in the next write, as do the
      // answers to the requests of one read, once the read loop is done with what it read.
      this.#pumping = true;
      if (this.#reading) this.#deferred = true;
      else this.#pump();
    }
  }

  /** The read loop is about to wait: what it queued goes out now. */
  #readDone(): void {
    this.#reading = false;
    if (this.#deferred) {
      this.#deferred = false;
      this.#pump();
    }
  }

  #writeAll = async (bytes: Uint8Array): Promise<void> => {
    let written = await this.#conn.write(bytes);
    while (written < bytes.length) written += await this.#conn.write(bytes.subarray(written));
  };

  /**
   * Writes what is queued, in order, while `#pumping`. A frame alone (the usual case) is written
   * without an async call: each costs a message allocations and time.
   */
  #pump(): void {
    const jobs = this.#jobs;
    while (jobs.length > 0 && jobs[0].cancelled) jobs.shift();
    if (jobs.length === 0) {
      this.#pumping = false;
      return;
    }
    const first = jobs[0];
    if (!first.small || (jobs.length > 1 && jobs[1].small)) {
      this.#pumpAll();
      return;
    }
    jobs.shift();
    first.started = true;
    this.#writing = first;
    let written: Promise<number>;
    try {
      written = this.#conn.write(first.small);
    } catch (error) {
      return this.#writeFailed(error);
    }
    written.then(this.#wrote, this.#writeFailed);
  }

  /** The frame alone was written, or part of it. */
  #wrote = (written: number): void => {
    const job = this.#writing!;
    if (written < job.small!.length) {
      this.#writeRest(job, written);
      return;
    }
    this.#writing = undefined;
    job.done();
    this.#pump();
  };

  /** Writing the frame alone failed: so does the connection. */
  #writeFailed = (error: unknown): void => {
    const job = this.#writing!;
    const failure = this.#writeError(error);
    this.#writing = undefined;
    job.done(failure);
    this.#shut(failure, false);
    this.#pumping = false;
  };

  /** The rest of a frame alone that went out in part. */
  async #writeRest(job: WriteJob, written: number): Promise<void> {
    try {
      await this.#writeAll(job.small!.subarray(written));
    } catch (error) {
      return this.#writeFailed(error);
    }
    this.#writing = undefined;
    job.done();
    this.#pump();
  }

  /** Writes what is queued, whatever it is: runs, frames to put together. */
  async #pumpAll(): Promise<void> {
    const jobs = this.#jobs;
    try {
      while (jobs.length > 0) {
        const first = jobs.shift()!;
        if (first.cancelled) continue;
        if (first.small && (jobs.length === 0 || !jobs[0].small)) {
          // The usual case: a frame alone.
          first.started = true;
          const frame = first.small;
          try {
            const written = await this.#conn.write(frame);
            if (written < frame.length) await this.#writeAll(frame.subarray(written));
          } catch (error) {
            first.done(this.#writeError(error));
            throw error;
          }
          first.done();
        } else if (first.small) {
          const batch = [first];
          let size = first.small.length;
          while (jobs.length > 0 && jobs[0].small && size < 4 * COALESCE) {
            const next = jobs.shift()!;
            if (next.cancelled) continue;
            batch.push(next);
            size += next.small!.length;
          }
          let data = first.small;
          if (batch.length > 1) {
            data = new Uint8Array(size);
            let at = 0;
            for (const job of batch) {
              data.set(job.small!, at);
              at += job.small!.length;
            }
          }
          for (const job of batch) job.started = true;
          try {
            await this.#writeAll(data);
          } catch (error) {
            for (const job of batch) job.done(this.#writeError(error));
            throw error;
          }
          for (const job of batch) job.done();
        } else {
          first.started = true;
          try {
            await first.run!(this.#writeAll);
          } catch (error) {
            first.done(error instanceof IpcError ? error : this.#writeError(error));
            // A failed source said so in its own frame; the connection goes on.
            if (!(error instanceof SourceError)) throw error;
            continue;
          }
          first.done();
        }
      }
    } catch (error) {
      this.#shut(this.#writeError(error), false);
    } finally {
      this.#pumping = false;
    }
  }

  #writeError(error: unknown): IpcError {
    if (error instanceof IpcError) return error;
    return new PortError(
      PORT_STATUS.transportError,
      `the connection broke while sending: ${(error as Error)?.message ?? error}`,
      { cause: error },
    );
  }

  /** The data frame `#openFrame` opened last. */
  #frame: OpenFrame = { kind: 0, id: 0, msgid: 0, total: 0, size: 0, target: null, got: 0 };

  /**
   * Opens the data frame of `length` bytes whose header is at `h` in the read buffer: checks
   * the header, asks the receiver where the payload goes, and moves there as much of it as the
   * buffer holds (the buffer is then read past it). One object serves every frame, so the
   * reading of small frames allocates nothing for it.
   */
  #openFrame(h: number, length: number): OpenFrame {
    const buffer = this.#buffer;
    checkHeader(buffer, h, length);
    const f = this.#frame;
    const kind = f.kind = buffer[h + AT_KIND];
    const id = f.id = readInt64(buffer, h + AT_ID);
    const msgid = f.msgid = readInt64(buffer, h + AT_MSGID);
    const total = f.total = readInt64(buffer, h + AT_TOTAL);
    const size = f.size = length - HEADER;
    const at = h + HEADER;
    let target = this.#receiver.target(kind, id, msgid, total, size);
    const got = f.got = Math.min(this.#end - at, size);
    if (target === FRESH && got === size) target = buffer.slice(at, at + size);
    else if (target === COPY && got === size) target = copyOf(buffer, at, at + size);
    else {
      if (target === FRESH || target === COPY) target = new Uint8Array(size);
      if (target && got > 0) target.set(buffer.subarray(at, at + got));
    }
    f.target = target;
    if (at + got === this.#end) this.#start = this.#end = 0;
    else this.#start = at + got;
    return f;
  }

  /**
   * Handles the data frames that are wholly in the read buffer, as long as none holds the
   * reading back: the usual small messages, synchronously, without an await each.
   *
   * @returns what to wait for before going on, or undefined when the rest of the buffer (if
   *   any) needs the read loop: more bytes, a control frame, a large payload, an error to raise.
   */
  #quick(): Promise<void> | undefined {
    const buffer = this.#buffer;
    for (;;) {
      const start = this.#start;
      const avail = this.#end - start;
      if (avail < PREFIX + HEADER) return undefined;
      const length = readUint32(buffer, start);
      const h = start + PREFIX;
      if (
        length < HEADER || length > MAX_FRAME || avail < PREFIX + length || !this.helloSeen ||
        !isDataFrame(buffer, h)
      ) {
        return undefined;
      }
      const f = this.#openFrame(h, length);
      const wait = this.#receiver.data(f.kind, f.id, f.msgid, f.total, f.target);
      if (wait || this.#closed) return wait ?? CLOSED;
    }
  }

  /**
   * Reads what comes next, all of what was read being handled. The usual reading (small frames
   * whole in what one read gets) goes by callbacks, not by an async call: each await costs a
   * message allocations and time.
   */
  #readMore = (): void => {
    if (this.#closed) return;
    this.#readDone();
    this.#receiver.idle?.(this);
    let read: Promise<number | null>;
    try {
      read = this.#conn.read(this.#buffer);
    } catch (error) {
      return this.#readFailed(error);
    }
    read.then(this.#onRead, this.#readFailed);
  };

  /** A read came: `n` bytes, or null at the end. */
  #onRead = (n: number | null): void => {
    if (this.#closed) return;
    if (n === null) return this.#shut(undefined, false);
    this.#start = 0;
    this.#end = n;
    this.#reading = true;
    this.#handle();
  };

  /** Handles what was read: the small frames here, anything else by the read loop. */
  #handle = (): void => {
    let wait: Promise<void> | undefined;
    try {
      wait = this.#quick();
    } catch (error) {
      return this.#readFailed(error);
    }
    if (wait) {
      if (wait === CLOSED) return;
      this.#readDone();
      wait.then(this.#resume, this.#readFailed);
    } else if (this.#start === this.#end) {
      // The next read a microtask later: what was read set off (a caller's next request,
      // written as it is made) goes first; setting a read off takes a few microseconds.
      this.#readDone();
      LATER.then(this.#readMore);
    } else this.#readLoop();
  };

  /** What held the reading back is done. */
  #resume = (): void => {
    if (this.#closed) return;
    this.#reading = true;
    this.#handle();
  };

  /** Reading or handling what was read failed. */
  #readFailed = (caught: unknown): void => {
    if (this.#closed) return;
    const error = caught instanceof IpcError ? caught : new PortError(
      PORT_STATUS.transportError,
      `the connection broke: ${(caught as Error)?.message ?? caught}`,
      { cause: caught },
    );
    if (caught instanceof ProtocolError) {
      this.close({ code: "protocol", message: caught.message }, error);
    }
    this.#shut(error, false);
  };

  /**
   * Reads and handles frames one at a time, whatever they are (control frames, frames split
   * over reads, large payloads read straight into their target), until all that was read is
   * handled; then {@linkcode #readMore} goes on.
   */
  async #readLoop(): Promise<void> {
    const conn = this.#conn;
    /** Reads until `need` bytes from the start are in the buffer; false at the end. */
    const fill = async (need: number): Promise<boolean> => {
      this.#readDone();
      while (this.#end - this.#start < need) {
        let buffer = this.#buffer;
        const start = this.#start;
        if (buffer.length - start < need) {
          if (need > buffer.length) {
            const grown = new Uint8Array(need);
            grown.set(buffer.subarray(start, this.#end));
            this.#buffer = buffer = grown;
          } else buffer.copyWithin(0, start, this.#end);
          this.#end -= start;
          this.#start = 0;
        }
        const end = this.#end;
        const n = await conn.read(end === 0 ? buffer : buffer.subarray(end));
        if (n === null) return false;
        this.#end += n;
      }
      this.#reading = true;
      return true;
    };
    let error: IpcError | undefined;
    let bye = false;
    try {
      for (;;) {
        if (this.#start === this.#end) return this.#readMore();
        const wait = this.#quick();
        if (wait) {
          if (wait === CLOSED) return;
          this.#readDone();
          await wait;
          this.#reading = true;
          if (this.#closed) return;
          continue;
        }
        if (this.#start === this.#end) return this.#readMore();
        // Anything else, one frame at a time; each fill only when the bytes are not there yet.
        if (this.#end - this.#start < PREFIX && !(await fill(PREFIX))) {
          if (this.#end > this.#start) {
            error = new PortError(PORT_STATUS.transportError, "half a frame");
          }
          break;
        }
        const length = readUint32(this.#buffer, this.#start);
        if (length > MAX_FRAME) {
          throw new ProtocolError(`a frame of ${length} bytes is over the limit of ${MAX_FRAME}`);
        }
        if (length < 4) throw new ProtocolError("a frame too short to be a message");
        if (this.#end - this.#start < PREFIX + 4 && !(await fill(PREFIX + 4))) break;
        if (!isDataFrame(this.#buffer, this.#start + PREFIX)) {
          if (length > MAX_CONTROL) throw new ProtocolError("a control frame over 64 KiB");
          if (this.#end - this.#start < PREFIX + length && !(await fill(PREFIX + length))) break;
          const b = this.#start + PREFIX;
          const fields = readControl(this.#buffer.subarray(b, b + length));
          this.#start = b + length;
          if (fields.t === "hello") {
            if (this.helloSeen) throw new ProtocolError("a second hello");
            this.helloSeen = true;
            this.#receiver.hello(fields);
            continue;
          }
          if (fields.t === "monitor") {
            if (!this.helloSeen) throw new ProtocolError("a message before the hello");
            this.#receiver.monitor?.(fields);
            continue;
          }
          if (fields.t === "bye") {
            bye = true;
            error = fields.code === "version"
              ? new ProtocolError(String(fields.msg))
              : new PortError(PORT_STATUS.becameInvalid, String(fields.msg ?? "closed"));
            break;
          }
          throw new ProtocolError(`an unknown message type "${String(fields.t)}"`);
        }
        if (!this.helloSeen) throw new ProtocolError("a message before the hello");
        if (length < HEADER) throw new ProtocolError("a data frame shorter than its header");
        if (this.#end - this.#start < PREFIX + HEADER && !(await fill(PREFIX + HEADER))) break;
        const f = this.#openFrame(this.#start + PREFIX, length);
        const { kind, id, msgid, total, size, target } = f;
        if (f.got < size) {
          // The rest of a large payload (the buffer is empty now): straight into its target.
          const buffer = this.#buffer;
          this.#readDone();
          for (let got = f.got; got < size;) {
            const n = await conn.read(
              target
                ? target.subarray(got)
                : buffer.subarray(0, Math.min(buffer.length, size - got)),
            );
            if (n === null) throw new PortError(PORT_STATUS.transportError, "half a frame");
            got += n;
          }
          this.#reading = true;
        }
        const held = this.#receiver.data(kind, id, msgid, total, target);
        if (held) {
          this.#readDone();
          await held;
          this.#reading = true;
        }
        if (this.#closed) return;
      }
    } catch (caught) {
      return this.#readFailed(caught);
    }
    this.#shut(error, bye);
  }

  /** Says goodbye (best effort), then closes. */
  close(reason?: { code: string; message: string }, error?: IpcError): void {
    if (this.#closed) return;
    if (reason) {
      try {
        this.#conn.write(controlFrame({ t: "bye", code: reason.code, msg: reason.message }))
          .catch(() => {});
      } catch { /* closing anyway */ }
    }
    this.#shut(error, error === undefined);
  }

  #shut(error: IpcError | undefined, bye: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch { /* already closed */ }
    const failure = error ?? new PortError(PORT_STATUS.isInvalid, "the connection is closed");
    for (const job of this.#jobs.splice(0)) job.done(failure);
    this.#receiver.closed(error, bye);
  }
}

/** Queues a message for `channel`: one frame, or chunks back to back. */
function sendMessage(
  channel: Channel,
  kinds: MessageKinds,
  id: number,
  msgid: number,
  data: ByteSource,
  done: Done = ignore,
): WriteJob {
  if (data instanceof Uint8Array && data.length <= MAX_WHOLE) {
    return channel.write(dataFrame(kinds.last, id, msgid, data.length, data), data, done);
  }
  const total = data instanceof Uint8Array ? data.length : -1;
  return channel.writeRun(
    (write) => writeChunked(write, kinds, id, msgid, total, chunksOf(data, CHUNK)),
    done,
  );
}

// ---------------------------------------------------------------------------------------------
// Local ports

/** What a port's callback returns: the reply's bytes or text, a stream of them, or nothing. */
export type PortReply =
  | Uint8Array
  | string
  | ReadableStream<Uint8Array>
  | AsyncIterable<Uint8Array>
  | null
  | undefined
  | void;

/** About a request, for the callback. */
export interface RequestInfo {
  /** The port's name. */
  port: string;
  /** Whether the sender wants no reply. */
  oneway: boolean;
  /** The request's length in bytes, or -1 when the sender streams it without saying. */
  size: number;
}

/**
 * Answers a request: gets the message id and bytes, returns the reply (possibly async).
 *
 * As with `CFMessagePortCallBack`, `data` is valid until the reply has been sent (for a
 * one-way request, until the callback returns or its promise settles): its memory is the
 * port's, which then reuses it (a small request's data shares its `ArrayBuffer` with others':
 * mind `byteOffset`, and do not transfer it). Copy it (`data.slice()`) to keep it longer, or
 * create the port with `recycleRequests: false` ({@linkcode LocalPortOptions.recycleRequests}).
 * Returning `data` itself, or a part of it, as the reply is fine.
 */
export type PortCallback = (
  msgid: number,
  data: Uint8Array,
  info: RequestInfo,
) => PortReply | Promise<PortReply>;

/** Answers a request that it reads as a stream, as it arrives (for very large requests). */
export type StreamingPortCallback = (
  msgid: number,
  data: ReadableStream<Uint8Array>,
  info: RequestInfo,
) => PortReply | Promise<PortReply>;

/** Options of {@linkcode createLocalPort}. */
export interface LocalPortOptions extends RuntimeDirOptions {
  /** How many requests are handled at once, over all senders. @default {1} */
  concurrency?: number;
  /** Called once when the port is invalidated. @default {undefined} */
  onInvalidate?: () => void;
  /** Told when the callback of a one-way request fails (nobody waits for it). @default {ignore} */
  onError?: (error: unknown, msgid: number) => void;
  /**
   * The largest request a (non-streaming) callback gets as one array; a larger one is refused
   * with a "handler failed" error. @default {1 GiB}
   */
  maxRequestBytes?: number;
  /**
   * Whether the port reuses the memory of a request's data once the request is over, as
   * CFMessagePort does (its callback's data "will be deallocated after the callback exits").
   * By default it does: the `data` a callback gets is valid until the request's reply has been
   * sent (for a one-way request, until the callback returns or its promise settles); after
   * that, a later request may overwrite it. A callback that keeps the bytes longer (stores
   * them, hands them to work that outlives the reply) must copy them (`data.slice()`); the
   * memory is the port's, not to be transferred (a small request's shares its `ArrayBuffer`
   * with others'). This spares every request the cost of memory of its own: a buffer to
   * allocate and collect for a small one, zeroing and page faults for a large one.
   *
   * `false` gives each request fresh memory of its own that the callback may keep. Streaming
   * ports ({@linkcode createStreamingLocalPort}) never reuse memory. @default {true}
   */
  recycleRequests?: boolean;
  /**
   * Told the number of open connections (senders connected to the port) each time one opens
   * or closes, while the port is valid. @default {undefined}
   */
  onConnections?: (count: number) => void;
}

interface Inbound {
  /** Streamed to a streaming callback. */
  queue?: ChunkQueue;
  /** Collected in place, its length announced; grows as the data arrives. */
  whole?: Uint8Array;
  filled: number;
  /** The length the sender announced: the most `whole` may grow to. */
  announced: number;
  /** Collected in parts, its length not announced. */
  parts?: Uint8Array[];
  size: number;
  /** Why it will be refused once whole. */
  refused?: string;
  /** Whether it is one-way. */
  oneway: boolean;
}

/** A named port this process serves; see {@linkcode createLocalPort}. */
export class LocalPort {
  #name: string;
  #paths: PortPaths;
  #lock: NameLock;
  #listener: Deno.UnixListener;
  #callback: PortCallback | StreamingPortCallback;
  #streaming: boolean;
  #concurrency: number;
  #active = 0;
  #waiting: (() => void)[] = [];
  #channels = new Set<Channel>();
  #valid = true;
  #invalidated: Promise<void> | undefined;
  /** The accept loop, which ends once the listener is closed. */
  #accepting: Promise<void>;
  #onInvalidate: (() => void)[] = [];
  #onError: ((error: unknown, msgid: number) => void) | undefined;
  #maxRequest: number;
  #handled = 0;
  /** Large request buffers to reuse (recycleRequests, the default). */
  #recycled: Uint8Array[] | undefined;
  #running = 0;
  #idle: (() => void)[] = [];
  /** Reports each message to the attached monitors, while any is (`ipckit monitor`). */
  #reporter: PortReporter | undefined;
  /** When each request being handled arrived, while monitored. */
  #arrived: WeakMap<RequestInfo, number> | undefined;
  #onConnections: ((count: number) => void) | undefined;

  /** @internal Use {@linkcode createLocalPort}. */
  constructor(
    name: string,
    paths: PortPaths,
    lock: NameLock,
    listener: Deno.UnixListener,
    callback: PortCallback | StreamingPortCallback,
    streaming: boolean,
    options: LocalPortOptions,
  ) {
    this.#name = name;
    this.#paths = paths;
    this.#lock = lock;
    this.#listener = listener;
    this.#callback = callback;
    this.#streaming = streaming;
    this.#concurrency = Math.max(1, options.concurrency ?? 1);
    if (options.onInvalidate) this.#onInvalidate.push(options.onInvalidate);
    this.#onError = options.onError;
    this.#onConnections = options.onConnections;
    this.#maxRequest = options.maxRequestBytes ?? 1024 * 1024 * 1024;
    if ((options.recycleRequests ?? true) && !streaming) this.#recycled = [];
    this.#accepting = this.#acceptLoop();
  }

  /** The port's name. */
  get name(): string {
    return this.#name;
  }

  /** The socket it listens on. */
  get path(): string {
    return this.#paths.socket;
  }

  /** Whether it still serves. */
  get isValid(): boolean {
    return this.#valid;
  }

  /** How many requests (one-way included) its callback has finished. */
  get handled(): number {
    return this.#handled;
  }

  /** How many connections are open to it (a sender's, until it closes; `connectPort`'s). */
  get connections(): number {
    return this.#channels.size;
  }

  /** Resolves once no request is being handled or answered (at once when none is). */
  drained(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Calls `callback` once when the port is invalidated; returns a function that unregisters it. */
  onInvalidate(callback: () => void): () => void {
    this.#onInvalidate.push(callback);
    return () => {
      const i = this.#onInvalidate.indexOf(callback);
      if (i >= 0) this.#onInvalidate.splice(i, 1);
    };
  }

  /**
   * Stops serving: stops accepting, tells connected senders (their waiting requests fail with
   * "became invalid"), removes the socket and lets go of the name. Requests being handled are
   * given up. Calling it again does nothing.
   */
  invalidate(): Promise<void> {
    this.#invalidated ??= this.#shutdown();
    return this.#invalidated;
  }

  /** Stops serving: {@linkcode invalidate}, under the name every long-lived object has. */
  close(): Promise<void> {
    return this.invalidate();
  }

  /** Stops serving at the end of an `await using` scope ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.invalidate();
  }

  async #shutdown(): Promise<void> {
    this.#valid = false;
    this.#reporter?.close();
    this.#reporter = undefined;
    try {
      this.#listener.close();
    } catch { /* closed already */ }
    // Deno unlinks a Unix listener's socket path once its pending accept has settled: wait for
    // that before letting go of the name, or it could unlink the next owner's socket.
    await this.#accepting;
    for (const channel of this.#channels) {
      channel.close({ code: "invalidated", message: `the port "${this.#name}" was invalidated` });
    }
    this.#channels.clear();
    for (const path of [this.#paths.socket, this.#paths.info]) {
      try {
        await Deno.remove(path);
      } catch { /* gone already */ }
    }
    this.#lock.release();
    for (const callback of this.#onInvalidate.splice(0)) {
      try {
        callback();
      } catch { /* the callback's own business */ }
    }
  }

  async #acceptLoop(): Promise<void> {
    for (;;) {
      let conn: Deno.UnixConn;
      try {
        conn = await this.#listener.accept();
      } catch (error) {
        if (!this.#valid || error instanceof Deno.errors.BadResource) return;
        await new Promise<void>((resolve) => startTimer(50, resolve));
        continue;
      }
      if (!this.#valid) {
        conn.close();
        return;
      }
      this.#serve(conn);
    }
  }

  /**
   * Reports to the monitors whose inboxes are listed in `text` (one a line), or to none: the
   * reporting code loads only once one is attached.
   *
   * @internal told by the broker (a `monitor` frame), or from its file when the port opens.
   */
  async monitors(text: string): Promise<void> {
    if (!this.#reporter && !text.includes("/")) return;
    const { PortReporter, parseMonitors } = await import("./monitor.ts");
    const inboxes = parseMonitors(text);
    if (!this.#valid) return;
    if (inboxes.length === 0) {
      this.#reporter?.close();
      this.#reporter = undefined;
      return;
    }
    if (this.#reporter) this.#reporter.set(inboxes);
    else {
      // The port's files are in the runtime directory's `ports/`.
      const runtimeDir = this.#paths.dir.slice(0, this.#paths.dir.lastIndexOf("/"));
      this.#reporter = new PortReporter(inboxes, runtimeDir);
    }
    this.#arrived ??= new WeakMap();
  }

  /** Reports a request's end to the monitors. */
  #report(info: RequestInfo, msgid: number, reply: PortReply, failure: unknown): void {
    const arrived = this.#arrived?.get(info);
    let size = -1; // one-way, or a stream
    if (!info.oneway) {
      if (reply === undefined || reply === null) size = 0;
      else if (typeof reply === "string") size = encoder.encode(reply).length;
      else if (reply instanceof Uint8Array) size = reply.length;
    }
    this.#reporter!.report({
      port: this.#name,
      msgid,
      size: info.size,
      reply: failure === undefined ? size : -1,
      ms: arrived === undefined ? -1 : performance.now() - arrived,
      oneway: info.oneway,
      ...(failure === undefined ? {} : { error: (failure as Error)?.message ?? String(failure) }),
    });
  }

  #serve(conn: Deno.UnixConn): void {
    const inbound = new Map<number, Inbound>();
    // deno-lint-ignore no-this-alias
    const port = this;
    const receiver: Receiver = {
      target(kind, id, msgid, total, length) {
        if (
          kind !== K_REQUEST && kind !== K_ONEWAY && kind !== K_CHUNK && kind !== K_ONEWAY_CHUNK
        ) {
          return FRESH;
        }
        let entry = inbound.get(id);
        if (!entry) {
          if (kind !== K_CHUNK && kind !== K_ONEWAY_CHUNK) {
            // The usual case: one frame. Its data is the callback's until it is answered.
            if (!port.#recycled) return FRESH;
            return length >= RECYCLE_MIN ? port.#borrow(length) : COPY;
          }
          entry = port.#startInbound(channel, id, msgid, total, kind === K_ONEWAY_CHUNK);
          inbound.set(id, entry);
        }
        if (entry.refused || entry.queue?.discarding) return null;
        if (entry.whole) {
          if (entry.filled + length > entry.announced) {
            entry.refused = "a request longer than its announced length";
            entry.whole = undefined;
            return null;
          }
          if (entry.filled + length > entry.whole.length) {
            // Grown with what arrives, never reserved up front: an announced length is only a
            // claim, and a hundred streams claiming 1 GiB each must not cost 100 GiB.
            const grown = new Uint8Array(
              Math.min(entry.announced, Math.max(2 * entry.whole.length, entry.filled + length)),
            );
            grown.set(entry.whole.subarray(0, entry.filled));
            entry.whole = grown;
          }
          // Read in place: a large request is not copied once more.
          const view = entry.whole.subarray(entry.filled, entry.filled + length);
          entry.filled += length;
          return view;
        }
        return FRESH;
      },
      data(kind, id, msgid, _total, payload) {
        switch (kind) {
          case K_REQUEST:
          case K_ONEWAY:
          case K_CHUNK:
          case K_ONEWAY_CHUNK:
            return port.#inbound(channel, inbound, kind, id, msgid, payload);
          case K_ABORT: {
            const entry = inbound.get(id);
            inbound.delete(id);
            entry?.queue?.error(
              new PortError(
                PORT_STATUS.transportError,
                `the sender gave up: ${decoder.decode(payload ?? EMPTY)}`,
              ),
            );
            return;
          }
        }
        throw new ProtocolError(`a port server got a frame of type ${String.fromCharCode(kind)}`);
      },
      hello(fields) {
        if (fields.v !== PROTOCOL_VERSION) {
          channel.close({
            code: "version",
            message: `protocol mismatch: the sender speaks ipckit protocol ${String(fields.v)} (${
              String(fields.name)
            }), the port "${port.#name}" speaks ${PROTOCOL_VERSION} (ipckit ${IPCKIT_VERSION}); use the same ipckit version on both sides`,
          });
          return;
        }
        channel.write(helloFrame(port.#name));
      },
      monitor(fields) {
        // Closing says the change is in: the broker waits for it.
        port.monitors(String(fields.to ?? "")).catch(() => {}).finally(() => channel.close());
      },
      closed() {
        if (port.#channels.delete(channel) && port.#valid) {
          port.#onConnections?.(port.#channels.size);
        }
        for (const entry of inbound.values()) {
          entry.queue?.error(
            new PortError(PORT_STATUS.transportError, "the sender went away mid-request"),
          );
        }
        inbound.clear();
      },
    };
    const channel = new Channel(conn, receiver);
    this.#channels.add(channel);
    this.#onConnections?.(this.#channels.size);
  }

  /** The first chunk of a streamed request. */
  #startInbound(
    channel: Channel,
    id: number,
    msgid: number,
    total: number,
    oneway: boolean,
  ): Inbound {
    const entry: Inbound = { filled: 0, size: 0, announced: 0, oneway };
    if (this.#streaming) {
      entry.queue = new ChunkQueue();
      const info = { port: this.#name, oneway, size: total };
      this.#run(channel, id, msgid, info, entry.queue.readable, entry);
    } else if (total > this.#maxRequest) {
      entry.refused =
        `a request of ${total} bytes is over this port's limit of ${this.#maxRequest}`;
    } else if (total >= 0) {
      entry.announced = total;
      entry.whole = EMPTY; // grown as the data arrives (see target)
    }
    return entry;
  }

  #inbound(
    channel: Channel,
    inbound: Map<number, Inbound>,
    kind: number,
    id: number,
    msgid: number,
    payload: Uint8Array | null,
  ): void | Promise<void> {
    const entry = inbound.get(id);
    if (!entry) {
      const data = payload ?? EMPTY;
      const info = { port: this.#name, oneway: kind === K_ONEWAY, size: data.length };
      this.#run(channel, id, msgid, info, data);
      return;
    }
    let wait: void | Promise<void> = undefined;
    if (entry.queue) {
      if (payload) wait = entry.queue.push(payload);
    } else if (!entry.whole && !entry.refused && payload) {
      entry.size += payload.length;
      if (entry.size > this.#maxRequest) {
        entry.refused = `a request over this port's limit of ${this.#maxRequest} bytes`;
        entry.parts = undefined;
      } else (entry.parts ??= []).push(payload);
    }
    if (kind === K_CHUNK || kind === K_ONEWAY_CHUNK) return wait;
    inbound.delete(id);
    const oneway = entry.oneway;
    if (entry.queue) {
      const queue = entry.queue;
      if (wait) return wait.then(() => queue.close());
      queue.close();
      return;
    }
    if (entry.refused) {
      if (!oneway) {
        channel.write(dataFrame(K_ERROR, id, msgid, -1, encoder.encode(entry.refused)));
      }
      return;
    }
    let data: Uint8Array;
    if (entry.whole) data = entry.whole.subarray(0, entry.filled);
    else data = concatBytes(entry.parts ?? [], entry.size);
    this.#run(channel, id, msgid, { port: this.#name, oneway, size: data.length }, data);
  }

  /** A buffer of `length` bytes for a request, reused when there is one (recycleRequests). */
  #borrow(length: number): Uint8Array {
    const pool = this.#recycled!;
    for (let i = 0; i < pool.length; i++) {
      if (pool[i].length >= length && pool[i].length <= 2 * length) {
        const [buffer] = pool.splice(i, 1);
        return buffer.subarray(0, length);
      }
    }
    return new Uint8Array(length);
  }

  /**
   * Handles a request: at once when fewer than `concurrency` are being handled, else once one
   * is done. Without a promise of its own: a callback that answers at once has its reply
   * queued before the read loop goes on, to go out with the others of the same read.
   */
  #run(
    channel: Channel,
    id: number,
    msgid: number,
    info: RequestInfo,
    data: Uint8Array | ReadableStream<Uint8Array>,
    streamed?: Inbound,
  ): void {
    this.#running++;
    if (this.#reporter) this.#arrived!.set(info, performance.now());
    if (this.#active < this.#concurrency) {
      this.#active++;
      this.#call(channel, id, msgid, info, data, streamed);
    } else {
      this.#waiting.push(() => this.#call(channel, id, msgid, info, data, streamed));
    }
  }

  /** One slot is free again: the next waiting request takes it (a microtask later). */
  #release(): void {
    const next = this.#waiting.shift();
    if (next) queueMicrotask(next);
    else this.#active--;
  }

  #call(
    channel: Channel,
    id: number,
    msgid: number,
    info: RequestInfo,
    data: Uint8Array | ReadableStream<Uint8Array>,
    streamed: Inbound | undefined,
  ): void {
    if (!this.#valid) return this.#finish(data, streamed);
    let input = data;
    if (this.#streaming && input instanceof Uint8Array) {
      const queue = new ChunkQueue();
      if (input.length > 0) queue.push(input);
      queue.close();
      input = queue.readable;
    }
    let reply: PortReply | Promise<PortReply>;
    try {
      reply = (this.#callback as (m: number, d: unknown, i: RequestInfo) => PortReply)(
        msgid,
        input,
        info,
      );
    } catch (error) {
      return this.#answer(channel, id, msgid, info, data, streamed, undefined, error);
    }
    if (
      reply !== null && typeof reply === "object" &&
      typeof (reply as { then?: unknown }).then === "function"
    ) {
      Promise.resolve(reply).then(
        (value) => this.#answer(channel, id, msgid, info, data, streamed, value, undefined),
        (error) => this.#answer(channel, id, msgid, info, data, streamed, undefined, error),
      );
      return;
    }
    this.#answer(channel, id, msgid, info, data, streamed, reply as PortReply, undefined);
  }

  /** Sends the callback's reply, or its failure; the request is over once it is sent. */
  #answer(
    channel: Channel,
    id: number,
    msgid: number,
    info: RequestInfo,
    data: Uint8Array | ReadableStream<Uint8Array>,
    streamed: Inbound | undefined,
    reply: PortReply,
    failure: unknown,
  ): void {
    if (this.#reporter) this.#report(info, msgid, reply, failure);
    try {
      if (info.oneway) {
        if (failure !== undefined) this.#onError?.(failure, msgid);
        return this.#finish(data, streamed);
      }
      if (channel.isClosed) return this.#finish(data, streamed);
      if (failure !== undefined) {
        const text = (failure as Error)?.message ?? String(failure);
        channel.write(dataFrame(K_ERROR, id, msgid, -1, encoder.encode(text)));
        return this.#finish(data, streamed);
      }
      let body: ByteSource;
      if (reply === undefined || reply === null) body = EMPTY;
      else if (typeof reply === "string") body = encoder.encode(reply);
      else body = reply as ByteSource;
      // Failing to send means the sender went away, or the reply's stream failed and said so.
      sendMessage(channel, REPLY_KINDS, id, msgid, body, () => this.#finish(data, streamed));
    } catch (error) {
      // As from an async function nobody awaits: the request is over, the error unhandled.
      this.#finish(data, streamed);
      Promise.reject(error);
    }
  }

  /** The request is over: its data may be reused (recycleRequests), its slot is free. */
  #finish(data: Uint8Array | ReadableStream<Uint8Array>, streamed: Inbound | undefined): void {
    // What the callback left unread is dropped as it arrives.
    streamed?.queue?.discard();
    if (
      this.#recycled && data instanceof Uint8Array && data.byteLength >= RECYCLE_MIN &&
      data.buffer.byteLength <= MAX_FRAME
    ) {
      if (this.#recycled.length < this.#concurrency + 1) {
        this.#recycled.push(new Uint8Array(data.buffer));
      }
    }
    this.#handled++;
    this.#release();
    if (--this.#running === 0) { for (const resolve of this.#idle.splice(0)) resolve(); }
  }
}

/** The frame kinds of a reply. */
const REPLY_KINDS: MessageKinds = { last: K_REPLY, chunk: K_REPLY_CHUNK, abort: K_ERROR };
/** The frame kinds of a request. */
const REQUEST_KINDS: MessageKinds = { last: K_REQUEST, chunk: K_CHUNK, abort: K_ABORT };
/** The frame kinds of a one-way request. */
const ONEWAY_KINDS: MessageKinds = { last: K_ONEWAY, chunk: K_ONEWAY_CHUNK, abort: K_ABORT };

async function openPort(
  name: string,
  callback: PortCallback | StreamingPortCallback,
  streaming: boolean,
  options: LocalPortOptions,
): Promise<LocalPort> {
  if (typeof callback !== "function") throw new TypeError("a port needs a callback function");
  const { paths, lock, listener } = await bindPortName(name, options);
  const port = new LocalPort(name, paths, lock, listener, callback, streaming, options);
  // The monitors attached before the port was listed (the broker tells it of later ones).
  let monitors = "";
  try {
    monitors = new TextDecoder().decode(
      await readFileNoFollow(`${resolveRuntimeDir(options)}/${MONITORS_FILE}`),
    );
  } catch { /* none attached */ }
  if (monitors) await port.monitors(monitors).catch(() => {});
  return port;
}

/** A port name this process now owns: its files, the lock that makes it ours, its listener. */
export interface BoundPortName {
  /** The name's files. */
  paths: PortPaths;
  /** Held for as long as the name is ours. */
  lock: NameLock;
  /** Listens on the name's socket. */
  listener: Deno.UnixListener;
}

/**
 * Takes a port name: its lock, its socket (a dead owner's is taken over) and the file that
 * names its owner, so that {@linkcode listPorts} lists it. Whoever serves it releases the lock
 * once the listener's accept loop has ended (see `LocalPort.invalidate`).
 *
 * @throws {NameTakenError} when another live process serves the name.
 */
export async function bindPortName(
  name: string,
  options: RuntimeDirOptions = {},
): Promise<BoundPortName> {
  await ensureRuntimeDir(options);
  const paths = await portPaths(name, options);
  checkSocketPath(paths.socket);
  ensureDirSync(paths.dir);
  const lock = await NameLock.tryAcquire(paths.lock);
  if (!lock) {
    let owner = "another process";
    try {
      const info = JSON.parse(new TextDecoder().decode(await readFileNoFollow(paths.info)));
      if (typeof info.pid === "number") owner = `process ${info.pid}`;
    } catch { /* not written yet */ }
    throw new NameTakenError(
      `the port "${name}" is already served by ${owner}; stop that one first or choose another name`,
    );
  }
  let listener: Deno.UnixListener;
  try {
    try {
      await Deno.remove(paths.socket); // a socket left by a dead owner: ours now
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    listener = Deno.listen({ transport: "unix", path: paths.socket });
    await writeFileReplacing(
      paths.info,
      JSON.stringify({ name, pid: Deno.pid, since: new Date().toISOString() }) + "\n",
    );
  } catch (error) {
    lock.release();
    throw error;
  }
  return { paths, lock, listener };
}

/**
 * Creates a local port: takes the name and listens for requests (`CFMessagePortCreateLocal`).
 * The callback gets each request's message id and bytes and returns the reply; requests are
 * handled one at a time unless `concurrency` says otherwise. A callback that throws gives the
 * sender a {@linkcode PortHandlerError} with its message, and the port keeps serving.
 *
 * The callback's `data` is valid until the request's reply has been sent (for a one-way
 * request, until the callback returns or its promise settles), as CFMessagePort's is: then the
 * port reuses its memory for later requests. Copy it (`data.slice()`) to keep it longer, or
 * pass `recycleRequests: false` to get fresh memory for every request.
 *
 * @param name the port's name: 1 to 255 characters.
 * @param callback answers requests.
 * @throws {NameTakenError} when another live process serves the name.
 * @throws {RangeError} when the name is not a port name.
 *
 * @example
 * ```ts
 * import { createLocalPort } from "./ports.ts";
 * const port = await createLocalPort("com.example.echo", (_msgid, data) => data);
 * await port.close();
 * ```
 */
export function createLocalPort(
  name: string,
  callback: PortCallback,
  options: LocalPortOptions = {},
): Promise<LocalPort> {
  return openPort(name, callback, false, options);
}

/**
 * Creates a local port whose callback reads each request as a stream as it arrives, so a
 * request of hundreds of MiB never sits in memory whole; its pace holds the sender back.
 * Otherwise as {@linkcode createLocalPort}.
 *
 * @example
 * ```ts
 * import { createStreamingLocalPort } from "./ports.ts";
 * const port = await createStreamingLocalPort("com.example.count", async (_msgid, data) => {
 *   let n = 0;
 *   for await (const chunk of data) n += chunk.length;
 *   return String(n);
 * });
 * await port.close();
 * ```
 */
export function createStreamingLocalPort(
  name: string,
  callback: StreamingPortCallback,
  options: LocalPortOptions = {},
): Promise<LocalPort> {
  return openPort(name, callback, true, options);
}

// ---------------------------------------------------------------------------------------------
// Remote ports

/** Options of {@linkcode connectPort}. */
export interface ConnectPortOptions extends OpenPortOptions {
  /** Called once when the port becomes invalid (its server went away, or invalidate()). */
  onInvalidate?: () => void;
}

interface Pending {
  resolve: (reply: Uint8Array | null) => void;
  reject: (error: Error) => void;
  parts?: Uint8Array[];
  size: number;
  sink?: (chunk: Uint8Array) => void | Promise<void>;
  /** Its receive timeout, while it waits for the reply. */
  deadline?: Deadline;
}

/** A timeout of one request: `fire` is called at `at` (a `performance.now()` time). */
interface Deadline {
  at: number;
  fire: () => void;
}

/**
 * The timeouts of one remote port's requests on one timer, armed for the earliest of them:
 * arming a timer for each request would cost more than many a request does. Back-to-back
 * requests with the same timeouts never re-arm it. The timer (`startWatchdog`) does not keep the
 * process alive by itself; a request waiting for its reply or its sending does.
 */
class Deadlines {
  #items = new Set<Deadline>();
  #armedAt = Infinity;
  #cancel: (() => void) | undefined;

  /** Calls `fire` in `ms` milliseconds unless removed first. */
  add(ms: number, fire: () => void): Deadline {
    const deadline = { at: performance.now() + ms, fire };
    this.#items.add(deadline);
    if (deadline.at < this.#armedAt) this.#arm(deadline.at);
    return deadline;
  }

  remove(deadline: Deadline): void {
    this.#items.delete(deadline);
  }

  #arm(at: number): void {
    this.#cancel?.();
    this.#armedAt = at;
    this.#cancel = startWatchdog(Math.max(0, at - performance.now()), this.#check);
  }

  #check = (): void => {
    this.#armedAt = Infinity;
    this.#cancel = undefined;
    const now = performance.now();
    let next = Infinity;
    for (const deadline of [...this.#items]) {
      if (deadline.at <= now) {
        this.#items.delete(deadline);
        deadline.fire();
      } else if (this.#items.has(deadline)) next = Math.min(next, deadline.at);
    }
    if (next < this.#armedAt) this.#arm(next);
  };
}

/** A port served by another process, looked up by name; see {@linkcode connectPort}. */
export class RemotePort {
  #name: string;
  #socket: string;
  #channel!: Channel;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #valid = true;
  #reconnect = false;
  #onInvalidate: (() => void)[] = [];
  #serverPid: number | undefined;
  #unrefHops = 0;
  #scratch: Uint8Array | undefined;
  #deadlines = new Deadlines();

  /** @internal Use {@linkcode connectPort}. */
  constructor(name: string, socket: string, conn: Deno.UnixConn, options: ConnectPortOptions) {
    this.#name = name;
    this.#socket = socket;
    if (options.onInvalidate) this.#onInvalidate.push(options.onInvalidate);
    this.#open(conn);
  }

  /** The port's name. */
  get name(): string {
    return this.#name;
  }

  /** Whether the port is still valid (its server is there and it was not invalidated). */
  get isValid(): boolean {
    return this.#valid;
  }

  /** The serving process's id, once its hello arrived. */
  get serverPid(): number | undefined {
    return this.#serverPid;
  }

  /** Calls `callback` once when the port becomes invalid; returns a function that unregisters it. */
  onInvalidate(callback: () => void): () => void {
    if (!this.#valid) {
      callback();
      return () => {};
    }
    this.#onInvalidate.push(callback);
    return () => {
      const i = this.#onInvalidate.indexOf(callback);
      if (i >= 0) this.#onInvalidate.splice(i, 1);
    };
  }

  /**
   * Closes the connection (`CFMessagePortInvalidate`); waiting requests fail with status -3
   * (invalid). Resolves once it is closed; calling it again does nothing.
   */
  invalidate(): Promise<void> {
    if (!this.#valid) return Promise.resolve();
    this.#becomeInvalid(
      new PortError(PORT_STATUS.isInvalid, `the port "${this.#name}" was invalidated`),
    );
    this.#channel.close();
    return Promise.resolve();
  }

  /** Closes the connection: {@linkcode invalidate}, under the name every long-lived object has. */
  close(): Promise<void> {
    return this.invalidate();
  }

  /** Closes the connection at the end of an `await using` scope ({@linkcode close}). */
  [Symbol.asyncDispose](): Promise<void> {
    return this.invalidate();
  }

  #open(conn: Deno.UnixConn): void {
    // deno-lint-ignore no-this-alias
    const port = this;
    const receiver: Receiver = {
      target(kind, id, _msgid, _total, length) {
        const entry = port.#pending.get(id);
        if (!entry && kind !== K_ERROR) return null;
        if (entry?.sink && length >= RECYCLE_MIN) {
          // Handed to onReplyChunk and awaited before the next read: one buffer serves all.
          if (!port.#scratch || port.#scratch.length < length) {
            port.#scratch = new Uint8Array(length);
          }
          return port.#scratch.subarray(0, length);
        }
        return FRESH;
      },
      data(kind, id, _msgid, _total, payload) {
        const entry = port.#pending.get(id);
        if (!entry) return;
        switch (kind) {
          case K_REPLY_CHUNK:
          case K_REPLY: {
            if (kind === K_REPLY && !entry.sink && !entry.parts) {
              // The usual case: a reply in one frame, in fresh memory of its own.
              if (port.#settle(id, true)) entry.resolve(payload ?? new Uint8Array(0));
              return;
            }
            let wait: void | Promise<void> = undefined;
            if (entry.sink) {
              if (payload && payload.length > 0) wait = entry.sink(payload);
            } else if (payload && payload.length > 0) {
              (entry.parts ??= []).push(payload);
              entry.size += payload.length;
            }
            if (kind === K_REPLY_CHUNK) return wait;
            const finish = () => {
              if (!port.#settle(id, true)) return;
              if (entry.sink) return entry.resolve(null);
              entry.resolve(concatBytes(entry.parts ?? [], entry.size));
            };
            if (wait) {
              return wait.then(finish, (error) => {
                if (port.#settle(id, true)) entry.reject(error);
              });
            }
            finish();
            return;
          }
          case K_ERROR:
            if (port.#settle(id, true)) {
              entry.reject(
                new PortHandlerError(
                  PORT_STATUS.transportError,
                  `the port "${port.#name}" failed to handle the request (handler failed, status -4): ${
                    decoder.decode(payload ?? EMPTY)
                  }`,
                ),
              );
            }
            return;
        }
        throw new ProtocolError(`a port sender got a frame of type ${String.fromCharCode(kind)}`);
      },
      hello(fields) {
        if (fields.v !== PROTOCOL_VERSION) {
          const error = new ProtocolError(
            `protocol mismatch: the port "${port.#name}" speaks ipckit protocol ${
              String(fields.v)
            } (${String(fields.name)}), this ipckit speaks ${PROTOCOL_VERSION}`,
          );
          port.#becomeInvalid(error);
          channel.close();
          return;
        }
        if (typeof fields.pid === "number") port.#serverPid = fields.pid;
      },
      idle(which) {
        // A microtask after the last reply was handed over: a caller that sends requests back
        // to back has sent the next one by now, and the reference does not flip each time.
        if (port.#pending.size === 0) which.ref(false);
      },
      closed(error, bye) {
        if (channel !== port.#channel) return;
        if (port.#reconnect) {
          // We cut the connection ourselves after a send timeout: the next request reconnects.
          port.#failPending(
            new PortError(PORT_STATUS.transportError, "the connection was reset"),
          );
          return;
        }
        const why = error instanceof ProtocolError
          ? new PortError(
            PORT_STATUS.transportError,
            `the port "${port.#name}" broke the protocol (transport error, status -4): ${error.message}`,
            { cause: error },
          )
          : new PortError(
            PORT_STATUS.becameInvalid,
            `the port "${port.#name}" became invalid (status -5): ${
              bye ? "its server closed the connection" : "its server went away"
            }${error ? ` (${error.message})` : ""}`,
            { cause: error },
          );
        port.#becomeInvalid(why);
      },
    };
    const channel = new Channel(conn, receiver);
    channel.write(helloFrame(this.#name));
    this.#channel = channel;
    this.#reconnect = false;
    channel.ref(false);
  }

  #becomeInvalid(error: Error): void {
    if (!this.#valid) return;
    this.#valid = false;
    this.#failPending(error);
    for (const callback of this.#onInvalidate.splice(0)) {
      try {
        callback();
      } catch { /* the callback's own business */ }
    }
  }

  #failPending(error: Error): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id)?.reject(error);
  }

  /**
   * Takes request `id` off the waiting ones. Once none waits, the connection lets the process
   * end: when the channel is about to wait for more (after a reply, `answered`), else a few
   * microtasks later.
   */
  #settle(id: number, answered = false): Pending | undefined {
    const entry = this.#pending.get(id);
    if (!entry) return undefined;
    this.#pending.delete(id);
    if (entry.deadline) this.#deadlines.remove(entry.deadline);
    if (this.#pending.size === 0 && !answered) this.#scheduleUnref();
    return entry;
  }

  #scheduleUnref(): void {
    if (this.#unrefHops > 0) return;
    // A few microtasks later: back-to-back requests should not flip the reference each time.
    this.#unrefHops = 4;
    queueMicrotask(this.#unrefCheck);
  }

  #unrefCheck = (): void => {
    if (--this.#unrefHops > 0) return queueMicrotask(this.#unrefCheck);
    if (this.#pending.size === 0) this.#channel.ref(false);
  };

  /**
   * Sends a request (`CFMessagePortSendRequest`) and resolves with the reply's bytes, or
   * `null` for a one-way send.
   *
   * @param msgid the message id, a 32-bit integer the callback gets.
   * @param data the request: bytes, text, or a stream (sent in chunks as it is read).
   * @throws {PortTimeoutError} status -1 when sending took over `sendTimeout`, -2 when no
   *   reply came within `receiveTimeout`.
   * @throws {PortHandlerError} when the callback failed; the message is its.
   * @throws {PortError} status -3 when the port is invalid, -4 on a transport error, -5 when
   *   the port became invalid during the request (its server went away).
   */
  sendRequest(
    msgid: number,
    data: ByteSource | string = EMPTY,
    options: SendRequestOptions = {},
  ): Promise<Uint8Array | null> {
    if (!Number.isInteger(msgid) || msgid < -0x80000000 || msgid > 0x7fffffff) {
      return Promise.reject(new RangeError(`a message id is a 32-bit integer, not ${msgid}`));
    }
    if (!this.#valid) {
      return Promise.reject(
        new PortError(
          PORT_STATUS.isInvalid,
          `the port "${this.#name}" is invalid (status -3): it was invalidated or its server went away`,
        ),
      );
    }
    if (this.#reconnect || this.#channel.isClosed) {
      return this.#reopen().then(() => this.sendRequest(msgid, data, options));
    }
    return new Promise<Uint8Array | null>((resolve, reject) => {
      this.#send(msgid, data, options, resolve, reject);
    });
  }

  #send(
    msgid: number,
    data: ByteSource | string,
    options: SendRequestOptions,
    resolve: (reply: Uint8Array | null) => void,
    reject: (error: Error) => void,
  ): void {
    const channel = this.#channel;
    const body = typeof data === "string" ? encoder.encode(data) : data;
    const oneway = options.oneway ?? false;
    const id = this.#nextId++;
    const sendTimeout = options.sendTimeout ?? 0;
    const receiveTimeout = options.receiveTimeout ?? 0;
    let entry: Pending | undefined;
    if (!oneway) {
      entry = { resolve, reject, size: 0, sink: options.onReplyChunk };
      this.#pending.set(id, entry);
    }
    channel.ref(true);
    let sendDeadline: Deadline | undefined;
    let sent = false;
    const done = (error?: unknown) => {
      sent = true;
      if (sendDeadline) this.#deadlines.remove(sendDeadline);
      if (error !== undefined) {
        if (entry && !this.#settle(id)) return; // already answered, or timed out
        if (!entry && this.#pending.size === 0) this.#scheduleUnref();
        return reject(this.#sendFailure(error));
      }
      if (oneway) {
        if (this.#pending.size === 0) this.#scheduleUnref();
        return resolve(null);
      }
      if (receiveTimeout > 0 && this.#pending.has(id)) {
        entry!.deadline = this.#deadlines.add(receiveTimeout * 1000, () => {
          if (!this.#settle(id)) return;
          reject(
            new PortTimeoutError(
              PORT_STATUS.receiveTimeout,
              `no reply from the port "${this.#name}" within ${receiveTimeout} s (receive timeout, status -2)`,
            ),
          );
        });
      }
    };
    const job = sendMessage(
      channel,
      oneway ? ONEWAY_KINDS : REQUEST_KINDS,
      id,
      msgid,
      body,
      done,
    );
    if (sendTimeout > 0 && !sent) {
      sendDeadline = this.#deadlines.add(sendTimeout * 1000, () => {
        if (sent) return;
        sent = true;
        if (entry) this.#settle(id);
        else if (this.#pending.size === 0) this.#scheduleUnref();
        reject(
          new PortTimeoutError(
            PORT_STATUS.sendTimeout,
            `could not send to the port "${this.#name}" within ${sendTimeout} s (send timeout, status -1): its server is not reading`,
          ),
        );
        if (job.started) {
          // Part of a frame went out: this connection cannot carry another. The next request
          // reconnects; the others waiting on it fail with a transport error.
          this.#reconnect = true;
          channel.close();
        } else job.cancelled = true;
      });
    }
  }

  #sendFailure(error: unknown): Error {
    if (error instanceof SourceError) return error;
    if (error instanceof PortError && error.status === PORT_STATUS.transportError) {
      return new PortError(
        PORT_STATUS.transportError,
        `sending to the port "${this.#name}" failed (transport error, status -4): ${error.message}`,
        { cause: error },
      );
    }
    return error as Error;
  }

  async #reopen(): Promise<void> {
    let conn: Deno.UnixConn;
    try {
      conn = await Deno.connect({ transport: "unix", path: this.#socket });
    } catch (error) {
      const invalid = new PortError(
        PORT_STATUS.isInvalid,
        `the port "${this.#name}" is invalid (status -3): its server went away`,
        { cause: error },
      );
      this.#becomeInvalid(invalid);
      throw invalid;
    }
    this.#open(conn);
  }
}

/**
 * Looks up a port by name and connects to it (`CFMessagePortCreateRemote`).
 *
 * @throws {NotFoundError} when no live process serves the name.
 *
 * @example
 * ```ts
 * import { connectPort, NotFoundError } from "../mod.ts";
 * try {
 *   const port = await connectPort("com.example.nobody");
 *   await port.close();
 * } catch (error) {
 *   if (!(error instanceof NotFoundError)) throw error;
 * }
 * ```
 */
export async function connectPort(
  name: string,
  options: ConnectPortOptions = {},
): Promise<RemotePort> {
  const { conn, socket } = await openPortSocket(name, options);
  return new RemotePort(name, socket, conn, options);
}

// ---------------------------------------------------------------------------------------------
// Listing

/** A live port, as {@linkcode listPorts} finds it. */
export interface PortInfo {
  /** The port's name. */
  name: string;
  /** The serving process. */
  pid: number;
  /** When it started serving. */
  since: Date;
  /** Its socket. */
  socket: string;
}

/**
 * The live ports in the runtime directory: those whose socket answers. Files left by a
 * killed owner are not listed (the next owner of the name takes them over).
 */
export async function listPorts(options: RuntimeDirOptions = {}): Promise<PortInfo[]> {
  const dir = `${resolveRuntimeDir(options)}/ports`;
  const found: Promise<PortInfo | undefined>[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      if (!entry.isFile || !entry.name.endsWith(".json")) continue;
      const base = `${dir}/${entry.name.slice(0, -".json".length)}`;
      found.push((async () => {
        try {
          const info = JSON.parse(
            new TextDecoder().decode(await readFileNoFollow(`${base}.json`)),
          );
          if (typeof info.name !== "string" || typeof info.pid !== "number") return undefined;
          const conn = await Deno.connect({ transport: "unix", path: `${base}.sock` });
          conn.close();
          return {
            name: info.name,
            pid: info.pid,
            since: new Date(info.since),
            socket: `${base}.sock`,
          };
        } catch {
          return undefined;
        }
      })());
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
  const ports = (await Promise.all(found)).filter((p): p is PortInfo => p !== undefined);
  return ports.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}
