// The Hono app: built here from its dependencies, served by main.ts, tested with app.request().

import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import type { Commands } from "../commands/commands.ts";
import { ConflictError, InvalidFieldError, NotFoundError } from "../commands/errors.ts";
import { TidewatchError } from "../core/errors.ts";
import { withoutPaths } from "../service/redact_paths.ts";
import type { CandleStore } from "../store/candle_store.ts";
import { CachedAnswer } from "./answer_cache.ts";
import { botRoutes } from "./api_bots.ts";
import { backtestRoutes } from "./api_backtests.ts";
import { researchRoutes } from "./api_research.ts";
import { eventRoutes } from "./api_events.ts";
import { DEFAULT_LIMITS, installLimits, type LimitOptions } from "./limits.ts";
import { orderRoutes } from "./api_orders.ts";
import { simulationRoutes } from "./api_simulation.ts";
import { Exposure } from "./exposure.ts";
import { RouteTable } from "./route_table.ts";
import { shownPath } from "./shown_path.ts";
import { type WebhookOptions, webhookRoutes } from "./webhook.ts";
import type { Assets } from "./page/assets.ts";
import { pageRoutes } from "./page/page_routes.tsx";
import { sessionOrBearer, type Sessions } from "./session.ts";

/** What the app needs. */
export interface AppDeps {
  store: CandleStore;
  /** "paper" unless live trading was approved. */
  mode: "paper" | "live";
  version: string;
  /** The running service's commands (bots, records, events); absent: candles and health only. */
  commands?: Commands;
  /** Guards every write (bearer token); required with `commands`. */
  auth?: MiddlewareHandler;
  /** Body size, JSON depth, rate and event-stream bounds (defaults in `limits.ts`). */
  limits?: LimitOptions;
  /** The bind and the names the service answers to. Default: loopback, reads open. */
  exposure?: Exposure;
  /** The TradingView webhook's secret and allowed senders [no secret: alerts are refused]. */
  webhook?: WebhookOptions;
  /**
   * The status page's logged-in browsers: with them the API also accepts a page session (and its
   * CSRF token on writes) beside the bearer token.
   */
  sessions?: Sessions;
  /** The status page's files; with `sessions` and `commands` the page is served at `/`. */
  assets?: Assets;
}

const candleQuery = z.object({
  exchange: z.string().min(1),
  symbol: z.string().min(1),
  timeframe: z.string().regex(/^[1-9][0-9]*[smhdw]$/, "a timeframe such as 1m, 4h or 1d"),
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(1000),
});

/** How old a health answer may be when served: one computed answer serves a burst of checks. */
const HEALTH_MAX_AGE_MS = 100;

const denyWrites: MiddlewareHandler = (c) =>
  Promise.resolve(c.json({ error: "Writes are disabled: no API token is configured." }, 401));

/**
 * Builds the HTTP app.
 *
 * @example
 * ```ts
 * const app = createApp({ store, mode: "paper", version: "0.1.0" });
 * const res = await app.request("/api/status/health");
 * ```
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  const exposure = deps.exposure ?? new Exposure();
  const auth = deps.auth && deps.sessions
    ? sessionOrBearer(deps.auth, deps.sessions)
    : deps.auth ?? denyWrites;
  app.use("*", exposure.guard(auth));
  const sse = installLimits(app, auth, deps.limits);
  const routes = new RouteTable(app, auth, {
    maxJsonDepth: deps.limits?.maxJsonDepth ?? DEFAULT_LIMITS.maxJsonDepth,
  });
  const commands = deps.commands;

  // Health is what monitors and strangers ask most: one answer serves every request for up to
  // 100 ms, and a bot changing state shows at once.
  const health = new CachedAnswer(async () => {
    let database: { ok: boolean; series?: number; error?: string };
    try {
      database = { ok: true, series: (await deps.store.list()).length };
    } catch (err) {
      database = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    const { exchanges, bots } = commands?.health() ?? { exchanges: [], bots: {} };
    const ok = database.ok && exchanges.every((e) => e.reachable);
    return {
      status: database.ok ? 200 : 503,
      body: { ok, mode: deps.mode, version: deps.version, database, exchanges, bots },
    };
  }, { maxAgeMs: HEALTH_MAX_AGE_MS });
  commands?.onEvent((e) => {
    if (e.type === "bot.status") health.invalidate();
  });
  routes.add({
    method: "get",
    path: "/api/status/health",
    summary: "Exchange reachability, bots and database (at most 100 ms old)",
    handler: () => health.response(),
  });

  routes.add({
    method: "get",
    path: "/api/openapi.json",
    summary: "This API's OpenAPI document",
    handler: () =>
      routes.openapi(
        { title: "Tidewatch", version: deps.version },
        (path, write) => write || (!exposure.loopback && !exposure.isOpenPath(path)),
      ),
  });

  routes.add({
    method: "get",
    path: "/api/candles/series",
    summary: "Stored candle series",
    handler: async () => ({ series: await deps.store.list() }),
  });

  routes.add({
    method: "get",
    path: "/api/candles",
    summary: "Stored candles of one series (columns)",
    query: candleQuery,
    handler: async (_c, { query: q }) => {
      const cols = await deps.store.read(q, { from: q.from, to: q.to });
      const n = Math.min(cols.ts.length, q.limit);
      const pick = (a: Float64Array) => Array.from(a.subarray(0, n));
      return {
        exchange: q.exchange,
        symbol: q.symbol,
        timeframe: q.timeframe,
        count: n,
        truncated: cols.ts.length > n,
        ts: pick(cols.ts),
        open: pick(cols.open),
        high: pick(cols.high),
        low: pick(cols.low),
        close: pick(cols.close),
        volume: pick(cols.volume),
      };
    },
  });

  if (commands) {
    botRoutes(routes, commands);
    simulationRoutes(routes, commands);
    backtestRoutes(routes, commands);
    researchRoutes(routes, commands);
    orderRoutes(routes, commands);
    eventRoutes(routes, commands, sse);
    webhookRoutes(app, routes, commands, deps.webhook);
    if (deps.sessions && deps.assets) {
      pageRoutes(app, {
        assets: deps.assets,
        sessions: deps.sessions,
        exposure,
        mode: deps.mode,
        version: deps.version,
      });
    }
  }

  app.notFound((c) =>
    c.json(
      { error: `No route ${c.req.method} ${shownPath(c.req.path)}; see /api/openapi.json.` },
      404,
    )
  );

  app.onError((err, c) => {
    // The one place errors become statuses: a name that does not exist 404, a state that
    // refuses the request 409, a field whose value is refused 422, any other of ours (bad
    // input, config) 400. File paths are never shown.
    const error = withoutPaths(err.message);
    if (err instanceof NotFoundError) return c.json({ error }, 404);
    if (err instanceof ConflictError) return c.json({ error }, 409);
    if (err instanceof InvalidFieldError) return c.json({ error, fields: err.fields }, 422);
    if (err instanceof TidewatchError) return c.json({ error }, 400);
    console.error(
      JSON.stringify({
        level: "error",
        msg: "request failed",
        path: shownPath(c.req.path),
        error: String(err),
      }),
    );
    return c.json({ error: "Internal error; see the service log." }, 500);
  });
  return app;
}
