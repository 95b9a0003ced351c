// Per-address rate limit for requests without a valid token: a token bucket per client address.

import type { Context, MiddlewareHandler } from "hono";
import { clientAddress, isLoopback } from "./client_address.ts";

/** Options of {@link rateLimit}. */
export interface RateLimitOptions {
  /** Requests a second an address may sustain [20]. */
  perSecond?: number;
  /** Requests an address may make at once after being idle [40]. */
  burst?: number;
  /**
   * Addresses remembered at most; idle ones are forgotten first [10,000]. An address idle long
   * enough for its bucket to be full again is forgotten anyway (it would start full).
   */
  maxAddresses?: number;
  /** Limit loopback clients too [false: a local client is the machine's owner]. */
  loopback?: boolean;
  /** Clock in ms [Date.now]. */
  now?: () => number;
}

/** The rate-limit middleware, which also tells how many addresses it remembers now. */
export type RateLimiter = MiddlewareHandler & {
  /** Addresses with a bucket kept (none once every client has been idle a while). */
  remembered(): number;
};

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A middleware answering 429 with `Retry-After` to a client address past its budget, unless the
 * request carries a valid token (`authorized`, asked only then). Requests without an address
 * (in-process) and, by default, from loopback are not limited.
 */
export function rateLimit(
  authorized: (c: Context) => Promise<boolean>,
  options: RateLimitOptions = {},
): RateLimiter {
  const perSecond = options.perSecond ?? 20;
  const burst = options.burst ?? 40;
  const maxAddresses = options.maxAddresses ?? 10_000;
  const now = options.now ?? Date.now;
  const buckets = new Map<string, Bucket>();
  /** After this long idle a bucket is full again: keeping it changes nothing. */
  const refillMs = (burst / perSecond) * 1000;

  /** Forgets the buckets idle for `refillMs` or more (the map is ordered by last use). */
  const prune = (t: number) => {
    for (const [key, b] of buckets) {
      if (t - b.at < refillMs) break;
      buckets.delete(key);
    }
  };

  const take = (address: string): number => {
    const t = now();
    let b = buckets.get(address);
    if (b) {
      b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond);
      b.at = t;
      buckets.delete(address); // re-inserted below: the map stays ordered by last use
    } else {
      b = { tokens: burst, at: t };
      if (buckets.size >= maxAddresses) {
        for (const key of buckets.keys()) {
          buckets.delete(key);
          if (buckets.size < maxAddresses) break;
        }
      }
    }
    buckets.set(address, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / perSecond));
  };

  const middleware: MiddlewareHandler = async (c, next) => {
    // Every request, limited or not, clears out what a burst of addresses left behind.
    if (buckets.size > 0) prune(now());
    const address = clientAddress(c);
    if (address === undefined || (!options.loopback && isLoopback(address))) return await next();
    const wait = take(address);
    if (wait > 0 && !(await authorized(c))) {
      c.header("Retry-After", String(wait));
      return c.json({
        error: `Too many requests from ${address} without a token: at most ${perSecond} a ` +
          `second (bursts of ${burst}); retry after ${wait} s.`,
      }, 429);
    }
    await next();
    return undefined;
  };
  return Object.assign(middleware, { remembered: () => buckets.size });
}
