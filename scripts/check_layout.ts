/**
 * The layout check (`deno task check:layout`): reads the import graph of every module of `lib/`,
 * `cli/` and `scripts/` from `deno info --json` (static, dynamic and type-only imports) and fails
 * on what the layout forbids:
 *
 * - an import cycle between files;
 * - a cycle between folders (two capabilities that import each other, by any path);
 * - an upward import: a module importing from a layer above its own ({@linkcode LAYERS});
 * - a private module (`_name.ts`) imported from outside its folder by `lib/` or `cli/` (the `lib/`
 *   root's private utilities are private to `lib/`; the build, bench and attack scripts may use
 *   any module, as tests do).
 *
 * `deno run -A scripts/check_layout.ts [ROOT]` prints one line per problem and exits 1, or prints
 * a summary and exits 0. Test files (`*_test.ts`) are left out: they may import anything.
 *
 * @module
 */

import { relative } from "node:path";

/**
 * The layers, bottom up: a module may import from its own layer's folders and the layers below.
 * A folder not listed takes its parent's place; `lib/mod.ts` sits above every capability.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ["lib"],
  ["lib/wire"],
  ["lib/transport"],
  ["lib/broker"],
  ["lib/ports", "lib/notifications", "lib/pasteboard", "lib/sdef"],
  ["lib/monitor", "lib/launch", "lib/distributed", "lib/sdp"],
  ["lib/scripting"],
  ["lib/tell"],
  ["lib/daemon"],
  ["lib/mod.ts"],
  ["cli"],
  ["scripts"],
];

/** One problem the check found. */
export interface LayoutProblem {
  kind: "cycle" | "folder-cycle" | "upward" | "private";
  message: string;
}

/** The repository's local import graph: file → the files it imports (paths relative to root). */
export async function importGraph(root: string): Promise<Map<string, Set<string>>> {
  const files: string[] = [];
  for (const top of ["lib", "cli", "scripts"]) await collect(root, top, files);
  const entry = await Deno.makeTempFile({ suffix: ".ts" });
  try {
    await Deno.writeTextFile(
      entry,
      files.map((f) => `import ${JSON.stringify(`file://${root}/${f}`)};\n`).join(""),
    );
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: root,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!output.success) {
      throw new Error(`deno info failed: ${new TextDecoder().decode(output.stderr).trim()}`);
    }
    const info = JSON.parse(new TextDecoder().decode(output.stdout)) as {
      modules: {
        specifier: string;
        dependencies?: { code?: { specifier: string }; type?: { specifier: string } }[];
      }[];
    };
    const local = (specifier: string | undefined): string | undefined => {
      if (!specifier?.startsWith("file://")) return undefined;
      const path = relative(root, decodeURIComponent(new URL(specifier).pathname));
      return path.startsWith("..") || !files.includes(path) ? undefined : path;
    };
    const graph = new Map<string, Set<string>>();
    for (const module of info.modules) {
      const from = local(module.specifier);
      if (!from) continue;
      const to = new Set<string>();
      for (const dep of module.dependencies ?? []) {
        for (const target of [dep.code?.specifier, dep.type?.specifier]) {
          const path = local(target);
          if (path && path !== from) to.add(path);
        }
      }
      graph.set(from, to);
    }
    return graph;
  } finally {
    await Deno.remove(entry);
  }
}

async function collect(root: string, dir: string, into: string[]): Promise<void> {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(`${root}/${dir}`)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return;
    throw error;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) await collect(root, path, into);
    else if (/\.ts$/.test(entry.name) && !/_test\.ts$/.test(entry.name)) into.push(path);
  }
}

/** The folder a file belongs to for the layering: its listed folder, or the closest listed parent. */
export function folderOf(path: string): string {
  if (path === "lib/mod.ts") return path;
  const listed = LAYERS.flat();
  let dir = path.slice(0, path.lastIndexOf("/"));
  while (dir && !listed.includes(dir)) dir = dir.slice(0, Math.max(0, dir.lastIndexOf("/")));
  return dir || path.split("/")[0];
}

function layerOf(folder: string): number {
  return LAYERS.findIndex((layer) => layer.includes(folder));
}

/** The strongly connected components with more than one node (Tarjan's algorithm). */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indices.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, indices.get(next)!));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) visit(node);
  return found;
}

/** Every problem of the layout under `root`. */
export async function checkLayout(root: string): Promise<LayoutProblem[]> {
  const graph = await importGraph(root);
  const problems: LayoutProblem[] = [];
  for (const cycle of cycles(graph)) {
    problems.push({ kind: "cycle", message: `import cycle: ${cycle.join(" ↔ ")}` });
  }
  const folders = new Map<string, Set<string>>();
  for (const [from, targets] of graph) {
    const fromFolder = folderOf(from);
    for (const to of targets) {
      const toFolder = folderOf(to);
      if (fromFolder !== toFolder) {
        const set = folders.get(fromFolder) ?? new Set();
        set.add(toFolder);
        folders.set(fromFolder, set);
        const [a, b] = [layerOf(fromFolder), layerOf(toFolder)];
        if (a >= 0 && b >= 0 && b > a) {
          problems.push({
            kind: "upward",
            message: `upward import: ${from} (${fromFolder}) imports ${to} (${toFolder})`,
          });
        }
      }
      const name = to.slice(to.lastIndexOf("/") + 1);
      const home = to.slice(0, to.lastIndexOf("/"));
      const inside = home === "lib" ? from.startsWith("lib/") : from.startsWith(`${home}/`);
      if (name.startsWith("_") && !inside && !from.startsWith("scripts/")) {
        problems.push({ kind: "private", message: `private module: ${from} imports ${to}` });
      }
    }
  }
  for (const cycle of cycles(folders)) {
    problems.push({
      kind: "folder-cycle",
      message: `folders import each other: ${cycle.join(" ↔ ")}`,
    });
  }
  return problems;
}

if (import.meta.main) {
  const root = (Deno.args[0] ?? Deno.cwd()).replace(/\/$/, "");
  const problems = await checkLayout(await Deno.realPath(root));
  for (const problem of problems) console.log(problem.message);
  if (problems.length) {
    console.log(`${problems.length} layout problem(s)`);
    Deno.exit(1);
  }
  console.log("layout: no import cycles, no upward imports, no private module used from outside");
}
