// API routes for backtests: run one in the background, follow its progress, read and delete runs.

import { backtestRequest } from "../service/backtest_jobs.ts";
import type { RouteTable } from "./route_table.ts";
import { HttpError } from "./route_table.ts";
import type { ServiceDeps } from "./service_deps.ts";

/** Registers the /api/backtests routes. */
export function backtestRoutes(routes: RouteTable, s: ServiceDeps): void {
  routes.add({
    method: "post",
    path: "/api/backtests",
    summary:
      "Start a backtest on stored candles; it runs in the background (see GET /api/backtests/:id)",
    body: backtestRequest,
    handler: async (c, { body }) => {
      try {
        return c.json(await s.jobs.submit(body), 202);
      } catch (err) {
        throw new HttpError(400, (err as Error).message);
      }
    },
  });

  routes.add({
    method: "get",
    path: "/api/backtests",
    summary: "Background jobs (with progress) and stored runs",
    handler: async () => ({ jobs: s.jobs.list(), runs: await s.runs.list() }),
  });

  routes.add({
    method: "get",
    path: "/api/backtests/:id",
    summary: "A job (job-N) with its progress, or a stored run with metrics and trades",
    handler: async (_c, { params }) => {
      const job = s.jobs.get(params.id);
      if (job) return job;
      const run = await s.runs.get(params.id);
      if (!run) throw new HttpError(404, `Backtest "${params.id}" does not exist.`);
      return run;
    },
  });

  routes.add({
    method: "delete",
    path: "/api/backtests/:id",
    summary:
      "Cancel a running job (it then says cancelled), forget a finished one, or delete a run",
    handler: async (_c, { params }) => {
      const job = s.jobs.remove(params.id);
      if (job) return job.state === "cancelled" ? { cancelled: 1, job } : { deleted: 1 };
      const n = await s.runs.delete(params.id);
      if (n === 0) throw new HttpError(404, `Backtest "${params.id}" does not exist.`);
      s.jobs.forgetRuns(params.id);
      return { deleted: n };
    },
  });

  routes.add({
    method: "delete",
    path: "/api/backtests",
    summary: "Cancel every running job and delete every stored run (and the jobs that made them)",
    handler: async () => {
      const cancelled = s.jobs.cancelAll();
      const deleted = await s.runs.delete();
      s.jobs.forgetRuns();
      return { deleted, cancelled };
    },
  });
}
