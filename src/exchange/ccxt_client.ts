// Creates ccxt exchange clients (REST or pro/websocket), optionally pointed at other origins.

import ccxt from "ccxt";
import type { Exchange } from "ccxt";
import { ConfigError } from "../core/errors.ts";
import { exchangeInfo } from "./exchanges.ts";

/** Options for {@link createExchange}. */
export interface CreateExchangeOptions {
  /** Replace the scheme and host of every REST URL (default: `$TIDEWATCH_<ID>_URL`, else none). */
  restOrigin?: string;
  /**
   * Replace the scheme and host of every websocket URL (`urls.api.ws`) of a pro client, e.g.
   * "ws://127.0.0.1:4000"; an http(s) origin is turned into ws(s) (default:
   * `$TIDEWATCH_<ID>_WS_URL`, e.g. `TIDEWATCH_OKX_WS_URL`, else none). Ignored unless `pro`.
   */
  wsOrigin?: string;
  /** Make a ccxt pro client (`ccxt.pro[id]`: REST plus `watch*` over websockets; default false). */
  pro?: boolean;
  /** ccxt's minimum delay between requests in ms (default: the exchange's own). */
  rateLimitMs?: number;
  /** Request timeout in ms (default 10000). */
  timeoutMs?: number;
  /**
   * API keys for private calls (default none: public data only). `password` is the OKX
   * passphrase. Keys live only on the client; they are never logged.
   */
  credentials?: ExchangeCredentials;
}

/** API keys of one exchange account (see `checkLiveApproval` in src/service/live_gate.ts). */
export interface ExchangeCredentials {
  apiKey: string;
  secret: string;
  /** OKX passphrase (ccxt `password`); unset for exchanges without one. */
  password?: string;
}

/**
 * A ccxt client for a supported exchange, with rate limiting on.
 *
 * A pro client reconnects only when a `watch*` call is made after a failure; ccxt's own reconnect
 * backoff is switched off (`options.ws.backoff.base = 0`) because the caller (the live feed)
 * backs off itself and must be able to cancel the wait. Under Deno, ccxt uses the runtime's
 * global `WebSocket`, not the `ws` npm package (its platform check sees Deno and `self`).
 *
 * @example
 * ```ts
 * const okx = createExchange("okx");
 * await okx.loadMarkets();
 * const live = createExchange("okx", { pro: true, wsOrigin: "ws://127.0.0.1:4000" });
 * const candles = await live.watchOHLCVForSymbols([["BTC/USDT", "1m"]]);
 * ```
 */
export function createExchange(name: string, options: CreateExchangeOptions = {}): Exchange {
  const info = exchangeInfo(name);
  const table = (options.pro ? ccxt.pro : ccxt) as unknown as Record<
    string,
    new (cfg: object) => Exchange
  >;
  const Ctor = table[info.ccxtId];
  if (!Ctor) {
    throw new ConfigError(
      `ccxt has no ${options.pro ? "pro (websocket) " : ""}client for ${name}.`,
    );
  }
  const ex = new Ctor({
    enableRateLimit: true,
    timeout: options.timeoutMs ?? 10_000,
    ...(options.rateLimitMs !== undefined ? { rateLimit: options.rateLimitMs } : {}),
    ...(options.credentials ?? {}),
  });
  const origin = options.restOrigin ?? Deno.env.get(info.urlEnv);
  if (origin) {
    const before = ex.urls.api;
    ex.urls = { ...ex.urls, api: rewriteOrigins(before, origin) };
    keepErrorTables(ex, urlPairs(before, ex.urls.api));
  }
  if (options.pro) {
    const wsOrigin = options.wsOrigin ?? Deno.env.get(info.wsUrlEnv);
    const api = ex.urls.api as Record<string, unknown>;
    if (wsOrigin && api.ws !== undefined) {
      ex.urls = { ...ex.urls, api: { ...api, ws: rewriteWsOrigins(api.ws, wsOrigin) } };
    }
    const ws = (ex.options.ws ?? {}) as Record<string, unknown>;
    const backoff = (ws.backoff ?? {}) as Record<string, unknown>;
    ex.options.ws = { ...ws, backoff: { ...backoff, base: 0 } };
  }
  return ex;
}

/** Each URL of a (nested) ccxt `urls.api` value with what it became, longest rewritten first. */
function urlPairs(before: unknown, after: unknown): { from: string; to: string }[] {
  const out: { from: string; to: string }[] = [];
  const walk = (a: unknown, b: unknown) => {
    if (typeof a === "string" && typeof b === "string") {
      if (a !== b) out.push({ from: a, to: b });
    } else if (a && typeof a === "object" && b && typeof b === "object") {
      for (const [k, v] of Object.entries(a)) walk(v, (b as Record<string, unknown>)[k]);
    }
  };
  walk(before, after);
  return out.sort((x, y) => y.to.length - x.to.length);
}

/**
 * Binance-family clients pick the error table of an answer by its URL's host (fapi, dapi, api…),
 * so behind a rewritten origin a futures refusal (-2019 margin, -4116 duplicate id) came out as a
 * bare ExchangeError. This maps a rewritten URL back to the original before that lookup.
 */
function keepErrorTables(ex: Exchange, pairs: { from: string; to: string }[]): void {
  const target = ex as unknown as { getExceptionsByUrl?: (url: unknown, kind: unknown) => unknown };
  const lookup = target.getExceptionsByUrl;
  if (typeof lookup !== "function" || pairs.length === 0) return;
  target.getExceptionsByUrl = (url, kind) => {
    if (typeof url === "string") {
      for (const p of pairs) {
        if (url.startsWith(p.to)) return lookup.call(ex, p.from + url.slice(p.to.length), kind);
      }
    }
    return lookup.call(ex, url, kind);
  };
}

/** Replaces the origin of every URL string in a (nested) ccxt `urls.api` value. */
export function rewriteOrigins<T>(value: T, origin: string): T {
  return rewriteMatching(value, /^https?:\/\/[^/]+/, origin.replace(/\/+$/, ""));
}

/**
 * Replaces the origin of every websocket URL (`ws://`, `wss://`) in a (nested) ccxt value;
 * `origin` may be given as http(s), which becomes ws(s).
 */
export function rewriteWsOrigins<T>(value: T, origin: string): T {
  const base = origin.replace(/\/+$/, "").replace(/^http(s?):\/\//, "ws$1://");
  return rewriteMatching(value, /^wss?:\/\/[^/]+/, base);
}

function rewriteMatching<T>(value: T, pattern: RegExp, base: string): T {
  if (typeof value === "string") return value.replace(pattern, base) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewriteMatching(v, pattern, base);
    return out as T;
  }
  return value;
}
