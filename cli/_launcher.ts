/**
 * The installed `ipckit`'s entry point (`scripts/build.ts` bundles it as `ipckit.js`): loads a
 * hot command's own bundle for its command line (`_hot.ts`), and the whole program (`main.js`)
 * for any other. It does not wait for the command, so that its own evaluation ends at once and
 * Deno keeps its code cache.
 *
 * @module
 */

import { hotBundleName, hotCommandOf } from "./_hot.ts";

const hot = hotCommandOf(Deno.args);
const file = hot ? hotBundleName(hot) : "main.js";
const program: { start(): Promise<never> } = await import(
  new URL(`./${file}`, import.meta.url).href
);
program.start();
