// The import direction of src/: every folder imports only folders inside it (a lower layer), and
// no file imports itself back through others (no cycles, type-only imports included).

import assert from "node:assert/strict";

const SRC = new URL("../../src/", import.meta.url);

/**
 * The layers of src/, innermost first. A file may import its own folder and folders of lower
 * layers; folders of one layer do not import each other.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["core"], // types, vocabulary and every port
  ["indicators", "data", "strategy"], // pure kernels, candle data tools, strategy helpers
  ["account", "risk", "store", "exchange"], // the ledger, the gate, DuckDB, ccxt access
  ["sim", "feed", "live"], // the simulated broker, market-data feeds, the real-money broker
  ["engine"], // the loop and the strategy runtime
  ["backtest", "scanner"], // runs and symbol rankings built on the engine
  ["optimize"], // parameter searches and walk-forward over backtests
  ["service"], // bots, supervisor, settings, jobs
  ["commands"], // what a person can ask, without transport
  ["http", "cli", "research"], // surfaces
  ["bots"], // chat (Telegram, Discord): a surface drawing the research charts as pictures
  ["."], // src/main.ts assembles the service and its surfaces
];

const layerOf = new Map<string, number>();
LAYERS.forEach((folders, i) => folders.forEach((f) => layerOf.set(f, i)));

/** Every .ts file under src/, as paths relative to src/. */
function sourceFiles(dir = SRC, prefix = ""): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    if (e.isDirectory) out.push(...sourceFiles(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`));
    else if (/\.(ts|tsx)$/.test(e.name)) out.push(prefix + e.name);
  }
  return out.sort();
}

/** Relative imports of a file (static, re-exports, dynamic, workers), comments removed. */
export function importsOf(file: string, text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  const specs = [
    ...code.matchAll(/\b(?:import|export)\s[^;]*?\bfrom\s+"(\.{1,2}\/[^"]+)"/g),
    ...code.matchAll(/\bimport\s+"(\.{1,2}\/[^"]+)"/g),
    ...code.matchAll(/\bimport\(\s*"(\.{1,2}\/[^"]+)"\s*\)/g),
    ...code.matchAll(/new URL\(\s*"(\.{1,2}\/[^"]+\.ts)"\s*,\s*import\.meta\.url/g),
  ].map((m) => m[1]);
  const base = new URL(file, SRC);
  return specs.map((s) => new URL(s, base).href.slice(SRC.href.length));
}

const folderOf = (path: string) => (path.includes("/") ? path.slice(0, path.indexOf("/")) : ".");

const files = sourceFiles();
const graph = new Map(files.map((f) => [f, importsOf(f, Deno.readTextFileSync(new URL(f, SRC)))]));

Deno.test("every folder of src/ has a layer", () => {
  const unknown = [...new Set(files.map(folderOf))].filter((f) => !layerOf.has(f));
  assert.deepEqual(unknown, [], `add these folders to LAYERS: ${unknown.join(", ")}`);
});

Deno.test("imports point inward: a folder imports only folders of lower layers", () => {
  const wrong: string[] = [];
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    for (const t of targets) {
      const to = folderOf(t);
      if (from === to) continue;
      const [a, b] = [layerOf.get(from) ?? -1, layerOf.get(to) ?? Infinity];
      if (b >= a) wrong.push(`${file} imports ${t} (${to} is not inside ${from})`);
    }
  }
  assert.deepEqual(wrong, []);
});

Deno.test("no import cycles, type-only imports included", () => {
  assert.deepEqual(findCycles(graph).map((c) => c.join(" → ")), []);
});

/** The strongly connected groups of more than one file (Tarjan), each as one cycle's files. */
export function findCycles(g: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const group: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      group.push(w);
    } while (w !== v);
    if (group.length > 1 || (g.get(v) ?? []).includes(v)) out.push(group.sort());
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

Deno.test("the checks find what they must", () => {
  const text = `// import { x } from "../nope.ts";\nimport type { A } from "../core/a.ts";\n` +
    `export { b } from "./b.ts";\nconst w = new URL("./w.ts", import.meta.url);`;
  assert.deepEqual(importsOf("engine/e.ts", text), ["core/a.ts", "engine/b.ts", "engine/w.ts"]);
  const g = new Map([["a", ["b"]], ["b", ["c"]], ["c", ["a"]], ["d", ["a"]]]);
  assert.deepEqual(findCycles(g), [["a", "b", "c"]]);
});
