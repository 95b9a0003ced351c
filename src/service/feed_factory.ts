// The live market-data feed the service uses when it is not replaying.

import { CcxtFeed } from "../feed/ccxt_feed.ts";
import type { MarketFeed } from "../core/feed.ts";
import type { CandleStore } from "../store/candle_store.ts";
import type { FeedNotices } from "./feed_notices.ts";
import { log } from "./log.ts";

/**
 * Closed candles from the exchanges' websockets (ccxt pro), every one written to `candles`
 * before the bots see it; recovered failures go to `notices` (an unreachable exchange is told
 * once), or each to a warn log line without them.
 */
export function marketFeedFor(candles: CandleStore, notices?: FeedNotices): MarketFeed {
  return new CcxtFeed({
    store: candles,
    onError: (e) =>
      notices
        ? notices.error(e)
        : log("warn", "market feed", { context: e.context, error: e.message }),
  });
}
