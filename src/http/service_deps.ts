// What the service's HTTP API needs: the supervisor, stores, bus, feed, settings and jobs.

import type { MarketFeed } from "../core/feed.ts";
import type { BacktestJobs } from "../service/backtest_jobs.ts";
import type { EventBus } from "../service/event_bus.ts";
import type { SettingsService } from "../service/settings.ts";
import type { Supervisor } from "../service/supervisor.ts";
import type { BacktestStore } from "../store/backtest_store.ts";
import type { BotStore } from "../store/bot_store.ts";
import type { CandleStore } from "../store/candle_store.ts";

/** A manual order as the API accepts it (live mode only). */
export interface ManualOrder {
  bot_id: string;
  side: "buy" | "sell";
  type: "market" | "limit";
  qty: number;
  price?: number;
  reduce_only: boolean;
}

/** The running service, as the API sees it. */
export interface ServiceDeps {
  supervisor: Supervisor;
  bots: BotStore;
  candles: CandleStore;
  runs: BacktestStore;
  jobs: BacktestJobs;
  bus: EventBus;
  feed: MarketFeed;
  settings: SettingsService;
  /** Wall clock for audit times [Date.now]. */
  wallNow?: () => number;
  /** Sends a manual order in live mode; absent in paper mode (the API then refuses with why). */
  manualOrder?: (o: ManualOrder, who: { surface: string; actor: string }) => Promise<unknown>;
  /** Why live trading is not available, for the refusal of manual orders. */
  liveRefusal?: string;
}
