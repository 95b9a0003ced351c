// Creates ccxt exchange clients, optionally pointed at another REST origin (proxy or test fake).

import ccxt from "ccxt";
import type { Exchange } from "ccxt";
import { exchangeInfo } from "./exchanges.ts";

/** Options for {@link createExchange}. */
export interface CreateExchangeOptions {
  /** Replace the scheme and host of every REST URL (default: `$TIDEWATCH_<ID>_URL`, else none). */
  restOrigin?: string;
  /** ccxt's minimum delay between requests in ms (default: the exchange's own). */
  rateLimitMs?: number;
  /** Request timeout in ms (default 10000). */
  timeoutMs?: number;
}

/**
 * A ccxt client for a supported exchange, with rate limiting on.
 *
 * @example
 * ```ts
 * const okx = createExchange("okx");
 * await okx.loadMarkets();
 * ```
 */
export function createExchange(name: string, options: CreateExchangeOptions = {}): Exchange {
  const info = exchangeInfo(name);
  const Ctor = (ccxt as unknown as Record<string, new (cfg: object) => Exchange>)[info.ccxtId];
  const ex = new Ctor({
    enableRateLimit: true,
    timeout: options.timeoutMs ?? 10_000,
    ...(options.rateLimitMs !== undefined ? { rateLimit: options.rateLimitMs } : {}),
  });
  const origin = options.restOrigin ?? Deno.env.get(info.urlEnv);
  if (origin) ex.urls = { ...ex.urls, api: rewriteOrigins(ex.urls.api, origin) };
  return ex;
}

/** Replaces the origin of every URL string in a (nested) ccxt `urls.api` value. */
export function rewriteOrigins<T>(value: T, origin: string): T {
  const base = origin.replace(/\/+$/, "");
  if (typeof value === "string") {
    return value.replace(/^https?:\/\/[^/]+/, base) as T;
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewriteOrigins(v, origin);
    return out as T;
  }
  return value;
}
