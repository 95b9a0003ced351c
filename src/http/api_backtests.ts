// API routes for backtests: run one in the background, follow its progress, read and delete runs.

import { z } from "zod";
import type { Commands } from "../commands/commands.ts";
import { backtestRequest } from "../service/backtest_jobs.ts";
import type { RouteTable } from "./route_table.ts";

/** Registers the /api/backtests routes. */
export function backtestRoutes(routes: RouteTable, commands: Commands): void {
  routes.add({
    method: "post",
    path: "/api/backtests",
    summary:
      "Start a backtest on stored candles; it runs in the background (see GET /api/backtests/:id)",
    body: backtestRequest,
    handler: async (c, { body }) => c.json(await commands.runBacktest(body), 202),
  });

  routes.add({
    method: "get",
    path: "/api/backtests",
    summary: "Background jobs (with progress) and stored runs",
    handler: async () => await commands.backtests(),
  });

  routes.add({
    method: "get",
    path: "/api/backtests/:id",
    summary:
      "A job (job-N) with its progress, or a stored run with metrics and trades (and its equity " +
      "curve with equity=1)",
    query: z.object({
      equity: z.enum(["0", "1", "true", "false"]).optional().describe("1: add the equity curve"),
    }).strict(),
    handler: async (_c, { params, query }) =>
      await commands.backtest(params.id, {
        equity: query.equity === "1" || query.equity === "true",
      }),
  });

  routes.add({
    method: "delete",
    path: "/api/backtests/:id",
    summary:
      "Cancel a running job (it then says cancelled), forget a finished one, or delete a run",
    handler: async (_c, { params }) => await commands.deleteBacktest(params.id),
  });

  routes.add({
    method: "delete",
    path: "/api/backtests",
    summary: "Cancel every running job and delete every stored run (and the jobs that made them)",
    handler: async () => await commands.deleteBacktests(),
  });
}
