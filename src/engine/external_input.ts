// Signals from outside handed to a running strategy: the bot pushes, the strategy subscribes.

import type { ExternalSignals } from "../core/strategy.ts";
import type { ExternalSignal } from "../core/trading.ts";

/**
 * The {@link ExternalSignals} of one running bot: what `push` receives goes to every subscriber
 * at once (the bot pushes between candles, so the strategy sees it on its next candle).
 */
export class ExternalInput implements ExternalSignals {
  readonly #subscribers: ((s: ExternalSignal) => void)[] = [];

  subscribe(fn: (s: ExternalSignal) => void): void {
    this.#subscribers.push(fn);
  }

  /** Whether a strategy listens (the `signals` strategy does; most do not). */
  get heard(): boolean {
    return this.#subscribers.length > 0;
  }

  push(s: ExternalSignal): void {
    for (const fn of this.#subscribers) fn(s);
  }
}
