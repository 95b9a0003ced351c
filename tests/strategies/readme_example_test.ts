// The README's "Write your own strategy" example, used as the README says: found in a strategies
// folder, type-checked, backtested from code and from the CLI, free of look-ahead, and deciding
// live as in the backtest.

import assert from "node:assert/strict";
import type { BacktestResult } from "../../src/backtest/run.ts";
import { candleAt } from "../../src/core/candles.ts";
import { synthCandles } from "../../src/data/synth.ts";
import type { Decision } from "../../src/engine/engine.ts";
import { tempDir } from "../support.ts";
import { perturbAfter } from "./lookahead_support.ts";
import { checkExits } from "./support.ts";

const ROOT = new URL("../../", import.meta.url);
const HEADING = "Write your own strategy";
const HOUR = 3_600_000;

/** The first ```ts block after the README's "Write your own strategy" heading, and its name. */
async function readmeExample(): Promise<{ name: string; code: string }> {
  const readme = await Deno.readTextFile(new URL("README.md", ROOT));
  const at = readme.search(new RegExp(`^#+ ${HEADING}\\s*$`, "m"));
  assert.ok(at >= 0, `README.md has no "${HEADING}" heading`);
  const block = /^```ts\n([\s\S]*?)^```\s*$/m.exec(readme.slice(at));
  assert.ok(block, `README.md has no \`\`\`ts block after "${HEADING}"`);
  const name = /^\s*name: "([a-z0-9_]+)"/m.exec(block[1])?.[1];
  assert.ok(name, `the README's example strategy declares no name: "..."`);
  return { name, code: block[1] };
}

/**
 * A checkout of its own in `dir`: this repository's src/ (a symlink) beside a strategies/ folder
 * that holds the README's example only, saved as the README says (`strategies/<name>.ts`). Code
 * imported from it finds its strategies there, as the real commands find strategies/.
 */
async function checkout(dir: string, ex: { name: string; code: string }): Promise<string> {
  await Deno.symlink(new URL("src", ROOT).pathname, `${dir}/src`);
  await Deno.mkdir(`${dir}/strategies`);
  const file = `${dir}/strategies/${ex.name}.ts`;
  await Deno.writeTextFile(file, ex.code);
  return file;
}

/** Runs deno with `args` from the repository root (its deno.json), data kept in `dataDir`. */
async function deno(args: string[], dataDir: string) {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT.pathname,
    env: { NO_COLOR: "1", TZ: "UTC", TIDEWATCH_DATA_DIR: dataDir },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Decisions as plain data (their reasons are getters), for exact comparison. */
function plain<T>(x: T): T {
  return JSON.parse(JSON.stringify(x));
}

Deno.test("README strategy example: found, type-checked, backtested, live as backtested", async (t) => {
  const ex = await readmeExample();
  await using dir = await tempDir();
  const file = await checkout(dir.path, ex);
  const config = (file: string) => ["--config", new URL("deno.json", ROOT).pathname, file];
  const base = new URL(`file://${dir.path}/`);
  const load = <M>(path: string) => import(new URL(path, base).href) as Promise<M>;
  const registry = await load<typeof import("../../src/engine/strategy_registry.ts")>(
    "src/engine/strategy_registry.ts",
  );
  const { backtest } = await load<typeof import("../../src/backtest/run.ts")>(
    "src/backtest/run.ts",
  );
  // The README's own data: a year of seeded synthetic hourly candles.
  const candles = synthCandles({ bars: 8760, seed: 7, timeframe: "1h" });
  const run = { strategy: ex.name, symbol: "SYN/USDT", timeframe: "1h", exchange: "synthetic" };
  let result: BacktestResult | undefined;

  await t.step("discovered by its file name; parameters default from its schema", async () => {
    const all = await registry.loadStrategies();
    assert.deepEqual([...all.keys()], [ex.name]);
    const def = await registry.getStrategy(ex.name);
    const params = registry.parseParams(def, {});
    assert.equal(params.direction, "long", "every strategy takes direction, long by default");
    assert.ok(Object.values(params).every((v) => v !== undefined), "every parameter has a default");
    assert.throws(() => registry.parseParams(def, { no_such_param: 1 }), /no_such_param/);
    assert.ok(def.warmup(params) > 0, "it declares a warm-up");
  });

  await t.step("type-checks and lints as a file of strategies/", async () => {
    const check = await deno(["check", "-q", ...config(file)], dir.path);
    assert.equal(check.code, 0, `deno check failed:\n${check.stderr}${check.stdout}`);
    const lint = await deno(["lint", "-q", ...config(file)], dir.path);
    assert.equal(lint.code, 0, `deno lint failed:\n${lint.stderr}${lint.stdout}`);
  });

  await t.step("backtests: entries with stops and targets, exits by both", async () => {
    const r = await backtest({ ...run, fee: 0.001, slippageBps: 2 }, candles);
    result = r;
    assert.equal(r.strategy, ex.name);
    const opens = r.decisions.filter((d) => d.outcome === "order" && d.code === "open");
    assert.ok(opens.length >= 10, `only ${opens.length} entries in a year`);
    for (const d of opens) {
      const { slPct, tpPct } = d.signal;
      assert.ok(slPct! > 0 && tpPct! > 0, "each entry states its stop and target from the fill");
    }
    // entries at the open after the signal, stops and targets where the signals put them (in
    // percent of the fill price)
    const exits = checkExits(r);
    assert.ok(
      exits.sl > 0 && exits.tp > 0,
      `exits by stop and by target: ${JSON.stringify(exits)}`,
    );
    const both = await backtest({ ...run, params: { direction: "both" } }, candles);
    assert.ok(both.trades.some((x) => x.side === "short"), "direction both opens shorts too");
    assert.ok(r.trades.every((x) => x.side === "long"), "long only by default");
  });

  await t.step("no look-ahead: candles after t change nothing decided by t", async () => {
    const r = result!;
    for (const q of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      const d = r.decisions[Math.floor(q * r.decisions.length)];
      const cut = (d.ts - HOUR - candles.ts[0]) / HOUR; // the candle it was decided on
      const changed = await backtest(
        { ...run, fee: 0.001, slippageBps: 2 },
        perturbAfter(candles, cut),
      );
      const by = (x: BacktestResult) => plain(x.decisions.filter((e) => e.ts <= d.ts));
      assert.deepStrictEqual(by(changed), by(r), `decisions by candle ${cut} differ`);
      assert.notDeepStrictEqual(
        plain(changed.decisions),
        plain(r.decisions),
        `changing the candles after ${cut} changed nothing, so the check proves nothing`,
      );
    }
  });

  await t.step("live, candle by candle, it decides as the backtest did", async () => {
    const { BotRunner } = await load<typeof import("../../src/engine/bot_runner.ts")>(
      "src/engine/bot_runner.ts",
    );
    const { simSetup } = await load<typeof import("../../src/backtest/wiring.ts")>(
      "src/backtest/wiring.ts",
    );
    const def = await registry.getStrategy(ex.name);
    const config = { ...run, params: { direction: "both" }, fee: 0.001, slippageBps: 2 };
    const { broker, risk, leverage, fees } = simSetup(config, [run.symbol]);
    const decisions: Decision[] = [];
    const runner = new BotRunner({
      def,
      params: registry.parseParams(def, config.params),
      symbol: run.symbol,
      timeframe: run.timeframe,
      broker,
      risk,
      leverage,
      takerFee: fees.taker,
      idPrefix: "bt",
      onDecision: (d) => decisions.push(d),
    });
    const warm = 500; // a bot started here: the candles before only warm it up
    for (let i = 0; i < candles.ts.length; i++) {
      if (i < warm) runner.warm(candleAt(candles, i));
      else runner.step(candleAt(candles, i));
    }
    const bt = await backtest({ ...config, warmupUntil: candles.ts[warm - 1] }, candles);
    assert.ok(bt.decisions.length >= 10, `only ${bt.decisions.length} decisions to compare`);
    assert.deepStrictEqual(plain(decisions), plain(bt.decisions));
    assert.deepStrictEqual(plain(broker.trades()), plain(bt.trades));
  });

  await t.step("the README's commands: data synth, then backtest by name", async () => {
    const db = `${dir.path}/readme.duckdb`;
    const cli = (script: string, args: string[]) =>
      deno(
        ["run", "-A", ...config(`${dir.path}/src/cli/${script}`), ...args, "--db", db],
        dir.path,
      );
    const synth = await cli("data.ts", [
      "synth",
      ...["--symbol", "SYN/USDT", "--timeframe", "1h", "--bars", "8760", "--seed", "7"],
    ]);
    assert.equal(synth.code, 0, synth.stderr);
    const bt = await cli("backtest.ts", [
      ...["--strategy", ex.name, "--symbol", "SYN/USDT", "--timeframe", "1h"],
      ...["--fee", "0.001", "--slippage-bps", "2", "--json"],
    ]);
    assert.equal(bt.code, 0, bt.stderr);
    const out = JSON.parse(bt.stdout);
    assert.equal(out.strategy, ex.name);
    assert.deepStrictEqual(out.trades, plain(result!.trades), "the CLI and backtest() agree");
  });
});
