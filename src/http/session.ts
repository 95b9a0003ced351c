// Status-page sessions: log in once with the API token, then an HttpOnly SameSite=Strict cookie
// and a CSRF token stand for it; every write checks both, and the API accepts them beside the
// bearer token.

import type { Context, MiddlewareHandler } from "hono";
import type { Actor } from "../commands/commands.ts";
import { markIdentity, tokensEqual } from "./auth.ts";

/** The session cookie's name. */
export const SESSION_COOKIE = "tw_session";
/** The header a page's write carries its CSRF token in. */
export const CSRF_HEADER = "x-csrf-token";

/** One logged-in browser. */
export interface Session {
  /** The cookie's value: 32 random bytes, hex. Never logged. */
  readonly id: string;
  /** What every write of this session must send in {@link CSRF_HEADER} (or a form's `csrf`). */
  readonly csrf: string;
  /** UTC ms after which the session is gone. */
  readonly expires: number;
}

/** Options of {@link Sessions}. */
export interface SessionOptions {
  /** How long a login lasts [12 h]. */
  ttlMs?: number;
  /** Most sessions kept; the oldest goes first [1,000]. */
  max?: number;
  /** The clock [Date.now]. */
  now?: () => number;
}

const DEFAULT_TTL_MS = 12 * 3_600_000;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Who a page session is, in the audit log. */
export const PAGE_ACTOR: Actor = { surface: "web", actor: "page-session" };

function randomHex(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** The value of cookie `name` in a `Cookie` header, if any. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The logged-in browsers, in memory (a restart logs everyone out). A session is made only by
 * {@link Sessions.login} with the API token, expires after `ttlMs`, and ends at logout.
 *
 * @example
 * ```ts
 * const sessions = new Sessions(token);
 * const s = await sessions.login(typedToken); // undefined when wrong
 * ```
 */
export class Sessions {
  readonly #byId = new Map<string, Session>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(private readonly token: string, options: SessionOptions = {}) {
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#max = options.max ?? 1_000;
    this.#now = options.now ?? Date.now;
  }

  /** How long a login lasts, in ms. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** A new session when `token` is the API token (compared in constant time), else undefined. */
  async login(token: string): Promise<Session | undefined> {
    if (!(await tokensEqual(token, this.token))) return undefined;
    this.#prune();
    while (this.#byId.size >= this.#max) this.#byId.delete(this.#byId.keys().next().value!);
    const s: Session = {
      id: randomHex(32),
      csrf: randomHex(24),
      expires: this.#now() + this.#ttlMs,
    };
    this.#byId.set(s.id, s);
    return s;
  }

  /** The live session of a request's cookie, if any. */
  of(c: Context): Session | undefined {
    const id = cookieValue(c.req.header("cookie"), SESSION_COOKIE);
    if (id === undefined) return undefined;
    const s = this.#byId.get(id);
    if (s && s.expires <= this.#now()) {
      this.#byId.delete(id);
      return undefined;
    }
    return s;
  }

  /** Ends a session. */
  logout(id: string): void {
    this.#byId.delete(id);
  }

  /** Number of live sessions. */
  get size(): number {
    this.#prune();
    return this.#byId.size;
  }

  #prune(): void {
    const now = this.#now();
    for (const [id, s] of this.#byId) if (s.expires <= now) this.#byId.delete(id);
  }
}

/** The `Set-Cookie` value that holds `session` (Secure on https). */
export function sessionCookie(session: Session, ttlMs: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${session.id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${
    Math.floor(ttlMs / 1000)
  }${secure ? "; Secure" : ""}`;
}

/** The `Set-Cookie` value that clears the session cookie. */
export function clearedSessionCookie(): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;
}

/** True when a write's `Origin` (if sent) is this service's own address. */
export function sameOrigin(c: Context): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined) return true;
  const host = c.req.header("host") ?? new URL(c.req.url).host;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

/**
 * The API's guard for requests that need to be someone: a request with an `Authorization`
 * header goes to `bearer`; one with a live session cookie passes as {@link PAGE_ACTOR}, but a
 * write only with the session's CSRF token in {@link CSRF_HEADER} and no foreign `Origin`; any
 * other goes to `bearer`, which says what to send.
 */
export function sessionOrBearer(bearer: MiddlewareHandler, sessions: Sessions): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.header("authorization") !== undefined) return await bearer(c, next);
    const session = sessions.of(c);
    if (!session) return await bearer(c, next);
    if (!SAFE_METHODS.has(c.req.method)) {
      const sent = c.req.header(CSRF_HEADER) ?? "";
      if (!sameOrigin(c) || !(await tokensEqual(sent, session.csrf))) {
        return c.json({
          error: `Missing or wrong CSRF token: a page write sends the ${CSRF_HEADER} header ` +
            `the page was given; reload the page.`,
        }, 403);
      }
    }
    markIdentity(c, PAGE_ACTOR);
    await next();
    return undefined;
  };
}
