// What of a backtest result is stored as a run (BacktestStore), shared by the CLI and the service.

import type { BacktestResult } from "./run.ts";
import { curveColumns } from "./lazy_fields.ts";
import type { RunToSave } from "../store/backtest_store.ts";

/** The parts of a result that are stored for a run. */
export function toRunToSave(r: BacktestResult): RunToSave {
  return {
    id: r.run_id,
    strategy: r.strategy,
    strategy_version: r.strategy_version,
    exchange: r.exchange,
    symbol: r.symbol,
    timeframe: r.timeframe,
    first_ts: r.first_ts,
    last_ts: r.last_ts,
    candles: r.candles,
    data_fingerprint: r.data_fingerprint,
    config: r.config,
    metrics: r.metrics as unknown as Record<string, unknown>,
    final_equity: r.final_equity,
    open_position: r.open_position,
    trades: r.trades,
    equity: curveColumns(r.equity_curve),
    decisions: [
      ...r.decisions.map((d) => ({
        ts: d.ts,
        symbol: d.symbol,
        side: d.signal.side,
        confidence: d.signal.confidence,
        signal_reason: d.signal.reason,
        outcome: d.outcome,
        code: d.code,
        detail: d.reason,
      })),
      // Orders the broker cancelled when they came to fill: recorded with their order id.
      ...r.order_refusals.map((x) => ({
        ts: x.ts,
        symbol: x.symbol,
        side: "order",
        confidence: 0,
        signal_reason: x.clientId,
        outcome: "refused_at_fill",
        code: x.code,
        detail: x.reason,
      })),
    ].sort((a, b) => a.ts - b.ts),
  };
}
