/**
 * The work of `ipckit paste` (see `paste.ts`), loaded only when it runs.
 *
 * @module
 */

import type { Invocation } from "./_spec.ts";
import { ExitError, UsageError } from "./_errors.ts";
import { onInterrupt, writeReadyFile, writeStdout } from "./_io.ts";
import type { PasteboardMissing, PasteboardReading } from "../lib/pasteboard/pasteboard.ts";
import type { DesktopEnv } from "../lib/pasteboard/desktop.ts";
import { desktopFor, quickInfo, quickRead, type QuickReading } from "../lib/pasteboard/_quick.ts";

/** Runs `ipckit paste`. */
export async function run(invocation: Invocation): Promise<number> {
  // Start-up is what a paste pays most for: this function is compiled on every run, so the
  // less common forms are functions of their own, compiled only when used.
  const options = invocation.options;
  const name = (options.pboard as string | undefined) ?? "general";
  if (name === "" || name.length > 255) {
    throw new UsageError("--pboard takes a name of 1 to 255 characters");
  }
  const prefer = (options.prefer as string[] | undefined) ?? [];
  const wanted = options.type !== undefined || prefer.length > 0 ? await wantedTypes(options) : [];
  if (options.mime && !options.listTypes) throw new UsageError("--mime goes with --list-types");
  if ((options.readyFile || invocation.exec) && !options.watch) {
    throw new UsageError("--ready-file and --exec go with --watch");
  }
  if (options.watch) return await watch(name, wanted, invocation);
  if (options.changeCount) return await printChangeCount(name, invocation);
  const desktop = await desktopFor(name, options.local === true);
  if (options.listTypes) return await listTypes(name, desktop, invocation);
  // Reading once: one request to the broker (see lib/pasteboard/_quick.ts).
  const item = options.item as number | undefined;
  const runtimeDir = invocation.runtimeDir;
  const reading = await quickRead(name, wanted, { runtimeDir, item, unlessDesktop: !!desktop });
  if ("desktop" in reading) return await pasteDesktop(name, wanted, desktop!, invocation);
  if ("missing" in reading) throw missingError(name, wanted, reading.held, false, item);
  return await output(reading, options.json === true);
}

/** Prints what the broker gave: as `--json`, or the bytes, whole or from its file. */
async function output(reading: QuickReading, json: boolean): Promise<number> {
  if (json) await outputJson(reading, false);
  else if (reading.bytes) await writeStdout(reading.bytes);
  else await outputFile(reading.file!);
  return 0;
}

/** The types of `--type` and `--prefer`, in order, as UTIs. */
async function wantedTypes(options: Record<string, unknown>): Promise<string[]> {
  const { normalizeType } = await import("../lib/uti.ts");
  const wanted: string[] = [];
  try {
    if (options.type !== undefined) wanted.push(normalizeType(options.type as string));
    for (const entry of (options.prefer as string[] | undefined) ?? []) {
      for (const t of entry.split(",")) if (t.trim() !== "") wanted.push(normalizeType(t));
    }
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return wanted;
}

/** `--change-count`. */
async function printChangeCount(name: string, invocation: Invocation): Promise<number> {
  const count = (await quickInfo(name, { runtimeDir: invocation.runtimeDir })).changeCount;
  await writeStdout(
    invocation.options.json
      ? JSON.stringify({ pasteboard: name, changeCount: count }) + "\n"
      : `${count}\n`,
  );
  return 0;
}

/**
 * Pastes when the general pasteboard's mirror no longer owns the desktop clipboard: what the
 * desktop holds, when it holds anything, else the pasteboard's.
 */
async function pasteDesktop(
  name: string,
  wanted: string[],
  desktop: DesktopEnv,
  invocation: Invocation,
): Promise<number> {
  const options = invocation.options;
  const item = options.item as number | undefined;
  const { desktopHolding, readDesktopClipboard } = await import("../lib/pasteboard/desktop.ts");
  const holding = await desktopHolding(desktop);
  if (holding) {
    const read = await readDesktopClipboard(holding, wanted);
    if ("held" in read) throw missingError(name, wanted, read.held, true, item);
    const reading = { type: read.type, item: 0, size: read.data.length, bytes: read.data };
    if (options.json) await outputJson(reading, true);
    else await writeStdout(read.data);
    return 0;
  }
  const reading = await quickRead(name, wanted, { runtimeDir: invocation.runtimeDir, item });
  if ("desktop" in reading) throw new Error("the broker answered for the desktop unasked");
  if ("missing" in reading) throw missingError(name, wanted, reading.held, false, item);
  return await output(reading, options.json === true);
}

/**
 * `--list-types`: the desktop's types when it holds something copied elsewhere, else the
 * pasteboard's (with `--item`, that item's).
 */
async function listTypes(
  name: string,
  desktop: DesktopEnv | undefined,
  invocation: Invocation,
): Promise<number> {
  const options = invocation.options;
  const info = await quickInfo(name, { runtimeDir: invocation.runtimeDir });
  let list: string[] | undefined;
  if (desktop && !info.desktopHolds) {
    const { desktopHolding, utisForTargets } = await import("../lib/pasteboard/desktop.ts");
    const holding = await desktopHolding(desktop);
    if (holding) list = utisForTargets(holding.targets);
  }
  list ??= [...new Set(info.items.flat())];
  if (options.item !== undefined) {
    const item = info.items[options.item as number];
    if (!item) {
      throw new ExitError(
        3,
        `the ${name} pasteboard has no item ${options.item} (it holds ${info.items.length})`,
      );
    }
    list = item;
  }
  if (list.length === 0) throw new ExitError(3, `the ${name} pasteboard is empty`);
  const { mimeTypeOrData } = await import("../lib/uti.ts");
  if (options.json) {
    await writeStdout(
      JSON.stringify(list.map((type) => ({ type, mime: mimeTypeOrData(type) }))) + "\n",
    );
  } else {
    const lines = options.mime ? [...new Set(list.map((t) => mimeTypeOrData(t)))] : list;
    await writeStdout(lines.map((l) => `${l}\n`).join(""));
  }
  return 0;
}

function missingError(
  name: string,
  wanted: string[],
  held: string[],
  fromDesktop: boolean,
  item: unknown,
): ExitError {
  const where = fromDesktop ? "the desktop clipboard" : `the ${name} pasteboard`;
  const what = wanted.length === 0
    ? "anything"
    : wanted.length === 1
    ? `"${wanted[0]}"`
    : wanted.map((w) => `"${w}"`).join(" or ");
  if (held.length === 0) {
    return new ExitError(
      3,
      item !== undefined
        ? `cannot paste ${what}: ${where} has no item ${item}`
        : `cannot paste ${what}: ${where} is empty`,
    );
  }
  return new ExitError(
    3,
    `cannot paste ${what}: ${where}${item !== undefined ? ` item ${item}` : ""} holds ${
      held.join(", ")
    }`,
  );
}

/** Prints large data from its file, through one buffer (memory stays bounded); closes it. */
async function outputFile(file: Deno.FsFile): Promise<void> {
  try {
    const buffer = new Uint8Array(1024 * 1024);
    for (let n = file.readSync(buffer); n !== null; n = file.readSync(buffer)) {
      await writeStdout(buffer.subarray(0, n));
    }
  } finally {
    file.close();
  }
}

/** Prints a reading as one JSON line (type, item, size, and text or data). */
async function outputJson(reading: QuickReading, fromDesktop: boolean): Promise<void> {
  let data = reading.bytes;
  if (!data) {
    const file = reading.file!;
    try {
      data = new Uint8Array(reading.size);
      let got = 0;
      while (got < data.length) {
        const n = file.readSync(data.subarray(got));
        if (n === null) break;
        got += n;
      }
      data = data.subarray(0, got);
    } finally {
      file.close();
    }
  }
  await writeJson({ ...reading, fromDesktop }, data);
}

/** Prints one JSON line for data read: text when it is UTF-8, else `data` in ipckit's form. */
async function writeJson(
  reading: { type: string; item: number; size: number; derivedFrom?: string; fromDesktop: boolean },
  data: Uint8Array,
): Promise<void> {
  const { toJson } = await import("../lib/wire/json.ts");
  const record: Record<string, unknown> = {
    type: reading.type,
    item: reading.item,
    size: reading.size,
  };
  if (reading.derivedFrom) record.derivedFrom = reading.derivedFrom;
  if (reading.fromDesktop) record.desktop = true;
  let text: string | undefined;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch { /* binary */ }
  await writeStdout(
    JSON.stringify({
      ...record,
      ...(text !== undefined ? { text } : { data: JSON.parse(toJson(data)) }),
    }) + "\n",
  );
}

/** A stream's data, whole. */
async function readAll(reading: PasteboardReading): Promise<Uint8Array> {
  const data = new Uint8Array(reading.size);
  let offset = 0;
  for await (const chunk of reading.stream) {
    data.set(chunk, offset);
    offset += chunk.length;
  }
  return data.subarray(0, offset);
}

/** `--watch`: prints the contents (or runs `--exec` with them) on every change, until Ctrl-C. */
async function watch(name: string, wanted: string[], invocation: Invocation): Promise<number> {
  const options = invocation.options;
  const readyFile = options.readyFile as string | undefined;
  const { Pasteboard } = await import("../lib/pasteboard/pasteboard.ts");
  const pb = Pasteboard.named(name, {
    runtimeDir: invocation.runtimeDir,
    ...(options.local ? { desktop: false as const } : {}),
  });
  const controller = new AbortController();
  const stop = onInterrupt(() => controller.abort());
  try {
    for await (
      const change of pb.watch({
        signal: controller.signal,
        onReady: readyFile ? () => writeReadyFile(readyFile) : undefined,
      })
    ) {
      const reading = await pb.readStream(wanted, { item: options.item as number | undefined });
      if (invocation.exec) {
        await runExec(invocation.exec, reading, change.changeCount);
        continue;
      }
      if ("missing" in reading) {
        if (options.json) {
          await writeStdout(
            JSON.stringify({ changeCount: change.changeCount, missing: true, held: reading.held }) +
              "\n",
          );
        }
        continue;
      }
      if (options.json) await writeJson(reading, await readAll(reading));
      else {
        let last = 0;
        for await (const chunk of reading.stream) {
          await writeStdout(chunk);
          if (chunk.length) last = chunk[chunk.length - 1];
        }
        if (last !== 0x0a) await writeStdout("\n");
      }
    }
  } finally {
    stop();
    await pb.close();
  }
  return 0;
}

async function runExec(
  exec: string[],
  reading: PasteboardReading | PasteboardMissing,
  changeCount: number,
): Promise<void> {
  const env: Record<string, string> = { IPCKIT_CHANGE_COUNT: String(changeCount) };
  if (!("missing" in reading)) env.IPCKIT_TYPE = reading.type;
  const child = new Deno.Command(exec[0], {
    args: exec.slice(1),
    env,
    stdin: "piped",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const writer = child.stdin.getWriter();
  try {
    if (!("missing" in reading)) {
      for await (const chunk of reading.stream) await writer.write(chunk);
    }
    await writer.close();
  } catch { /* the command did not read it all */ }
  await child.status;
}
