/**
 * The work of `ipckit copy` (see `copy.ts`), loaded only when it runs.
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { spec } from "./copy.ts";
import { pasteboardName } from "./_pboard.ts";
import { ExitError, UsageError } from "../_errors.ts";
import { writeStderr, writeStdout } from "../_io.ts";
import { desktopFor, quickClear, quickWrite } from "../../lib/pasteboard/once.ts";
import { concatBytes } from "../../lib/wire/bytes.ts";
import type { Pasteboard, UploadedData } from "../../lib/pasteboard/pasteboard.ts";

/** The command line of `ipckit copy`, parsed. */
type CopyInvocation = InvocationOf<typeof spec>;

/** Runs `ipckit copy`. */
export async function run(invocation: CopyInvocation): Promise<number> {
  // Start-up is what a copy pays most for: this function is compiled on every run, so the
  // other forms are functions of their own, compiled only when used.
  const options = invocation.options;
  if (options.clear || options.rep.length > 0 || invocation.args.length > 0) {
    return await copyOther(invocation);
  }
  // The common case: standard input (or --text), one item of one representation.
  const name = pasteboardName(options);
  const { type } = options;
  const explicit = type === undefined ? undefined : await checkType(type);
  const target = targetFor(name, invocation);
  const trim = options.trimNewline === true;
  try {
    const input = options.text !== undefined
      ? textInput(options.text, trim)
      : await readInput(target, Deno.stdin, trim);
    let stdinType = explicit ?? inferType(input);
    if (stdinType === "public.plain-text" && input.utf8) stdinType = "public.utf8-plain-text";
    const result = await target.write([{ [stdinType]: input.data }], options.append === true);
    if (options.json || options.yaml) {
      await printResult(name, result, options.yaml ? "yaml" : "json");
    }
    return 0;
  } finally {
    await target.close();
  }
}

/** The pasteboard a copy writes to, as its options say. */
function targetFor(name: string, invocation: CopyInvocation): Target {
  const { local, pasteOnce } = invocation.options;
  return new Target(name, invocation.runtimeDir, local === true, pasteOnce === true);
}

/** `--json` (or `--yaml`): the change count, and the type published to the desktop. */
async function printResult(
  name: string,
  result: { changeCount: number; desktopType?: string; desktopTypes?: string[] },
  format: "json" | "yaml",
): Promise<void> {
  const fields = {
    pasteboard: name,
    changeCount: result.changeCount,
    ...(result.desktopType ? { desktop: result.desktopType } : {}),
    ...(result.desktopTypes ? { desktopTypes: result.desktopTypes } : {}),
  };
  if (format === "json") return await writeStdout(JSON.stringify(fields) + "\n");
  const { toYaml } = await import("../../lib/wire/yaml.ts");
  await writeStdout(await toYaml({ ...fields, changeCount: BigInt(result.changeCount) }));
}

/** `copy --clear`, `copy --rep TYPE=FILE…` and `copy FILE…`. */
async function copyOther(invocation: CopyInvocation): Promise<number> {
  const options = invocation.options;
  const { rep: reps, type } = options;
  const files = invocation.args;
  if (options.clear && options.pasteOnce) throw new UsageError("--paste-once goes with data");
  if (options.clear && options.append) {
    throw new UsageError("--clear empties the pasteboard and --append adds to it: give one");
  }
  if (options.clear && (reps.length > 0 || files.length > 0 || type)) {
    throw new UsageError("--clear empties the pasteboard; it takes no files, --rep or --type");
  }
  if (options.text !== undefined) {
    throw new UsageError(
      "--text is the data to copy; it takes no files (FILE… are files, not text), --rep or --clear",
    );
  }
  if (options.trimNewline) {
    throw new UsageError("--trim-newline goes with standard input or --text");
  }
  if (reps.length > 0 && files.length > 0) {
    throw new UsageError("use either FILE… (one item each) or --rep TYPE=FILE (one item)");
  }
  if (reps.length > 0 && type) {
    throw new UsageError("--type names the type of FILE or standard input; --rep has its own");
  }
  const name = pasteboardName(options);
  const explicit = type === undefined ? undefined : await checkType(type);
  const target = targetFor(name, invocation);
  const append = options.append === true;
  try {
    let result: { changeCount: number; desktopType?: string; desktopTypes?: string[] };
    if (options.clear) {
      result = { changeCount: await quickClear(name, { runtimeDir: invocation.runtimeDir }) };
    } else if (reps.length > 0) {
      const item: Record<string, Data> = {};
      let stdinUsed = false;
      for (const rep of reps) {
        const eq = rep.lastIndexOf("=");
        if (eq <= 0 || eq === rep.length - 1) {
          throw new UsageError(
            `--rep takes TYPE=FILE, as in --rep public.html=page.html, not "${rep}"`,
          );
        }
        const repType = await checkType(rep.slice(0, eq));
        const path = rep.slice(eq + 1);
        if (repType in item) throw new UsageError(`--rep gives ${repType} twice`);
        if (path === "-") {
          if (stdinUsed) throw new UsageError("only one --rep can read standard input");
          stdinUsed = true;
        }
        const input = await readInput(
          target,
          path === "-" ? Deno.stdin : await openFile(path),
        );
        item[repType === "public.plain-text" && input.utf8 ? "public.utf8-plain-text" : repType] =
          input.data;
      }
      result = await target.write([item], append);
    } else {
      const { fileUrl } = await import("../../lib/pasteboard/derive.ts");
      const { utiForPath, conformsTo } = await import("../../lib/uti.ts");
      const items: Record<string, Data>[] = [];
      for (const path of files) {
        const input = await readInput(target, await openFile(path));
        const byName = explicit ?? await utiForPath(path);
        let fileType = byName ?? inferType(input);
        if (
          conformsTo(fileType, "public.plain-text") && fileType !== "public.utf16-plain-text" &&
          fileType !== "public.utf16-external-plain-text" && input.utf8
        ) fileType = "public.utf8-plain-text";
        const absolute = await Deno.realPath(path);
        const item: Record<string, Data> = { [fileType]: input.data };
        if (fileType !== "public.file-url") {
          item["public.file-url"] = new TextEncoder().encode(`${fileUrl(absolute)}\r\n`);
        }
        items.push(item);
      }
      result = await target.write(items, append);
    }
    if (options.json || options.yaml) {
      await printResult(name, result, options.yaml ? "yaml" : "json");
    }
    return 0;
  } finally {
    await target.close();
  }
}

/** A type given on the command line as a UTI (a usage error when it is neither UTI nor MIME). */
async function checkType(type: string): Promise<string> {
  const { normalizeType } = await import("../../lib/uti.ts");
  try {
    return normalizeType(type);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The data of one representation: bytes when small, else already uploaded. */
type Data = Uint8Array | UploadedData;

/**
 * Where `copy` writes: small data in one request ({@linkcode quickWrite}, the hot path, which
 * loads no pasteboard client), large data through a {@linkcode Pasteboard}, made when the first
 * large input needs uploading.
 */
class Target {
  #name: string;
  #runtimeDir: string | undefined;
  #local: boolean;
  #board: Pasteboard | undefined;

  #pasteOnce: boolean;

  constructor(name: string, runtimeDir: string | undefined, local: boolean, pasteOnce = false) {
    this.#name = name;
    this.#runtimeDir = runtimeDir;
    this.#local = local;
    this.#pasteOnce = pasteOnce;
  }

  /** Sends large data ahead of the write ({@linkcode Pasteboard.upload}). */
  async upload(stream: ReadableStream<Uint8Array>): Promise<UploadedData> {
    if (!this.#board) {
      const { Pasteboard } = await import("../../lib/pasteboard/pasteboard.ts");
      this.#board = Pasteboard.named(this.#name, {
        runtimeDir: this.#runtimeDir,
        ...(this.#local ? { desktop: false as const } : {}),
      });
    }
    return await this.#board.upload(stream);
  }

  /** Writes the items; returns the change count and the desktop's type when published. */
  async write(
    items: Record<string, Data>[],
    append: boolean,
  ): Promise<{ changeCount: number; desktopType?: string; desktopTypes?: string[] }> {
    const pasteOnce = this.#pasteOnce;
    if (this.#board) return await this.#board.writeItemsDetailed(items, { append, pasteOnce });
    const wire = items.map((item) =>
      Object.entries(item).map(([type, data]) => ({ type, data: data as Uint8Array }))
    );
    return await quickWrite(this.#name, wire, {
      append,
      pasteOnce,
      desktop: await desktopFor(this.#name, this.#local),
      runtimeDir: this.#runtimeDir,
    });
  }

  /** Hands over and closes the pasteboard client, when one was made. */
  async close(): Promise<void> {
    await this.#board?.close();
  }
}

/** What was read from a file or standard input. */
interface Input {
  /** The data: bytes when small, else already uploaded. */
  data: Data;
  /** The first 64 bytes (for magic numbers). */
  head: Uint8Array;
  /** Whether all of it is valid UTF-8. */
  utf8: boolean;
}

/** Input up to this size is kept in memory and sent inline (the broker's inline limit). */
const SMALL = 256 * 1024;

/** Something to read from: standard input or an open file. */
interface Source {
  readSync(buffer: Uint8Array): number | null;
  read(buffer: Uint8Array): Promise<number | null>;
  close(): void;
}

/** `--text`: the text itself (without its last newline, with `--trim-newline`). */
function textInput(text: string, trim: boolean): Input {
  let data = new TextEncoder().encode(text);
  if (trim && data[data.length - 1] === 0x0a) data = data.subarray(0, data.length - 1);
  return { data, head: data.subarray(0, 64), utf8: true };
}

/**
 * Reads input: small input into memory with blocking reads (no streams, no trip through the
 * runtime's thread pool: this is the hot path); large input is streamed to the broker while it
 * is checked for UTF-8, so memory stays bounded. With `trim`, a last newline is left out (as
 * `wl-copy --trim-newline` does).
 */
async function readInput(target: Target, source: Source, trim = false): Promise<Input> {
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    while (size <= SMALL) {
      const buffer = new Uint8Array(size === 0 ? 16 * 1024 : 64 * 1024);
      const n = source.readSync(buffer);
      if (n === null) {
        source.close();
        let data = concatBytes(parts, size);
        if (trim && data[data.length - 1] === 0x0a) data = data.subarray(0, data.length - 1);
        return { data, head: data.subarray(0, 64), utf8: isUtf8(data) };
      }
      parts.push(buffer.subarray(0, n));
      size += n;
    }
  } catch (error) {
    source.close();
    throw error;
  }
  return await uploadInput(target, source, concatBytes(parts, size), trim);
}

/** Streams the rest of large input to the broker after its `first` bytes (see {@linkcode readInput}). */
async function uploadInput(
  target: Target,
  source: Source,
  first: Uint8Array,
  trim: boolean,
): Promise<Input> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let utf8 = true;
  const check = (chunk: Uint8Array) => {
    if (!utf8) return;
    try {
      decoder.decode(chunk, { stream: true });
    } catch {
      utf8 = false;
    }
  };
  check(first);
  // With `trim`, a newline that ends a chunk waits: it goes out only if more follows.
  let held = false;
  const hold = (chunk: Uint8Array): Uint8Array => {
    if (!trim || chunk[chunk.length - 1] !== 0x0a) return chunk;
    held = true;
    return chunk.subarray(0, chunk.length - 1);
  };
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(hold(first));
    },
    async pull(controller) {
      const buffer = new Uint8Array(1024 * 1024);
      let n: number | null;
      try {
        n = await source.read(buffer);
      } catch (error) {
        source.close();
        throw error;
      }
      if (n === null) {
        if (utf8) {
          try {
            decoder.decode();
          } catch {
            utf8 = false;
          }
        }
        source.close();
        controller.close();
        return;
      }
      const chunk = buffer.subarray(0, n);
      check(chunk);
      if (held && n > 0) {
        held = false;
        controller.enqueue(new Uint8Array([0x0a]));
      }
      controller.enqueue(hold(chunk));
    },
    cancel() {
      source.close();
    },
  }, { highWaterMark: 0 });
  const data = await target.upload(rest);
  return { data, head: first.subarray(0, 64), utf8 };
}

/** Whether the bytes are valid UTF-8. */
/** Whether `bytes` is valid UTF-8 (as a fatal `TextDecoder` says). */
export function isUtf8(bytes: Uint8Array): boolean {
  // Short ASCII text, the most common input, is told by a quick look (a built-in over all the
  // bytes at once); other short input by a loop: a decoder's first use, and the exception it
  // throws for bytes that are not UTF-8, cost more.
  if (bytes.length > 4096) {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      return true;
    } catch {
      return false;
    }
  }
  if (Math.max.apply(null, bytes as unknown as number[]) < 0x80) return true;
  const n = bytes.length;
  for (let i = 0; i < n;) {
    const c = bytes[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    // The bytes after a lead byte, and the range of the first of them (no overlong forms, no
    // surrogates, nothing over U+10FFFF).
    let extra: number, low = 0x80, high = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) extra = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      extra = 2;
      if (c === 0xe0) low = 0xa0;
      else if (c === 0xed) high = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      extra = 3;
      if (c === 0xf0) low = 0x90;
      else if (c === 0xf4) high = 0x8f;
    } else return false;
    if (i + extra >= n) return false;
    if (bytes[i + 1] < low || bytes[i + 1] > high) return false;
    for (let k = 2; k <= extra; k++) {
      if (bytes[i + k] < 0x80 || bytes[i + k] > 0xbf) return false;
    }
    i += extra + 1;
  }
  return true;
}

/**
 * The type of content by unmistakable signs only: PNG, JPEG, GIF, PDF, and as pbcopy does, RTF
 * (`{\rtf1`) and EPS (`%!PS-Adobe-… EPSF`); else valid UTF-8 is text, anything else bytes.
 */
function inferType(input: { head: Uint8Array; utf8: boolean }): string {
  const h = input.head;
  const first = h[0];
  if (
    first !== 0x89 && first !== 0xff && first !== 0x47 && first !== 0x25 && first !== 0x7b
  ) {
    return input.utf8 ? "public.utf8-plain-text" : "public.data"; // no magic number starts so
  }
  const starts = (...bytes: number[]) => bytes.every((b, i) => h[i] === b);
  if (first === 0x7b || first === 0x25) {
    const line = String.fromCharCode(
      ...h.subarray(0, h.indexOf(0x0a) < 0 ? h.length : h.indexOf(0x0a)),
    );
    if (line.startsWith("{\\rtf1")) return "public.rtf";
    if (line.startsWith("%!PS-Adobe-") && line.includes(" EPSF-")) {
      return "com.adobe.encapsulated-postscript";
    }
  }
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return "public.png";
  if (starts(0xff, 0xd8, 0xff)) return "public.jpeg";
  if (starts(0x47, 0x49, 0x46, 0x38) && (h[4] === 0x37 || h[4] === 0x39) && h[5] === 0x61) {
    return "com.compuserve.gif";
  }
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return "com.adobe.pdf";
  if (input.utf8) return "public.utf8-plain-text";
  return "public.data";
}

async function openFile(path: string): Promise<Deno.FsFile> {
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) throw new UsageError(`cannot copy ${path}: it is a directory`);
    return await Deno.open(path, { read: true });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      writeStderr(`ipckit: cannot copy ${path}: no such file`);
      throw new ExitError(1, "");
    }
    throw error;
  }
}
