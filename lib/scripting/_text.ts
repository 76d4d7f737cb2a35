/**
 * The elements of text, as Cocoa's text suite has them: a text value (a property whose value
 * is a string) has paragraphs, words, characters and attribute runs, got by index, ordinal,
 * every, range and whose. They are values (a paragraph is its text), not references.
 *
 * @module
 */

/** The text element classes, by code. */
export const TEXT_ELEMENTS: ReadonlySet<string> = new Set(["cpar", "cwor", "cha ", "catr"]);

let graphemes: Intl.Segmenter | undefined;

/** The pieces of `text` that elements of class `code` are. */
export function textPieces(text: string, code: string): string[] {
  switch (code) {
    case "cpar": {
      if (text === "") return [];
      const lines = text.split(/\r\n|\r|\n/);
      if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop(); // a last newline ends
      return lines;
    }
    case "cwor":
      return text.match(/[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu) ?? [];
    case "cha ":
      graphemes ??= new Intl.Segmenter(undefined, { granularity: "grapheme" });
      return Array.from(graphemes.segment(text), (s) => s.segment);
    default: // attribute runs: plain text is one run
      return text === "" ? [] : [text];
  }
}
