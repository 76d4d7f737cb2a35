/**
 * The channel: one port connection, either side's. Frames go out in order (small ones queued
 * meanwhile go out together in one write) and come in one at a time, handed to a
 * {@linkcode Receiver}; small frames whole in one read are handled without an await each.
 * Local ports, remote ports and Distributed Objects (`../distributed/`) speak through it.
 *
 * @module
 */

import { IpcError, PORT_STATUS, PortError, ProtocolError } from "../errors.ts";
import { readInt64, readUint32 } from "../wire/bytes.ts";
import { type ByteSource, chunksOf } from "../transport/chunks.ts";
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
  HEADER,
  isDataFrame,
  MAX_CONTROL,
  MAX_FRAME,
  MAX_WHOLE,
  type MessageKinds,
  PREFIX,
  READ_BUFFER,
  readControl,
  SourceError,
  writeChunked,
} from "./protocol.ts";

/** What {@linkcode Receiver.target} returns for "a fresh array of its own". */
export const FRESH = new Uint8Array(0);
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
export type Done = (error?: unknown) => void;

function ignore(): void {}

/** A write queued on a channel: `started` once it began, `cancelled` to drop it before. */
export interface WriteJob {
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
export function sendMessage(
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
