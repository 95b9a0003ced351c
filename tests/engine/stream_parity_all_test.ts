// Parity for every strategy: each one in strategies/ (a user's file dropped there included), and a
// strategy written the natural way (columns and lines kept from create(), state in a closure),
// decides the same fed candle by candle (BotRunner, as paper and live bots run it) as in a
// backtest of the same candles. The user's file never mentions direction, and gets it.

import assert from "node:assert/strict";
import { z } from "zod";
import { simulate } from "../../src/backtest/run.ts";
import { simSetup } from "../../src/backtest/wiring.ts";
import type { CandleColumns } from "../../src/core/candles.ts";
import { defineStrategy, type StrategyDefinition } from "../../src/core/strategy.ts";
import { synthCandles } from "../../src/data/synth.ts";
import { loadStrategies, parseParams } from "../../src/engine/strategy_registry.ts";
import { feedLive } from "./parity_support.ts";

const WARM = 400;

/** The decisions and trades of `def` fed live (the first WARM candles warm up) and as a backtest. */
function both(
  def: StrategyDefinition,
  timeframe: string,
  candles: CandleColumns,
  raw: Record<string, unknown> = {},
) {
  const params = parseParams(def, { direction: "both", ...raw });
  const config = { strategy: def.name, symbol: "SYN/USDT", timeframe };
  const live = feedLive(def, params, config, candles, WARM);
  const bt = simSetup(config, ["SYN/USDT"]);
  const sim = simulate(def, params, { timeframe, warmupUntil: candles.ts[WARM - 1] }, [
    { symbol: "SYN/USDT", candles },
  ], { broker: bt.broker, risk: bt.risk, leverage: 1, takerFee: bt.fees.taker });
  const json = (x: unknown) => JSON.parse(JSON.stringify(x));
  return {
    live: { decisions: json(live.decisions), trades: json(live.trades) },
    bt: { decisions: json(sim.decisions), trades: json(bt.broker.trades()) },
  };
}

/**
 * A strategy as a user writes it: columns, lines and a higher timeframe kept from create(), and
 * state in its closure (bars since the last signal). It signals both sides and never mentions
 * direction.
 */
const NATURAL = `
import { z } from "zod";
import { defineStrategy } from "../src/core/strategy.ts";

export default defineStrategy({
  name: "user_natural",
  version: "0.1.0",
  description: "Close crosses its EMA(20) while the closed 4h close is above its SMA(10)",
  params: z.object({}),
  timeframes: () => ["4h"],
  warmup: () => 21,
  create(_p, ctx) {
    const close = ctx.base.data.close;
    const ema = ctx.indicator({ kind: "ema", period: 20 }).values;
    const four = ctx.timeframe("4h");
    const fourClose = four.data.close;
    const fourSma = ctx.indicator({ kind: "sma", period: 10 }, "4h").values;
    let quiet = 0;
    return {
      onCandle(i) {
        quiet++;
        const q = four.closedIndex(i);
        if (q < 0 || !(fourSma[q] === fourSma[q]) || quiet < 3) return null;
        const up = close[i - 1] <= ema[i - 1] && close[i] > ema[i];
        const down = close[i - 1] >= ema[i - 1] && close[i] < ema[i];
        if (!up && !down) return null;
        quiet = 0;
        const trend = fourClose[q] > fourSma[q];
        if (up && trend) return { side: "long", confidence: 1, reason: "up, 4h trend up" };
        if (down && !trend) return { side: "short", confidence: 1, reason: "down, 4h trend down" };
        return { side: "exit", confidence: 1, reason: "against the 4h trend" };
      },
    };
  },
});
`;

/** Parameters that make a built-in trade often enough here (the rest run on their defaults). */
const BUSIER: Record<string, Record<string, unknown>> = {
  dca: { interval_bars: 24, tp_pct: 0.5 },
  grid: { range_bars: 400, levels: 8 },
};

const hourly = synthCandles({ bars: 3000, seed: "parity all", timeframe: "1h" });
const quarter = synthCandles({ bars: 12_000, seed: "parity all", timeframe: "15m" });

/** The base timeframe a strategy runs on here: 15m for those that read 1h or 4h, else 1h. */
function baseOf(def: StrategyDefinition): ["1h" | "15m", CandleColumns] {
  const higher = def.timeframes?.(parseParams(def, {})) ?? [];
  return higher.includes("1h") ? ["15m", quarter] : ["1h", hourly];
}

Deno.test("live parity: every strategy in strategies/, and a user's file dropped there", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "tidewatch_strategies_" });
  try {
    // the built-ins, plus a user's file: the same discovery as strategies/ at start-up; their
    // imports of ../src/ point at src/ from the temp folder
    const srcUrl = new URL("../../src/", import.meta.url).href;
    const place = (text: string) => text.replaceAll('"../src/', `"${srcUrl}`);
    const builtins = new URL("../../strategies/", import.meta.url);
    for await (const e of Deno.readDir(builtins)) {
      if (e.isFile && e.name.endsWith(".ts")) {
        const text = await Deno.readTextFile(new URL(e.name, builtins));
        await Deno.writeTextFile(`${dir}/${e.name}`, place(text));
      }
    }
    await Deno.writeTextFile(`${dir}/user_natural.ts`, place(NATURAL));
    const all = await loadStrategies(new URL(`file://${dir}/`));
    assert.ok(all.has("user_natural") && all.has("sma_cross"));
    await t.step("the user's file takes direction, which the risk gate enforces", () => {
      const def = all.get("user_natural")!;
      assert.equal(parseParams(def, {}).direction, "long");
      assert.throws(() => parseParams(def, { direction: "sideways" }), /direction/);
      const [tf, candles] = baseOf(def);
      for (const direction of ["long", "short"] as const) {
        const config = { strategy: def.name, symbol: "SYN/USDT", timeframe: tf };
        const { broker, risk, fees } = simSetup(config, ["SYN/USDT"]);
        const params = parseParams(def, { direction });
        const sim = simulate(def, params, { timeframe: tf }, [{ symbol: "SYN/USDT", candles }], {
          broker,
          risk,
          leverage: 1,
          takerFee: fees.taker,
        });
        const refused = sim.decisions.filter((d) => d.code === "direction");
        assert.ok(refused.length > 0, `${direction}: no signal of the other side was refused`);
        assert.ok(refused.every((d) => d.signal.side !== direction));
        assert.ok(broker.trades().length > 0);
        assert.ok(broker.trades().every((x) => x.side === direction), `${direction} only`);
      }
    });
    for (const [name, def] of all) {
      await t.step(name, () => {
        const [tf, candles] = baseOf(def);
        const { live, bt } = both(def, tf, candles, BUSIER[name]);
        if (name !== "signals") {
          assert.ok(bt.decisions.length >= 3, `${name}: ${bt.decisions.length} decisions`);
        }
        assert.deepEqual(live.decisions, bt.decisions);
        assert.deepEqual(live.trades, bt.trades);
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("live parity: columns and lines kept from create() see every candle as it closes", () => {
  // kept the natural way: if the live arrays moved as they grew, this strategy would see only
  // the candles there were at create() and never signal
  const seen: number[] = [];
  const def = defineStrategy({
    name: "kept_columns",
    version: "0.1.0",
    description: "Long when the close is above its SMA(5), exit when below",
    params: z.object({}),
    warmup: () => 5,
    create(_p, ctx) {
      const close = ctx.base.data.close;
      const sma = ctx.indicator({ kind: "sma", period: 5 }).values;
      return {
        onCandle(i) {
          seen.push(close[i]);
          if (!(sma[i] === sma[i])) return null;
          return close[i] > sma[i]
            ? { side: "long", confidence: 1, reason: "above" }
            : { side: "exit", confidence: 1, reason: "below" };
        },
      };
    },
  }) as unknown as StrategyDefinition;
  const { live, bt } = both(def, "1h", hourly);
  assert.ok(bt.decisions.length > 100, `decisions: ${bt.decisions.length}`);
  assert.deepEqual(live.decisions, bt.decisions);
  assert.deepEqual(live.trades, bt.trades);
  assert.ok(seen.every((x) => x > 0), "no candle read as missing");
});
