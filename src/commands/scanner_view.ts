// The latest volatility ranking of the stored candles, per timeframe and exchange, kept a while.

import { timeframeMs } from "../core/timeframe.ts";
import { rvTimeframeFor } from "../scanner/metrics.ts";
import type { ScanRow } from "../scanner/rank.ts";
import { scan } from "../scanner/scan.ts";
import type { CandleStore, SeriesInfo } from "../store/candle_store.ts";

/** What the ranking is asked for: timeframe and exchange [defaults below], and how many rows. */
export interface ScannerQuery {
  /** [the timeframe with the most stored series] */
  timeframe?: string;
  /** ccxt id the candles are stored under [every exchange with stored candles]. */
  exchange?: string;
  /** Most rows answered. */
  limit: number;
}

/** A column of the ranking: the row key, a label for a table header and the unit of its values. */
export interface ScannerColumn {
  key: string;
  label: string;
  unit?: string;
}

/** One ranked series: its rank, symbol, exchange, score and every metric by name. */
export type ScannerRow =
  & { rank: number; symbol: string; exchange: string; score: number }
  & Record<
    string,
    number | string | null
  >;

/** The ranking as the status page shows it. */
export interface ScannerAnswer {
  timeframe: string | null;
  exchange: string | null;
  /** Timeframes with stored candles (of the exchange asked for), shortest first. */
  timeframes: string[];
  /** When this ranking was computed, UTC ms. */
  computed_at: number;
  rows: ScannerRow[];
  columns: ScannerColumn[];
  /** Why there are no rows, and how to get candles. */
  note?: string;
}

/** The ranking's columns after rank, symbol and exchange, in table order. */
export const SCANNER_COLUMNS: readonly ScannerColumn[] = [
  { key: "score", label: "Score", unit: "0..100" },
  { key: "yangZhang", label: "Yang–Zhang vol", unit: "fraction/yr" },
  { key: "closeToClose", label: "Close-to-close vol", unit: "fraction/yr" },
  { key: "parkinson", label: "Parkinson vol", unit: "fraction/yr" },
  { key: "garmanKlass", label: "Garman–Klass vol", unit: "fraction/yr" },
  { key: "rogersSatchell", label: "Rogers–Satchell vol", unit: "fraction/yr" },
  { key: "realized", label: "Realised vol", unit: "fraction/yr" },
  { key: "atr", label: "ATR", unit: "price" },
  { key: "atrPct", label: "ATR %", unit: "%" },
  { key: "adx", label: "ADX", unit: "0..100" },
  { key: "efficiency", label: "Efficiency ratio", unit: "0..1" },
  { key: "change", label: "Change", unit: "fraction" },
  { key: "close", label: "Close", unit: "price" },
  { key: "quoteVolumePerDay", label: "Quote volume / day", unit: "quote" },
  { key: "volume", label: "Volume", unit: "base" },
  { key: "quoteVolume", label: "Quote volume", unit: "quote" },
  { key: "pVolatility", label: "Volatility rank", unit: "0..1" },
  { key: "pLiquidity", label: "Liquidity rank", unit: "0..1" },
  { key: "pTrend", label: "Trend rank", unit: "0..1" },
  { key: "candles", label: "Candles" },
  { key: "missing", label: "Missing candles" },
  { key: "first", label: "First candle", unit: "ms" },
  { key: "last", label: "Last candle", unit: "ms" },
];

/** How long a ranking is kept when the stored candles do not change meanwhile. */
const MAX_AGE_MS = 60_000;

/** Options of {@link ScannerView}. */
export interface ScannerViewOptions {
  /** Wall clock, UTC ms [Date.now]. */
  now?: () => number;
  /** How long a ranking is kept while its candles do not change, ms [60000]. */
  maxAgeMs?: number;
}

interface Kept {
  fingerprint: string;
  at: number;
  answer: Promise<ScannerAnswer>;
}

/** Timeframes, shortest first. */
function byLength(tfs: Iterable<string>): string[] {
  return [...new Set(tfs)].sort((a, b) => timeframeMs(a) - timeframeMs(b) || (a < b ? -1 : 1));
}

/**
 * The volatility ranking of the stored candles (no network: cached-only scans, every quote and
 * market type), as the CLI's `deno task scan --offline` ranks them: per exchange, the last 200
 * candles of each series. With several exchanges, each is ranked on its own (scores are
 * percentile ranks among its own symbols) and the rows are merged by score. A ranking is kept
 * per (timeframe, exchange) until the stored candles it read change, or a minute at most.
 */
export class ScannerView {
  readonly #kept = new Map<string, Kept>();
  readonly #now: () => number;
  readonly #maxAgeMs: number;

  constructor(private readonly store: CandleStore, options: ScannerViewOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxAgeMs = options.maxAgeMs ?? MAX_AGE_MS;
  }

  /** The latest ranking for `q` (computed now when none is kept or its candles changed). */
  async latest(q: ScannerQuery): Promise<ScannerAnswer> {
    const all = (await this.store.list()).filter((s) => s.count > 0);
    const mine = q.exchange === undefined ? all : all.filter((s) => s.exchange === q.exchange);
    const timeframes = byLength(mine.map((s) => s.timeframe));
    const timeframe = q.timeframe ?? mostSeries(mine);
    const base = {
      timeframe: timeframe ?? null,
      exchange: q.exchange ?? null,
      timeframes,
      columns: [...SCANNER_COLUMNS],
    };
    const used = timeframe === undefined ? [] : mine.filter((s) => s.timeframe === timeframe);
    if (timeframe === undefined || used.length === 0) {
      return { ...base, computed_at: this.#now(), rows: [], note: noCandles(q, timeframe) };
    }
    const exchanges = [...new Set(used.map((s) => s.exchange))].sort();
    const lower = rvTimeframeFor(timeframe);
    const fingerprint = mine
      .filter((s) => s.timeframe === timeframe || s.timeframe === lower)
      .map((s) => `${s.exchange}|${s.symbol}|${s.timeframe}|${s.last}|${s.count}`)
      .join("\n");
    const key = `${timeframe}\u0000${q.exchange ?? ""}`;
    const kept = this.#kept.get(key);
    const now = this.#now();
    let answer: Promise<ScannerAnswer>;
    if (kept && kept.fingerprint === fingerprint && now - kept.at <= this.#maxAgeMs) {
      answer = kept.answer;
    } else {
      answer = this.#rank(timeframe, exchanges, now).then((r) => ({ ...base, ...r }));
      this.#kept.set(key, { fingerprint, at: now, answer });
      answer.catch(() => this.#kept.get(key)?.answer === answer && this.#kept.delete(key));
    }
    const full = await answer;
    return { ...full, rows: full.rows.slice(0, q.limit) };
  }

  async #rank(timeframe: string, exchanges: readonly string[], now: number) {
    const rows: (ScanRow & { exchange: string })[] = [];
    for (const exchange of exchanges) {
      const r = await scan({
        exchange,
        store: this.store,
        timeframes: [timeframe],
        quote: "",
        types: ["spot", "swap"],
        fetchMissing: false,
      });
      for (const row of r.rows) rows.push({ ...row, exchange });
    }
    rows.sort((a, b) =>
      b.score - a.score || b.quoteVolumePerDay - a.quoteVolumePerDay ||
      (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : a.exchange < b.exchange ? -1 : 1)
    );
    return {
      computed_at: now,
      rows: rows.map((r, i): ScannerRow => {
        const out: ScannerRow = { rank: i + 1, symbol: r.symbol, exchange: r.exchange, score: 0 };
        for (const c of SCANNER_COLUMNS) {
          const v = (r as unknown as Record<string, unknown>)[c.key];
          out[c.key] = typeof v === "number" && Number.isFinite(v) ? v : null;
        }
        return out;
      }),
    };
  }
}

/** The timeframe with the most stored series (the shorter one on a tie). */
function mostSeries(series: readonly SeriesInfo[]): string | undefined {
  const n = new Map<string, number>();
  for (const s of series) n.set(s.timeframe, (n.get(s.timeframe) ?? 0) + 1);
  let best: string | undefined;
  for (const tf of byLength(n.keys())) {
    if (best === undefined || n.get(tf)! > n.get(best)!) best = tf;
  }
  return best;
}

/** Says there are no candles to rank, and how to download some. */
function noCandles(q: ScannerQuery, timeframe: string | undefined): string {
  const what = [timeframe, q.exchange].filter(Boolean).join(" ");
  return `No stored ${what ? what + " " : ""}candles to rank: download some with ` +
    `\`deno task data download --exchange ${q.exchange ?? "okx"} --symbol BTC/USDT ` +
    `--timeframe ${timeframe ?? "1h"} --since 2024-01-01\` (one symbol per run), then reload.`;
}
