// The research entry point: config + candles in, a plain result object out (and nothing else).

import type { CandleColumns } from "../core/candles.ts";
import { ConfigError } from "../core/errors.ts";
import { timeframeMs } from "../core/timeframe.ts";
import type { Direction, PositionView, Trade } from "../core/trading.ts";
import type { BacktestConfig } from "./config.ts";
import { type Decision, Engine } from "../engine/engine.ts";
import { type DecisionCount, withFillRefusals } from "../core/decision_summary.ts";
import type { OrderRefusal } from "../core/ports.ts";
import { SimBroker } from "../sim/sim_broker.ts";
import { BatchSeries } from "../engine/batch_series.ts";
import { SymbolContext } from "../engine/symbol_context.ts";
import { runTimeline } from "../engine/timeline.ts";
import { intrabarSlices } from "../sim/intrabar.ts";
import { getStrategy, parseParams } from "../engine/strategy_registry.ts";
import type { StrategyDefinition } from "../core/strategy.ts";
import { RiskGate } from "../risk/gate.ts";
import { computeMetrics, type Metrics } from "./metrics.ts";
import { fingerprint } from "./fingerprint.ts";
import { defineLazy, type EquityCurve, equityCurve } from "./lazy_fields.ts";
import { simSetup } from "./wiring.ts";

export type { BacktestConfig } from "./config.ts";

/** A finished backtest, JSON-friendly. Same config and candles give the same bytes. */
export interface BacktestResult {
  run_id: string;
  strategy: string;
  strategy_version: string;
  params: Record<string, unknown>;
  exchange: string;
  symbol: string;
  timeframe: string;
  first_ts: number | null;
  last_ts: number | null;
  candles: number;
  data_fingerprint: string;
  config: Record<string, unknown>;
  metrics: Metrics;
  final_equity: number;
  /** The open position at the end (the first, with several symbols), or null. */
  open_position: PositionView | null;
  /** Every position open at the end (several symbols). */
  open_positions: PositionView[];
  trades: Trade[];
  /**
   * Equity marked at each candle's close: `ts` are candle open times. Its arrays are made on
   * their first read (see {@link equityCurve}).
   */
  equity_curve: EquityCurve;
  /** Every decision, in order; made on the first read. */
  decisions: Decision[];
  /**
   * How the run's decisions ended, by outcome and code (`refused: already_in_position 8,392`),
   * most frequent first within an outcome; orders the broker cancelled when they came to fill
   * count as `refused_at_fill`. A run that stops trading says why here.
   */
  decision_summary: DecisionCount[];
  /** Orders accepted but cancelled at fill time (too small once sized, no margin), and why. */
  order_refusals: OrderRefusal[];
}

function isColumns(x: CandleColumns | Record<string, CandleColumns>): x is CandleColumns {
  return (x as CandleColumns).ts instanceof Float64Array;
}

/** What {@link simulate} needs besides the strategy and candles. */
export interface SimulationWiring {
  broker: SimBroker;
  risk: RiskGate;
  leverage: number;
  takerFee: number;
}

/** The raw outcome of a simulation: equity per candle, exposure, decisions, the open position. */
export interface Simulation {
  /** Open times of the run's timeline (the union over symbols). */
  ts: Float64Array;
  /** Equity after each time of `ts`. */
  equity: Float64Array;
  /** Candles stepped with a position open. */
  exposure: number;
  /** Every decision, in order; their reason texts are written on the first read. */
  readonly decisions: readonly Decision[];
  /** Decisions counted by outcome and code, with the orders refused at fill (no texts written). */
  decisionSummary(): DecisionCount[];
  /** Orders accepted but cancelled by the broker at fill time, with the reason. */
  refusals: OrderRefusal[];
  /** Positions still open at the end (empty with closeAtEnd). */
  open: PositionView[];
}

/** One symbol's candles for a run. */
export interface SymbolCandles {
  symbol: string;
  candles: CandleColumns;
  /** Lower-timeframe candles of the same symbol: they decide which order filled first. */
  lower?: CandleColumns;
}

/**
 * The engine loop over fixed candles (indicators included): what `deno task bench` times.
 * Several symbols share one account and run in time order. {@link backtest} wraps it with
 * validation, metrics, fingerprints and a JSON-friendly result.
 */
export function simulate(
  def: StrategyDefinition,
  params: Record<string, unknown>,
  config: Pick<BacktestConfig, "timeframe" | "closeAtEnd" | "warmupUntil">,
  inputs: readonly SymbolCandles[],
  wiring: SimulationWiring,
  options: BacktestRunOptions = {},
): Simulation {
  const { broker, risk, leverage } = wiring;
  const tfMs = timeframeMs(config.timeframe);
  const history = broker.history;
  const engine = new Engine({
    strategyName: def.name,
    timeframeMs: tfMs,
    broker,
    risk,
    direction: (params.direction ?? "long") as Direction,
    leverage,
    takerFee: wiring.takerFee,
    warmup: Math.max(def.warmup(params), warmedCount(inputs, config.warmupUntil)),
    recorder: history,
  });
  const higher = def.timeframes?.(params) ?? [];
  const symbols = inputs.map(({ symbol, candles, lower }) => {
    engine.track(symbol);
    const series = new BatchSeries({ symbol, timeframe: config.timeframe, higher }, candles);
    const strategy = def.create(params, new SymbolContext(series, broker));
    return {
      symbol,
      data: candles,
      strategy,
      lower: lower && intrabarSlices(candles, tfMs, lower),
    };
  });
  const curve = runTimeline(engine, symbols, options);
  const open: PositionView[] = [];
  for (const { symbol, candles } of inputs) {
    const n = candles.ts.length;
    const p = broker.position(symbol);
    if (!p || n === 0) continue;
    if (config.closeAtEnd) {
      broker.closePosition(symbol, candles.close[n - 1], candles.ts[n - 1] + tfMs, "end_of_data");
    } else open.push(p);
  }
  if (config.closeAtEnd && curve.equity.length) {
    curve.equity[curve.equity.length - 1] = broker.equity();
  }
  options.onProgress?.(1);
  return {
    ts: curve.ts,
    equity: curve.equity,
    exposure: engine.exposureBars,
    get decisions() {
      return history.decisions();
    },
    decisionSummary: () => withFillRefusals(history.decisionSummary(), history.refusals()),
    refusals: [...history.refusals()],
    open,
  };
}

/** Candles of the first symbol with open time <= `until` (0 when unset). */
function warmedCount(inputs: readonly SymbolCandles[], until: number | undefined): number {
  if (until === undefined || inputs.length === 0) return 0;
  const ts = inputs[0].candles.ts;
  let n = 0;
  while (n < ts.length && ts[n] <= until) n++;
  return n;
}

/** Options for {@link backtest} that are not part of the result's identity. */
export interface BacktestRunOptions {
  /**
   * Lower-timeframe candles (one series, or by symbol) used only to decide the order of fills
   * inside a candle, e.g. whether the stop or the target was reached first. Not part of the run id.
   */
  lower?: CandleColumns | Record<string, CandleColumns>;
  /** Called with the fraction done, at most a few hundred times. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * Runs one backtest over `candles` (sorted, one timeframe) and returns plain data.
 *
 * @example
 * ```ts
 * const r = await backtest({ strategy: "sma_cross", symbol: "SYN/USDT", timeframe: "1m",
 *   params: { fast_period: 10, slow_period: 30 } }, candles);
 * console.log(r.metrics.total_return, r.trades.length);
 * ```
 */
export async function backtest(
  config: BacktestConfig,
  candles: CandleColumns | Record<string, CandleColumns>,
  options: BacktestRunOptions = {},
): Promise<BacktestResult> {
  const def = await getStrategy(config.strategy);
  const inputs: SymbolCandles[] = isColumns(candles)
    ? [{ symbol: config.symbol, candles }]
    : Object.entries(candles).map(([symbol, c]) => ({ symbol, candles: c }));
  if (options.lower) {
    const lower = options.lower;
    for (const x of inputs) {
      x.lower = isColumns(lower) ? (inputs.length === 1 ? lower : undefined) : lower[x.symbol];
    }
  }
  if (inputs.length === 0) {
    throw new ConfigError("A backtest needs candles of at least one symbol.");
  }
  const params = parseParams(def, config.params ?? {});
  const tfMs = timeframeMs(config.timeframe);
  const { broker, risk, cash, fees, sizeMode, rules, leverage } = simSetup(
    config,
    inputs.map((x) => x.symbol),
  );
  const normalized: Record<string, unknown> = {
    strategy: def.name,
    params,
    exchange: config.exchange ?? "unknown",
    symbol: inputs.map((x) => x.symbol).join(","),
    timeframe: config.timeframe,
    cash,
    fees,
    slippageBps: config.slippageBps ?? 0,
    sizeMode,
    size: config.size ?? (sizeMode === "risk" ? 0.01 : 1),
    rules,
    leverage,
    closeAtEnd: config.closeAtEnd ?? false,
    risk: config.risk ?? {},
    fundingRate: config.fundingRate ?? null,
    ...(config.warmupUntil !== undefined ? { warmupUntil: config.warmupUntil } : {}),
  };

  // The candles' SHA-256 is taken on another thread (crypto.subtle) while the engine runs.
  const prints = fingerprintInputs(inputs);
  prints.catch(() => {}); // awaited below; not an unhandled rejection if simulate throws first
  const sim = simulate(def, params, config, inputs, {
    broker,
    risk,
    leverage,
    takerFee: fees.taker,
  }, options);
  const { ts, equity } = sim;
  const n = ts.length;
  const symbolBars = inputs.reduce((a, x) => a + x.candles.ts.length, 0);
  const costs = broker.costs();
  const trades = [...broker.trades()];
  const metrics = computeMetrics({
    equity,
    ts,
    timeframeMs: tfMs,
    trades,
    initialEquity: cash,
    fees: costs.fees,
    funding: costs.funding,
    // Several symbols: the share of symbol-candles with a position, on the timeline's scale.
    exposureBars: inputs.length === 1
      ? sim.exposure
      : Math.round(sim.exposure * n / Math.max(1, symbolBars)),
  });
  const dataFingerprint = await prints;
  const runId =
    (await fingerprint(new TextEncoder().encode(JSON.stringify(normalized) + dataFingerprint)))
      .slice(0, 16);
  const result: BacktestResult = {
    run_id: runId,
    strategy: def.name,
    strategy_version: def.version,
    params,
    exchange: String(normalized.exchange),
    symbol: inputs.map((x) => x.symbol).join(","),
    timeframe: config.timeframe,
    first_ts: n ? ts[0] : null,
    last_ts: n ? ts[n - 1] : null,
    candles: symbolBars,
    data_fingerprint: dataFingerprint,
    config: normalized,
    metrics,
    final_equity: n ? equity[n - 1] : cash,
    open_position: sim.open[0] ?? null,
    open_positions: sim.open,
    trades,
    equity_curve: equityCurve(ts, equity),
    order_refusals: sim.refusals,
    decisions: [],
    decision_summary: sim.decisionSummary(),
  };
  defineLazy(result, "decisions", () => [...sim.decisions]);
  return result;
}

/**
 * The data fingerprint of a run's inputs: one series' SHA-256, or with several symbols (or
 * lower-timeframe candles) the SHA-256 of "symbol:print" pairs. The hashing starts at the call.
 */
function fingerprintInputs(inputs: readonly SymbolCandles[]): Promise<string> {
  const each = inputs.map((x) => {
    const main = fingerprint(x.candles);
    const lower = x.lower && fingerprint(x.lower);
    return lower ? Promise.all([main, lower]).then(([a, b]) => `${a}+${b}`) : main;
  });
  if (each.length === 1 && !inputs[0].lower) return each[0];
  return Promise.all(each).then((prints) =>
    fingerprint(
      new TextEncoder().encode(inputs.map((x, i) => `${x.symbol}:${prints[i]}`).join(",")),
    )
  );
}
