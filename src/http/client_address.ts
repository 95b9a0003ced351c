// The client's address, one answer for every limit: the connection's peer, or with --trust-proxy
// the right-most non-loopback entry of X-Forwarded-For.

import type { Context, MiddlewareHandler } from "hono";

declare module "hono" {
  interface ContextVariableMap {
    /** Set by {@link clientAddressMiddleware}; read it with {@link clientAddress}. */
    clientAddress: string | undefined;
  }
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback (::ffff:127.x.y.z). */
export function isLoopback(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, "").toLowerCase();
  return a === "::1" || a.startsWith("127.") || a.startsWith("::ffff:127.");
}

/** The peer of the connection (Deno.serve passes it as the handler's info, Hono's `c.env`). */
function peerAddress(c: Context): string | undefined {
  const env = c.env as { remoteAddr?: { hostname?: string } } | undefined;
  return env?.remoteAddr?.hostname;
}

/**
 * The right-most entry of `X-Forwarded-For` that is not a loopback address: each proxy appends
 * the address it was connected from, so entries left of it are whatever the client claimed.
 */
export function forwardedAddress(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const entries = header.split(",").map((s) => s.trim()).filter(Boolean);
  for (let i = entries.length - 1; i >= 0; i--) {
    if (!isLoopback(entries[i])) return entries[i].slice(0, 64);
  }
  return undefined;
}

/**
 * A middleware deciding the client's address once per request. Without `trustProxy` it is the
 * connection's peer; with it, {@link forwardedAddress} of `X-Forwarded-For`, else the peer.
 * Requests without a connection (`app.request()` in tests, in-process callers) have none.
 */
export function clientAddressMiddleware(trustProxy: boolean): MiddlewareHandler {
  return async (c, next) => {
    const peer = peerAddress(c);
    c.set(
      "clientAddress",
      trustProxy ? forwardedAddress(c.req.header("x-forwarded-for")) ?? peer : peer,
    );
    await next();
  };
}

/** The client's address as {@link clientAddressMiddleware} decided it (undefined: in-process). */
export function clientAddress(c: Context): string | undefined {
  return c.get("clientAddress");
}
