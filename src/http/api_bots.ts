// API routes for bots: list, status, control, their records, pending confirmations, kill, settings.

import { z } from "zod";
import type { Context } from "hono";
import { parityReport } from "../service/parity.ts";
import { settingsPatch } from "../service/settings.ts";
import type { Actor } from "../service/supervisor.ts";
import type { RouteTable } from "./route_table.ts";
import { HttpError } from "./route_table.ts";
import type { ServiceDeps } from "./service_deps.ts";

/** Paging and time filter of record lists. */
export const pageQuery = z.object({
  from: z.coerce.number().int().optional().describe("UTC ms, inclusive"),
  to: z.coerce.number().int().optional().describe("UTC ms, inclusive"),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
}).strict();

/** Who is calling: writes are authenticated by the API token. */
export function apiActor(c: Context): Actor {
  return { surface: "api", actor: c.req.header("x-tidewatch-user") ?? "api-token" };
}

const RECORDS = ["decisions", "orders", "fills", "positions", "trades", "equity"] as const;

/** Registers the bot routes. */
export function botRoutes(routes: RouteTable, s: ServiceDeps): void {
  const now = s.wallNow ?? Date.now;
  const bot = (id: string) => {
    try {
      return s.supervisor.get(id);
    } catch (err) {
      throw new HttpError(404, (err as Error).message);
    }
  };

  routes.add({
    method: "get",
    path: "/api/bots",
    summary: "Every bot with its state, equity and position",
    handler: () => ({ bots: [...s.supervisor.bots.values()].map((b) => b.status()) }),
  });

  routes.add({
    method: "get",
    path: "/api/bots/:id",
    summary: "One bot: status, its latest decision and why it is (not) trading",
    handler: async (_c, { params }) => {
      const b = bot(params.id);
      const status = b.status();
      const [latest] = await s.bots.page("decisions", params.id, { limit: 1 });
      return { ...status, latest_decision: latest ?? null, why: why(status, latest) };
    },
  });

  for (const action of ["start", "stop", "pause", "resume"] as const) {
    routes.add({
      method: "post",
      path: `/api/bots/:id/${action}`,
      summary: `${action[0].toUpperCase()}${action.slice(1)} one bot (audited)`,
      handler: async (c, { params }) => {
        bot(params.id);
        try {
          return await s.supervisor.control(params.id, action, apiActor(c));
        } catch (err) {
          throw new HttpError(409, (err as Error).message);
        }
      },
    });
  }

  for (const table of RECORDS) {
    routes.add({
      method: "get",
      path: `/api/bots/:id/${table}`,
      summary: `The bot's ${table}, newest first (paged, time-filtered)`,
      query: pageQuery,
      handler: async (_c, { params, query }) => {
        bot(params.id);
        const rows = await s.bots.page(table, params.id, query);
        return { bot_id: params.id, count: rows.length, offset: query.offset, [table]: rows };
      },
    });
  }

  routes.add({
    method: "get",
    path: "/api/bots/:id/candles",
    summary: "Candles of the bot's series (paged, time-filtered, oldest first)",
    query: pageQuery,
    handler: async (_c, { params, query }) => {
      const b = bot(params.id);
      const all = await s.candles.read(b.key, {
        from: query.from,
        to: query.to === undefined ? undefined : query.to + 1,
      });
      const pick = (a: Float64Array) =>
        Array.from(a.subarray(query.offset, query.offset + query.limit));
      return {
        bot_id: params.id,
        ...b.key,
        total: all.ts.length,
        ts: pick(all.ts),
        open: pick(all.open),
        high: pick(all.high),
        low: pick(all.low),
        close: pick(all.close),
        volume: pick(all.volume),
      };
    },
  });
  routes.add({
    method: "get",
    path: "/api/bots/:id/parity",
    summary: "Backtest the candles the bot traded on and compare the decisions with its own",
    handler: async (_c, { params }) => await parityReport(bot(params.id), s.bots, s.candles),
  });

  routes.add({
    method: "get",
    path: "/api/pending",
    summary: "Orders waiting for confirmation (and past ones, with status)",
    query: z.object({
      status: z.enum(["pending", "confirmed", "rejected", "expired", "superseded"]).optional(),
    }).strict(),
    handler: async (_c, { query }) => ({ pending: await s.bots.pending(query.status) }),
  });

  for (const verdict of ["confirm", "reject"] as const) {
    routes.add({
      method: "post",
      path: `/api/pending/:id/${verdict}`,
      summary: `${verdict === "confirm" ? "Confirm" : "Reject"} a pending order (audited)`,
      handler: async (c, { params }) => {
        try {
          return await s.supervisor.decide(params.id, verdict, apiActor(c));
        } catch (err) {
          throw new HttpError(409, (err as Error).message);
        }
      },
    });
  }

  routes.add({
    method: "post",
    path: "/api/kill",
    summary: "Stop every bot and cancel their entries; flatten closes their positions",
    body: z.object({ flatten: z.boolean().default(false) }).strict(),
    handler: async (c, { body }) => await s.supervisor.kill(body.flatten, apiActor(c)),
  });

  routes.add({
    method: "get",
    path: "/api/settings",
    summary: "Service settings (including whether orders need confirmation)",
    handler: async () => await s.settings.get(),
  });

  routes.add({
    method: "patch",
    path: "/api/settings",
    summary: "Change settings (audited)",
    body: settingsPatch,
    handler: async (c, { body }) => await s.settings.patch(body, apiActor(c), now()),
  });

  routes.add({
    method: "get",
    path: "/api/audit",
    summary: "The audit log of control actions, newest first",
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict(),
    handler: async (_c, { query }) => ({ audit: await s.bots.auditLog(query.limit) }),
  });

  routes.add({
    method: "get",
    path: "/api/incidents",
    summary: "Bot failures and restarts, newest first",
    handler: async () => ({ incidents: await s.bots.incidents() }),
  });
}

/** One sentence on why a bot is or is not trading right now. */
function why(
  status: ReturnType<import("../service/bot.ts").Bot["status"]>,
  latest: Record<string, unknown> | undefined,
): string {
  if (status.state === "stopped") return "stopped";
  if (status.state === "failed") return `failed: ${status.error}; restarting with backoff`;
  if (status.state === "starting") return "starting: loading history";
  if (status.warming_up) {
    return `warming up: ${status.warming_up.have} of ${status.warming_up.need} candles`;
  }
  if (status.paused) return "paused: no new entries (exits are still managed)";
  if (!latest) return "no signal yet";
  const closeOfLast = status.last_candle_ts === null ? null : status.last_candle_ts;
  const decidedOnLast = closeOfLast !== null && Number(latest.ts) > closeOfLast;
  const what = `${latest.outcome} (${latest.code}): ${latest.reason}`;
  return decidedOnLast ? what : `no signal on the latest candle; last decision: ${what}`;
}
