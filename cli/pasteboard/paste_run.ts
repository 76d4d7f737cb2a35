/**
 * The work of `ipckit paste` (see `paste.ts`), loaded only when it runs.
 *
 * @module
 */

import type { InvocationOf } from "../_spec.ts";
import type { spec } from "./paste.ts";
import { pasteboardName } from "./_pboard.ts";
import { ExitError, UsageError } from "../_errors.ts";
import { onInterrupt, writeReadyFile, writeStderr, writeStdout } from "../_io.ts";
import type { PasteboardMissing } from "../../lib/pasteboard/pasteboard.ts";
import type { DesktopEnv } from "../../lib/pasteboard/desktop/desktop.ts";
import { desktopFor, quickInfo, quickRead, type QuickReading } from "../../lib/pasteboard/once.ts";

/** The command line of `ipckit paste`, parsed. */
type PasteInvocation = InvocationOf<typeof spec>;

/** Runs `ipckit paste`. */
export async function run(invocation: PasteInvocation): Promise<number> {
  // Start-up is what a paste pays most for: this function is compiled on every run, so the
  // less common forms are functions of their own, compiled only when used.
  const options = invocation.options;
  const name = pasteboardName(options);
  const wanted = options.type !== undefined || options.prefer.length > 0
    ? await wantedTypes(options)
    : [];
  if (options.mime && !options.listTypes) throw new UsageError("--mime goes with --list-types");
  if ((options.readyFile || invocation.exec) && !options.watch) {
    throw new UsageError("--ready-file and --exec go with --watch");
  }
  const { item } = options;
  if (options.all && (item !== undefined || options.watch || options.listTypes)) {
    throw new UsageError("--all prints every item; it goes without --item, --watch, --list-types");
  }
  if (options.watch) return await watch(name, wanted, invocation);
  if (options.changeCount) return await printChangeCount(name, invocation);
  const desktop = await desktopFor(name, options.local === true);
  if (options.listTypes) return await listTypes(name, desktop, invocation);
  if (options.all) return await pasteAll(name, wanted, desktop, invocation);
  // Reading once: one request to the broker (see lib/pasteboard/once.ts).
  const runtimeDir = invocation.runtimeDir;
  const reading = await quickRead(name, wanted, { runtimeDir, item, unlessDesktop: !!desktop });
  if ("desktop" in reading) {
    return await output(await readDesktop(name, wanted, desktop!, invocation), invocation);
  }
  if ("missing" in reading) throw missingError(name, wanted, reading.held, false, item);
  return await output(reading, invocation);
}

/** What was read, and where from. */
type Reading = QuickReading & { fromDesktop?: boolean };

/**
 * Prints what was read: as `--json` (streamed), or the bytes, whole or from its file. Binary
 * data is not printed to a terminal unless `--force`.
 */
async function output(reading: Reading, invocation: PasteInvocation): Promise<number> {
  const options = invocation.options;
  if (options.json) {
    await (await import("./paste_json.ts")).writeJsonReading(reading);
    return 0;
  }
  if (options.yaml) {
    await (await import("./paste_json.ts")).writeYamlReading(reading);
    return 0;
  }
  if (!options.force && Deno.stdout.isTerminal()) refuseBinary(reading);
  await writeReading(reading);
  return 0;
}

/**
 * Refuses to print binary data to a terminal (as curl does): it would garble the terminal and
 * nobody can read it there. Text is valid UTF-8 without NUL bytes (judged by its start).
 */
function refuseBinary(reading: Reading): void {
  let head: Uint8Array;
  if (reading.bytes) head = reading.bytes.subarray(0, 65536);
  else {
    head = new Uint8Array(65536);
    const n = reading.file!.readSync(head) ?? 0;
    head = head.subarray(0, n);
    reading.file!.seekSync(0, Deno.SeekMode.Start);
  }
  let text = !head.includes(0);
  if (text) {
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(head, { stream: true });
    } catch {
      text = false;
    }
  }
  if (text) return;
  reading.file?.close();
  throw new ExitError(
    1,
    `not printing ${reading.size} bytes of ${reading.type} to the terminal: it is binary; redirect it (ipckit paste > file) or pass --force`,
  );
}

/**
 * Reads the desktop clipboard (the general pasteboard's mirror no longer owns it) when it holds
 * anything, else the pasteboard.
 */
async function readDesktop(
  name: string,
  wanted: string[],
  desktop: DesktopEnv,
  invocation: PasteInvocation,
): Promise<Reading> {
  const { item } = invocation.options;
  const { desktopHolding, readDesktopClipboard } = await import(
    "../../lib/pasteboard/desktop/desktop.ts"
  );
  const holding = await desktopHolding(desktop);
  if (holding) {
    const read = await readDesktopClipboard(holding, wanted);
    if ("held" in read) throw missingError(name, wanted, read.held, true, item);
    return {
      type: read.type,
      item: 0,
      size: read.data.length,
      bytes: read.data,
      ...(read.derivedFrom ? { derivedFrom: read.derivedFrom } : {}),
      fromDesktop: true,
    };
  }
  const reading = await quickRead(name, wanted, { runtimeDir: invocation.runtimeDir, item });
  if ("desktop" in reading) throw new Error("the broker answered for the desktop unasked");
  if ("missing" in reading) throw missingError(name, wanted, reading.held, false, item);
  return reading;
}

/**
 * `--all`: every item of the pasteboard (with `--type`/`--prefer`, those that have one of the
 * types), NUL-separated, or one JSON line each; the desktop's one item when it holds something
 * copied elsewhere.
 */
async function pasteAll(
  name: string,
  wanted: string[],
  desktop: DesktopEnv | undefined,
  invocation: PasteInvocation,
): Promise<number> {
  const runtimeDir = invocation.runtimeDir;
  const info = await quickInfo(name, { runtimeDir });
  if (desktop && !info.desktopHolds && !info.pasteOnce) {
    // Something copied elsewhere since: the desktop's one item, as a bare paste reads it.
    const { desktopHolding } = await import("../../lib/pasteboard/desktop/desktop.ts");
    if (await desktopHolding(desktop)) {
      return await output(await readDesktop(name, wanted, desktop, invocation), invocation);
    }
  }
  const count = info.items.length;
  if (count === 0) throw missingError(name, wanted, [], false, undefined);
  let printed = 0;
  for (let item = 0; item < count; item++) {
    const reading = await quickRead(name, wanted, { runtimeDir, item });
    if ("desktop" in reading) throw new Error("the broker answered for the desktop unasked");
    if ("missing" in reading) continue;
    const structured = invocation.options.json || invocation.options.yaml;
    if (printed++ > 0 && !structured) await writeStdout(new Uint8Array(1));
    await output(reading, invocation);
  }
  if (printed === 0) {
    const held = [...new Set((await quickInfo(name, { runtimeDir })).items.flat())];
    throw missingError(name, wanted, held, false, undefined);
  }
  return 0;
}

/**
 * The types of `--type` and `--prefer`, in order, as UTIs. `--prefer` also takes pbpaste's words
 * `txt`, `rtf` and `ps`, and then falls back to plain text, as pbpaste does.
 */
async function wantedTypes(options: PasteInvocation["options"]): Promise<string[]> {
  const { normalizeType } = await import("../../lib/uti.ts");
  const { PREFER } = await import("./copy.ts");
  const wanted: string[] = [];
  let pbpaste = false;
  try {
    if (options.type !== undefined) wanted.push(normalizeType(options.type));
    for (const entry of options.prefer) {
      for (const t of entry.split(",")) {
        const word = t.trim();
        if (word === "") continue;
        pbpaste ||= Object.hasOwn(PREFER, word);
        wanted.push(Object.hasOwn(PREFER, word) ? PREFER[word] : normalizeType(word));
      }
    }
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (pbpaste && !wanted.includes(PREFER.txt)) wanted.push(PREFER.txt);
  return wanted;
}

/** `--change-count`. */
async function printChangeCount(name: string, invocation: PasteInvocation): Promise<number> {
  const count = (await quickInfo(name, { runtimeDir: invocation.runtimeDir })).changeCount;
  if (invocation.options.yaml) {
    const { toYaml } = await import("../../lib/wire/yaml.ts");
    await writeStdout(await toYaml({ pasteboard: name, changeCount: BigInt(count) }));
    return 0;
  }
  await writeStdout(
    invocation.options.json
      ? JSON.stringify({ pasteboard: name, changeCount: count }) + "\n"
      : `${count}\n`,
  );
  return 0;
}

/**
 * `--list-types`: the desktop's types when it holds something copied elsewhere, else the
 * pasteboard's (with `--item`, that item's).
 */
async function listTypes(
  name: string,
  desktop: DesktopEnv | undefined,
  invocation: PasteInvocation,
): Promise<number> {
  const options = invocation.options;
  const info = await quickInfo(name, { runtimeDir: invocation.runtimeDir });
  let list: string[] | undefined;
  if (desktop && !info.desktopHolds && !info.pasteOnce) {
    const { desktopHolding, utisForTargets } = await import(
      "../../lib/pasteboard/desktop/desktop.ts"
    );
    const holding = await desktopHolding(desktop);
    if (holding) list = utisForTargets(holding.targets);
  }
  list ??= [...new Set(info.items.flat())];
  if (options.item !== undefined) {
    const item = info.items[options.item];
    if (!item) {
      throw new ExitError(
        3,
        `the ${name} pasteboard has no item ${options.item} (it holds ${info.items.length})`,
      );
    }
    list = item;
  }
  if (list.length === 0) throw new ExitError(3, `the ${name} pasteboard is empty`);
  const { mimeTypeOrData } = await import("../../lib/uti.ts");
  if (options.json) {
    await writeStdout(
      JSON.stringify(list.map((type) => ({ type, mime: mimeTypeOrData(type) }))) + "\n",
    );
  } else if (options.yaml) {
    const { toYaml } = await import("../../lib/wire/yaml.ts");
    await writeStdout(await toYaml(list.map((type) => ({ type, mime: mimeTypeOrData(type) }))));
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

/** `--watch`: prints the contents (or runs `--exec` with them) on every change, until Ctrl-C. */
async function watch(name: string, wanted: string[], invocation: PasteInvocation): Promise<number> {
  const options = invocation.options;
  const format = options.json ? "json" : options.yaml ? "yaml" : "text";
  const { readyFile, item } = options;
  const runtimeDir = invocation.runtimeDir;
  const desktop = await desktopFor(name, options.local === true);
  const { Pasteboard } = await import("../../lib/pasteboard/pasteboard.ts");
  const pb = Pasteboard.named(name, {
    runtimeDir,
    ...(desktop ? {} : { desktop: false as const }),
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
      if (change.gap) {
        // A change made while the broker was away follows as a change of its own.
        await reportGap(change.gap, change.changeCount, format);
        continue;
      }
      // The same read as a plain `paste` (the desktop first when it holds something else).
      // Another program's copy: its contents, even should the mirror not have let go yet.
      let reading: Reading | PasteboardMissing;
      const read = change.desktop && desktop
        ? { desktop: true as const }
        : await quickRead(name, wanted, { runtimeDir, item, unlessDesktop: !!desktop });
      if ("desktop" in read) {
        try {
          reading = await readDesktop(name, wanted, desktop!, invocation);
        } catch (error) {
          if (!(error instanceof ExitError) || error.code !== 3) throw error;
          reading = { missing: true, held: [], fromDesktop: true };
        }
      } else reading = "missing" in read ? { ...read, fromDesktop: false } : read;
      if (invocation.exec) {
        await runExec(invocation.exec, reading, change.changeCount);
        continue;
      }
      if ("missing" in reading) {
        if (format === "json") {
          await writeStdout(
            JSON.stringify({ changeCount: change.changeCount, missing: true, held: reading.held }) +
              "\n",
          );
        } else if (format === "yaml") {
          const { toYaml } = await import("../../lib/wire/yaml.ts");
          const record = {
            changeCount: BigInt(change.changeCount),
            missing: true,
            held: reading.held,
          };
          await writeStdout(`---\n${await toYaml(record)}`);
        }
        continue;
      }
      if (format === "json") {
        const { writeJsonReading } = await import("./paste_json.ts");
        await writeJsonReading(reading, { changeCount: change.changeCount });
      } else if (format === "yaml") {
        const { writeYamlReading } = await import("./paste_json.ts");
        await writeYamlReading(reading, { changeCount: change.changeCount });
      } else {
        const last = await writeReading(reading);
        if (last !== 0x0a && !options.noNewline) await writeStdout("\n");
      }
    }
  } finally {
    stop();
    await pb.close();
  }
  return 0;
}

/**
 * Says that changes may have been missed while the broker was away: a line on standard error,
 * or a record in `--json` or `--yaml` (as `listen` does).
 */
async function reportGap(
  gap: { from: Date; to: Date },
  changeCount: number,
  format: "json" | "yaml" | "text",
): Promise<void> {
  const from = gap.from.toISOString();
  const to = gap.to.toISOString();
  if (format === "yaml") {
    const { toYaml } = await import("../../lib/wire/yaml.ts");
    const record = { time: gap.to, record: "gap", from: gap.from, to: gap.to };
    await writeStdout(`---\n${await toYaml({ ...record, changeCount: BigInt(changeCount) })}`);
  } else if (format === "json") {
    await writeStdout(JSON.stringify({ time: to, record: "gap", from, to, changeCount }) + "\n");
  } else {
    writeStderr(
      `ipckit: gap: could not hear from ${from} to ${to} (the broker went away); changes may have been missed`,
    );
  }
}

/** Writes a reading's data to standard output; returns its last byte (-1 when empty). */
async function writeReading(reading: Reading): Promise<number> {
  if (reading.bytes) {
    await writeStdout(reading.bytes);
    return reading.bytes.length ? reading.bytes[reading.bytes.length - 1] : -1;
  }
  let last = -1;
  await eachChunk(reading, async (chunk) => {
    await writeStdout(chunk);
    last = chunk[chunk.length - 1];
  });
  return last;
}

/** Calls `fn` with the data's chunks (its file read through one buffer, then closed). */
async function eachChunk(
  reading: Reading,
  fn: (chunk: Uint8Array) => Promise<void>,
): Promise<void> {
  if (reading.bytes) {
    if (reading.bytes.length) await fn(reading.bytes);
    return;
  }
  const file = reading.file!;
  try {
    const buffer = new Uint8Array(1024 * 1024);
    for (let n = file.readSync(buffer); n !== null; n = file.readSync(buffer)) {
      if (n > 0) await fn(buffer.subarray(0, n));
    }
  } finally {
    file.close();
  }
}

async function runExec(
  exec: string[],
  reading: Reading | PasteboardMissing,
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
    if (!("missing" in reading)) await eachChunk(reading, (chunk) => writer.write(chunk));
    await writer.close();
  } catch { /* the command did not read it all */ }
  await child.status;
}
