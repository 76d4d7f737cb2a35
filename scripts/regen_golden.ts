/**
 * Regenerates the golden files of `ipckit sdp` on purpose, after a deliberate change to the
 * generator: `deno run --allow-read --allow-write scripts/regen_golden.ts`. Review the diff of
 * `tests/golden/sdp/` before committing it; `tests/sdp_golden_test.ts` compares against these
 * files byte for byte. Cases built from the shared real definitions are skipped (with a note)
 * when `../shared/testdata/sdef/real/` is not there.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { readDictionary } from "../lib/sdef/mod.ts";
import { generateBridge } from "../lib/sdp/mod.ts";

/** One golden file: which definition, which options, and where the output lives. */
export interface GoldenCase {
  /** The golden file's name in `tests/golden/sdp/`. */
  readonly golden: string;
  /** The definition: in the repository (`repo`) or in the shared real definitions (`real`). */
  readonly source: { readonly repo: string } | { readonly real: string };
  /** The basename. */
  readonly basename: string;
  /** Whether hidden terms are kept. @default {false} */
  readonly hidden?: boolean;
  /** The app's name and bundle id, for the module's `application()`. @default {undefined} */
  readonly app?: { readonly name: string; readonly bundleId: string };
}

/** The golden cases. */
export const GOLDEN_CASES: readonly GoldenCase[] = [
  { golden: "Orchard.ts", source: { repo: "tests/golden/sdp/Orchard.sdef" }, basename: "Orchard" },
  {
    golden: "Orchard.hidden.ts",
    source: { repo: "tests/golden/sdp/Orchard.sdef" },
    basename: "Orchard",
    hidden: true,
  },
  // The bridge tests import this one and drive the Orchard test app through it.
  {
    golden: "OrchardApp.ts",
    source: { repo: "tests/scripting/fixtures/Orchard.sdef" },
    basename: "Orchard",
  },
  // The bridge tests drive ipckit's own apps through these.
  {
    golden: "NotesApp.ts",
    source: { repo: "sdef/Notes.sdef" },
    basename: "Notes",
    app: { name: "Notes", bundleId: "com.apple.Notes" },
  },
  {
    golden: "TextEditApp.ts",
    source: { repo: "sdef/TextEdit.sdef" },
    basename: "TextEdit",
    app: { name: "TextEdit", bundleId: "com.apple.TextEdit" },
  },
  {
    golden: "SystemEventsApp.ts",
    source: { repo: "sdef/SystemEvents.sdef" },
    basename: "SystemEvents",
    app: { name: "System Events", bundleId: "com.apple.systemevents" },
  },
  { golden: "Hammerspoon.ts", source: { real: "Hammerspoon.sdef" }, basename: "Hammerspoon" },
  { golden: "Calendar.ts", source: { real: "Calendar.sdef" }, basename: "Calendar" },
  { golden: "Messages.ts", source: { real: "Messages.sdef" }, basename: "Messages" },
  { golden: "Xcode.ts", source: { real: "Xcode.sdef" }, basename: "Xcode" },
];

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The golden folder. */
export const GOLDEN_DIR: string = `${ROOT}tests/golden/sdp/`;

/** The shared real definitions. */
export const REAL_DEFINITIONS: string = fileURLToPath(
  new URL("../../shared/testdata/sdef/real/", import.meta.url),
);

/** The definition file of a case. */
export function casePath(c: GoldenCase): string {
  return "repo" in c.source ? `${ROOT}${c.source.repo}` : `${REAL_DEFINITIONS}${c.source.real}`;
}

/** Generates a case's output, as the golden file should hold it. */
export async function renderGolden(c: GoldenCase): Promise<string> {
  const path = casePath(c);
  const dict = await readDictionary(path);
  return generateBridge(dict, {
    basename: c.basename,
    hidden: c.hidden ?? false,
    appName: c.app?.name,
    bundleId: c.app?.bundleId,
    source: path.slice(path.lastIndexOf("/") + 1),
  });
}

if (import.meta.main) {
  for (const c of GOLDEN_CASES) {
    try {
      await Deno.stat(casePath(c));
    } catch {
      console.log(`skipped ${c.golden}: ${casePath(c)} is not there`);
      continue;
    }
    const text = await renderGolden(c);
    const target = `${GOLDEN_DIR}${c.golden}`;
    let old: string | undefined;
    try {
      old = await Deno.readTextFile(target);
    } catch { /* a new golden file */ }
    await Deno.writeTextFile(target, text);
    console.log(
      `${old === text ? "unchanged" : old === undefined ? "created  " : "updated  "} ${target}`,
    );
  }
}
