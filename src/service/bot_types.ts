// What a bot is (its spec from the config), the settings it takes, and its manual orders.

import type { FeeSchedule } from "../core/trading.ts";
import type { WebhookSecret } from "./webhook_secret.ts";

/** How a bot takes TradingView alerts (its file's `source: tradingview` and webhook fields). */
export interface BotAlerts {
  source: "tradingview";
  /** The bot's own secret; unset: the global one (TIDEWATCH_WEBHOOK_SECRET) is required. */
  secret?: WebhookSecret;
  /** `alert_template`: how plain-text messages are read. */
  template?: string;
}

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
  /** How it takes TradingView alerts; unset: it takes none. */
  alerts?: BotAlerts;
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

/**
 * What the service's settings impose on every bot: only what a PATCH set (a setting never changed
 * leaves each bot to its own file).
 */
export interface BotSettings {
  requireConfirmation?: boolean;
  confirmationTtlMs?: number;
}
