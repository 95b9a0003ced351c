// What a bot is (its spec from the config), what it needs from the service, and its manual orders.

import type { StrategyDefinition } from "../core/strategy.ts";
import type { FeeSchedule } from "../core/trading.ts";
import type { Clock } from "../core/ports.ts";
import type { MarketFeed } from "../core/feed.ts";
import type { BotStore } from "../store/bot_store.ts";
import type { CandleStore } from "../store/candle_store.ts";
import type { EventBus } from "./event_bus.ts";
import type { LiveAccounts } from "./live_accounts.ts";

/** What a bot is, resolved from its config file. */
export interface BotSpec {
  botId: string;
  strategy: string;
  /** Parsed strategy parameters. */
  params: Record<string, unknown>;
  exchange: string;
  /** Unified ccxt symbol. */
  symbol: string;
  timeframe: string;
  virtualBalance: number;
  fees: FeeSchedule;
  slippageBps: number;
  leverage: number;
  /** Risk settings (src/risk/config.ts). */
  risk: Record<string, unknown>;
  mode: "paper" | "live";
  requireConfirmation: boolean;
  confirmationTtlMs: number;
}

/** What a bot needs from the service. */
export interface BotDeps {
  def: StrategyDefinition;
  store: BotStore;
  candles: CandleStore;
  feed: MarketFeed;
  bus: EventBus;
  /** The service clock: wall time, or the replay's time. */
  clock: Clock;
  /** Exchange accounts of live bots (absent: the service runs paper bots only). */
  live?: LiveAccounts;
  /** Wall clock for confirmations' times [Date.now] (the supervisor's, which expires them). */
  wallNow?: () => number;
}

/** Where a bot is in its life. */
export type BotState = "stopped" | "starting" | "running" | "paused" | "failed";

/** A manual order on a live bot's account. */
export interface ManualOrderRequest {
  side: "buy" | "sell";
  type: "market" | "limit";
  qty: number;
  price?: number;
  reduceOnly: boolean;
}

/** The outcome of a manual order: sent and acknowledged (still open or not), or refused. */
export interface ManualOrderResult {
  client_id: string;
  accepted: boolean;
  open?: boolean;
  reason?: string;
}
