// `deno task walkforward` end to end on stored synthetic candles: table, JSON, clear errors.

import assert from "node:assert/strict";
import { runCli, tempDir } from "../support.ts";

Deno.test("walkforward prints each window, the efficiency and parameter stability; --json is parseable", async () => {
  await using dir = await tempDir();
  const db = `${dir.path}/wf.duckdb`;
  const synth = await runCli("src/cli/data.ts", [
    "synth",
    "--bars",
    "2400",
    "--seed",
    "4",
    "--timeframe",
    "1h",
    "--db",
    db,
  ]);
  assert.equal(synth.code, 0, synth.stderr);
  const args = [
    "--strategy",
    "ema_cross",
    "--symbol",
    "SYN/USDT",
    "--timeframe",
    "1h",
    "--in-sample",
    "1000",
    "--out-of-sample",
    "700",
    "--trials",
    "6",
    "--sampler",
    "random",
    "--workers",
    "0",
    "--db",
    db,
  ];
  const r = await runCli("src/cli/walk_forward.ts", args);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^window\s+out-of-sample\s+in-sample value\s+out-of-sample value\s+parameters/m,
  );
  assert.match(r.stdout, /^2\s+2024-/m);
  assert.match(r.stdout, /walk-forward efficiency/);
  assert.match(r.stdout, /fast_period: \d+, \d+/);
  const j = await runCli("src/cli/walk_forward.ts", [...args, "--json"]);
  const out = JSON.parse(j.stdout);
  assert.equal(out.windows.length, 2);
  assert.equal(out.stitched.ts.length, 1400);
  const bad = await runCli("src/cli/walk_forward.ts", [
    ...args.slice(0, 6),
    "--in-sample",
    "5000",
    "--out-of-sample",
    "100",
    "--db",
    db,
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /too few for one window/);
});
