// The optimize CLI as a user runs it: synth data, optimise, resume, list, show, compare, errors.

import assert from "node:assert/strict";
import { runCli, tempDir } from "../support.ts";

const CLI = "src/cli/optimize.ts";

Deno.test("data synth -> optimize (json and text) -> resume -> list -> show, on --db", async () => {
  await using dir = await tempDir();
  const db = `${dir.path}/opt.duckdb`;
  const synth = await runCli("src/cli/data.ts", [
    "synth",
    "--bars",
    "4000",
    "--seed",
    "4",
    "--db",
    db,
  ]);
  assert.equal(synth.code, 0, synth.stderr);
  const run = (...args: string[]) => runCli(CLI, [...args, "--db", db]);
  const market = ["--strategy", "ema_cross", "--symbol", "SYN/USDT", "--timeframe", "1m"];
  const study = ["--trials", "12", "--min-trades", "3", "--seed", "2", "--json"];

  const a = await run(...market, ...study, "--workers", "1", "--study", "e1");
  assert.equal(a.code, 0, a.stderr);
  const out = JSON.parse(a.stdout);
  assert.equal(out.study.name, "e1");
  assert.equal(out.study.exchange, "synthetic");
  assert.equal(Object.values(out.counts as Record<string, number>).reduce((x, y) => x + y), 12);
  assert.ok(out.best && out.best.state === "complete");
  assert.deepEqual(out.study.config.constraints, { minTrades: 3 });

  const b = await run(...market, ...study, "--workers", "0", "--study", "e2");
  assert.equal(b.code, 0, b.stderr);
  assert.deepEqual(JSON.parse(b.stdout).top, out.top); // worker count does not change results

  const c = await run(
    ...market,
    "--trials",
    "10",
    "--sampler",
    "random",
    "--prune",
    "--fix",
    "direction=both",
    "--space",
    "fast_period=5..40,slow_period=20..300:log",
  );
  assert.equal(c.code, 0, c.stderr);
  assert.match(
    c.stdout,
    /^study ema_cross-SYNUSDT-1m-random-sharpe-s1: ema_cross@1\.0\.0 on synthetic SYN\/USDT 1m/,
  );
  assert.match(c.stdout, /10 trials: \d+ complete, \d+ pruned, \d+ invalid, 0 failed/);
  assert.match(c.stderr, /optimize ema_cross .*10\/10 trials/);

  const resumed = await run("--study", "e1", "--resume", "--trials", "20", "--json");
  assert.equal(resumed.code, 0, resumed.stderr);
  const r = JSON.parse(resumed.stdout);
  assert.equal(Object.values(r.counts as Record<string, number>).reduce((x, y) => x + y), 20);
  assert.ok(r.best.score >= out.best.score);

  const list = await run("list");
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^name\s+created\s+strategy/);
  assert.match(list.stdout, /\ne1\s+\S+\s+ema_cross\s+SYN\/USDT\s+1m\s+tpe\s+sharpe\s+20\/20/);
  const listed = JSON.parse((await run("list", "--json")).stdout);
  assert.equal(listed.length, 3);

  const show = await run("show", "e1", "--top", "3");
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /^study e1: ema_cross@1\.0\.0 on synthetic SYN\/USDT 1m/);
  assert.match(show.stdout, /sampler tpe, objective sharpe, seed 2, batch 8, target 20 trials/);
  assert.match(show.stdout, /\n#\s+state\s+sharpe\s+trades\s+return\s+max dd\s+params\n/);
  assert.equal(show.stdout.trim().split("\n").filter((l) => /^\d+\s+complete/.test(l)).length, 3);

  const compare = await run("show", "e1", "e2", "--json");
  const reports = JSON.parse(compare.stdout);
  assert.deepEqual(reports.map((x: { study: { name: string } }) => x.study.name), ["e1", "e2"]);
  assert.equal(reports[0].top.length, 3);
});

Deno.test("optimize CLI errors are one clear line with exit code 2", async () => {
  await using dir = await tempDir();
  const db = `${dir.path}/opt.duckdb`;
  await runCli("src/cli/data.ts", ["synth", "--bars", "500", "--seed", "1", "--db", db]);
  const run = (...args: string[]) => runCli(CLI, [...args, "--db", db]);
  const market = ["--strategy", "ema_cross", "--symbol", "SYN/USDT", "--timeframe", "1m"];
  const cases: [string[], RegExp][] = [
    [["--resume"], /--resume needs --study NAME/],
    [["--study", "nope", "--resume"], /No study "nope" to resume/],
    [[...market, "--space", "fast_period=1..9"], /outside the allowed 2\.\.200/],
    [[...market, "--objective", "alpha"], /--objective "alpha" must be one of sharpe/],
    [[...market, "--workers", "many"], /--workers "many" must be a whole number/],
    [
      ["--strategy", "nope", "--symbol", "SYN/USDT", "--timeframe", "1m"],
      /Strategy "nope" does not exist/,
    ],
    [
      ["--strategy", "ema_cross", "--symbol", "BTC/USDT", "--timeframe", "1m"],
      /No stored candles for BTC\/USDT 1m/,
    ],
    [["show"], /needs a study name/],
  ];
  for (const [args, re] of cases) {
    const r = await run(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
  const first = await run(...market, "--trials", "2", "--study", "s", "--json");
  assert.equal(first.code, 0, first.stderr);
  const again = await run(...market, "--trials", "2", "--study", "s");
  assert.equal(again.code, 2);
  assert.match(again.stderr, /Study "s" already exists \(2 trials\): resume it/);
  const help = await runCli(CLI, ["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /deno task optimize show STUDY/);
});
