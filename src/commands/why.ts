// Why a bot is or is not trading right now, in one sentence, from its status and latest decision.

import type { Bot } from "../service/bot.ts";

/** A bot's status as `Bot.status()` gives it. */
export type BotStatus = ReturnType<Bot["status"]>;

/**
 * One sentence on why a bot is or is not trading right now: its state, its warm-up, a pause, or
 * its latest decision (and whether that decision was taken on the latest candle).
 */
export function whyNotTrading(
  status: BotStatus,
  latest: Record<string, unknown> | undefined,
): string {
  if (status.state === "stopped") return "stopped";
  if (status.state === "failed") return `failed: ${status.error}; restarting with backoff`;
  if (status.state === "starting") return "starting: loading history";
  if (status.warming_up) {
    return `warming up: ${status.warming_up.have} of ${status.warming_up.need} candles`;
  }
  if (status.paused) return "paused: no new entries (exits are still managed)";
  if (!latest) return "no signal yet";
  const closeOfLast = status.last_candle_ts === null ? null : status.last_candle_ts;
  const decidedOnLast = closeOfLast !== null && Number(latest.ts) > closeOfLast;
  const what = `${latest.outcome} (${latest.code}): ${latest.reason}`;
  return decidedOnLast ? what : `no signal on the latest candle; last decision: ${what}`;
}
