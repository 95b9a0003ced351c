// The live-service rig shared by the live tests: the service, a CcxtFeed and live accounts on the fakes.

import type { Candle } from "../../src/core/candles.ts";
import { requireBearer } from "../../src/http/auth.ts";
import { CcxtFeed } from "../../src/feed/ccxt_feed.ts";
import { createExchange } from "../../src/exchange/ccxt_client.ts";
import { botEntries } from "../../src/service/bot_entries.ts";
import { LiveAccounts } from "../../src/service/live_accounts.ts";
import { assemble, type Assembled } from "../../src/assemble.ts";
import { CandleStore } from "../../src/store/candle_store.ts";
import type { Db } from "../../src/store/db.ts";
import type { FakeExchange } from "../fakes/fake_exchange.ts";
import type { FakeWs } from "../fakes/fake_ws.ts";

export const MIN = 60_000;
export const T0 = Date.UTC(2025, 0, 6, 12);
/** Open time of candle `i`. */
export const at = (i: number): number => T0 + i * MIN;
/** The API token of the rig's service. */
export const TOKEN = "live-test-token-0123456789";

/** A zigzag that crosses the averages every few candles. */
export function candle(i: number): Candle {
  const close = 40_000 + 300 * Math.sin(i / 2.5) + i;
  const open = 40_000 + 300 * Math.sin((i - 1) / 2.5) + i - 1;
  return {
    ts: at(i),
    open,
    high: Math.max(open, close) + 5,
    low: Math.min(open, close) - 5,
    close,
    volume: 10,
  };
}

/** The fakes, the DuckDB file and the bot directory (`${dir}/bots`) one service runs on. */
export interface LiveRig {
  rest: FakeExchange;
  ws: FakeWs;
  db: Db;
  dir: string;
  /** The environment with the live approval and keys. */
  env: Record<string, string>;
}

/** A running service with its live feed and accounts. */
export interface LiveRun {
  svc: Assembled;
  feed: CcxtFeed;
  accounts: LiveAccounts;
}

/** Starts the service on the fakes: a CcxtFeed and live accounts pointed at them. */
export async function startLive(l: LiveRig): Promise<LiveRun> {
  const entries = await botEntries(`${l.dir}/bots`, l.env);
  const accounts = await LiveAccounts.open(l.db, {
    env: l.env,
    exchange: (name, credentials) =>
      createExchange(name, { restOrigin: l.rest.url, rateLimitMs: 1, credentials }),
    broker: { pollIntervalMs: 0, clock: { now: () => l.rest.nowMs } },
  });
  const feed = new CcxtFeed({
    store: new CandleStore(l.db),
    now: () => l.rest.nowMs,
    exchange: (id) =>
      createExchange(id, { pro: true, restOrigin: l.rest.url, wsOrigin: l.ws.url, rateLimitMs: 1 }),
    backoff: { initialMs: 10, maxMs: 50 },
    graceMs: 60_000,
  });
  const svc = await assemble({
    db: l.db,
    entries,
    auth: requireBearer(TOKEN),
    version: "test",
    liveFeed: () => feed,
    wallNow: () => l.rest.nowMs,
    live: accounts,
  });
  return { svc, feed, accounts };
}

/** Closes the service, then the accounts' brokers. */
export async function stopLive(s: LiveRun): Promise<void> {
  await s.svc.close();
  await s.accounts.close();
}

/** What the tests read of `GET /api/bots/:id`. */
export type BotStatus = {
  state: string;
  mode: string;
  symbol: string;
  last_candle_ts: number | null;
  position: { side: string; qty: number; leverage: number } | null;
  error: string | null;
  order_latency_ms: { n: number } | null;
};

/** `GET /api/bots/:id`. */
export const botStatus = async (svc: Assembled, botId: string): Promise<BotStatus> =>
  await (await svc.app.request(`/api/bots/${botId}`)).json();

/**
 * Captures every line written with console.log, console.warn and console.error (the service's log) until
 * `restore()`; `print` still reaches the terminal, for diagnostics.
 */
export function captureLogs(): { lines: string[]; print: typeof console.error; restore(): void } {
  const lines: string[] = [];
  const saved = { log: console.log, warn: console.warn, error: console.error };
  const keep = (...a: unknown[]) => void lines.push(a.join(" "));
  Object.assign(console, { log: keep, warn: keep, error: keep });
  return { lines, print: saved.error, restore: () => void Object.assign(console, saved) };
}
