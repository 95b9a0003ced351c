// Retry: temporary ccxt errors are retried with doubling delays; others pass straight through.

import assert from "node:assert/strict";
import ccxt from "ccxt";
import { ExchangeTemporaryError } from "../../src/core/errors.ts";
import { exchangeFailure, withRetry } from "../../src/exchange/retry.ts";

Deno.test("network errors and 429 are retried with exponential backoff", async () => {
  const waits: number[] = [];
  let calls = 0;
  const out = await withRetry(() => {
    calls++;
    if (calls === 1) throw new ccxt.RateLimitExceeded("429");
    if (calls === 2) throw new ccxt.RequestTimeout("slow");
    if (calls === 3) throw new ccxt.ExchangeNotAvailable("502");
    return Promise.resolve("ok");
  }, { baseMs: 100, sleep: (ms) => (waits.push(ms), Promise.resolve()) });
  assert.equal(out, "ok");
  assert.deepEqual(waits, [100, 200, 400]);
});

Deno.test("other errors are not retried; attempts are bounded", async () => {
  let calls = 0;
  await assert.rejects(
    () =>
      withRetry(() => (calls++, Promise.reject(new ccxt.BadSymbol("nope"))), {
        sleep: () => Promise.resolve(),
      }),
    ccxt.BadSymbol,
  );
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(
    () =>
      withRetry(() => (calls++, Promise.reject(new ccxt.NetworkError("down"))), {
        attempts: 3,
        sleep: () => Promise.resolve(),
      }),
    ccxt.NetworkError,
  );
  assert.equal(calls, 3);
  const mapped = exchangeFailure(new ccxt.NetworkError("down"), "OKX", 3);
  assert.ok(mapped instanceof ExchangeTemporaryError);
  assert.match((mapped as Error).message, /OKX could not be reached after 3 attempts.*resume/);
});
