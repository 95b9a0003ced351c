// API routes for bots: list, status, control, their records, pending confirmations, kill, settings.

import { z } from "zod";
import type { Context } from "hono";
import { type Actor, type Commands, RECORD_TABLES } from "../commands/commands.ts";
import { settingsPatch } from "../service/settings.ts";
import { CachedAnswer } from "./answer_cache.ts";
import { identityOf } from "./auth.ts";
import type { RouteTable } from "./route_table.ts";

/** How old the bot list may be when served, when no event has made it stale sooner. */
const BOT_LIST_MAX_AGE_MS = 100;

/** Paging and time filter of record lists. */
export const pageQuery = z.object({
  from: z.coerce.number().int().optional().describe("UTC ms, inclusive"),
  to: z.coerce.number().int().optional().describe("UTC ms, inclusive"),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
}).strict();

/** Who is calling, as the token's authentication says (never a header the caller sets). */
export function apiActor(c: Context): Actor {
  return identityOf(c);
}

/** Registers the bot routes. */
export function botRoutes(routes: RouteTable, commands: Commands): void {
  // The list every page and monitor polls: serialised once for all who ask until something
  // happens (any event drops it: a state change, an order, a fill, a candle traded), and at most
  // 100 ms old (candles taken to warm up announce nothing).
  const list = new CachedAnswer(
    () => ({ status: 200, body: commands.botsOverview() }),
    {
      maxAgeMs: BOT_LIST_MAX_AGE_MS,
    },
  );
  commands.onEvent(() => list.invalidate());
  routes.add({
    method: "get",
    path: "/api/bots",
    summary:
      "Every bot with its state, equity, P&L today and total, position (SL, TP, unrealised P&L) and why",
    handler: () => list.response(),
  });

  routes.add({
    method: "get",
    path: "/api/bots/:id",
    summary: "One bot: status, unrealised P&L, its latest decision and why it is (not) trading",
    handler: async (_c, { params }) => await commands.bot(params.id),
  });

  for (const action of ["start", "stop", "pause", "resume"] as const) {
    routes.add({
      method: "post",
      path: `/api/bots/:id/${action}`,
      summary: `${action[0].toUpperCase()}${action.slice(1)} one bot (audited)`,
      handler: async (c, { params }) => await commands.control(params.id, action, apiActor(c)),
    });
  }

  for (const table of RECORD_TABLES) {
    routes.add({
      method: "get",
      path: `/api/bots/:id/${table}`,
      summary: `The bot's ${table}, newest first (paged, time-filtered)`,
      query: pageQuery,
      handler: async (_c, { params, query }) => await commands.records(params.id, table, query),
    });
  }

  routes.add({
    method: "get",
    path: "/api/bots/:id/candles",
    summary: "Candles of the bot's series (paged, time-filtered, oldest first)",
    query: pageQuery,
    handler: async (_c, { params, query }) => await commands.candles(params.id, query),
  });

  routes.add({
    method: "get",
    path: "/api/bots/:id/parity",
    summary: "Backtest the candles the bot traded on and compare the decisions with its own",
    handler: async (_c, { params }) => await commands.parity(params.id),
  });

  routes.add({
    method: "get",
    path: "/api/pending",
    summary: "Orders waiting for confirmation (and past ones, with status)",
    query: z.object({
      status: z.enum(["pending", "confirmed", "rejected", "expired", "superseded"]).optional(),
    }).strict(),
    handler: async (_c, { query }) => await commands.pending(query.status),
  });

  for (const verdict of ["confirm", "reject"] as const) {
    routes.add({
      method: "post",
      path: `/api/pending/:id/${verdict}`,
      summary: `${verdict === "confirm" ? "Confirm" : "Reject"} a pending order (audited)`,
      handler: async (c, { params }) => await commands.decide(params.id, verdict, apiActor(c)),
    });
  }

  routes.add({
    method: "post",
    path: "/api/kill",
    summary: "Stop every bot and cancel their entries; flatten closes their positions",
    body: z.object({ flatten: z.boolean().default(false) }).strict(),
    handler: async (c, { body }) => await commands.kill(body.flatten, apiActor(c)),
  });

  routes.add({
    method: "post",
    path: "/api/notifications/test",
    summary:
      "Send a test message to every configured chat (Telegram, Discord); answers each result",
    body: z.object({}).strict(),
    handler: async (c) => await commands.testNotifications(apiActor(c)),
  });

  routes.add({
    method: "get",
    path: "/api/pnl",
    summary: "P&L over the last day, 7 days, 30 days and all, per bot and in total",
    query: z.object({ mode: z.enum(["paper", "live"]).optional() }).strict(),
    handler: async (_c, { query }) => await commands.pnl(query),
  });

  routes.add({
    method: "get",
    path: "/api/settings",
    summary: "Service settings (including whether orders need confirmation)",
    handler: async () => await commands.settings(),
  });

  routes.add({
    method: "patch",
    path: "/api/settings",
    summary: "Change settings (audited)",
    body: settingsPatch,
    handler: async (c, { body }) => await commands.changeSettings(body, apiActor(c)),
  });

  routes.add({
    method: "get",
    path: "/api/audit",
    summary: "The audit log of control actions, newest first",
    query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }).strict(),
    handler: async (_c, { query }) => await commands.audit(query.limit),
  });

  routes.add({
    method: "get",
    path: "/api/incidents",
    summary: "Bot failures and restarts, newest first",
    handler: async () => await commands.incidents(),
  });
}
