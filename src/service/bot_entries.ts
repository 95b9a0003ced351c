// The supervisor's bot entries from configs/bots: definitions, strategies, and the live-mode gate.

import { ConfigError } from "../core/errors.ts";
import { getStrategy } from "../engine/strategy_registry.ts";
import { loadBotConfigs } from "./bot_config.ts";
import { checkLiveApproval } from "./live_gate.ts";
import type { BotEntry } from "./supervisor.ts";

/**
 * Loads the bot definitions in `dir` for the supervisor. A bot in live mode is refused (the
 * service does not start) unless live trading is approved for its exchange: `TRADING_MODE=live`,
 * `TRADING_APPROVED=true` and the exchange's keys; the message names the bot and every missing
 * requirement (never a key's value). Two live bots may not trade one symbol on one exchange:
 * the account holds one balance of each coin, so they would trade each other's position.
 */
export async function botEntries(
  dir: string,
  env: Record<string, string | undefined>,
): Promise<BotEntry[]> {
  const configs = await loadBotConfigs(dir, { env });
  const refused: string[] = [];
  const out: BotEntry[] = [];
  const liveMarkets = new Map<string, string>();
  for (const c of configs) {
    if (c.mode === "live") {
      const gate = checkLiveApproval(env, c.exchange);
      if (!gate.ok) {
        refused.push(
          `${c.source}: bot "${c.botId}" has mode "live" but ${gate.message} ` +
            `Set mode: "paper" to run it on paper.`,
        );
        continue;
      }
      const market = `${c.exchange} ${c.symbol}`;
      const other = liveMarkets.get(market);
      if (other !== undefined) {
        refused.push(
          `${c.source}: bot "${c.botId}" trades ${market} live, and so does bot "${other}"; ` +
            `one live bot a symbol and exchange (they would share one position). Set mode: ` +
            `"paper" on one of them, or give it another symbol.`,
        );
        continue;
      }
      liveMarkets.set(market, c.botId);
    }
    out.push({ spec: c, def: await getStrategy(c.strategy), enabled: c.enabled, config: c });
  }
  if (refused.length) throw new ConfigError(refused.join("\n"));
  return out;
}
