// Trade markers and SL/TP levels for the candle chart: one per trade, or grouped per candle.

import type { CandleColumns } from "../../core/candles.ts";
import type { Trade } from "../../core/trading.ts";
import { bucketStart, timeframeLabel } from "./downsample.ts";
import { num, signed, utcLabel } from "./labels.ts";

/** A trade as the candle chart reads it: a {@link Trade}, optionally with its SL and TP. */
export type ChartTrade =
  & Pick<Trade, "side" | "entry_ts" | "exit_ts" | "entry_price" | "exit_price" | "pnl">
  & Partial<Pick<Trade, "exit_reason" | "qty" | "symbol">>
  & { sl?: number; tp?: number };

/** A stop-loss or take-profit price held from `from` to `to` (UTC ms). */
export interface PriceLevel {
  from: number;
  to: number;
  price: number;
  kind: "sl" | "tp";
}

/** A marker drawn on the candle chart. */
export interface Marker {
  ts: number;
  price: number;
  side: "long" | "short";
  win: boolean;
  title: string;
}

/**
 * One entry and one exit marker per trade, with the side, price, time, exit reason and P&L in
 * the tooltip.
 *
 * @example
 * ```ts
 * const { entries, exits } = markers(result.trades);
 * ```
 */
export function markers(trades: readonly ChartTrade[]): { entries: Marker[]; exits: Marker[] } {
  const side = (t: ChartTrade) => t.side === "long" ? "Long" : "Short";
  return {
    entries: trades.map((t) => ({
      ts: t.entry_ts,
      price: t.entry_price,
      side: t.side,
      win: t.pnl > 0,
      title: `${side(t)} entry @ ${num(t.entry_price)}\n${utcLabel(t.entry_ts)}` +
        (t.qty !== undefined ? `\nqty ${num(t.qty)}` : ""),
    })),
    exits: trades.map((t) => ({
      ts: t.exit_ts,
      price: t.exit_price,
      side: t.side,
      win: t.pnl > 0,
      title: `${side(t)} exit (${t.exit_reason ?? "exit"}) @ ${num(t.exit_price)}\n` +
        `${utcLabel(t.exit_ts)}\nP&L ${signed(t.pnl)}`,
    })),
  };
}

/**
 * One entry and one exit marker per drawn candle: mean price, counts by side, summed P&L and exit
 * reasons. An entry marker points the way of the majority side.
 *
 * @example
 * ```ts
 * const { entries, exits } = groupMarkers(result.trades, 86_400_000); // per daily candle
 * ```
 */
export function groupMarkers(
  trades: readonly ChartTrade[],
  bucketMs: number,
): { entries: Marker[]; exits: Marker[] } {
  const group = (kind: "entry" | "exit") => {
    const acc = new Map<number, ChartTrade[]>();
    for (const t of trades) {
      const ts = bucketStart(kind === "entry" ? t.entry_ts : t.exit_ts, bucketMs);
      const list = acc.get(ts);
      if (list) list.push(t);
      else acc.set(ts, [t]);
    }
    return [...acc].map(([ts, list]): Marker => {
      const price = list.reduce((a, t) => a + (kind === "entry" ? t.entry_price : t.exit_price), 0);
      const pnl = list.reduce((a, t) => a + t.pnl, 0);
      const longs = list.filter((t) => t.side === "long").length;
      const count = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
      const reasons = new Map<string, number>();
      for (const t of list) count(reasons, t.exit_reason ?? "exit");
      const why = [...reasons].map(([r, c]) => `${r} ${c}`).join(", ");
      const sides = `${longs} long, ${list.length - longs} short`;
      const head = kind === "entry" ? `Entries: ${sides}` : `Exits: ${sides} (${why})`;
      return {
        ts: ts + bucketMs / 2,
        price: price / list.length,
        side: longs * 2 >= list.length ? "long" : "short",
        win: pnl > 0,
        title: `${head}\n${timeframeLabel(bucketMs)} candle of ${utcLabel(ts)}\nP&L ${signed(pnl)}`,
      };
    });
  };
  return { entries: group("entry"), exits: group("exit") };
}

/**
 * SL/TP segments in view: the trades' own `sl`/`tp` over their lifetime plus `levels`, cut to
 * [`from`, `to`].
 *
 * @example
 * ```ts
 * collectLevels(trades, { levels: [], from: t0, to: t1 }).length;
 * ```
 */
export function collectLevels(
  trades: readonly ChartTrade[],
  options: { levels: readonly PriceLevel[]; from: number; to: number },
): PriceLevel[] {
  const { from, to } = options;
  const out: PriceLevel[] = [];
  for (const t of trades) {
    if (t.sl !== undefined) out.push({ from: t.entry_ts, to: t.exit_ts, price: t.sl, kind: "sl" });
    if (t.tp !== undefined) out.push({ from: t.entry_ts, to: t.exit_ts, price: t.tp, kind: "tp" });
  }
  out.push(...options.levels);
  return out
    .filter((l) => Number.isFinite(l.price) && l.to >= from && l.from < to)
    .map((l) => ({ ...l, from: Math.max(l.from, from), to: Math.min(l.to, to) }));
}

/**
 * Price range of the drawn candles and `extra` prices (levels, markers in view), padded by 2 %.
 *
 * @example
 * ```ts
 * priceDomain(candles, [29_500, 31_000]); // [low, high] with room for both levels
 * ```
 */
export function priceDomain(shown: CandleColumns, extra: readonly number[]): [number, number] {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < shown.ts.length; i++) {
    if (shown.low[i] < lo) lo = shown.low[i];
    if (shown.high[i] > hi) hi = shown.high[i];
  }
  for (const p of extra) if (Number.isFinite(p)) lo = Math.min(lo, p), hi = Math.max(hi, p);
  const pad = (hi - lo) * 0.02 || Math.abs(hi) * 0.001 || 1;
  return [lo - pad, hi + pad];
}
