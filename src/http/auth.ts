// Bearer-token authentication for the HTTP API: a Hono middleware with constant-time comparison.

import type { MiddlewareHandler } from "hono";
import { ConfigError } from "../core/errors.ts";

/** Options of {@link requireBearer}. */
export interface BearerOptions {
  /**
   * Where a person finds the token, appended to the 401 message as "(see <hint>)", e.g. "the
   * file data/api_token on the service's machine" (see `apiTokenLocation`). Default "the
   * service's API token setup in the README".
   */
  hint?: string;
  /** Realm in the `WWW-Authenticate` header. Default "tidewatch". */
  realm?: string;
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
 * A middleware that lets a request through only with `Authorization: Bearer <token>`. Otherwise
 * it answers 401 with a JSON `{error}` saying what to send and where the token is, and a
 * `WWW-Authenticate` header; neither the token received nor the one expected is ever echoed.
 *
 * @example
 * ```ts
 * const app = new Hono();
 * app.use("/api/bots/*", requireBearer(token, { hint: "the file data/api_token" }));
 * ```
 */
export function requireBearer(token: string, options: BearerOptions = {}): MiddlewareHandler {
  if (token === "") {
    throw new ConfigError("The API token is empty: resolve one with resolveApiToken first.");
  }
  const where = options.hint ?? "the service's API token setup in the README";
  const realm = (options.realm ?? "tidewatch").replaceAll('"', "");
  const how = `send Authorization: Bearer <token> (see ${where})`;
  return async (c, next) => {
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
    await next();
    return undefined;
  };
}
