// The parity report: a bot's recorded decisions against a backtest of the candles it saw.

import { backtest } from "../backtest/run.ts";
import { timeframeMs } from "../core/timeframe.ts";
import type { BotStore } from "../store/bot_store.ts";
import type { CandleStore } from "../store/candle_store.ts";
import type { Bot } from "./bot.ts";

/** The result of {@link parityReport}. */
export interface ParityReport {
  bot_id: string;
  /** False when the bot's history has events a backtest cannot replay (pause, stop...). */
  comparable: boolean;
  reason?: string;
  candles: number;
  decisions: { bot: number; backtest: number };
  match: boolean;
  /** The first decision that differs, side by side. */
  first_difference?: { index: number; bot: unknown; backtest: unknown };
}

/** Events after which the bot's decisions no longer follow from its candles alone. */
const NOT_REPLAYABLE = new Set(["stop", "pause", "confirm", "reject", "expire", "flatten"]);

/**
 * Backtests the candles bot `bot` traded on (same settings, the same warm-up) and compares the
 * decisions with those it recorded: ts, outcome, code and reason must be equal, in order.
 */
export async function parityReport(
  bot: Bot,
  bots: BotStore,
  candles: CandleStore,
): Promise<ParityReport> {
  const id = bot.spec.botId;
  const events = await bots.events(id);
  const start = events.find((e) => e.kind === "start");
  const blocking = events.find((e) =>
    NOT_REPLAYABLE.has(e.kind) ||
    (e.kind === "start" && e !== start) ||
    (e.kind === "require_confirmation" && e.payload.on)
  );
  const last = await bots.lastRecorded(id);
  const base = { bot_id: id, candles: 0, decisions: { bot: 0, backtest: 0 }, match: false };
  if (!start || !Number.isFinite(last)) {
    return { ...base, comparable: false, reason: "the bot has not traded a candle yet" };
  }
  if (blocking) {
    return {
      ...base,
      comparable: false,
      reason: `its history has a "${blocking.kind}" event, which a backtest cannot replay`,
    };
  }
  const s = bot.spec;
  // A signals bot's alerts are its signals: the backtest gets them, at the times the bot did.
  const alerts = events.filter((e) => e.kind === "alert").map((e) => e.payload.signal);
  if (alerts.length && s.strategy !== "signals") {
    return {
      ...base,
      comparable: false,
      reason: "alerts gate its strategy's entries, which a backtest of the strategy cannot replay",
    };
  }
  const params = alerts.length
    ? { ...s.params, signals: [...(s.params.signals as unknown[] ?? []), ...alerts] }
    : s.params;
  const tfMs = timeframeMs(s.timeframe);
  const cols = await candles.read(bot.key, {
    from: Number(start.payload.historyFrom),
    to: last + 1,
  });
  const bt = await backtest({
    strategy: s.strategy,
    exchange: s.exchange,
    symbol: s.symbol,
    timeframe: s.timeframe,
    params,
    cash: s.virtualBalance,
    fees: s.fees,
    slippageBps: s.slippageBps,
    leverage: s.leverage,
    risk: s.risk,
    warmupUntil: Number(start.payload.tradeAfter),
  }, cols);
  // Up to the candle `last` only: the bot may have gone on meanwhile.
  const recorded = (await bots.page("decisions", id, { limit: 1_000_000, to: last + tfMs }))
    .reverse()
    .map((r) => ({ ts: r.ts, outcome: r.outcome, code: r.code, reason: r.reason }));
  const replayed = bt.decisions.map((d) => ({
    ts: d.ts,
    outcome: d.outcome,
    code: d.code,
    reason: d.reason,
  }));
  const n = Math.max(recorded.length, replayed.length);
  let first: ParityReport["first_difference"];
  for (let i = 0; i < n && !first; i++) {
    if (JSON.stringify(recorded[i]) !== JSON.stringify(replayed[i])) {
      first = { index: i, bot: recorded[i] ?? null, backtest: replayed[i] ?? null };
    }
  }
  return {
    bot_id: id,
    comparable: true,
    candles: cols.ts.length,
    decisions: { bot: recorded.length, backtest: replayed.length },
    match: first === undefined,
    ...(first ? { first_difference: first } : {}),
  };
}
