// defineStrategy: every strategy's parameters get the direction run setting, refinements kept.

import assert from "node:assert/strict";
import { z } from "zod";
import { defineStrategy } from "../../src/core/strategy.ts";
import { paramNames, parseParams } from "../../src/engine/strategy_registry.ts";
import type { StrategyDefinition } from "../../src/core/strategy.ts";
import type { Direction } from "../../src/core/trading.ts";
import { BatchSeries } from "../../src/engine/batch_series.ts";
import { SymbolContext } from "../../src/engine/symbol_context.ts";
import { SimBroker } from "../../src/sim/sim_broker.ts";
import { makeCandles } from "../support.ts";

const created: Direction[] = [];
const def = defineStrategy({
  name: "two_lines",
  version: "1",
  description: "",
  params: z.object({
    fast: z.number().int().default(5),
    slow: z.number().int().default(20),
  }).refine((p) => p.fast < p.slow, { message: "fast must be below slow", path: ["fast"] }),
  warmup: (p) => p.slow,
  create: (p) => {
    created.push(p.direction); // typed: the callbacks see direction
    return { onCandle: () => null };
  },
}) as unknown as StrategyDefinition;

Deno.test("defineStrategy: direction is added after the strategy's own parameters, long by default", () => {
  assert.deepEqual(paramNames(def), ["fast", "slow", "direction"]);
  assert.deepEqual(parseParams(def, {}), { fast: 5, slow: 20, direction: "long" });
  for (const direction of ["long", "short", "both"]) {
    assert.equal(parseParams(def, { direction }).direction, direction);
  }
  assert.throws(() => parseParams(def, { direction: "up" }), /direction/);
  const series = new BatchSeries({ symbol: "X/USDT", timeframe: "1m" }, makeCandles(30));
  def.create(
    parseParams(def, { direction: "short" }),
    new SymbolContext(series, new SimBroker({ cash: 100 })),
  );
  assert.deepEqual(created, ["short"]);
});

Deno.test("defineStrategy: the strategy's refinements still hold", () => {
  assert.throws(() => parseParams(def, { fast: 30 }), /fast: fast must be below slow/);
});

Deno.test("defineStrategy: a schema that declares direction itself gets the one setting", () => {
  const own = defineStrategy({
    name: "own",
    version: "1",
    description: "",
    params: z.object({ direction: z.enum(["long"]).default("long"), n: z.number().default(1) }),
    warmup: () => 1,
    create: () => ({ onCandle: () => null }),
  }) as unknown as StrategyDefinition;
  assert.deepEqual(paramNames(own), ["direction", "n"]);
  assert.equal(parseParams(own, { direction: "both" }).direction, "both");
});

Deno.test("defineStrategy: params that are not a z.object are refused, naming the strategy", () => {
  assert.throws(
    () =>
      defineStrategy({
        name: "odd",
        version: "1",
        description: "",
        params: z.record(z.string(), z.number()),
        warmup: () => 1,
        create: () => ({ onCandle: () => null }),
      }),
    /Strategy "odd" must declare its params as a z\.object\(\{\.\.\.\}\)/,
  );
});
