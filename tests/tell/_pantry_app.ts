/**
 * The Pantry app of the tell tests: shelves of jars over tests/tell/fixtures/Pantry.sdef, with
 * an enumeration, a date, a boolean and commands of its own (`restock … by N with opening`, and
 * `nap`, which never answers). Run it as a
 * process of its own; it prints "ready" once it serves.
 *
 * @module
 */

import { serveScriptableApp } from "../../lib/scripting/mod.ts";

interface Jar {
  id: number;
  name: string;
  quantity: number;
  opened: boolean;
  kind: string;
  bestBefore: Date;
}

let nextId = 1;
function jar(name: string, quantity: number, kind: string, opened = false): Jar {
  return { id: nextId++, name, quantity, opened, kind, bestBefore: new Date(2030, 0, nextId) };
}

const model = {
  owner: "Ann",
  shelves: [
    {
      name: "Top",
      jars: [
        jar("Raspberry", 3, "jam", true),
        jar("Honey", 1, "honey"),
        jar("Gherkins", 5, "pickle"),
      ],
    },
    { name: "Bottom", jars: [jar("Apricot", 2, "jam")] },
  ],
};

await serveScriptableApp({
  bundleId: "com.example.Pantry",
  name: "Pantry",
  definition: new URL("./fixtures/Pantry.sdef", import.meta.url),
  model,
  classes: { jar: { create: (properties) => ({ ...jar("", 0, "jam"), ...properties }) } },
  handlers: {
    restock: ({ direct, args }) => {
      const j = direct as Jar;
      j.quantity += typeof args.by === "number" ? args.by : 1;
      if (typeof args.opening === "boolean") j.opened = args.opening;
      return j.quantity;
    },
    // Never answers: the script's timeout ends the wait (the app or the client says -1712).
    nap: () => new Promise(() => {}),
  },
});
console.log("ready");
