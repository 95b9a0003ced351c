// A queue of externally supplied signals (a list now, the webhook later), released by candle close.

import type { ExternalSignal } from "../core/trading.ts";

export type { ExternalSignal };

/** What {@link SignalFeed.take} releases: the latest due signal and how many it replaced. */
export interface DueSignal {
  signal: ExternalSignal;
  /** Earlier signals that were due on the same candle and are dropped in favour of this one. */
  superseded: number;
}

/**
 * External signals waiting for their candle. Each is released once, on the first candle whose
 * close time is at or after its `ts`; when several are due on one candle the latest wins (the
 * sender's most recent intent) and the others are counted as superseded.
 *
 * @example
 * ```ts
 * const feed = signalsFeed([{ ts: Date.UTC(2024, 0, 1, 0, 30), side: "long", sl: 29000 }]);
 * feed.take(closeTs); // the signal on the first candle closing at or after 00:30, then undefined
 * ```
 */
export class SignalFeed {
  #queue: ExternalSignal[] = [];
  #next = 0;

  /** Adds signals (any order); they wait with the others not released yet, sorted by time. */
  push(...signals: ExternalSignal[]): void {
    const pending = this.#queue.slice(this.#next).concat(signals);
    pending.sort((a, b) => a.ts - b.ts); // stable: equal times keep their order of arrival
    this.#queue = pending;
    this.#next = 0;
  }

  /** Number of signals not released yet. */
  get pending(): number {
    return this.#queue.length - this.#next;
  }

  /** Releases the signals due by `closeTs` (ts <= closeTs): the latest one, or undefined. */
  take(closeTs: number): DueSignal | undefined {
    const q = this.#queue;
    let k = this.#next;
    if (k >= q.length || q[k].ts > closeTs) return undefined;
    while (k + 1 < q.length && q[k + 1].ts <= closeTs) k++;
    const due = { signal: q[k], superseded: k - this.#next };
    this.#next = k + 1;
    return due;
  }
}

/** A {@link SignalFeed} holding `list`. */
export function signalsFeed(list: readonly ExternalSignal[] = []): SignalFeed {
  const feed = new SignalFeed();
  feed.push(...list);
  return feed;
}
