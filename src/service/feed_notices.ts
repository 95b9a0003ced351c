// What the live feed's failures say to people: an exchange unreachable once, then reachable again.

import type { FeedError } from "../feed/ccxt_feed.ts";
import type { FeedHealth, MarketFeed } from "../core/feed.ts";
import { isTemporary } from "../exchange/retry.ts";
import { log as writeLog } from "./log.ts";

/** Options of {@link FeedNotices}. */
export interface FeedNoticesOptions {
  /** How many bots trade on exchange `id` (ccxt id). */
  botsOn(exchange: string): number;
  /** Where notices go [log()]. */
  log?: typeof writeLog;
  /** Told each time an exchange is told unreachable, and reachable again (chat notifications). */
  onChange?: (exchange: string, reachable: boolean) => void;
}

/**
 * Turns the feed's recovered failures into notices. The feed retries an unreachable exchange
 * with backoff for every series, so each retry fails again: only the first network failure of an
 * exchange is told (that it is unreachable, that the bots wait for data, that `--replay` runs
 * offline), then nothing until {@link check} sees it reachable again, which is told once too.
 * Other failures (an answer the feed could not use) are each logged as before.
 */
export class FeedNotices {
  readonly #down = new Set<string>();
  readonly #log: typeof writeLog;

  constructor(private readonly o: FeedNoticesOptions) {
    this.#log = o.log ?? writeLog;
  }

  /** Exchanges told unreachable and not yet back. */
  get unreachable(): string[] {
    return [...this.#down];
  }

  /** One failure the feed recovered from (it keeps retrying). */
  error(e: FeedError): void {
    const exchange = e.context.split(" ")[0];
    if (!isTemporary(e.error)) {
      this.#log("warn", "market feed", { context: e.context, error: e.message });
      return;
    }
    if (this.#down.has(exchange)) return;
    this.#down.add(exchange);
    const n = this.o.botsOn(exchange);
    const bots = `${n} bot${n === 1 ? "" : "s"} wait${n === 1 ? "s" : ""}`;
    this.#log("warn", "exchange unreachable", {
      exchange,
      bots: n,
      error: e.message,
      hint: "bots wait for data; the feed keeps retrying; --replay runs offline",
    }, { text: `${exchange} unreachable; ${bots} for data (use --replay to run offline)` });
    this.o.onChange?.(exchange, false);
  }

  /** Tells of each exchange told unreachable that `health` shows reachable again. */
  check(health: readonly FeedHealth[]): void {
    for (const h of health) {
      if (!h.reachable || !this.#down.delete(h.exchange)) continue;
      this.#log("info", "exchange reachable again", { exchange: h.exchange }, {
        text: `${h.exchange} reachable again`,
      });
      this.o.onChange?.(h.exchange, true);
    }
  }

  /** Checks `feed`'s health every `everyMs` [2000] until the returned stop is called. */
  watch(feed: MarketFeed, everyMs = 2000): () => void {
    const timer = setInterval(() => this.check(feed.health()), everyMs);
    Deno.unrefTimer(timer);
    return () => clearInterval(timer);
  }
}
