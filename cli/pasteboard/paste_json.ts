/**
 * `paste --json` and `--yaml`: one JSON line (or YAML document) per reading, streamed. Data of
 * any size goes out in chunks (text escaped, or base64 in ipckit's `{"$data": …}` form, or
 * YAML's `!!binary`) through one buffer, so memory stays
 * bounded whatever the size: large data comes as an open file, read twice (once to tell whether
 * it is UTF-8 text, once to print it), through the page cache.
 *
 * @module
 */

import { writeStdout } from "../_io.ts";
import { toBase64 } from "../../lib/wire/json.ts";

/** What `paste` read: its type and where, and its data, whole (`bytes`) or in an open `file`. */
export interface JsonReading {
  /** The type served (a UTI). */
  type: string;
  /** The item it came from. */
  item: number;
  /** Its size in bytes. */
  size: number;
  /** The type it was derived from, when it was made on demand. */
  derivedFrom?: string;
  /** Whether it came from the desktop clipboard. */
  fromDesktop?: boolean;
  /** The data, whole. */
  bytes?: Uint8Array;
  /** The data in a file (closed here once read). */
  file?: Deno.FsFile;
}

/** How much of a file is read at once: a multiple of 3, so each chunk is whole base64. */
const CHUNK = 3 * 256 * 1024;

/** The fields of a reading before its data. */
type Fields = Record<string, string | number | boolean>;

/** How a reading is written: JSON (one line) or YAML (one document). */
interface ReadingForm {
  /** The fields before the data, up to where the data's key goes. */
  head(record: Fields): Promise<string>;
  /** Opens and closes the text (JSON-escaped between them: a YAML double-quoted scalar too). */
  text: [string, string];
  /** Opens the base64 data, separates its chunks' base64 (`""` or a new line), closes it. */
  data: [string, string, string];
}

const JSON_FORM: ReadingForm = {
  head: (record) => Promise.resolve(JSON.stringify(record).slice(0, -1) + ","),
  text: [`"text":"`, `"}\n`],
  data: [`"data":{"$data":"`, "", `"}}\n`],
};

const YAML_FORM: ReadingForm = {
  async head(record) {
    const { toYaml } = await import("../../lib/wire/yaml.ts");
    const fields: Record<string, string | bigint | boolean> = {};
    for (const [key, value] of Object.entries(record)) {
      fields[key] = typeof value === "number" ? BigInt(value) : value;
    }
    return `---\n${await toYaml(fields)}`;
  },
  text: [`text: "`, `"\n`],
  data: ["data: !!binary |\n  ", "\n  ", "\n"],
};

/**
 * Prints a reading as one JSON line: `type`, `item`, `size`, `derivedFrom`, `desktop`, the
 * `extra` fields, then `text` when the data is UTF-8, else `data` as `{"$data": "<base64>"}`.
 */
export async function writeJsonReading(
  reading: JsonReading,
  extra: Fields = {},
): Promise<void> {
  await writeReading(reading, extra, JSON_FORM);
}

/**
 * Prints a reading as one YAML document (`---` first): the fields of
 * {@linkcode writeJsonReading}, then `text` when the data is UTF-8, else `data` as `!!binary`.
 * Streamed in bounded memory as JSON is.
 */
export async function writeYamlReading(
  reading: JsonReading,
  extra: Fields = {},
): Promise<void> {
  await writeReading(reading, extra, YAML_FORM);
}

async function writeReading(
  reading: JsonReading,
  extra: Fields,
  form: ReadingForm,
): Promise<void> {
  const record: Fields = {
    type: reading.type,
    item: reading.item,
    size: reading.size,
  };
  if (reading.derivedFrom) record.derivedFrom = reading.derivedFrom;
  if (reading.fromDesktop) record.desktop = true;
  Object.assign(record, extra);
  const head = await form.head(record);
  const [openText, closeText] = form.text;
  const [openData, between, closeData] = form.data;
  if (reading.bytes) {
    const data = reading.bytes;
    let text: string | undefined;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(data);
    } catch { /* binary */ }
    await writeStdout(
      text !== undefined
        ? `${head}${openText}${JSON.stringify(text).slice(1, -1)}${closeText}`
        : `${head}${openData}${base64(data)}${closeData}`,
    );
    return;
  }
  const file = reading.file!;
  try {
    const buffer = new Uint8Array(CHUNK);
    const utf8 = isUtf8File(file, buffer);
    file.seekSync(0, Deno.SeekMode.Start);
    if (utf8) {
      await writeStdout(`${head}${openText}`);
      const decoder = new TextDecoder();
      for (let n = readFull(file, buffer); n > 0; n = readFull(file, buffer)) {
        const text = decoder.decode(buffer.subarray(0, n), { stream: true });
        await writeStdout(JSON.stringify(text).slice(1, -1));
      }
      const rest = decoder.decode();
      await writeStdout(`${JSON.stringify(rest).slice(1, -1)}${closeText}`);
    } else {
      await writeStdout(`${head}${openData}`);
      let first = true;
      for (let n = readFull(file, buffer); n > 0; n = readFull(file, buffer)) {
        await writeStdout(`${first ? "" : between}${base64(buffer.subarray(0, n))}`);
        first = false;
      }
      await writeStdout(closeData);
    }
  } finally {
    file.close();
  }
}

/** Whether a file holds UTF-8 text, read through `buffer` (it stops at the first bad byte). */
function isUtf8File(file: Deno.FsFile, buffer: Uint8Array): boolean {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  try {
    for (let n = readFull(file, buffer); n > 0; n = readFull(file, buffer)) {
      decoder.decode(buffer.subarray(0, n), { stream: true });
    }
    decoder.decode();
    return true;
  } catch {
    return false;
  }
}

/** Fills `buffer` from the file (less only at its end); returns how much was read. */
function readFull(file: Deno.FsFile, buffer: Uint8Array): number {
  let got = 0;
  while (got < buffer.length) {
    const n = file.readSync(buffer.subarray(got));
    if (n === null) break;
    got += n;
  }
  return got;
}

/** Base64 of bytes: V8's own when it has it (fast, one string), else ipckit's. */
function base64(bytes: Uint8Array): string {
  const native = (bytes as Uint8Array & { toBase64?: () => string }).toBase64;
  return native ? native.call(bytes) : toBase64(bytes);
}
