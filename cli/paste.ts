/**
 * `ipckit paste [--pboard NAME] [--type T] [--prefer T…] [--list-types [--mime]] [--item N]
 * [--change-count] [--json] [--local] [--watch [--ready-file PATH] [--exec CMD ARGS…]]`: reads
 * a pasteboard, as `pbpaste` does. A type that is not there, or an empty pasteboard, exits 3
 * with a message naming what is there, and prints nothing on standard output.
 *
 * @module
 */

import type { CommandSpec, Invocation } from "./_spec.ts";
import { ExitError, UsageError } from "./_errors.ts";
import { writeReadyFile, writeStdout } from "./_io.ts";
import type {
  Pasteboard,
  PasteboardMissing,
  PasteboardReading,
} from "../lib/pasteboard/pasteboard.ts";

/** `ipckit paste`. */
export const spec: CommandSpec = {
  name: "paste",
  summary: "Print what a pasteboard holds (pbpaste)",
  options: [
    {
      flags: "--pboard <name>",
      description: "the pasteboard: general (default), find, font, ruler, drag or any name",
    },
    { flags: "--type <type>", description: "the type to read, a UTI or MIME type" },
    {
      flags: "--prefer <type>",
      description: "types in order of preference (repeat it, or separate with commas)",
      kind: "list",
    },
    { flags: "--list-types", description: "print the types held, one UTI a line" },
    { flags: "--mime", description: "with --list-types: print MIME types instead" },
    { flags: "--item <n>", description: "read this item only (0 is the first)", kind: "integer" },
    { flags: "--change-count", description: "print the change count" },
    { flags: "--json", description: "print JSON (JSON Lines with --watch)" },
    { flags: "--local", description: "read the broker's pasteboard, not the desktop clipboard" },
    { flags: "--watch", description: "print (or run --exec with) the contents on every change" },
    {
      flags: "--ready-file <path>",
      description: "with --watch: create this file once watching",
    },
  ],
  exec: true,
  examples: [
    "ipckit paste",
    "ipckit paste --type public.html",
    "ipckit paste --prefer text/html --prefer text/plain",
    "ipckit paste --type image/png > shot.png || echo 'no image'   # exit 3 when missing",
    "ipckit paste --list-types --mime",
    "ipckit paste -pboard find          # the pbpaste spelling",
    "ipckit paste -Prefer rtf",
    "ipckit paste --watch --exec sh -c 'wc -c'   # once per change, contents on stdin",
  ],
};

/** Runs `ipckit paste`. */
export async function run(invocation: Invocation): Promise<number> {
  const options = invocation.options;
  const { Pasteboard } = await import("../lib/pasteboard/pasteboard.ts");
  const { normalizeType } = await import("../lib/uti.ts");
  const name = (options.pboard as string | undefined) ?? "general";
  if (name === "" || name.length > 255) {
    throw new UsageError("--pboard takes a name of 1 to 255 characters");
  }
  const wanted: string[] = [];
  try {
    if (options.type !== undefined) wanted.push(normalizeType(options.type as string));
    for (const entry of (options.prefer as string[] | undefined) ?? []) {
      for (const t of entry.split(",")) if (t.trim() !== "") wanted.push(normalizeType(t));
    }
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (options.mime && !options.listTypes) throw new UsageError("--mime goes with --list-types");
  if ((options.readyFile || invocation.exec) && !options.watch) {
    throw new UsageError("--ready-file and --exec go with --watch");
  }
  const pasteboardOptions = {
    runtimeDir: invocation.runtimeDir,
    ...(options.local ? { desktop: false as const } : {}),
  };
  const pb = Pasteboard.named(name, pasteboardOptions);
  try {
    if (options.changeCount) {
      const count = await pb.changeCount();
      await writeStdout(
        options.json
          ? JSON.stringify({ pasteboard: name, changeCount: count }) + "\n"
          : `${count}\n`,
      );
      return 0;
    }
    if (options.listTypes) return await listTypes(pb, options);
    if (options.watch) return await watch(pb, wanted, invocation);
    const reading = await pb.readStream(wanted, { item: options.item as number | undefined });
    if ("missing" in reading) throw missingError(pb, wanted, reading, options.item);
    await output(reading, options.json === true);
    return 0;
  } finally {
    await pb.close();
  }
}

async function listTypes(pb: Pasteboard, options: Record<string, unknown>): Promise<number> {
  const { types } = await pb.availableTypes();
  let list = types;
  if (options.item !== undefined) {
    const items = await pb.items();
    const item = items[options.item as number];
    if (!item) {
      throw new ExitError(
        3,
        `the ${pb.name} pasteboard has no item ${options.item} (it holds ${items.length})`,
      );
    }
    list = item.types;
  }
  if (list.length === 0) throw new ExitError(3, `the ${pb.name} pasteboard is empty`);
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
  pb: Pasteboard,
  wanted: string[],
  missing: PasteboardMissing,
  item: unknown,
): ExitError {
  const where = missing.fromDesktop ? "the desktop clipboard" : `the ${pb.name} pasteboard`;
  const what = wanted.length === 0
    ? "anything"
    : wanted.length === 1
    ? `"${wanted[0]}"`
    : wanted.map((w) => `"${w}"`).join(" or ");
  if (missing.held.length === 0) {
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
      missing.held.join(", ")
    }`,
  );
}

async function output(reading: PasteboardReading, json: boolean): Promise<void> {
  if (!json) {
    if (reading.bytes) return await writeStdout(reading.bytes);
    for await (const chunk of reading.stream) await writeStdout(chunk);
    return;
  }
  const data = new Uint8Array(reading.size);
  let offset = 0;
  for await (const chunk of reading.stream) {
    data.set(chunk, offset);
    offset += chunk.length;
  }
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
    text = new TextDecoder("utf-8", { fatal: true }).decode(data.subarray(0, offset));
  } catch { /* binary */ }
  await writeStdout(
    JSON.stringify({
      ...record,
      ...(text !== undefined ? { text } : { data: JSON.parse(toJson(data.subarray(0, offset))) }),
    }) + "\n",
  );
}

async function watch(pb: Pasteboard, wanted: string[], invocation: Invocation): Promise<number> {
  const options = invocation.options;
  const readyFile = options.readyFile as string | undefined;
  const { onInterrupt } = await import("./_io.ts");
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
      if (options.json) await output(reading, true);
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
