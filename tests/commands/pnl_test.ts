// P&L by period worked out by hand: an account with equity snapshots and trades over 40 days.

import assert from "node:assert/strict";
import { pnlByPeriod, totalPnl } from "../../src/commands/pnl.ts";

const DAY = 86_400_000;
const NOW = Date.UTC(2025, 1, 10);

/** Equity known at each time (latest snapshot at or before it). */
const SNAPSHOTS: [number, number][] = [
  [NOW - 40 * DAY, 1_000],
  [NOW - 20 * DAY, 1_100],
  [NOW - 5 * DAY, 1_050],
  [NOW - DAY / 2, 1_200],
];
const equityAt = (ts: number) => Promise.resolve(SNAPSHOTS.filter(([t]) => t <= ts).at(-1)?.[1]);
const TRADES = [
  { exit_ts: NOW - 35 * DAY, pnl: 40 },
  { exit_ts: NOW - 10 * DAY, pnl: -30 },
  { exit_ts: NOW - 2 * DAY, pnl: 100 },
  { exit_ts: NOW - DAY / 4, pnl: 25 },
];

Deno.test("pnlByPeriod: equity change since each period began, trades closed in it", async () => {
  const p = await pnlByPeriod(NOW, { equity: 1_250, initial: 1_000, equityAt, trades: TRADES });
  const row = (k: keyof typeof p) => [
    p[k].start_equity,
    p[k].pnl,
    p[k].return,
    p[k].realised,
    p[k].trades,
  ];
  assert.deepEqual(row("day"), [1_050, 200, 200 / 1_050, 25, 1]);
  assert.deepEqual(row("7d"), [1_100, 150, 150 / 1_100, 125, 2]);
  assert.deepEqual(row("30d"), [1_000, 250, 0.25, 95, 3]);
  assert.deepEqual(row("all"), [1_000, 250, 0.25, 135, 4]);
  assert.equal(p.all.equity, 1_250);
});

Deno.test("pnlByPeriod: an account begun inside a period starts it at its initial balance", async () => {
  const young = await pnlByPeriod(NOW, {
    equity: 990,
    initial: 1_000,
    equityAt: () => Promise.resolve(undefined),
    trades: [],
  });
  for (const k of ["day", "7d", "30d", "all"] as const) {
    assert.deepEqual(young[k], {
      start_equity: 1_000,
      equity: 990,
      pnl: -10,
      return: -0.01,
      realised: 0,
      trades: 0,
    });
  }
  const empty = await pnlByPeriod(NOW, { equity: 0, initial: 0, equityAt, trades: [] });
  assert.equal(empty.all.return, null);
});

Deno.test("totalPnl: sums each period; its return is on the summed start", async () => {
  const a = await pnlByPeriod(NOW, { equity: 1_250, initial: 1_000, equityAt, trades: TRADES });
  const b = await pnlByPeriod(NOW, {
    equity: 950,
    initial: 1_000,
    equityAt: () => Promise.resolve(undefined),
    trades: [{ exit_ts: NOW - 3 * DAY, pnl: -50 }],
  });
  const t = totalPnl([a, b]);
  assert.deepEqual(t["7d"], {
    start_equity: 2_100,
    equity: 2_200,
    pnl: 100,
    return: 100 / 2_100,
    realised: 75,
    trades: 3,
  });
  assert.deepEqual(totalPnl([]).all, {
    start_equity: 0,
    equity: 0,
    pnl: 0,
    return: null,
    realised: 0,
    trades: 0,
  });
});
