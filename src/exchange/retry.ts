// Retries a call on temporary exchange failures (network errors, HTTP 429) with backoff.

import ccxt from "ccxt";
import { ExchangeError, ExchangeTemporaryError } from "../core/errors.ts";

/** Options for {@link withRetry}. */
export interface RetryOptions {
  /** Attempts in all, first included (default 8). */
  attempts?: number;
  /** First delay in ms; doubles each time (default 1000). */
  baseMs?: number;
  /** Longest delay in ms (default 60000). */
  maxMs?: number;
  /** Called before each wait, e.g. to tell the user. */
  onRetry?: (info: { attempt: number; delayMs: number; error: Error }) => void;
  /** Aborts the waiting. */
  signal?: AbortSignal;
  /** Waits `ms` (default: a timer honouring `signal`); injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** True for errors worth retrying: ccxt NetworkError and its kin (timeouts, 429, 5xx). */
export function isTemporary(err: unknown): boolean {
  return err instanceof ccxt.NetworkError;
}

/** Waits `ms` milliseconds, rejecting early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Calls `fn`, retrying temporary failures with exponential backoff; other errors pass through.
 *
 * @example
 * ```ts
 * const candles = await withRetry(() => ex.fetchOHLCV("BTC/USDT", "1m", since, 100));
 * ```
 */
export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 8;
  const base = options.baseMs ?? 1000;
  const max = options.maxMs ?? 60_000;
  const wait = options.sleep ?? sleep;
  for (let attempt = 1;; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isTemporary(err) || attempt >= attempts) throw err;
      const delayMs = Math.min(max, base * 2 ** (attempt - 1));
      options.onRetry?.({ attempt, delayMs, error: err as Error });
      await wait(delayMs, options.signal);
    }
  }
}

/**
 * Maps a ccxt error that escaped retries to our error tree, with advice; leaves others alone.
 * Exchange messages never carry keys, but we still cut them short.
 */
export function exchangeFailure(err: unknown, label: string, attempts: number): unknown {
  const msg = (err instanceof Error ? err.message : String(err)).slice(0, 300);
  if (err instanceof ccxt.NetworkError) {
    return new ExchangeTemporaryError(
      `${label} could not be reached after ${attempts} attempts (${err.constructor.name}: ${msg}). ` +
        `Check the network and run the same command again: downloads resume where they stopped.`,
      { cause: err },
    );
  }
  if (err instanceof ccxt.BadSymbol) {
    return new ExchangeError(`${label} does not know this symbol: ${msg}`, { cause: err });
  }
  if (err instanceof ccxt.BaseError) {
    return new ExchangeError(`${label} refused the request (${err.constructor.name}): ${msg}`, {
      cause: err,
    });
  }
  return err;
}
