// Offline symbol spelling: an exchange's own ids ("BTC-USDT-SWAP", "BTCUSDT") to ccxt's unified form.

import { ConfigError } from "../core/errors.ts";
import { type ExchangeInfo, exchangeInfo } from "./exchanges.ts";

/**
 * Quote currencies recognised at the end of a concatenated id such as Binance's "BTCUSDT",
 * longest first so that "BTCFDUSD" splits as FDUSD, not USD.
 */
export const CONCATENATED_QUOTES = ["FDUSD", "USDT", "USDC", "BUSD", "USD"] as const;

/** One currency code: letters and digits ("BTC", "1000PEPE", "1INCH"). */
const CODE = "[A-Z0-9]{1,20}";
/** An expiry date as ccxt writes it: YYMMDD. */
const EXPIRY = "[0-9]{6}";

/** ccxt's unified spelling: BASE/QUOTE, BASE/QUOTE:SETTLE, with an expiry, or an option. */
const UNIFIED = new RegExp(
  `^(${CODE})/(${CODE})(?::(${CODE})(?:-(${EXPIRY})(?:-([0-9]+(?:\\.[0-9]+)?)-([CP]))?)?)?$`,
);
const OKX_NATIVE = new RegExp(
  `^(${CODE})-(${CODE})(?:-(SWAP|${EXPIRY})(?:-([0-9]+(?:\\.[0-9]+)?)-([CP]))?)?$`,
);
const DASHED = new RegExp(`^(${CODE})-(${CODE})$`);
const CONCATENATED = new RegExp(`^(${CODE})(?:_(${EXPIRY}))?$`);
const COINBASE_PERP = new RegExp(`^(${CODE})-PERP-INTX$`);

/** Quote currencies whose OKX contracts are linear (settled in the quote); others are inverse. */
const LINEAR_QUOTES = new Set(["USDT", "USDC", "USDG"]);

/** The spelling rules of one exchange: its own ids, and what a plain BASE/QUOTE means there. */
interface Spelling {
  /** The exchange's own id to a unified symbol, or undefined when `id` is not of its shapes. */
  native(id: string): string | undefined;
  /** Fix-up for a unified symbol (derivatives-only venues turn BASE/QUOTE into the perpetual). */
  unified(base: string, quote: string, rest: string): string;
  /** Examples for error messages. */
  examples: string;
}

/** Splits "BTCUSDT" into ["BTC", "USDT"] on a known quote, or undefined. */
function splitConcatenated(id: string): [string, string] | undefined {
  for (const quote of CONCATENATED_QUOTES) {
    if (id.length > quote.length && id.endsWith(quote)) {
      return [id.slice(0, -quote.length), quote];
    }
  }
  return undefined;
}

/** A contract's settle currency on a venue where USD contracts are inverse (settled in the base). */
const settleOf = (base: string, quote: string): string => LINEAR_QUOTES.has(quote) ? quote : base;

/** The rules per exchange (venue quirks as data; see ExchangeInfo for the rest). */
const SPELLINGS: Record<ExchangeInfo["ccxtId"], Spelling> = {
  okx: {
    native(id) {
      const m = OKX_NATIVE.exec(id);
      if (!m) return undefined;
      const [, base, quote, kind, strike, right] = m;
      if (!kind) return `${base}/${quote}`;
      const settle = settleOf(base, quote);
      if (kind === "SWAP") return strike ? undefined : `${base}/${quote}:${settle}`;
      return `${base}/${quote}:${settle}-${kind}` + (strike ? `-${strike}-${right}` : "");
    },
    unified: (base, quote, rest) => `${base}/${quote}${rest}`,
    examples: '"BTC-USDT" (spot), "BTC-USDT-SWAP" (linear perpetual), "BTC-USD-SWAP" (inverse)',
  },
  binanceusdm: {
    native(id) {
      const dashed = DASHED.exec(id);
      if (dashed) return `${dashed[1]}/${dashed[2]}`;
      const m = CONCATENATED.exec(id);
      const pair = m && splitConcatenated(m[1]);
      if (!pair) return undefined;
      return `${pair[0]}/${pair[1]}` + (m[2] ? `:${pair[1]}-${m[2]}` : "");
    },
    // Only USDⓈ-margined contracts trade there, so a spot spelling means the linear perpetual.
    unified: (base, quote, rest) => `${base}/${quote}${rest || `:${quote}`}`,
    examples: '"BTCUSDT" or "BTC/USDT" (both the USDT-margined perpetual "BTC/USDT:USDT")',
  },
  bybit: {
    native(id) {
      const dashed = DASHED.exec(id);
      if (dashed) return `${dashed[1]}/${dashed[2]}`;
      const m = CONCATENATED.exec(id);
      const pair = !m?.[2] && m && splitConcatenated(m[1]);
      if (!pair) return undefined;
      // Bybit's "BTCUSD" is the inverse perpetual (there is no USD spot); "BTCUSDT" is the spot
      // pair (the exchange's default type), the perpetual being "BTC/USDT:USDT".
      return pair[1] === "USD" ? `${pair[0]}/USD:${pair[0]}` : `${pair[0]}/${pair[1]}`;
    },
    unified: (base, quote, rest) => `${base}/${quote}${rest}`,
    examples: '"BTCUSDT" (spot), "BTC/USDT:USDT" (linear perpetual), "BTCUSD" (inverse perpetual)',
  },
  coinbase: {
    native(id) {
      const perp = COINBASE_PERP.exec(id);
      // Coinbase International perpetuals are quoted and settled in USDC.
      if (perp) return `${perp[1]}/USDC:USDC`;
      const dashed = DASHED.exec(id);
      return dashed ? `${dashed[1]}/${dashed[2]}` : undefined;
    },
    unified: (base, quote, rest) => `${base}/${quote}${rest}`,
    examples: '"BTC-USD" or "BTC/USD" (spot), "BTC-PERP-INTX" (perpetual)',
  },
};

/** Extra checks per exchange on the unified result. */
function checkVenue(info: ExchangeInfo, input: string, symbol: string): void {
  if (info.ccxtId !== "binanceusdm") return;
  const m = UNIFIED.exec(symbol);
  if (m && (m[2] === "USD" || m[3] !== m[2])) {
    throw new ConfigError(
      `Symbol "${input}" is a USD-quoted or coin-margined contract, which ${info.label} does ` +
        `not list: use a USDT- or USDC-margined one such as "BTC/USDT:USDT".`,
    );
  }
}

/**
 * The unified ccxt symbol for `input` on `exchange`, worked out without loading markets (the
 * service must start offline). Accepts ccxt's spelling (passed through, uppercased) and the
 * exchange's own ids:
 *
 * | exchange    | input             | result            |
 * |-------------|-------------------|-------------------|
 * | okx         | BTC-USDT          | BTC/USDT          |
 * | okx         | BTC-USDT-SWAP     | BTC/USDT:USDT     |
 * | okx         | BTC-USD-SWAP      | BTC/USD:BTC       |
 * | binanceusdm | BTCUSDT, BTC/USDT | BTC/USDT:USDT     |
 * | bybit       | BTCUSDT / BTCUSD  | BTC/USDT / BTC/USD:BTC |
 * | coinbase    | BTC-USD           | BTC/USD           |
 *
 * Whether the market exists is only known online: see `resolveSymbol` in symbols.ts. Throws a
 * ConfigError naming the accepted spellings when `input` has none of them, or when the exchange
 * is unknown.
 *
 * @example
 * ```ts
 * normalizeSymbol("okx", "ETH-USDT-SWAP"); // "ETH/USDT:USDT"
 * ```
 */
export function normalizeSymbol(exchange: string, input: string): string {
  const info = exchangeInfo(exchange);
  const rules = SPELLINGS[info.ccxtId];
  const text = input.trim().toUpperCase();
  let symbol: string | undefined;
  const unified = UNIFIED.exec(text);
  if (unified) {
    const [, base, quote] = unified;
    symbol = rules.unified(base, quote, text.slice(base.length + 1 + quote.length));
  } else {
    const native = rules.native(text);
    const m = native ? UNIFIED.exec(native) : null;
    if (native && m) {
      symbol = rules.unified(m[1], m[2], native.slice(m[1].length + m[2].length + 1));
    }
  }
  if (!symbol) {
    throw new ConfigError(
      `Symbol "${input}" is not a symbol spelling ${info.label} knows: write ccxt's unified ` +
        `form such as "BTC/USDT" or "BTC/USDT:USDT", or ${info.label}'s own such as ` +
        `${rules.examples}.`,
    );
  }
  checkVenue(info, input, symbol);
  return symbol;
}
