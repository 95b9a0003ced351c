// Test harness for the live broker: a fake OKX with private REST, real ccxt with keys, a journal.

import type { Exchange } from "ccxt";
import type { Candle } from "../../src/core/candles.ts";
import { CcxtBroker, type CcxtBrokerOptions } from "../../src/live/ccxt_broker.ts";
import { createExchange, type ExchangeCredentials } from "../../src/exchange/ccxt_client.ts";
import { MemoryOrderJournal, type OrderIntent } from "../../src/core/order_journal.ts";
import { type FakeExchange, startFakeExchange } from "../fakes/fake_exchange.ts";
import {
  attachFakeOkxTrading,
  type FakeOkxTrading,
  type FakeOkxTradingOptions,
} from "../fakes/fake_okx_trading.ts";
import { assertNoSecrets } from "../support.ts";

/** Keys the fake accepts; every test checks none of them leaks. */
export const KEYS: Required<ExchangeCredentials> = {
  apiKey: "test-key-7f3a1c",
  secret: "test-secret-9c1d0e5b",
  password: "test-pass-42x",
};

/** The fake's (and the broker's) fixed now. */
export const T0 = Date.UTC(2025, 0, 6, 12);

/** A journal that also notes how many orders the fake had when each intent was stored. */
export class WatchedJournal extends MemoryOrderJournal {
  readonly placedAtIntent = new Map<string, number>();
  okx: FakeOkxTrading | undefined;

  override intent(intent: OrderIntent): Promise<void> {
    this.placedAtIntent.set(intent.clientId, this.okx?.placed(intent.exchangeClientId) ?? -1);
    return super.intent(intent);
  }
}

/** Everything a live test needs; dispose with `await using`. */
export interface LiveSetup {
  fake: FakeExchange;
  okx: FakeOkxTrading;
  journal: WatchedJournal;
  broker: CcxtBroker;
  logs: string[];
  /** A new broker (and ccxt client) on the same fake and journal, as after a restart. */
  restart(options?: Partial<CcxtBrokerOptions>): CcxtBroker;
  client(credentials?: ExchangeCredentials): Exchange;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts a fake OKX listing BTC/USDT at 40000 with 10000 USDT, and a broker on it. */
export async function liveSetup(
  options: { okx?: FakeOkxTradingOptions; broker?: Partial<CcxtBrokerOptions> } = {},
): Promise<LiveSetup> {
  const fake = await startFakeExchange({ markets: { okx: ["BTC/USDT"] }, nowMs: T0 });
  const okx = attachFakeOkxTrading(fake, {
    apiKey: KEYS.apiKey,
    secret: KEYS.secret,
    passphrase: KEYS.password,
    balances: { USDT: 10_000 },
    ...options.okx,
  });
  okx.setPrice("BTC/USDT", 40_000);
  const journal = new WatchedJournal();
  journal.okx = okx;
  const logs: string[] = [];
  const brokers: CcxtBroker[] = [];
  const client = (credentials: ExchangeCredentials = KEYS) =>
    createExchange("okx", { restOrigin: fake.url, rateLimitMs: 1, timeoutMs: 5000, credentials });
  const make = (extra: Partial<CcxtBrokerOptions> = {}) => {
    const b = new CcxtBroker(client(), {
      exchange: "okx",
      journal,
      ...testBrokerOptions(fake, logs),
      ...options.broker,
      ...extra,
    });
    brokers.push(b);
    return b;
  };
  const broker = make();
  return {
    fake,
    okx,
    journal,
    broker,
    logs,
    restart: make,
    client,
    async [Symbol.asyncDispose]() {
      for (const b of brokers) await b.close();
      await fake.close();
    },
  };
}

/** A one-minute candle at `ts` that opened and closed at `close`. */
export function bar(ts: number, close: number): Candle {
  return { ts, open: close, high: close, low: close, close, volume: 1 };
}

/** Asserts `text` carries none of the keys. */
export function assertNoKeys(text: string): void {
  assertNoSecrets(text, KEYS);
}

/**
 * Broker options of the harnesses: the fake's clock, quick retries, polling only when asked,
 * log lines kept as JSON in `logs`.
 */
export function testBrokerOptions(
  fake: FakeExchange,
  logs: string[],
): Omit<CcxtBrokerOptions, "journal"> {
  return {
    clock: { now: () => fake.nowMs },
    retry: { attempts: 4, sleep: () => Promise.resolve() },
    pollIntervalMs: 0,
    pollOnBar: false,
    log: (level, msg, fields) => logs.push(JSON.stringify({ level, msg, ...fields })),
  };
}
