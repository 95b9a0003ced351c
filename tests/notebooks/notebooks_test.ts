// Every notebook in notebooks/ runs top to bottom, headless, on the Deno Jupyter kernel.

import assert from "node:assert/strict";
import { requireTool } from "../requirements_support.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const NOTEBOOKS = [...Deno.readDirSync(`${ROOT}notebooks`)]
  .filter((e) => e.isFile && e.name.endsWith(".ipynb"))
  .map((e) => e.name)
  .sort();

async function jupyterReady(): Promise<string | undefined> {
  try {
    const out = await new Deno.Command("jupyter", {
      args: ["nbconvert", "--version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    if (!out.success) return "jupyter nbconvert does not run";
  } catch {
    return "jupyter nbconvert is missing (apt-get install -y jupyter-nbconvert python3-nbclient python3-ipykernel)";
  }
  const home = Deno.env.get("HOME") ?? "";
  try {
    Deno.statSync(`${home}/.local/share/jupyter/kernels/deno/kernel.json`);
  } catch {
    return "the Deno kernel is not installed (deno jupyter --install)";
  }
  return undefined;
}

const missing = await jupyterReady();

Deno.test("notebooks/ holds the four research notebooks", () => {
  assert.deepEqual(NOTEBOOKS, [
    "01_backtest.ipynb",
    "02_optimize.ipynb",
    "03_walk_forward.ipynb",
    "04_volatility_scan.ipynb",
  ]);
});

for (const name of NOTEBOOKS) {
  Deno.test({
    name: `notebook ${name} runs without a cell error and shows charts`,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      if (!requireTool("jupyter", missing === undefined, missing ?? "")) return;
      const out = await Deno.makeTempDir({ prefix: "tidewatch_nb_" });
      try {
        const run = await new Deno.Command("jupyter", {
          args: [
            "nbconvert",
            "--to",
            "notebook",
            "--execute",
            "--ExecutePreprocessor.timeout=900",
            // A cell's outputs may come after its reply on a busy machine: wait for them (the
            // kernel's idle message ends the wait at once) rather than the default 4 s.
            "--ExecutePreprocessor.iopub_timeout=120",
            "--output-dir",
            out,
            `notebooks/${name}`,
          ],
          cwd: ROOT,
          env: { TIDEWATCH_DATA_DIR: out, NO_COLOR: "1", TZ: "UTC" },
          stdout: "piped",
          stderr: "piped",
        }).output();
        const err = new TextDecoder().decode(run.stderr);
        assert.ok(run.success, `${name} failed:\n${err.slice(-3000)}`);
        const nb = JSON.parse(await Deno.readTextFile(`${out}/${name}`));
        const outputs = nb.cells.flatMap((c: { outputs?: unknown[] }) => c.outputs ?? []);
        const errors = outputs.filter((o: { output_type: string }) => o.output_type === "error");
        assert.deepEqual(errors, []);
        const svgs = outputs.filter((o: { data?: Record<string, unknown> }) =>
          o.data?.["image/svg+xml"]
        );
        assert.ok(svgs.length >= 1, `${name} shows no chart`);
      } finally {
        await Deno.remove(out, { recursive: true }).catch(() => {});
      }
    },
  });
}
