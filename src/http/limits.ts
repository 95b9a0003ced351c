// The edge's bounds in one place: client address, per-address rate limit, body size, JSON depth
// and event-stream caps, with their defaults.

import type { Context, Hono, MiddlewareHandler } from "hono";
import { bodySizeLimit } from "./body_limits.ts";
import { clientAddressMiddleware } from "./client_address.ts";
import { rateLimit, type RateLimitOptions } from "./rate_limit.ts";
import { SseGate, type SseLimitOptions } from "./sse_limits.ts";

/** Bounds of the HTTP app; every field has a default. */
export interface LimitOptions {
  /**
   * Take the client's address from `X-Forwarded-For` (its right-most non-loopback entry) rather
   * than from the connection [false]. Only behind a proxy that sets it (`--trust-proxy`).
   */
  trustProxy?: boolean;
  /** Largest request body in bytes; larger ones get 413 before being read [65,536]. */
  maxBodyBytes?: number;
  /** Deepest nesting of a JSON body; deeper ones get 400 before being parsed [32]. */
  maxJsonDepth?: number;
  /** Requests without a valid token, per client address; `false` turns it off. */
  rate?: RateLimitOptions | false;
  /** Server-sent event streams: their caps, or a gate of one's own (tests watch its count). */
  sse?: SseLimitOptions | SseGate;
}

/** The defaults of {@link LimitOptions}. */
export const DEFAULT_LIMITS = {
  maxBodyBytes: 65_536,
  maxJsonDepth: 32,
} as const;

/**
 * Installs the request-wide bounds on `app` (before any route): the client address, the rate
 * limit for requests without a valid token (checked with `auth`), and the body size. Returns the
 * event-stream gate for the SSE route.
 */
export function installLimits(
  app: Hono,
  auth: MiddlewareHandler,
  options: LimitOptions = {},
): SseGate {
  app.use("*", clientAddressMiddleware(options.trustProxy ?? false));
  if (options.rate !== false) app.use("*", rateLimit(validToken(auth), options.rate ?? {}));
  app.use("*", bodySizeLimit(options.maxBodyBytes ?? DEFAULT_LIMITS.maxBodyBytes));
  return options.sse instanceof SseGate ? options.sse : new SseGate(options.sse);
}

/**
 * Asks the API's auth middleware whether a request carries a valid token, without letting its
 * refusal answer the request: true when it would call the next handler.
 */
function validToken(auth: MiddlewareHandler): (c: Context) => Promise<boolean> {
  return async (c) => {
    if (!c.req.header("authorization") && !c.req.header("cookie")) return false;
    let ok = false;
    await auth(c, () => {
      ok = true;
      return Promise.resolve();
    });
    if (!ok) c.header("WWW-Authenticate", undefined);
    return ok;
  };
}
