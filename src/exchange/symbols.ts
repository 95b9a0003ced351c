// Resolves what a user typed ("BTC/USDT", "BTC-USDT", "BTCUSDT") to a ccxt market symbol.

import type { Exchange } from "ccxt";
import { ConfigError, ExchangeError } from "../core/errors.ts";

/**
 * The unified ccxt symbol for `input` on a loaded exchange: accepts ccxt's spelling, the
 * exchange's own id (OKX "BTC-USDT", Binance "BTCUSDT"), and "BASE/QUOTE" for a linear perpetual
 * on derivatives-only exchanges. Throws ExchangeError with close matches when unknown.
 */
export function resolveSymbol(ex: Exchange, input: string): string {
  const markets = ex.markets ?? {};
  if (markets[input]) return input;
  const byId = (ex.markets_by_id ?? {})[input];
  if (byId && byId.length) return byId[0].symbol as string;
  const slashed = input.replace("-", "/").toUpperCase();
  if (markets[slashed]) return slashed;
  const [base, quote] = slashed.split("/");
  if (quote && markets[`${base}/${quote}:${quote}`]) return `${base}/${quote}:${quote}`;
  const near = Object.keys(markets)
    .filter((s) => base && s.startsWith(base.toUpperCase() + "/"))
    .slice(0, 5);
  throw new ExchangeError(
    `Symbol "${input}" does not exist on ${ex.name ?? ex.id}.` +
      (near.length ? ` Did you mean ${near.map((s) => `"${s}"`).join(", ")}?` : "") +
      ` Use the ccxt spelling such as "BTC/USDT" or the exchange's own such as "BTC-USDT".`,
  );
}

/** Checks that the exchange serves candles of `timeframe`, listing those it does otherwise. */
export function checkTimeframe(ex: Exchange, timeframe: string): void {
  const tfs = Object.keys(ex.timeframes ?? {});
  if (!tfs.includes(timeframe)) {
    throw new ConfigError(
      `Timeframe "${timeframe}" is not offered by ${ex.name ?? ex.id}: use one of ${
        tfs.join(", ")
      }.`,
    );
  }
}
