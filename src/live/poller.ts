// When the live broker asks the exchange what happened: a timer, and on demand; at most one poll
// waits in the queue at a time.

import type { OrderGateway } from "./order_gateway.ts";
import type { LiveLedger } from "./ledger.ts";
import type { Funding } from "./funding.ts";

/**
 * Polls the symbols of the ledger's active orders through the gateway's queue (after what is
 * queued before it), with the funding checks of contract positions around the fills.
 *
 * @example
 * ```ts
 * const poller = new Poller(gateway, ledger, { intervalMs: 5000 });
 * poller.start(); // a timer that does not keep the process alive
 * poller.schedule();
 * poller.stop();
 * ```
 */
export class Poller {
  readonly #gateway: OrderGateway;
  readonly #ledger: LiveLedger;
  readonly #funding: Funding | undefined;
  readonly #intervalMs: number;
  #queued = false;
  #timer: ReturnType<typeof setInterval> | undefined;

  /**
   * Polls `ledger`'s orders through `gateway` every `options.intervalMs` once started (0: no
   * timer), with `options.funding` checked around each poll's fills.
   */
  constructor(
    gateway: OrderGateway,
    ledger: LiveLedger,
    options: { intervalMs: number; funding?: Funding },
  ) {
    this.#gateway = gateway;
    this.#ledger = ledger;
    this.#funding = options.funding;
    this.#intervalMs = options.intervalMs;
  }

  /** Starts the timer (unless the interval is 0). */
  start(): void {
    if (this.#intervalMs <= 0) return;
    const timer = setInterval(() => this.schedule(), this.#intervalMs);
    Deno.unrefTimer(timer as unknown as number);
    this.#timer = timer;
  }

  /** Stops the timer. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Queues a poll unless one is waiting. */
  schedule(): void {
    if (this.#queued) return;
    this.#queued = true;
    this.#gateway.enqueue("poll", async () => {
      this.#queued = false;
      const symbols = new Set(this.#ledger.active().map((o) => o.symbol));
      await this.#funding?.beforeFills();
      for (const s of symbols) await this.#gateway.pollSymbol(s);
      await this.#funding?.afterFills();
    });
  }
}
