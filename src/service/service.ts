// Starts the running service: stores, feed, supervisor, settings and backtest jobs (no surface).

import type { MarketFeed } from "../core/feed.ts";
import { ReplayFeed } from "../feed/replay_feed.ts";
import { BacktestStore } from "../store/backtest_store.ts";
import { BotStore } from "../store/bot_store.ts";
import { CandleStore } from "../store/candle_store.ts";
import type { Db } from "../store/db.ts";
import type { Clock } from "../core/ports.ts";
import { floorToTimeframe } from "../core/timeframe.ts";
import { AlertIntake } from "./alert_intake.ts";
import { AlertRouter } from "./alert_router.ts";
import { BacktestJobs } from "./backtest_jobs.ts";
import { EventBus } from "./event_bus.ts";
import type { LiveAccounts } from "./live_accounts.ts";
import { SettingsService } from "./settings.ts";
import { type BotEntry, Supervisor, type Timers } from "./supervisor.ts";

/** Options for {@link startService}. */
export interface ServiceOptions {
  db: Db;
  entries: readonly BotEntry[];
  /**
   * Replay instead of live data: candles per wall second = speed / timeframe seconds. Stored,
   * then synthetic candles from the saved replay clock, else `startTs` (tests: a fixed market),
   * else the current minute.
   */
  replay?: { speed: number; startTs?: number };
  /** The live feed (required unless replaying); built by the caller from the exchanges used. */
  liveFeed?: (candles: CandleStore) => MarketFeed;
  wallNow?: () => number;
  /** First restart delay of a failed bot [1000 ms]. */
  backoffMs?: number;
  /** Timers for the restart delays of failed bots [setTimeout and clearTimeout]. */
  timers?: Timers;
  /** How often expired confirmations are looked for [1000 ms]. */
  expiryCheckMs?: number;
  /** Exchange accounts for the live bots among `entries` (required when there are any). */
  live?: LiveAccounts;
  /** The webhook alerts' journal [next to the database] and de-duplication window [60 s]. */
  alerts?: { journalPath?: string; dedupeWindowMs?: number };
}

/** A started service. */
export interface Service {
  supervisor: Supervisor;
  bus: EventBus;
  feed: MarketFeed;
  /** The bots' clock: wall time, or the replay's. */
  clock: Clock;
  /** Wall clock of the audit log and confirmations. */
  wallNow: () => number;
  candles: CandleStore;
  bots: BotStore;
  runs: BacktestStore;
  /**
   * The same stores reading through the database's read connection: what the surfaces read
   * with, so their reads neither wait for nor hold up the bots' writes.
   */
  reads: { candles: CandleStore; bots: BotStore; runs: BacktestStore };
  jobs: BacktestJobs;
  settings: SettingsService;
  /** Webhook alerts: journaled, de-duplicated, stored and listed. */
  alerts: AlertIntake;
  /** "live" when a bot trades live, else "paper". */
  mode: "paper" | "live";
  /** Whether manual orders can be sent (a live bot and its exchange accounts). */
  manualOrders: boolean;
  close(): Promise<void>;
}

const REPLAY_CLOCK = "replay.clock";

/**
 * Starts the service: bots that should run are launched (rebuilt from their records) and the
 * feed starts delivering. The surfaces (HTTP, chat) are built on it by `src/assemble.ts`.
 * `close()` halts the bots (their state stays in the store) and stops the feed; the caller
 * closes the database.
 */
export async function startService(o: ServiceOptions): Promise<Service> {
  const wallNow = o.wallNow ?? Date.now;
  const candles = new CandleStore(o.db);
  const bots = new BotStore(o.db);
  const runs = new BacktestStore(o.db);
  const reads = {
    candles: new CandleStore(o.db, { readConnection: true }),
    bots: new BotStore(o.db, { readConnection: true }),
    runs: new BacktestStore(o.db, { readConnection: true }),
  };
  // The stored series' extents, once: health and the series listing answer from them.
  await candles.loadRanges();
  const bus = new EventBus(wallNow);
  let feed: MarketFeed;
  let clock: Clock;
  let saveClock: ReturnType<typeof setInterval> | undefined;
  if (o.replay) {
    const saved = await bots.getSetting<number>(REPLAY_CLOCK);
    const startTs = saved ?? o.replay.startTs ?? floorToTimeframe(wallNow(), "1m");
    const replay = new ReplayFeed({ store: candles, startTs, speed: o.replay.speed, wallNow });
    await bots.setSetting(REPLAY_CLOCK, startTs);
    saveClock = setInterval(() => {
      bots.setSetting(REPLAY_CLOCK, Math.floor(replay.clock.now())).catch(() => {});
    }, 1000);
    feed = replay;
    clock = replay.clock;
  } else {
    if (!o.liveFeed) throw new Error("startService needs liveFeed unless replaying");
    feed = o.liveFeed(candles);
    clock = { now: wallNow };
  }
  const supervisor = new Supervisor({
    store: bots,
    candles,
    feed,
    bus,
    clock,
    wallNow,
    backoffMs: o.backoffMs,
    timers: o.timers,
    expiryCheckMs: o.expiryCheckMs,
    live: o.live,
  });
  const settings = new SettingsService(bots, supervisor);
  const jobs = new BacktestJobs(candles, runs, bus, wallNow);
  await settings.load();
  await supervisor.start(o.entries);
  let alerts: AlertIntake;
  let router: AlertRouter;
  try {
    alerts = await AlertIntake.open({ db: o.db, wallNow, bus, ...o.alerts });
    // After the bots are running: alerts waiting since the last run go to them now.
    router = new AlertRouter({ intake: alerts, supervisor, bus });
    await router.start();
  } catch (err) {
    clearInterval(saveClock);
    await jobs.close();
    await supervisor.close();
    await feed.close();
    throw err;
  }
  const mode = o.entries.some((e) => e.spec.mode === "live") ? "live" : "paper";
  return {
    supervisor,
    bus,
    feed,
    clock,
    wallNow,
    candles,
    bots,
    runs,
    reads,
    jobs,
    settings,
    alerts,
    mode,
    manualOrders: o.live !== undefined && mode === "live",
    async close() {
      clearInterval(saveClock);
      await jobs.close();
      await router.close();
      await supervisor.close();
      await feed.close();
      await alerts.close();
      if (o.replay) await bots.setSetting(REPLAY_CLOCK, Math.floor(clock.now()));
    },
  };
}
