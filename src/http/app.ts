// The Hono app: built here from its dependencies, served by main.ts, tested with app.request().

import { Hono } from "hono";
import { z } from "zod";
import { TidewatchError } from "../core/errors.ts";
import type { CandleStore } from "../store/candle_store.ts";

/** What the app needs. */
export interface AppDeps {
  store: CandleStore;
  /** "paper" unless live trading was approved. */
  mode: "paper" | "live";
  version: string;
}

const candleQuery = z.object({
  exchange: z.string().min(1),
  symbol: z.string().min(1),
  timeframe: z.string().regex(/^[1-9][0-9]*[smhdw]$/, "a timeframe such as 1m, 4h or 1d"),
  from: z.coerce.number().int().optional(),
  to: z.coerce.number().int().optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(1000),
});

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

  app.get("/api/status/health", async (c) => {
    let database: { ok: boolean; series?: number; error?: string };
    try {
      database = { ok: true, series: (await deps.store.list()).length };
    } catch (err) {
      database = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    return c.json(
      { ok: database.ok, mode: deps.mode, version: deps.version, database },
      database.ok ? 200 : 503,
    );
  });

  app.get("/api/candles/series", async (c) => c.json({ series: await deps.store.list() }));

  app.get("/api/candles", async (c) => {
    const parsed = candleQuery.safeParse(c.req.query());
    if (!parsed.success) {
      const issues = parsed.error.issues.map((i) => `${i.path.join(".") || "query"}: ${i.message}`);
      return c.json({ error: `Invalid query for GET /api/candles: ${issues.join("; ")}` }, 400);
    }
    const q = parsed.data;
    const cols = await deps.store.read(q, { from: q.from, to: q.to });
    const n = Math.min(cols.ts.length, q.limit);
    const pick = (a: Float64Array) => Array.from(a.subarray(0, n));
    return c.json({
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
    });
  });

  app.onError((err, c) => {
    if (err instanceof TidewatchError) return c.json({ error: err.message }, 400);
    console.error(
      JSON.stringify({
        level: "error",
        msg: "request failed",
        path: c.req.path,
        error: String(err),
      }),
    );
    return c.json({ error: "Internal error; see the service log." }, 500);
  });
  return app;
}
