/**
 * ipckit's TextEdit: a scriptable text editor with Apple TextEdit's terminology
 * (`sdef/TextEdit.sdef`): documents with text, and the text's paragraphs, words, characters and
 * attribute runs (font, size, color); `open`, `save`, `close saving`, `quit saving`, and
 * `make new document with properties {text: …}`. Documents are plain UTF-8 text files.
 *
 * Run: `deno run --allow-read --allow-write --allow-env --allow-run --allow-net --allow-sys=uid
 * scripts/apps/textedit.ts` (see `--help`).
 *
 * @module
 */

import { join } from "node:path";
import { type AppProgram, parseAppArgs, runApp } from "./_app_main.ts";
import {
  textEditAccessors,
  TextEditApp,
  TextEditDocument,
  textEditHandlers,
  TextRange,
} from "./textedit_model.ts";

const PROGRAM: AppProgram = {
  program: "textedit.ts",
  name: "TextEdit",
  bundleId: "com.apple.TextEdit",
  help: `Serves TextEdit, a scriptable text editor with Apple TextEdit's terms and codes
(sdef/TextEdit.sdef): documents with styled text; paragraphs, words, characters and attribute
runs (font, size, color) of it; open, save, close saving, quit saving, make new document. It
reads and writes plain UTF-8 text files; the documents themselves live in the process.

Options:
  --runtime-dir DIR   the ipckit runtime directory (default: $IPCKIT_RUNTIME_DIR, else
                      $XDG_RUNTIME_DIR/ipckit, else /tmp/ipckit-UID)
  --ready-file PATH   write this file once TextEdit answers events
  -h, --help          this help

It runs until Ctrl-C (exit 130), SIGTERM or quit (exit 0). Started twice, the second says
TextEdit already runs and exits 1.

Example:
  ipckit sdef TextEdit                       # its definition, once it runs`,
};

const args = parseAppArgs(PROGRAM);
const model = new TextEditApp();
let quitApp: (code?: number) => Promise<never> = () => Deno.exit(0);

await runApp(PROGRAM, args, {
  definition: join(import.meta.dirname!, "../../sdef/TextEdit.sdef"),
  model,
  classes: textEditAccessors(model),
  classOf: (o) =>
    o instanceof TextRange ? o.textClass : o instanceof TextEditDocument ? "document" : undefined,
  handlers: textEditHandlers(model, () => void quitApp(0)),
}).then(({ quit }) => (quitApp = quit));
console.log(`TextEdit is running (bundle id ${PROGRAM.bundleId})`);
