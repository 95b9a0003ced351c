// Tests for offline symbol spelling: each exchange's own ids and ccxt's unified form, and garbage.

import assert from "node:assert/strict";
import { ConfigError } from "../../src/core/errors.ts";
import { normalizeSymbol } from "../../src/exchange/symbol_spelling.ts";

const CASES: [exchange: string, input: string, expected: string][] = [
  // OKX: spot, linear and inverse perpetuals, futures, options, and ccxt's spelling.
  ["okx", "BTC-USDT", "BTC/USDT"],
  ["okx", "btc-usdt", "BTC/USDT"],
  ["okx", " ETH-USDC ", "ETH/USDC"],
  ["okx", "BTC-USDT-SWAP", "BTC/USDT:USDT"],
  ["okx", "BTC-USD-SWAP", "BTC/USD:BTC"],
  ["okx", "BTC-USDT-240628", "BTC/USDT:USDT-240628"],
  ["okx", "BTC-USD-240628", "BTC/USD:BTC-240628"],
  ["okx", "BTC-USD-240628-60000-C", "BTC/USD:BTC-240628-60000-C"],
  ["okx", "BTC/USDT", "BTC/USDT"],
  ["okx", "btc/usdt:usdt", "BTC/USDT:USDT"],
  ["okx", "1000PEPE-USDT", "1000PEPE/USDT"],
  // Binance USDT-M: derivatives only, so every spelling is a contract.
  ["binanceusdm", "BTCUSDT", "BTC/USDT:USDT"],
  ["binanceusdm", "BTC/USDT", "BTC/USDT:USDT"],
  ["binanceusdm", "BTC/USDT:USDT", "BTC/USDT:USDT"],
  ["binanceusdm", "BTC-USDT", "BTC/USDT:USDT"],
  ["binanceusdm", "ethusdc", "ETH/USDC:USDC"],
  ["binanceusdm", "BTCFDUSD", "BTC/FDUSD:FDUSD"],
  ["binanceusdm", "ETHBUSD", "ETH/BUSD:BUSD"],
  ["binanceusdm", "BTCUSDT_240628", "BTC/USDT:USDT-240628"],
  ["binance", "SOLUSDT", "SOL/USDT:USDT"],
  // Bybit: concatenated ids are spot, except the USD ones (inverse perpetuals).
  ["bybit", "BTCUSDT", "BTC/USDT"],
  ["bybit", "BTCUSD", "BTC/USD:BTC"],
  ["bybit", "BTC-USDT", "BTC/USDT"],
  ["bybit", "BTC/USDT:USDT", "BTC/USDT:USDT"],
  // Coinbase: dashed spot ids and INTX perpetuals.
  ["coinbase", "BTC-USD", "BTC/USD"],
  ["coinbase", "eth-usdc", "ETH/USDC"],
  ["coinbase", "BTC-PERP-INTX", "BTC/USDC:USDC"],
  ["coinbase", "BTC/USD", "BTC/USD"],
];

for (const [exchange, input, expected] of CASES) {
  Deno.test(`normalizeSymbol: ${exchange} "${input}" is "${expected}"`, () => {
    assert.equal(normalizeSymbol(exchange, input), expected);
  });
}

const GARBAGE: [exchange: string, input: string, fragment: string][] = [
  ["okx", "", 'Symbol "" is not a symbol spelling OKX knows'],
  ["okx", "BTC", '"BTC-USDT-SWAP" (linear perpetual)'],
  ["okx", "BTCUSDT", 'Symbol "BTCUSDT"'],
  ["okx", "BTC//USDT", 'Symbol "BTC//USDT"'],
  ["okx", "/USDT", 'Symbol "/USDT"'],
  ["okx", "BTC/", 'Symbol "BTC/"'],
  ["okx", "BTC-USDT-SWAP-60000-C", 'Symbol "BTC-USDT-SWAP-60000-C"'],
  ["okx", "hello world", 'Symbol "hello world"'],
  ["okx", "BTC/USDT:USDT-2406", 'Symbol "BTC/USDT:USDT-2406"'],
  ["binanceusdm", "USDT", '"BTCUSDT" or "BTC/USDT"'],
  ["binanceusdm", "BTCEUR", 'Symbol "BTCEUR"'],
  ["binanceusdm", "BTC/USD:BTC", "coin-margined"],
  ["binanceusdm", "BTCUSD", "USD-quoted"],
  ["bybit", "BTCUSDT_240628", 'Symbol "BTCUSDT_240628"'],
  ["coinbase", "BTCUSD", '"BTC-USD" or "BTC/USD" (spot)'],
  ["kraken", "BTC/USD", 'Exchange "kraken" is not supported'],
];

for (const [exchange, input, fragment] of GARBAGE) {
  Deno.test(`normalizeSymbol: ${exchange} "${input}" is refused`, () => {
    assert.throws(
      () => normalizeSymbol(exchange, input),
      (e) => e instanceof ConfigError && e.message.includes(fragment),
    );
  });
}
