// Profit and loss over the last day, 7 days, 30 days and since the start, per bot and in total.

const DAY = 86_400_000;

/** The periods P&L is given for: the last 24 h, 7 days and 30 days up to now, and all. */
export const PNL_PERIODS = { day: DAY, "7d": 7 * DAY, "30d": 30 * DAY, all: Infinity } as const;

/** A period's name: "day", "7d", "30d" or "all". */
export type PnlPeriod = keyof typeof PNL_PERIODS;

/** P&L over one period. */
export interface PeriodPnl {
  /** Equity when the period began (the initial balance when the account began inside it). */
  start_equity: number;
  /** Equity now (balance plus unrealised P&L). */
  equity: number;
  /** equity − start_equity: realised and unrealised, net of fees and funding. */
  pnl: number;
  /** pnl / start_equity, null when the start equity is not positive. */
  return: number | null;
  /** Net P&L of the trades closed in the period. */
  realised: number;
  /** Trades closed in the period. */
  trades: number;
}

/** P&L of every period. */
export type PnlByPeriod = Record<PnlPeriod, PeriodPnl>;

/** What one bot's P&L is computed from. */
export interface PnlInputs {
  /** Equity now. */
  equity: number;
  /** Equity when the account began. */
  initial: number;
  /** The latest equity known at `ts` (a snapshot of a candle closed by then), if any. */
  equityAt(ts: number): Promise<number | undefined>;
  /** Closed trades (exit time and net P&L). */
  trades: readonly { exit_ts: number; pnl: number }[];
}

function period(start: number, equity: number, realised: number, trades: number): PeriodPnl {
  const pnl = equity - start;
  return {
    start_equity: start,
    equity,
    pnl,
    return: start > 0 ? pnl / start : null,
    realised,
    trades,
  };
}

/** One account's P&L over every period ending at `now` (or over `periods` only). */
export async function pnlByPeriod<K extends PnlPeriod = PnlPeriod>(
  now: number,
  a: PnlInputs,
  periods: readonly K[] = Object.keys(PNL_PERIODS) as K[],
): Promise<Record<K, PeriodPnl>> {
  const out = {} as Record<K, PeriodPnl>;
  for (const name of periods) {
    const from = now - PNL_PERIODS[name];
    const start = Number.isFinite(from) ? (await a.equityAt(from)) ?? a.initial : a.initial;
    let realised = 0, n = 0;
    for (const t of a.trades) {
      if (t.exit_ts >= from && t.exit_ts <= now) (realised += t.pnl, n++);
    }
    out[name] = period(start, a.equity, realised, n);
  }
  return out;
}

/** The sum of several accounts' P&L, period by period (every period, or those of `periods`). */
export function totalPnl<K extends PnlPeriod = PnlPeriod>(
  all: readonly Record<K, PeriodPnl>[],
  periods: readonly K[] = Object.keys(PNL_PERIODS) as K[],
): Record<K, PeriodPnl> {
  const out = {} as Record<K, PeriodPnl>;
  for (const name of periods) {
    let start = 0, equity = 0, realised = 0, trades = 0;
    for (const p of all) {
      start += p[name].start_equity;
      equity += p[name].equity;
      realised += p[name].realised;
      trades += p[name].trades;
    }
    out[name] = period(start, equity, realised, trades);
  }
  return out;
}
