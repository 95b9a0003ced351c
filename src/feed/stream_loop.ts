// A ccxt `watch*` loop that re-arms after every update and reconnects with capped exponential backoff.

import { withDefaults } from "../core/options.ts";
import { sleep } from "../exchange/retry.ts";

/** Reconnect backoff: `initialMs`, doubled (`factor`) per failed attempt, capped at `maxMs`. */
export interface BackoffOptions {
  /** First wait after an error in ms (default 500). */
  initialMs?: number;
  /** Longest wait in ms (default 30000). */
  maxMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
}

/** Backoff options with every default filled in. */
export type Backoff = Required<BackoffOptions>;

/** Fills in the defaults of {@link BackoffOptions}. */
export function backoffWith(options: BackoffOptions = {}): Backoff {
  return withDefaults({ initialMs: 500, maxMs: 30_000, factor: 2 }, options);
}

/** The wait before attempt `attempt + 1` after `attempt` failures (attempt >= 1). */
export function backoffDelay(attempt: number, b: Backoff): number {
  return Math.min(b.maxMs, b.initialMs * b.factor ** Math.max(0, attempt - 1));
}

/** Settles like `p`, or rejects with the abort reason as soon as `signal` aborts. */
export function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** What {@link streamLoop} runs. */
export interface StreamLoopOptions<T> {
  /** Starts one ccxt `watch*` call (it must register its future synchronously, as ccxt's do). */
  watch: () => Promise<T>;
  /** Every update, in order; called synchronously, before the next `watch` is awaited. */
  onData: (value: T) => void;
  /** Called after each (re)subscription is requested, before its first update. */
  onSubscribe?: () => void;
  /** Every failure, with the number of consecutive failures so far. */
  onError: (err: unknown, attempt: number) => void;
  backoff: Backoff;
  /** Ends the loop (the pending watch is left to the exchange's `close()`). */
  signal: AbortSignal;
}

/**
 * Watches until `signal` aborts. The next `watch` is armed before `onData` runs, so updates that
 * arrive while the caller works are not lost (ccxt merges them into the next answer). After an
 * error it waits the backoff delay and subscribes again; ccxt opens a new connection then.
 */
export async function streamLoop<T>(o: StreamLoopOptions<T>): Promise<void> {
  let attempt = 0;
  while (!o.signal.aborted) {
    try {
      let pending = armed(o.watch());
      o.onSubscribe?.();
      for (;;) {
        const value = await abortable(pending, o.signal);
        attempt = 0;
        pending = armed(o.watch());
        o.onData(value);
      }
    } catch (err) {
      if (o.signal.aborted) return;
      attempt++;
      o.onError(err, attempt);
      try {
        await sleep(backoffDelay(attempt, o.backoff), o.signal);
      } catch {
        return;
      }
    }
  }
}

/** Marks a watch promise as handled (it may reject after the loop stopped awaiting it). */
function armed<T>(p: Promise<T>): Promise<T> {
  p.catch(() => {});
  return p;
}
