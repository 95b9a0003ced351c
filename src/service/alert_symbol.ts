// Symbols as TradingView spells them ("BINANCE:BTCUSDT.P") split and mapped to a bot's market.

import { findExchangeInfo } from "../exchange/exchanges.ts";

/** The bot an alert is meant for, as far as parsing needs it. */
export interface AlertBot {
  bot_id: string;
  /** Canonical ccxt exchange id, e.g. "okx", "binanceusdm". */
  exchange: string;
  /** Unified ccxt symbol, e.g. "BTC/USDT" (spot) or "BTC/USDT:USDT" (perpetual). */
  symbol: string;
}

/** Quote currencies recognised at the end of a concatenated ticker, longest first. */
const QUOTES = ["FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDG", "DAI", "USD", "EUR", "BTC", "ETH"];
/** Quotes whose perpetuals settle in the quote (linear); others settle in the base (inverse). */
const LINEAR = new Set(["USDT", "USDC", "USDG", "FDUSD", "BUSD", "TUSD", "DAI"]);

/** A symbol split: its exchange prefix, base and quote, and whether it is a perpetual. */
export interface AlertSymbol {
  prefix?: string;
  base: string;
  quote: string;
  /** true: a perpetual; false: spot (a full TradingView ticker without ".P"); undefined: unsaid. */
  perp?: boolean;
  market: string;
}

/** Splits a symbol as TradingView (or ccxt, or an exchange) spells it, or says what is wrong. */
export function readSymbol(input: string): AlertSymbol | string {
  let s = input.trim().toUpperCase();
  let prefix: string | undefined;
  const colon = /^([A-Z0-9_]{2,30}):(.+)$/.exec(s);
  if (colon && !colon[1].includes("/")) {
    prefix = colon[1];
    s = colon[2];
  }
  let perp: boolean | undefined = prefix ? false : undefined;
  const suffix = /(\.P|\.PERP|PERP|-PERP|_PERP|-SWAP)$/.exec(s);
  if (suffix) {
    perp = true;
    s = s.slice(0, -suffix[0].length);
  }
  const settle = /^([A-Z0-9]+\/[A-Z0-9]+):([A-Z0-9]+)$/.exec(s);
  if (settle) {
    perp = true;
    s = settle[1];
  }
  let base: string | undefined;
  let quote: string | undefined;
  const sep = /^([A-Z0-9]{1,20})[/\-_]([A-Z0-9]{1,20})$/.exec(s);
  if (sep) [base, quote] = [sep[1], sep[2]];
  else if (/^[A-Z0-9]{2,40}$/.test(s)) {
    const q = QUOTES.find((q) => s.length > q.length && s.endsWith(q));
    if (q) [base, quote] = [s.slice(0, -q.length), q];
  }
  if (!base || !quote) {
    return `"${clip(input, 40)}" is not a symbol spelling known here: write it as TradingView ` +
      'does ("BINANCE:BTCUSDT.P", "OKX:BTCUSDT", "BTCUSDT") or as "BTC/USDT"';
  }
  const market = perp ? `${base}/${quote}:${LINEAR.has(quote) ? quote : base}` : `${base}/${quote}`;
  return {
    ...(prefix ? { prefix } : {}),
    base,
    quote,
    ...(perp !== undefined ? { perp } : {}),
    market,
  };
}

export function splitMarket(
  symbol: string,
): { base: string; quote: string; perp: boolean } | undefined {
  const m = /^([A-Z0-9]+)\/([A-Z0-9]+)(:.*)?$/i.exec(symbol.trim());
  return m ? { base: m[1].toUpperCase(), quote: m[2].toUpperCase(), perp: !!m[3] } : undefined;
}

export const sameExchange = (a: string, b: string): boolean => {
  const x = findExchangeInfo(a)?.ccxtId ?? a.toLowerCase();
  const y = findExchangeInfo(b)?.ccxtId ?? b.toLowerCase();
  return x === y;
};

/** What keeps an alert's symbol from the bot's market, or undefined when it maps. */
export function mapProblem(
  s: AlertSymbol,
  exchange: string | undefined,
  bot: AlertBot,
  input: string,
): { field: string; message: string } | undefined {
  const m = splitMarket(bot.symbol);
  if (!m) return undefined;
  if (exchange && !sameExchange(exchange, bot.exchange)) {
    const label = findExchangeInfo(bot.exchange)?.label ?? bot.exchange;
    return {
      field: s.prefix ? "symbol" : "exchange",
      message: `"${clip(input, 40)}" is on ${clip(exchange, 30)}, but bot "${bot.bot_id}" ` +
        `trades on ${label}: create the alert on a ${label} chart, or send the ticker without ` +
        "its exchange",
    };
  }
  if (s.base !== m.base || s.quote !== m.quote) {
    return {
      field: "symbol",
      message: `"${clip(input, 40)}" is ${s.base}/${s.quote}, but bot "${bot.bot_id}" trades ` +
        `${bot.symbol}`,
    };
  }
  if (s.perp !== undefined && s.perp !== m.perp) {
    return {
      field: "symbol",
      message: s.perp
        ? `"${clip(input, 40)}" is a perpetual, but bot "${bot.bot_id}" trades spot ` +
          `${bot.symbol}: create the alert on the spot chart`
        : `"${clip(input, 40)}" is spot, but bot "${bot.bot_id}" trades the perpetual ` +
          `${bot.symbol}: create the alert on the perpetual's chart (ticker ending in .P)`,
    };
  }
  return undefined;
}

/** `s`, cut to `max` characters with an ellipsis. */
function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
