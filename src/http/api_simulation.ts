// API routes for paper trading as a whole: status, portfolio, positions, trades, performance.

import { z } from "zod";
import type { Commands } from "../commands/commands.ts";
import { apiActor, pageQuery } from "./api_bots.ts";
import type { RouteTable } from "./route_table.ts";

const PAPER = { mode: "paper" } as const;

/** Registers the /api/simulation routes (paper bots only). */
export function simulationRoutes(routes: RouteTable, commands: Commands): void {
  routes.add({
    method: "get",
    path: "/api/simulation/status",
    summary: "Paper trading: how many bots, in which state",
    handler: () => commands.status(PAPER),
  });

  routes.add({
    method: "get",
    path: "/api/simulation/portfolio",
    summary: "Paper accounts: equity, balance and unrealised P&L per bot and in total",
    handler: () => commands.portfolio(PAPER),
  });

  routes.add({
    method: "get",
    path: "/api/simulation/positions",
    summary: "Open positions of the paper bots",
    handler: () => commands.positions(PAPER),
  });

  routes.add({
    method: "get",
    path: "/api/simulation/trades",
    summary: "Closed trades of the paper bots, newest first (paged, time-filtered)",
    query: pageQuery,
    handler: async (_c, { query }) => await commands.trades(query, PAPER),
  });

  routes.add({
    method: "get",
    path: "/api/simulation/performance",
    summary: "Metrics of each paper bot from its equity snapshots and trades",
    handler: async () => await commands.performance(PAPER),
  });

  for (const action of ["start", "stop"] as const) {
    routes.add({
      method: "post",
      path: `/api/simulation/${action}`,
      summary: `${action === "start" ? "Start" : "Stop"} every paper bot (audited)`,
      handler: async (c) => await commands.controlAll(action, apiActor(c), PAPER),
    });
  }

  routes.add({
    method: "post",
    path: "/api/simulation/reset",
    summary: "Reset every paper account: records and events deleted, running bots start afresh",
    body: z.object({
      confirm: z.literal(true, { error: 'send {"confirm": true}: this deletes the paper records' }),
    }).strict(),
    handler: async (c) => await commands.reset(apiActor(c)),
  });
}
