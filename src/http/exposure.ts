// Who may reach the API: the Host header it answers to, no CORS, and the token on every route off
// loopback (but the exempt paths, such as a webhook with its own secret).

import type { Hono, MiddlewareHandler } from "hono";

/** Environment variable listing extra host names the service answers to (comma-separated). */
export const ALLOWED_HOSTS_ENV = "TIDEWATCH_ALLOWED_HOSTS";

/** Where the service listens and who may reach it. */
export interface ExposureOptions {
  /** The address the server is bound to (`--host`). Default "127.0.0.1" (loopback). */
  bind?: string;
  /** More names the `Host` header may carry (`TIDEWATCH_ALLOWED_HOSTS`). Default none. */
  allowedHosts?: readonly string[];
  /**
   * Paths reachable without the token on any bind, because they check a secret of their own
   * (the webhook adds itself here). Exact paths, or a prefix ending in "/*". Default none.
   */
  openPaths?: readonly string[];
  /**
   * Addresses of this machine, accepted as `Host` when bound to every interface (0.0.0.0, ::).
   * Default: read from `Deno.networkInterfaces()` (none when that is not allowed).
   */
  interfaceAddresses?: readonly string[];
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"];

/**
 * The status page's own paths: the page at `/` asks for its login itself (off loopback a browser
 * without a session is sent to `/login`), and its static files and manifest hold no data.
 */
export function isPagePath(path: string): boolean {
  return path === "/" || path === "/login" || path === "/logout" ||
    path === "/manifest.webmanifest" || path.startsWith("/assets/");
}
const WILDCARD = ["0.0.0.0", "::", ""];
/** `Host` values whose judgement is remembered. */
const MAX_JUDGED_HOSTS = 64;

/** True for a loopback address or name: 127.0.0.0/8, ::1, localhost. */
export function isLoopback(host: string): boolean {
  const h = bare(host);
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Parses `TIDEWATCH_ALLOWED_HOSTS` ("a.example, b.example:8443") into host names. */
export function parseAllowedHosts(text: string | undefined): string[] {
  return (text ?? "").split(",").map((h) => hostOnly(h.trim())).filter((h) => h !== "");
}

/** A host name without brackets, in lower case. */
function bare(host: string): string {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1");
}

/** The host part of a `Host` header value ("name:port", "[::1]:8080", "name"). */
function hostOnly(value: string): string {
  const v = value.trim().toLowerCase();
  if (v.startsWith("[")) return v.slice(1, v.indexOf("]") === -1 ? undefined : v.indexOf("]"));
  const colons = v.split(":").length - 1;
  return colons === 1 ? v.slice(0, v.indexOf(":")) : v; // more than one: a bare IPv6 address
}

function machineAddresses(): string[] {
  try {
    return Deno.networkInterfaces().map((i) => i.address);
  } catch {
    return []; // --allow-sys not granted: only loopback names and the listed hosts
  }
}

/**
 * What a bind exposes, for the start-up log and the app: whether reads need the token, which
 * `Host` values are accepted, and which paths are open without a token.
 */
export class Exposure {
  /** The address bound. */
  readonly bind: string;
  /** True when bound to a loopback address only (reads then stay open). */
  readonly loopback: boolean;
  /** Paths exempt from the token on any bind. */
  readonly openPaths: readonly string[];
  readonly #hosts: Set<string>;
  /** `Host` values already judged (the few a service sees), so most requests skip the parsing. */
  readonly #judged = new Map<string, boolean>();

  constructor(options: ExposureOptions = {}) {
    this.bind = options.bind ?? "127.0.0.1";
    this.loopback = isLoopback(this.bind);
    this.openPaths = [...(options.openPaths ?? [])];
    const bound = bare(this.bind);
    const extra = WILDCARD.includes(bound)
      ? (options.interfaceAddresses ?? machineAddresses())
      : [bound];
    this.#hosts = new Set(
      [...LOOPBACK_NAMES, ...extra, ...(options.allowedHosts ?? [])].map(bare),
    );
  }

  /** True when a request naming `host` (a `Host` header value, port allowed) is for us. */
  acceptsHost(host: string): boolean {
    const known = this.#judged.get(host);
    if (known !== undefined) return known;
    const h = bare(hostOnly(host));
    const ok = this.#hosts.has(h) || isLoopback(h);
    // Bounded: a caller inventing a new Host each time only misses the shortcut.
    if (this.#judged.size < MAX_JUDGED_HOSTS && host.length <= 255) this.#judged.set(host, ok);
    return ok;
  }

  /** True when `path` is reachable without the token on this bind. */
  isOpenPath(path: string): boolean {
    return this.openPaths.some((p) =>
      p.endsWith("/*") ? path.startsWith(p.slice(0, -1)) : path === p
    );
  }

  /**
   * The routes anyone can reach without the token, as "METHOD /path": every GET route of `app`
   * on loopback, and the exempt paths on any bind.
   */
  openRoutes(app: Hono): string[] {
    const reads = this.loopback
      ? app.routes.filter((r) => r.method === "GET" && r.path.startsWith("/"))
        .map((r) => `GET ${r.path}`)
      : [];
    return [...new Set([...reads, ...this.openPaths.map((p) => `ANY ${p}`)])];
  }

  /**
   * The middleware in front of every route: a `Host` the service does not answer to gets 421, a
   * CORS preflight 403 (no `Access-Control-Allow-*` header is ever sent), and off loopback every
   * request outside the open paths goes through `auth` first.
   */
  guard(auth: MiddlewareHandler): MiddlewareHandler {
    return async (c, next) => {
      const host = c.req.header("host") ?? new URL(c.req.url).host;
      if (!this.acceptsHost(host)) {
        const shown = host.length > 100 ? `${host.slice(0, 100)}…` : host;
        return c.json({
          error: `Host "${shown}" is not a name this service answers to: use its address, or ` +
            `add the name to ${ALLOWED_HOSTS_ENV} where the service runs.`,
        }, 421);
      }
      if (c.req.method === "OPTIONS" && c.req.header("access-control-request-method")) {
        return c.json(
          { error: "Cross-origin requests are not allowed: this API sends no CORS headers." },
          403,
        );
      }
      if (this.loopback || this.isOpenPath(c.req.path) || isPagePath(c.req.path)) {
        await next();
        return undefined;
      }
      return await auth(c, next);
    };
  }
}
