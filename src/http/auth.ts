// Bearer-token authentication for the HTTP API: a Hono middleware with constant-time comparison.

import type { Context, MiddlewareHandler } from "hono";
import type { Actor } from "../commands/commands.ts";
import { ConfigError } from "../core/errors.ts";

/** Options of {@link requireBearer}. */
export interface BearerOptions {
  /** Realm in the `WWW-Authenticate` header. Default "tidewatch". */
  realm?: string;
  /** The audit actor of a request that carries the token. Default "api-token". */
  actor?: string;
}

/** The context key under which an authenticated request carries its {@link Actor}. */
const IDENTITY = "tidewatch.identity";

/**
 * Who the request is, as authentication established it: the token's actor on a request that
 * passed {@link requireBearer}, else an anonymous API caller. Never taken from a header the
 * caller sets.
 */
export function identityOf(c: Context): Actor {
  return (c.get(IDENTITY) as Actor | undefined) ?? { surface: "api", actor: "anonymous" };
}

/** Marks a request as authenticated as `who` (a page session, a checked token). */
export function markIdentity(c: Context, who: Actor): void {
  c.set(IDENTITY, who);
}

const encoder = new TextEncoder();

const sha256 = async (text: string): Promise<Uint8Array> =>
  new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text)));

/**
 * True when `a` equals `b`, in time that does not depend on where they differ. Both are hashed
 * first, so the time does not depend on their lengths either.
 */
export async function tokensEqual(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([sha256(a), sha256(b)]);
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

/**
 * A middleware that lets a request through only with `Authorization: Bearer <token>`, and marks
 * it with the token's identity ({@link identityOf}); a request marked already (the guard of a
 * non-loopback bind checked it) passes at once. Otherwise it answers 401 with a JSON `{error}`
 * saying what to send, and a `WWW-Authenticate` header. Neither the token received nor the one
 * expected is ever echoed, nor where the token is kept (the start-up log says that).
 *
 * @example
 * ```ts
 * const app = new Hono();
 * app.use("/api/bots/*", requireBearer(token));
 * ```
 */
export function requireBearer(token: string, options: BearerOptions = {}): MiddlewareHandler {
  if (token === "") {
    throw new ConfigError("The API token is empty: resolve one with resolveApiToken first.");
  }
  const realm = (options.realm ?? "tidewatch").replaceAll('"', "");
  const identity: Actor = { surface: "api", actor: options.actor ?? "api-token" };
  const how = "send Authorization: Bearer <token> (the service's start-up log says where " +
    "the token is)";
  return async (c, next) => {
    if (c.get(IDENTITY) !== undefined) {
      await next();
      return undefined;
    }
    const header = c.req.header("Authorization");
    const m = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!m || !(await tokensEqual(m[1], token))) {
      const [error, code] = header === undefined || header.trim() === ""
        ? [`Missing bearer token: ${how}.`, ""]
        : !m
        ? [`Malformed Authorization header: ${how}.`, ', error="invalid_request"']
        : [`Wrong bearer token: ${how}.`, ', error="invalid_token"'];
      c.header("WWW-Authenticate", `Bearer realm="${realm}"${code}`);
      return c.json({ error }, 401);
    }
    c.set(IDENTITY, identity);
    await next();
    return undefined;
  };
}
