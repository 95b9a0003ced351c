// The command core's plain data as chat text: short lines, bot id first, numbers people read.

import type { OrderSize } from "../core/trading.ts";
import type { BotStatus } from "../commands/why.ts";
import type { PeriodPnl, PnlPeriod } from "../commands/pnl.ts";
import { utcLabel } from "../research/charts/labels.ts";

type Row = Record<string, unknown>;

const FORMATS = {
  big: new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 }),
  mid: new Intl.NumberFormat("en-US", { maximumFractionDigits: 4 }),
  small: new Intl.NumberFormat("en-US", { maximumSignificantDigits: 4 }),
  money: new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  pct: new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 }),
};

const NA = "n/a";

/** A price or quantity as people read it: "43,210.5", "1.2346", "0.01235". */
export function price(n: number | null | undefined): string {
  if (n === null || n === undefined) return NA;
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  return (a >= 1000 ? FORMATS.big : a >= 1 ? FORMATS.mid : FORMATS.small).format(n);
}

/** Money with its sign and two decimals: "+12.30", "-4.05". */
export function money(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NA;
  return `${n >= 0 ? "+" : "-"}${FORMATS.money.format(Math.abs(n))}`;
}

/** An amount with two decimals: "10,012.40". */
export function amount(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return NA;
  return FORMATS.money.format(n);
}

/** A fraction as a percent: 0.061 → "6.1%". */
export function percent(f: number | null | undefined): string {
  if (f === null || f === undefined || !Number.isFinite(f)) return NA;
  return `${FORMATS.pct.format(f * 100)}%`;
}

/** A fraction as a signed percent: 0.042 → "+4.2%". */
export function signedPercent(f: number | null | undefined): string {
  if (f === null || f === undefined || !Number.isFinite(f)) return NA;
  return `${f >= 0 ? "+" : "-"}${percent(Math.abs(f))}`;
}

/** A UTC time as "2024-01-02 03:04:05 UTC". */
export function when(ts: number): string {
  return utcLabel(ts);
}

const STATE_MARK: Record<string, string> = {
  running: "🟢",
  paused: "⏸",
  stopped: "⚪",
  failed: "🔴",
  starting: "🟡",
};

/** The mark of a bot state (running 🟢, paused ⏸, stopped ⚪, failed 🔴, starting 🟡). */
function mark(state: string): string {
  return STATE_MARK[state] ?? "•";
}

/** "paper" or, loudly, "LIVE". */
function modeLabel(mode: string): string {
  return mode === "live" ? "LIVE" : "paper";
}

/** A position as "long 0.012 @ 43,210.5 (uPnL +12.3)". */
function positionLine(
  p: NonNullable<BotStatus["position"]>,
  unrealised: number | null,
): string {
  const levels = [
    p.sl !== undefined ? `SL ${price(p.sl)}` : "",
    p.tp !== undefined ? `TP ${price(p.tp)}` : "",
  ]
    .filter(Boolean).join(", ");
  return `${p.side} ${price(p.qty)} @ ${price(p.entryPrice)} (uPnL ${money(unrealised)})` +
    (levels ? `, ${levels}` : "");
}

/** The service's status: mode, exchanges and bots by state. */
export function statusText(
  health: { mode: string; exchanges: readonly { exchange: string; reachable: boolean }[] },
  status: { bots: number; running: number; states: Record<string, number> },
): string {
  const states = Object.entries(status.states).map(([s, n]) => `${mark(s)} ${s} ${n}`).join(", ");
  const ex = health.exchanges.map((e) =>
    `${e.exchange} ${e.reachable ? "reachable" : "UNREACHABLE"}`
  )
    .join(", ");
  return [
    `Tidewatch (${modeLabel(health.mode)}): ${status.bots} bots, ${status.running} running`,
    states ? `States: ${states}` : "No bots configured.",
    ex ? `Exchanges: ${ex}` : "",
  ].filter(Boolean).join("\n");
}

/** One line per bot: state, id, strategy, market, equity and position. */
export function botsText(bots: readonly BotStatus[]): string {
  if (bots.length === 0) return "No bots configured.";
  return bots.map((b) => {
    const eq = b.equity === null ? "" : ` · equity ${amount(b.equity)}`;
    const pos = b.position ? ` · ${b.position.side} ${price(b.position.qty)}` : "";
    return `${mark(b.state)} ${b.bot_id} (${
      modeLabel(b.mode)
    }) ${b.strategy} ${b.symbol} ${b.timeframe}` +
      ` · ${b.state}${eq}${pos}`;
  }).join("\n");
}

/** One bot in full: state, equity, position, open orders and why it is (not) trading. */
export function botText(
  b: BotStatus & { unrealised_pnl: number | null; why: string },
): string {
  const lines = [
    `${mark(b.state)} ${b.bot_id} · ${b.state}${b.paused ? " (paused)" : ""} · ${
      modeLabel(b.mode)
    }`,
    `${b.strategy} v${b.strategy_version} on ${b.exchange} ${b.symbol} ${b.timeframe}`,
    `Equity ${amount(b.equity)} · balance ${amount(b.balance)} · trades ${b.trades}`,
    `Position: ${b.position ? positionLine(b.position, b.unrealised_pnl) : "flat"}`,
  ];
  const orders = b.open_orders;
  if (orders.length > 0) {
    lines.push(`Open orders (${orders.length}):`);
    for (const o of orders.slice(0, 10)) {
      const px = o.price ?? o.stopPrice;
      lines.push(
        `  ${o.side} ${o.type} ${Number.isNaN(o.qty) ? "(awaiting confirmation)" : price(o.qty)}` +
          (px !== undefined ? ` @ ${price(px)}` : "") + (o.reduceOnly ? " reduce-only" : ""),
      );
    }
  } else lines.push("Open orders: none");
  if (b.requires_confirmation) lines.push("Entries wait for confirmation.");
  lines.push(`Why: ${b.why}`);
  return lines.join("\n");
}

/** Open positions, one a line. */
export function positionsText(
  positions: readonly (NonNullable<BotStatus["position"]> & {
    bot_id: string;
    unrealised_pnl: number | null;
  })[],
): string {
  if (positions.length === 0) return "No open positions.";
  return positions.map((p) => `${p.bot_id}: ${p.symbol} ${positionLine(p, p.unrealised_pnl)}`)
    .join("\n");
}

/** The chat's names of the P&L periods. */
export const CHAT_PERIODS: Record<string, PnlPeriod> = {
  day: "day",
  week: "7d",
  month: "30d",
  all: "all",
};

function pnlCell(p: PeriodPnl): string {
  const r = p.return === null ? "" : ` (${signedPercent(p.return)})`;
  return `${money(p.pnl)}${r}, ${p.trades} trade${p.trades === 1 ? "" : "s"}`;
}

/** P&L per bot and in total, for one period or all four. */
export function pnlText(
  data: {
    at: number;
    bots: readonly ({ bot_id: string } & Record<PnlPeriod, PeriodPnl>)[];
    total: Record<PnlPeriod, PeriodPnl>;
  },
  period?: string,
): string {
  const periods = period ? [period] : ["day", "week", "month", "all"];
  const lines = [`P&L at ${when(data.at)}`];
  for (const name of periods) {
    const key = CHAT_PERIODS[name];
    lines.push(`${name === "all" ? "Since start" : `Last ${name}`}:`);
    for (const b of data.bots) lines.push(`  ${b.bot_id}: ${pnlCell(b[key])}`);
    if (data.bots.length > 1) lines.push(`  total: ${pnlCell(data.total[key])}`);
  }
  return lines.join("\n");
}

/** Closed trades, newest first. */
export function tradesText(trades: readonly Row[]): string {
  if (trades.length === 0) return "No closed trades yet.";
  return trades.map((t) =>
    `${t.bot_id} ${t.side} ${price(Number(t.qty))} ${t.symbol}: ${price(Number(t.entry_price))} → ${
      price(Number(t.exit_price))
    } ${money(Number(t.pnl))} (${t.exit_reason}, ${when(Number(t.exit_ts))})`
  ).join("\n");
}

/** An order size as people say it. */
export function sizeText(size: OrderSize | undefined, symbol: string): string {
  if (!size) return "n/a";
  const base = symbol.split("/")[0];
  switch (size.kind) {
    case "qty":
      return `${price(size.qty)} ${base}`;
    case "equity":
      return `${percent(size.fraction)} of equity`;
    case "risk":
      return `risk ${percent(size.fraction)} of equity to ${price(size.stop)}`;
    case "risk_pct":
      return `risk ${percent(size.fraction)} of equity (stop ${price(size.stopPct)}%)`;
  }
}

/** What a pending entry will send, as the confirmation message and `/pending` show it. */
export interface PendingView {
  id: string;
  /** Short key the buttons and `/confirm` use. */
  key: string;
  bot_id: string;
  side: string;
  symbol: string;
  size: string;
  entry: number | undefined;
  sl: number | undefined;
  tp: number | undefined;
  confidence: number | undefined;
  reason: string | undefined;
  expires_at: number;
  status: string;
  decided_by: string | null;
  decided_at: number | null;
}

/** Reward over risk of an entry with both levels, else undefined. */
export function rewardRisk(v: Pick<PendingView, "entry" | "sl" | "tp">): number | undefined {
  if (v.entry === undefined || v.sl === undefined || v.tp === undefined) return undefined;
  const risk = Math.abs(v.entry - v.sl);
  return risk > 0 ? Math.abs(v.tp - v.entry) / risk : undefined;
}

/** The text of a pending entry; `now` gives the time left while it still waits. */
export function pendingText(v: PendingView, now: number): string {
  const rr = rewardRisk(v);
  const lines = [
    `⏳ ${v.bot_id} wants to ${v.side.toUpperCase()} ${v.symbol}`,
    `Size: ${v.size}`,
    `Entry: ${v.entry === undefined ? "market" : price(v.entry)} · SL: ${
      v.sl === undefined ? "none" : price(v.sl)
    } · TP: ${v.tp === undefined ? "none" : price(v.tp)}` +
    (rr === undefined ? "" : ` · R:R ${price(rr)}`),
    `Confidence: ${v.confidence === undefined ? "n/a" : price(v.confidence)}`,
    `Reason: ${v.reason ?? "n/a"}`,
    `Id: ${v.key}`,
  ];
  if (v.status === "pending") {
    const left = Math.max(0, Math.round((v.expires_at - now) / 1000));
    lines.push(`Waiting for confirmation: ${left} s left (until ${when(v.expires_at)}).`);
  } else lines.push(decidedLine(v));
  return lines.join("\n");
}

/** "✅ Confirmed by @ana (telegram) at …", "⌛ Expired at …". */
export function decidedLine(v: Pick<PendingView, "status" | "decided_by" | "decided_at">): string {
  const at = v.decided_at === null ? "" : ` at ${when(v.decided_at)}`;
  const by = v.decided_by ? ` by ${byLabel(v.decided_by)}` : "";
  switch (v.status) {
    case "confirmed":
      return `✅ Confirmed${by}${at}: the order was sent.`;
    case "rejected":
      return `❌ Rejected${by}${at}: nothing was sent.`;
    case "expired":
      return `⌛ Expired${at}: nothing was sent.`;
    case "superseded":
      return `↪ Replaced by a newer signal${at}: nothing was sent.`;
    default:
      return `Status: ${v.status}`;
  }
}

/** "telegram:@ana (123)" as "@ana (123) on telegram". */
function byLabel(decidedBy: string): string {
  const i = decidedBy.indexOf(":");
  if (i < 0) return decidedBy;
  const surface = decidedBy.slice(0, i);
  const who = decidedBy.slice(i + 1);
  return surface === "service" ? "the service" : `${who} on ${surface}`;
}

/** Pending entries as a list (each with its key for `/confirm`). */
export function pendingListText(views: readonly PendingView[], now: number): string {
  if (views.length === 0) return "Nothing waits for confirmation.";
  return views.map((v) => pendingText(v, now)).join("\n\n");
}

/** Metrics of a finished backtest in a few lines. */
export function backtestText(
  title: string,
  m: {
    total_return: number;
    max_drawdown: number;
    trades: number;
    win_rate: number | null;
    profit_factor: number | null;
    sharpe: number | null;
    final_equity: number;
  },
): string {
  return [
    title,
    `Return ${signedPercent(m.total_return)} · max drawdown ${percent(m.max_drawdown)} · ` +
    `final ${amount(m.final_equity)}`,
    `Trades ${m.trades} · win rate ${percent(m.win_rate)} · profit factor ${
      price(m.profit_factor)
    } · Sharpe ${price(m.sharpe)}`,
  ].join("\n");
}
