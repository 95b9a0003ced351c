// Indicator lines of a strategy's declarations: names, panes, higher timeframes and kernel values.

import assert from "node:assert/strict";
import { indicatorLines } from "../../src/commands/bot_indicators.ts";
import { strategyParams } from "../../src/commands/strategy_catalog.ts";
import { getStrategy, parseParams } from "../../src/engine/strategy_registry.ts";
import { higherView } from "../../src/engine/timeframes.ts";
import { bollinger, rsi, sma } from "../../src/indicators/mod.ts";
import { makeCandles } from "../support.ts";

const orNull = (v: number) => (Number.isFinite(v) ? v : null);

Deno.test("indicator lines: multi-line and higher-timeframe indicators, panes by kind", async () => {
  const def = await getStrategy("rsi_macd_bb");
  const params = parseParams(def, {});
  const candles = makeCandles(2000, Date.UTC(2024, 0, 1), 15 * 60_000);
  const lines = indicatorLines(def, params, { symbol: "SYN/USDT", timeframe: "15m" }, candles);
  assert.deepEqual(lines.map((l) => [l.name, l.pane]), [
    ["rsi(14)", "separate"],
    ["macd(12,26,9) macd 1h", "separate"],
    ["macd(12,26,9) signal 1h", "separate"],
    ["macd(12,26,9) histogram 1h", "separate"],
    ["bbands(20,2) middle 4h", "price"],
    ["bbands(20,2) upper 4h", "price"],
    ["bbands(20,2) lower 4h", "price"],
  ]);
  assert.deepEqual(lines[0].values, Array.from(rsi(candles.close, 14), orNull));
  // A 4h band at each 15m candle: the value of the latest 4h candle closed by then.
  const h4 = higherView(candles, "15m", "4h");
  const upper = bollinger(h4.data.close, 20, 2).upper;
  const expected = Array.from(candles.ts, (_, i) => {
    const j = h4.closedIndex(i);
    return j < 0 ? null : orNull(upper[j]);
  });
  assert.deepEqual(lines[5].values, expected);
  assert.ok(lines[5].values.some((v) => v !== null));
});

Deno.test("indicator lines: a volume average goes to its own pane; a range is sliced", async () => {
  const def = await getStrategy("ema_rsi_volume");
  const params = parseParams(def, {});
  const candles = makeCandles(300);
  const lines = indicatorLines(def, params, { symbol: "SYN/USDT", timeframe: "1m" }, candles, {
    start: 100,
    end: 110,
  });
  assert.deepEqual(lines.map((l) => [l.name, l.pane]), [
    ["ema(50)", "price"],
    ["rsi(14)", "separate"],
    ["sma(20,volume)", "separate"],
  ]);
  assert.deepEqual(lines[2].values, Array.from(sma(candles.volume, 20).subarray(100, 110)));
});

Deno.test("strategy params: enums, numbers and descriptions from the zod schema", async () => {
  const smc = strategyParams(await getStrategy("smc"));
  assert.deepEqual(smc.find((p) => p.name === "zone"), {
    name: "zone",
    type: "enum",
    optional: false,
    default: "fvg_or_ob",
    choices: ["fvg", "ob", "fvg_or_ob"],
    description: "Entry zone: fair-value gap, order block, or a gap and failing that a block",
  });
  const rr = smc.find((p) => p.name === "rr")!;
  assert.deepEqual([rr.type, rr.default, rr.min, rr.max], ["number", 3, 0.5, 20]);
  assert.equal(smc.at(-1)!.name, "direction");
});
