// API routes the status page reads research data from: strategies, the scanner, bot indicators.

import { z } from "zod";
import type { Commands } from "../commands/commands.ts";
import { pageQuery } from "./api_bots.ts";
import type { RouteTable } from "./route_table.ts";

/** Query of GET /api/scanner. */
export const scannerQuery = z.object({
  timeframe: z.string().regex(/^[1-9][0-9]*[smhdw]$/, "a timeframe such as 1m, 4h or 1d")
    .optional().describe("[the timeframe with the most stored series]"),
  exchange: z.string().min(1).max(64).regex(/^[a-z0-9_]+$/, "a ccxt exchange id such as okx")
    .optional().describe("ccxt id the candles are stored under [every exchange]"),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
}).strict();

/** Registers /api/strategies, /api/scanner and /api/bots/:id/indicators. */
export function researchRoutes(routes: RouteTable, commands: Commands): void {
  routes.add({
    method: "get",
    path: "/api/strategies",
    summary: "Every strategy with its parameters as form inputs (type, default, bounds, choices)",
    handler: async () => await commands.strategies(),
  });

  routes.add({
    method: "get",
    path: "/api/scanner",
    summary:
      "The latest volatility ranking of the stored candles (no network), kept up to a minute",
    query: scannerQuery,
    handler: async (_c, { query }) => await commands.scanner(query),
  });

  routes.add({
    method: "get",
    path: "/api/bots/:id/indicators",
    summary: "The bot strategy's declared indicators on its candles (range and paging as /candles)",
    query: pageQuery,
    handler: async (_c, { params, query }) => await commands.indicators(params.id, query),
  });
}
