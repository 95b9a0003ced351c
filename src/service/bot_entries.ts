// The supervisor's bot entries from configs/bots: definitions, strategies, and the live-mode gate.

import { ConfigError } from "../core/errors.ts";
import { getStrategy } from "../engine/strategy_registry.ts";
import { loadBotConfigs } from "./bot_config.ts";
import type { BotEntry } from "./supervisor.ts";

/**
 * Loads the bot definitions in `dir` for the supervisor. A bot in live mode is refused (the
 * service does not start) until live trading is approved; the message names the bot and what
 * is missing. Live order routing for bots is not wired yet, so even an approved live bot is
 * refused with that reason rather than silently run on paper.
 */
export async function botEntries(
  dir: string,
  env: Record<string, string | undefined>,
): Promise<BotEntry[]> {
  const configs = await loadBotConfigs(dir);
  const refused: string[] = [];
  const out: BotEntry[] = [];
  for (const c of configs) {
    if (c.mode === "live") {
      const missing = liveMissing(env);
      refused.push(
        `${c.source}: bot "${c.botId}" has mode "live" but ${
          missing.length
            ? `live trading is not approved: ${missing.join("; ")}`
            : "live order routing for bots is not available in this version"
        }. Set mode: "paper" to run it on paper.`,
      );
      continue;
    }
    out.push({ spec: c, def: await getStrategy(c.strategy), enabled: c.enabled, config: c });
  }
  if (refused.length) throw new ConfigError(refused.join("\n"));
  return out;
}

/** Which of the live-trading requirements are missing (empty: approved, keys aside). */
function liveMissing(env: Record<string, string | undefined>): string[] {
  const missing: string[] = [];
  if (env.TRADING_MODE !== "live") missing.push("TRADING_MODE=live is not set");
  if (env.TRADING_APPROVED !== "true") missing.push("TRADING_APPROVED=true is not set");
  return missing;
}
