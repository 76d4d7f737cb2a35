/**
 * The Orchard test app: a small scriptable app over tests/scripting/fixtures/Orchard.sdef with
 * trees, fruit, gardeners, an enumeration, a record type and custom commands. Run it as a
 * process of its own; it prints "ready" once it serves. `ORCHARD_TREES=N` grows it to N trees
 * (for the benchmarks); `ORCHARD_BROKEN=1` leaves a key out of the model.
 *
 * @module
 */

import { serveScriptableApp } from "../../lib/scripting/mod.ts";

interface Fruit {
  name: string;
  weight: number;
  ripeness: string;
  picked: boolean;
  note: string;
}

interface Gardener {
  name: string;
  boss: Gardener | null;
}

interface Tree {
  id: number;
  name: string;
  planted: Date;
  height: number;
  age: number;
  gardener: Gardener;
  tags: string[];
  label: string | null;
  fruits: Fruit[];
}

const ann: Gardener = { name: "Ann", boss: null };
const bob: Gardener = { name: "Bob", boss: ann };

function fruit(name: string, weight: number, ripeness: string): Fruit {
  return { name, weight, ripeness, picked: false, note: "" };
}

const trees: Tree[] = [
  {
    id: 101,
    name: "Bramley",
    planted: new Date("2001-04-01T00:00:00Z"),
    height: 4.5,
    age: 25,
    gardener: ann,
    tags: ["cooking", "old"],
    label: null,
    fruits: [
      { ...fruit("B1", 0.25, "ripe"), note: "Sharp and green.\nGood for pies; keeps well.\n" },
      fruit("B2", 0.5, "unripe"),
      fruit("B3", 0.75, "over ripe"),
    ],
  },
  {
    id: 102,
    name: "Cox",
    planted: new Date("2010-04-01T00:00:00Z"),
    height: 3,
    age: 16,
    gardener: bob,
    tags: ["eating"],
    label: "by the gate",
    fruits: [fruit("C1", 0.125, "ripe")],
  },
  {
    id: 103,
    name: "Gala",
    planted: new Date("2020-04-01T00:00:00Z"),
    height: 2,
    age: 6,
    gardener: bob,
    tags: [],
    label: null,
    fruits: [],
  },
  {
    id: 104,
    name: "Jazz",
    planted: new Date("2021-04-01T00:00:00Z"),
    height: 1.5,
    age: 5,
    gardener: ann,
    tags: ["eating", "new"],
    label: null,
    fruits: [fruit("J1", 0.2, "ripe"), fruit("J2", 0.3, "ripe")],
  },
];

const extra = Number(Deno.env.get("ORCHARD_TREES") ?? "0");
for (let i = trees.length + 1; i <= extra; i++) {
  trees.push({
    id: 1000 + i,
    name: `Tree ${i}`,
    planted: new Date(0),
    height: i % 7,
    age: i % 50,
    gardener: i % 2 ? ann : bob,
    tags: [],
    label: i % 10 === 0 ? "x marks" : "plain",
    fruits: [],
  });
}

const model: Record<string, unknown> = {
  trees,
  gardeners: [ann, bob],
  get fruitCount(): number {
    return trees.reduce((n, t) => n + t.fruits.length, 0);
  },
  get season(): string { // read-write in the definition, but the model has no setter
    return "autumn";
  },
  changeCount: 0,
};
if (Deno.env.get("ORCHARD_BROKEN") === "1") {
  delete (trees[1] as unknown as Record<string, unknown>).height;
  delete model.gardeners;
}

const app = await serveScriptableApp({
  bundleId: Deno.env.get("ORCHARD_BUNDLE_ID") ?? "com.example.Orchard",
  name: "Orchard",
  definition: new URL("./fixtures/Orchard.sdef", import.meta.url),
  model,
  version: "2.5",
  onChange: () => {
    (model.changeCount as number)++;
  },
  classes: {
    // `gardener id "boss"`: the app resolves that id itself; other specifiers are the runtime's
    gardener: {
      resolve: (_container, _key, spec) => {
        if (spec.form !== "id" || spec.seld !== "boss") return undefined;
        const list = model.gardeners as Gardener[];
        return list.flatMap((g, i) => list.some((x) => x.boss === g) ? [i] : []);
      },
    },
  },
  handlers: {
    harvest: ({ direct, args }) => {
      const tree = direct as Tree;
      const picked = tree.fruits.filter((f) => !args.onlyRipe || f.ripeness === "ripe");
      for (const f of picked) f.picked = true;
      return {
        count: picked.length,
        weight: picked.reduce((w, f) => w + f.weight, 0) + (args.by === "Ann" ? 0.001 : 0),
      };
    },
    countFruit: ({ direct, receivers, args }) => {
      const min = typeof args.minimumWeight === "number" ? args.minimumWeight : 0;
      const chosen = direct === undefined ? trees : receivers as Tree[];
      return chosen.reduce((n, t) => n + t.fruits.filter((f) => f.weight >= min).length, 0);
    },
    water: ({ direct, args }) => (direct as Tree).height + (args.liters as number) / 100,
    inspect: ({ args }) => {
      const seen: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(args)) {
        const kind = value === null
          ? "null"
          : value instanceof Date
          ? "Date"
          : Array.isArray(value)
          ? "array"
          : typeof value === "object"
          ? (value as object).constructor.name
          : typeof value;
        seen[key] = [
          kind,
          value instanceof Date ? value.toISOString() : kind === "Object"
            ? JSON.stringify(value) // the handler's own keys and numbers
            : value,
        ];
      }
      return seen;
    },
    fail: () => {
      throw new Error("the well is dry\n    at somewhere (file.ts:1:1)");
    },
    stall: () => new Promise(() => {}),
    quitNow: () => Deno.exit(7),
  },
});

Deno.addSignalListener("SIGTERM", () => {
  app.close().then(() => Deno.exit(0));
});
if (Deno.env.get("ORCHARD_FELL")) await app.postEvent("tree fell", { treeName: "Gala" });
console.log("ready");
