// API routes for paper trading as a whole: status, portfolio, positions, trades, performance.

import { z } from "zod";
import { computeMetrics } from "../backtest/metrics.ts";
import { timeframeMs } from "../core/timeframe.ts";
import type { Bot } from "../service/bot.ts";
import { apiActor, pageQuery } from "./api_bots.ts";
import type { RouteTable } from "./route_table.ts";
import { HttpError } from "./route_table.ts";
import type { ServiceDeps } from "./service_deps.ts";

/** Registers the /api/simulation routes (paper bots only). */
export function simulationRoutes(routes: RouteTable, s: ServiceDeps): void {
  const paper = (): Bot[] => [...s.supervisor.bots.values()].filter((b) => b.spec.mode === "paper");

  routes.add({
    method: "get",
    path: "/api/simulation/status",
    summary: "Paper trading: how many bots, in which state",
    handler: () => {
      const bots = paper().map((b) => b.status());
      const states: Record<string, number> = {};
      for (const b of bots) states[b.state] = (states[b.state] ?? 0) + 1;
      return {
        mode: "paper",
        bots: bots.length,
        running: bots.filter((b) => b.state === "running" || b.state === "paused").length,
        states,
      };
    },
  });

  routes.add({
    method: "get",
    path: "/api/simulation/portfolio",
    summary: "Paper accounts: equity and balance per bot and in total",
    handler: () => {
      const rows = paper().map((b) => {
        const st = b.status();
        return {
          bot_id: b.spec.botId,
          initial: b.spec.virtualBalance,
          equity: st.equity ?? b.spec.virtualBalance,
          balance: st.balance ?? b.spec.virtualBalance,
        };
      });
      const sum = (k: "initial" | "equity" | "balance") => rows.reduce((a, r) => a + r[k], 0);
      const initial = sum("initial");
      return {
        initial,
        equity: sum("equity"),
        balance: sum("balance"),
        total_return: initial > 0 ? sum("equity") / initial - 1 : null,
        bots: rows,
      };
    },
  });

  routes.add({
    method: "get",
    path: "/api/simulation/positions",
    summary: "Open positions of the paper bots",
    handler: () => ({
      positions: paper().flatMap((b) => {
        const p = b.status().position;
        return p ? [{ bot_id: b.spec.botId, ...p }] : [];
      }),
    }),
  });

  routes.add({
    method: "get",
    path: "/api/simulation/trades",
    summary: "Closed trades of the paper bots, newest first (paged, time-filtered)",
    query: pageQuery,
    handler: async (_c, { query }) => {
      const all = [];
      for (const b of paper()) {
        const rows = await s.bots.page("trades", b.spec.botId, {
          ...query,
          limit: query.limit + query.offset,
          offset: 0,
        });
        all.push(...rows);
      }
      all.sort((a, b) => Number(b.exit_ts) - Number(a.exit_ts));
      return { trades: all.slice(query.offset, query.offset + query.limit) };
    },
  });

  routes.add({
    method: "get",
    path: "/api/simulation/performance",
    summary: "Metrics of each paper bot from its equity snapshots and trades",
    handler: async () => {
      const out = [];
      for (const b of paper()) {
        const eq = (await s.bots.page("equity", b.spec.botId, { limit: 1_000_000 })).reverse();
        const trades = await s.bots.trades(b.spec.botId);
        const metrics = computeMetrics({
          equity: Float64Array.from(eq, (r) => Number(r.equity)),
          ts: Float64Array.from(eq, (r) => Number(r.ts)),
          timeframeMs: timeframeMs(b.spec.timeframe),
          trades,
          initialEquity: b.spec.virtualBalance,
          fees: trades.reduce((a, t) => a + t.fees, 0),
          funding: trades.reduce((a, t) => a + t.funding, 0),
          exposureBars: Math.round(
            trades.reduce((a, t) => a + (t.exit_ts - t.entry_ts), 0) /
              timeframeMs(b.spec.timeframe),
          ),
        });
        out.push({ bot_id: b.spec.botId, strategy: b.spec.strategy, metrics });
      }
      return { bots: out };
    },
  });

  for (const action of ["start", "stop"] as const) {
    routes.add({
      method: "post",
      path: `/api/simulation/${action}`,
      summary: `${action === "start" ? "Start" : "Stop"} every paper bot (audited)`,
      handler: async (c) => {
        const done = [];
        for (const b of paper()) {
          done.push(await s.supervisor.control(b.spec.botId, action, apiActor(c)));
        }
        return { bots: done.map((d) => ({ bot_id: d.bot_id, state: d.state })) };
      },
    });
  }

  routes.add({
    method: "post",
    path: "/api/simulation/reset",
    summary: "Reset every paper account: records and events deleted, running bots start afresh",
    body: z.object({
      confirm: z.literal(true, { error: 'send {"confirm": true}: this deletes the paper records' }),
    }).strict(),
    handler: async (c) => {
      const ids = paper().map((b) => b.spec.botId);
      if (ids.length === 0) throw new HttpError(409, "There are no paper bots to reset.");
      return await s.supervisor.reset(ids, apiActor(c));
    },
  });
}
