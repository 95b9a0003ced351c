// `deno task scan`: rank an exchange's symbols by volatility and appeal, as a table, CSV or JSON.

import { isoUtc } from "../core/candles.ts";
import { ConfigError, ExchangeTemporaryError } from "../core/errors.ts";
import { parseTimeframes } from "../core/timeframe.ts";
import { exchangeInfo } from "../exchange/exchanges.ts";
import { formatCsv, formatSkipped, formatTable } from "../scanner/format.ts";
import {
  type AppealWeights,
  DEFAULT_WEIGHTS,
  VOL_METRICS,
  type VolMetric,
} from "../scanner/rank.ts";
import { scan } from "../scanner/scan.ts";
import type { MarketType } from "../scanner/universe.ts";
import { optional, parseCount, parseFlags, parseTime, required, runMain } from "./args.ts";
import { withStore } from "./open_store.ts";
import { createProgress } from "./progress.ts";

const CMD = "deno task scan";

/** Attempts of one exchange call before the scan gives up (the first included). */
export const SCAN_ATTEMPTS = 3;

/**
 * Retry options for the scan: bounded attempts, and after the first failure one line saying the
 * exchange is unreachable and that --offline ranks the cached candles; then one short line a retry.
 */
export function scanRetry(label: string, write: (line: string) => void = console.error) {
  let told = false;
  return {
    attempts: SCAN_ATTEMPTS,
    onRetry: ({ attempt, delayMs, error }: { attempt: number; delayMs: number; error: Error }) => {
      if (!told) {
        told = true;
        write(
          `\n${label} is unreachable (${error.constructor.name}); trying ${
            SCAN_ATTEMPTS - attempt
          } more time(s), then giving up. --offline ranks the candles already stored, ` +
            `without the network.`,
        );
      } else write(`${label}: retry ${attempt} of ${SCAN_ATTEMPTS - 1} in ${delayMs} ms`);
    },
  };
}

const SPEC = {
  exchange: { type: "string" },
  quote: { type: "string" },
  timeframes: { type: "string" },
  top: { type: "string" },
  window: { type: "string" },
  "min-quote-volume": { type: "string" },
  type: { type: "string" },
  exclude: { type: "string" },
  symbols: { type: "string" },
  weights: { type: "string" },
  "vol-metric": { type: "string" },
  "trend-metric": { type: "string" },
  "fetch-lower": { type: "boolean" },
  offline: { type: "boolean" },
  at: { type: "string" },
  csv: { type: "string" },
  json: { type: "boolean" },
  db: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const HELP = `Usage: ${CMD} --exchange okx [flags]

Ranks symbols by an appeal score (0..100) = weighted percentile ranks of volatility
(Yang-Zhang by default), liquidity (quote volume per day) and trend strength (efficiency
ratio by default), within each timeframe. Candles come from the store; missing ones are
downloaded first unless --offline.

  --exchange NAME          okx, binanceusdm, bybit or coinbase (required)
  --quote CCY              quote currency (default USDT)
  --timeframes LIST        e.g. 1h,4h (default 1h)
  --top N                  rows per timeframe (default 20)
  --window N               candles per window (default 200)
  --min-quote-volume X     least quote volume per day, e.g. 5000000 or 5M (default 0)
  --type spot|swap         market type, or both as spot,swap (default: the exchange's usual)
  --exclude LIST           symbols (BTC/USDT) or base currencies (USDC) to leave out
  --symbols LIST           scan only these symbols
  --weights W              e.g. volatility=0.5,liquidity=0.3,trend=0.2 (the defaults)
  --vol-metric M           ${VOL_METRICS.join(", ")} (default yangZhang)
  --trend-metric M         efficiency or adx (default efficiency)
  --fetch-lower            also download lower-timeframe candles for realised volatility
  --offline                stored candles only: no network
  --at TIME                end windows at TIME instead of now (2024-01-01T12:00Z)
  --csv FILE               also write every column as CSV
  --json                   print {exchange, asOf, rows, skipped} as JSON instead of a table
  --db PATH                database file (default data/tidewatch.duckdb)`;

/** Splits a comma-separated flag into trimmed, non-empty items. */
function list(value: string | undefined): string[] | undefined {
  return value?.split(",").map((s) => s.trim()).filter(Boolean);
}

/** Parses an amount with an optional k/M/B suffix: "5M" → 5000000. */
export function parseAmount(value: string, flag: string): number {
  const m = /^([0-9][0-9_]*(?:\.[0-9]+)?(?:e[0-9]+)?)\s*([kKmMbB]?)$/.exec(value.trim());
  const mult: Record<string, number> = { "": 1, k: 1e3, m: 1e6, b: 1e9 };
  if (!m) {
    throw new ConfigError(
      `--${flag} "${value}" is not an amount: use a number such as 5000000 or 5M.`,
    );
  }
  return Number(m[1].replaceAll("_", "")) * mult[m[2].toLowerCase()];
}

/** Parses --weights "volatility=0.5,liquidity=0.3,trend=0.2" (vol, liq accepted). */
export function parseWeights(value: string): Partial<AppealWeights> {
  const names: Record<string, keyof AppealWeights> = {
    volatility: "volatility",
    vol: "volatility",
    liquidity: "liquidity",
    liq: "liquidity",
    trend: "trend",
  };
  const out: Partial<AppealWeights> = {};
  for (const part of list(value) ?? []) {
    const [k, v] = part.split("=").map((s) => s.trim());
    const name = names[k?.toLowerCase() ?? ""];
    const n = Number(v);
    if (!name || v === undefined || v === "" || !Number.isFinite(n)) {
      throw new ConfigError(
        `--weights "${part}" is not understood: use volatility=${DEFAULT_WEIGHTS.volatility},liquidity=${DEFAULT_WEIGHTS.liquidity},trend=${DEFAULT_WEIGHTS.trend}.`,
      );
    }
    out[name] = n;
  }
  return out;
}

function parseTypes(value: string | undefined): MarketType[] | undefined {
  const types = list(value);
  for (const t of types ?? []) {
    if (t !== "spot" && t !== "swap") {
      throw new ConfigError(`--type "${t}" is not a market type: use spot, swap or spot,swap.`);
    }
  }
  return types as MarketType[] | undefined;
}

/** The exchange's id and label; cached-only, any stored name works (such as "synthetic"). */
function exchangeFor(name: string, offline: boolean): { ccxtId: string; label: string } {
  try {
    return exchangeInfo(name);
  } catch (err) {
    if (!offline) throw err;
    return { ccxtId: name, label: name };
  }
}

/** Runs the scan CLI with `argv`; returns the exit code. */
export async function scanMain(argv: string[]): Promise<number> {
  const f = parseFlags(argv, SPEC, CMD);
  if (f.help) {
    console.log(HELP);
    return 0;
  }
  const exchange = required(f, "exchange", CMD);
  const offline = !!f.offline;
  const info = exchangeFor(exchange, offline);
  const volMetric = optional(f, "vol-metric") as VolMetric | undefined;
  const trendMetric = optional(f, "trend-metric");
  if (trendMetric && trendMetric !== "efficiency" && trendMetric !== "adx") {
    throw new ConfigError(`--trend-metric "${trendMetric}" is unknown: use efficiency or adx.`);
  }
  const at = optional(f, "at");
  const minQ = optional(f, "min-quote-volume");
  const weights = optional(f, "weights");
  const options = {
    exchange: info.ccxtId,
    quote: optional(f, "quote"),
    types: parseTypes(optional(f, "type")),
    timeframes: parseTimeframes(optional(f, "timeframes") ?? "1h"),
    top: parseCount(optional(f, "top") ?? "20", "top"),
    window: parseCount(optional(f, "window") ?? "200", "window"),
    minQuoteVolume: minQ ? parseAmount(minQ, "min-quote-volume") : undefined,
    exclude: list(optional(f, "exclude")),
    symbols: list(optional(f, "symbols")),
    weights: weights ? parseWeights(weights) : undefined,
    volMetric,
    trendMetric: trendMetric as "efficiency" | "adx" | undefined,
    fetchMissing: !offline,
    fetchLower: !!f["fetch-lower"],
    now: at ? parseTime(at, "at") : offline ? undefined : Date.now(),
  };
  const controller = new AbortController();
  const onSigint = () => controller.abort(new Error("interrupted"));
  Deno.addSignalListener("SIGINT", onSigint);
  const progress = createProgress({ label: `scan ${info.ccxtId}`, total: 0, unit: "series" });
  try {
    return await withStore(optional(f, "db"), async (store) => {
      let fetched = 0;
      let result;
      try {
        result = await scan({
          ...options,
          store,
          signal: controller.signal,
          retry: scanRetry(info.label),
          onProgress: (p) => {
            fetched = p.fetched;
            progress.setTotal(p.total);
            progress.update(p.done, `${p.symbol} ${p.timeframe}`);
          },
        });
      } catch (err) {
        if (err instanceof ExchangeTemporaryError) {
          progress.finish("exchange unreachable");
          throw new ExchangeTemporaryError(
            `${err.message} Or rank the candles already stored: add --offline.`,
            { cause: err },
          );
        }
        if (!controller.signal.aborted) throw err;
        progress.finish("interrupted");
        console.error("Interrupted: candles downloaded so far are stored; run again to resume.");
        return 130;
      }
      progress.finish(offline ? "stored candles only" : `${fetched} candles downloaded`);
      const { rows, skipped } = result;
      if (options.symbols === undefined && result.symbols.length === 0) {
        console.error(
          offline
            ? `No stored ${info.ccxtId} candles match: run without --offline to download them.`
            : `No ${info.ccxtId} market matches the quote, type and exclusion filters.`,
        );
      }
      const csv = optional(f, "csv");
      if (csv) await Deno.writeTextFile(csv, formatCsv(rows));
      if (f.json) {
        const { exchange: ex, asOf } = result;
        console.log(JSON.stringify({ exchange: ex, asOf, rows, skipped }, null, 2));
      } else {
        const asOf = result.asOf !== undefined ? `windows ending ${isoUtc(result.asOf)}` : "";
        console.log(
          `${result.exchange}: ${result.symbols.length} symbols x ${options.timeframes.length} ` +
            `timeframes, ${options.window}-candle windows${asOf ? ", " + asOf : ""}`,
        );
        if (rows.length) console.log(formatTable(rows));
        if (skipped.length) {
          console.log(`\nSkipped ${skipped.length}:`);
          for (const line of formatSkipped(skipped)) console.log(`  ${line}`);
        }
      }
      if (csv) console.error(`Wrote ${rows.length} rows to ${csv}`);
      return rows.length ? 0 : 1;
    });
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}

if (import.meta.main) runMain(() => scanMain(Deno.args));
