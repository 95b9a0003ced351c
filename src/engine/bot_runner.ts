// One strategy on one symbol, fed closed candles one at a time: the engine as live bots run it.

import type { Candle } from "../core/candles.ts";
import type { ExternalSignals, StrategyDefinition } from "../core/strategy.ts";
import { alertsMustAgree } from "./alert_filter.ts";
import type { Direction, Fill } from "../core/trading.ts";
import type { RiskGate } from "../risk/gate.ts";
import { type Decision, Engine, type EngineSymbol } from "./engine.ts";
import { StreamSeries } from "./stream_series.ts";
import { SymbolContext } from "./symbol_context.ts";
import type { Broker, OrderRefusal } from "../core/ports.ts";
import { timeframeMs } from "../core/timeframe.ts";

/** Options for {@link BotRunner}. */
export interface BotRunnerOptions {
  def: StrategyDefinition;
  /** Parsed parameters (defaults filled). */
  params: Record<string, unknown>;
  symbol: string;
  timeframe: string;
  broker: Broker;
  risk: RiskGate;
  /** Leverage of new positions [1]. */
  leverage?: number;
  /** Taker fee fraction for the gate's size estimates. */
  takerFee: number;
  /** Prefix of client order ids (unique per bot). */
  idPrefix: string;
  onDecision?: (d: Decision) => void;
  onFill?: (f: Fill) => void;
  onOrderRefusal?: (r: OrderRefusal) => void;
  /** Signals from outside for the strategy (a bot's alerts). */
  external?: ExternalSignals;
  /**
   * The strategy's entries need an alert of the same side (see `alertsMustAgree`): alerts as an
   * extra input to a strategy that does not take them as its signals.
   */
  alertsMustAgree?: boolean;
}

/**
 * The same Engine, strategy, risk gate and {@link SymbolContext} a backtest runs, its series
 * filled one candle at a time ({@link StreamSeries}): `warm` feeds history (indicators only, no
 * decisions), `step` trades on a newly closed candle.
 * A backtest of the same candles with `warmupUntil` set to the last warmed candle makes the
 * same decisions (the parity test checks it).
 */
export class BotRunner {
  /** The strategy's candles and indicators, one closed candle at a time. */
  readonly series: StreamSeries;
  readonly engine: Engine;
  readonly #entry: EngineSymbol;
  #paused = false;

  constructor(readonly options: BotRunnerOptions) {
    const { def, params, symbol, timeframe, broker } = options;
    this.series = new StreamSeries({ symbol, timeframe, higher: def.timeframes?.(params) });
    const own = def.create(params, new SymbolContext(this.series, broker, options.external));
    const tfMs = timeframeMs(timeframe);
    const strategy = options.alertsMustAgree && options.external
      ? alertsMustAgree(own, options.external, (i) => this.series.data.ts[i] + tfMs)
      : own;
    this.engine = new Engine({
      strategyName: def.name,
      timeframeMs: timeframeMs(timeframe),
      broker,
      risk: options.risk,
      direction: (params.direction ?? "long") as Direction,
      leverage: options.leverage ?? 1,
      takerFee: options.takerFee,
      warmup: def.warmup(params),
      idPrefix: options.idPrefix,
      onDecision: (d) => options.onDecision?.(this.#paused ? paused(d) : d),
      onFill: options.onFill,
      onOrderRefusal: options.onOrderRefusal,
    });
    this.engine.track(symbol);
    this.#entry = { symbol, data: this.series.data, strategy };
  }

  /** Open time of the latest candle seen (-Infinity before the first). */
  get lastTs(): number {
    return this.series.lastTs;
  }

  /** Whether new entries are held back (exits are still managed). */
  get paused(): boolean {
    return this.#paused;
  }

  /** Pauses (no new entries; exits, stops and targets still work) or resumes. */
  setPaused(on: boolean): void {
    this.#paused = on;
    this.engine.setKillSwitch(on);
  }

  /** A history candle: indicators and strategy state learn it; nothing is decided or filled. */
  warm(c: Candle): void {
    this.series.push(c);
  }

  /** A newly closed candle: fills, strategy, risk, orders (the engine's steps 1-6). Returns equity. */
  step(c: Candle): number {
    return this.engine.step(this.#entry, this.series.push(c));
  }
}

function paused(d: Decision): Decision {
  if (d.code !== "kill_switch") return d;
  return {
    ...d,
    code: "paused",
    reason: "the bot is paused: no new entries (exits, stops and targets are still managed)",
  };
}
