// Test support for the service: bot specs, a supervisor on a replay feed, waiting for bus events.

import type { BotSpec } from "../../src/service/bot.ts";
import type { BusEvent, EventBus } from "../../src/service/event_bus.ts";
import { getStrategy, parseParams } from "../../src/engine/strategy_registry.ts";
import type { BotEntry } from "../../src/service/supervisor.ts";

/** A paper bot spec with test-friendly defaults. */
export async function entry(
  botId: string,
  over: Partial<BotSpec> & { strategy?: string } = {},
): Promise<BotEntry> {
  const strategy = over.strategy ?? "sma_cross";
  const def = await getStrategy(strategy);
  const params = parseParams(
    def,
    over.params ?? { fast_period: 3, slow_period: 8, direction: "both" },
  );
  const spec: BotSpec = {
    botId,
    strategy,
    exchange: "okx",
    symbol: "BTC/USDT",
    timeframe: "1m",
    virtualBalance: 10_000,
    fees: { maker: 0.001, taker: 0.001 },
    slippageBps: 2,
    leverage: 1,
    risk: {},
    mode: "paper",
    requireConfirmation: false,
    confirmationTtlMs: 300_000,
    ...over,
    params,
  };
  return { spec, def, enabled: true, config: { bot_id: botId, strategy } };
}

/**
 * A paper bot that takes TradingView alerts with the signals strategy (`source: tradingview`),
 * with `alerts` and other fields of `over` added.
 */
export async function alertBot(
  botId: string,
  over: Omit<Partial<BotSpec>, "alerts"> & { alerts?: Partial<NonNullable<BotSpec["alerts"]>> } =
    {},
): Promise<BotEntry> {
  const { alerts, ...rest } = over;
  return await entry(botId, {
    strategy: "signals",
    params: { signals: [] },
    ...rest,
    alerts: { source: "tradingview", ...alerts },
  });
}

/**
 * The two trading bots of the API tests: alpha (sma_cross 2/5 on BTC/USDT, both directions, with
 * `alpha` added) and beta (ema_cross 3/8 on ETH/USDT); both trade within a few replayed candles.
 */
export async function alphaAndBetaTrading(
  alpha: Parameters<typeof entry>[1] = {},
): Promise<BotEntry[]> {
  return [
    await entry("alpha", {
      params: { fast_period: 2, slow_period: 5, direction: "both" },
      ...alpha,
    }),
    await entry("beta", {
      symbol: "ETH/USDT",
      strategy: "ema_cross",
      params: { fast_period: 3, slow_period: 8 },
    }),
  ];
}

/** The two alert bots of the webhook tests: alpha (BTC/USDT, JSON), beta (ETH/USDT, also text). */
export async function alphaAndBeta(): Promise<BotEntry[]> {
  return [
    await alertBot("alpha"),
    await alertBot("beta", { symbol: "ETH/USDT", alerts: { template: "{action} {ticker}" } }),
  ];
}

/**
 * Resolves with the first bus event (from now on) matching `pred`; rejects after `ms` (a safety
 * net, generous for a loaded machine).
 */
export function waitFor(
  bus: EventBus,
  pred: (e: BusEvent) => boolean,
  ms = 120_000,
  what = "an event",
): Promise<BusEvent> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`Timed out waiting for ${what}`));
    }, ms);
    const stop = bus.subscribe((e) => {
      if (!pred(e)) return;
      clearTimeout(timer);
      stop();
      resolve(e);
    });
  });
}

/** Waits until bot `botId` has announced `n` more equity snapshots. */
export async function candlesTraded(bus: EventBus, botId: string, n: number): Promise<void> {
  let k = 0;
  await waitFor(
    bus,
    (e) => e.botId === botId && e.type === "bot.equity" && ++k >= n,
    120_000,
    `${n} candles of ${botId}`,
  );
}

/**
 * Resolves with `check()`'s first truthy answer, asked now and again after each event on `bus`
 * (one check at a time; events during a check ask once more after it): waits on the service's
 * own events instead of polling. Rejects after `ms`, a safety net generous for a loaded machine.
 */
export function untilEvent<T>(
  bus: EventBus,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 120_000,
  what = "a condition",
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false, running = false, again = false;
    const finish = (err: unknown, v?: T) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stop();
      if (err) reject(err);
      else resolve(v as T);
    };
    const run = async () => {
      if (done) return;
      if (running) return void (again = true);
      running = true;
      try {
        do {
          again = false;
          const v = await check();
          if (v) return finish(undefined, v);
        } while (again && !done);
      } catch (err) {
        finish(err);
      } finally {
        running = false;
      }
    };
    const timer = setTimeout(() => finish(new Error(`Timed out waiting for ${what}`)), ms);
    const stop = bus.subscribe(() => void run());
    void run();
  });
}
