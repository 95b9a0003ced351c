// Entry zones of smart-money setups: fair-value gaps and order blocks still untouched by price.

/** Columns the zone finders read. */
export interface Ohlc {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
}

/** Which zone to look for: a fair-value gap, an order block, or a gap and failing that a block. */
export type ZoneMode = "fvg" | "ob" | "fvg_or_ob";

/** A zone found for an entry: its kind, the bar that made it, and its near and far edges. */
export interface EntryZone {
  kind: "fvg" | "ob";
  /** The bar that formed it (for a gap, the third candle of the three). */
  index: number;
  /** Edge price reaches first on a retrace: the limit entry. */
  entry: number;
  /** The other edge. */
  far: number;
}

/**
 * The most recent UNMITIGATED fair-value gap in bars `from..to` (only these bars are read):
 * bullish (dir 1) when `low[m] > high[m-2]`, the zone `high[m-2]..low[m]`, entry at its top
 * `low[m]`; bearish (dir -1) when `high[m] < low[m-2]`, entry at its bottom `high[m]`.
 * Unmitigated: no bar after m, up to `to`, traded back to the entry.
 */
export function fairValueGap(
  d: Ohlc,
  from: number,
  to: number,
  dir: 1 | -1,
): EntryZone | undefined {
  let reach = dir === 1 ? Infinity : -Infinity; // lowest low / highest high after m
  for (let m = to; m >= from + 2; m--) {
    if (dir === 1) {
      if (d.low[m] > d.high[m - 2] && d.low[m] < reach) {
        return { kind: "fvg", index: m, entry: d.low[m], far: d.high[m - 2] };
      }
      if (d.low[m] < reach) reach = d.low[m];
    } else {
      if (d.high[m] < d.low[m - 2] && d.high[m] > reach) {
        return { kind: "fvg", index: m, entry: d.high[m], far: d.low[m - 2] };
      }
      if (d.high[m] > reach) reach = d.high[m];
    }
  }
  return undefined;
}

/**
 * The order block of the move that ends at bar `to`, searched in bars `from..to`: for a bullish
 * move (dir 1) the last down candle (close < open) whose high is below the close of `to`, entry
 * at its high, far edge its low; for a bearish move the last up candle whose low is above the
 * close of `to`, entry at its low. The candles after it are the impulse, so they do not count as
 * a revisit.
 */
export function orderBlock(d: Ohlc, from: number, to: number, dir: 1 | -1): EntryZone | undefined {
  const now = d.close[to];
  for (let m = to; m >= from; m--) {
    if (dir === 1) {
      if (d.close[m] < d.open[m] && d.high[m] < now) {
        return { kind: "ob", index: m, entry: d.high[m], far: d.low[m] };
      }
    } else if (d.close[m] > d.open[m] && d.low[m] > now) {
      return { kind: "ob", index: m, entry: d.low[m], far: d.high[m] };
    }
  }
  return undefined;
}

/** The zone `mode` asks for in bars `from..to` (with "fvg_or_ob", a block only when no gap). */
export function entryZone(
  d: Ohlc,
  from: number,
  to: number,
  dir: 1 | -1,
  mode: ZoneMode,
): EntryZone | undefined {
  if (mode === "ob") return orderBlock(d, from, to, dir);
  const gap = fairValueGap(d, from, to, dir);
  if (gap || mode === "fvg") return gap;
  return orderBlock(d, from, to, dir);
}
