/**
 * A definition's XML with its includes expanded (the standard suite written out), as
 * `ipckit sdef APP` prints it.
 *
 * @module
 */

import { loadXmlParser, parseXml, type XmlElement } from "../sdef/xml.ts";
import { expandIncludes } from "../sdef/xinclude.ts";

/** The header of a definition file. */
const HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n' +
  '<!DOCTYPE dictionary SYSTEM "file://localhost/System/Library/DTDs/sdef.dtd">\n';

/**
 * The XML of a definition with every `xi:include` replaced by what it points to.
 *
 * @param text the XML.
 * @param file its path, for relative includes and messages (`"-"`: the working directory).
 */
export async function expandedSdefText(text: string, file: string): Promise<string> {
  await loadXmlParser();
  const root = await expandIncludes(parseXml(text, file), file);
  return `${HEADER}${serialize(root)}\n`;
}

function escapeText(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

function serialize(el: XmlElement): string {
  let out = `<${el.name}`;
  for (const [name, value] of Object.entries(el.attrs)) {
    out += ` ${name}="${escapeText(value).replaceAll('"', "&quot;")}"`;
  }
  if (el.children.length === 0) return `${out}/>`;
  out += ">";
  for (const child of el.children) {
    out += typeof child === "string" ? escapeText(child) : serialize(child);
  }
  return `${out}</${el.name}>`;
}
