// Test harness for the live broker on Binance USDT-M: the fake's private REST, real ccxt
// binanceusdm with keys, a journal that notes what the fake had when each intent was stored.

import type { Exchange } from "ccxt";
import { CcxtBroker, type CcxtBrokerOptions } from "../../src/live/ccxt_broker.ts";
import { createExchange, type ExchangeCredentials } from "../../src/exchange/ccxt_client.ts";
import {
  type JournalEntry,
  MemoryOrderJournal,
  type OrderIntent,
} from "../../src/core/order_journal.ts";
import { type FakeExchange, startFakeExchange } from "../fakes/fake_exchange.ts";
import {
  attachFakeBinanceTrading,
  type FakeBinanceTrading,
} from "../fakes/fake_binance_trading.ts";
import { T0, testBrokerOptions } from "./broker_support.ts";
import { assertNoSecrets } from "../support.ts";

/** Keys the fake accepts; tests check none of them leaks. */
export const BN_KEYS: ExchangeCredentials = {
  apiKey: "bn-test-key-5e2c9a",
  secret: "bn-test-secret-0d7f41b3",
};

/** A journal that also notes how many orders the fake had when each intent was stored. */
export class BinanceJournal extends MemoryOrderJournal {
  readonly placedAtIntent = new Map<string, number>();
  bn: FakeBinanceTrading | undefined;

  override intent(intent: OrderIntent): Promise<void> {
    this.placedAtIntent.set(intent.clientId, this.bn?.placed(intent.exchangeClientId) ?? -1);
    return super.intent(intent);
  }

  /** Every entry, as a durable journal lists them (for `ledgerFromJournal`). */
  entries(): Promise<JournalEntry[]> {
    return Promise.resolve(this.all());
  }
}

/** Everything a futures test needs; dispose with `await using`. */
export interface FuturesSetup {
  fake: FakeExchange;
  bn: FakeBinanceTrading;
  journal: BinanceJournal;
  broker: CcxtBroker;
  logs: string[];
  /** A new broker (and ccxt client) on the same fake and journal, as after a restart. */
  restart(options?: Partial<CcxtBrokerOptions>): CcxtBroker;
  client(): Exchange;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a fake Binance USDT-M listing BTC/USDT:USDT at 40000 (and ETH/USDT:USDT at 2000) with
 * `usdt` in the wallet, and a broker at `leverage` on it.
 */
export async function futuresSetup(
  options: { usdt?: number; leverage?: number; broker?: Partial<CcxtBrokerOptions> } = {},
): Promise<FuturesSetup> {
  const fake = await startFakeExchange({
    markets: { binanceusdm: ["BTC/USDT:USDT", "ETH/USDT:USDT"] },
    nowMs: T0,
  });
  const bn = attachFakeBinanceTrading(fake, {
    apiKey: BN_KEYS.apiKey,
    secret: BN_KEYS.secret,
    balances: { USDT: options.usdt ?? 10_000 },
  });
  bn.setPrice("BTC/USDT:USDT", 40_000);
  bn.setPrice("ETH/USDT:USDT", 2_000);
  const journal = new BinanceJournal();
  journal.bn = bn;
  const logs: string[] = [];
  const brokers: CcxtBroker[] = [];
  // createExchange keeps ccxt's futures error table behind the fake's origin
  const client = () =>
    createExchange("binanceusdm", {
      restOrigin: fake.url,
      rateLimitMs: 1,
      timeoutMs: 5000,
      credentials: BN_KEYS,
    });
  const make = (extra: Partial<CcxtBrokerOptions> = {}) => {
    const b = new CcxtBroker(client(), {
      exchange: "binanceusdm",
      journal,
      leverage: options.leverage ?? 5,
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
    bn,
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

/** Asserts `text` carries none of the keys. */
export function assertNoBinanceKeys(text: string): void {
  assertNoSecrets(text, BN_KEYS);
}
