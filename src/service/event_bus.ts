// The service's event bus: everything bots and the service announce, for SSE, chat and the page.

/** One announcement. `type` is dotted: "bot.decision", "bot.fill", "bot.status", "incident"... */
export interface BusEvent {
  /** Sequence number, increasing from 1 for the life of the process (SSE ids). */
  id: number;
  type: string;
  /** Wall-clock ms. */
  at: number;
  botId?: string;
  /** Links a decision to its orders, fills and position changes. */
  correlationId?: string;
  data: unknown;
}

/** Listener of {@link EventBus}. */
export type BusListener = (e: BusEvent) => void;

/**
 * In-process publish/subscribe. Listeners run synchronously and must not throw (a throwing
 * listener is logged and removed, so one bad subscriber cannot stop a bot). Keeps the last
 * `keep` events so a reconnecting SSE client can resume with Last-Event-ID.
 */
export class EventBus {
  readonly #listeners = new Set<BusListener>();
  readonly #recent: BusEvent[] = [];
  #next = 1;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly keep = 1000,
  ) {}

  /** Announces an event; returns it with its id. */
  publish(e: Omit<BusEvent, "id" | "at">): BusEvent {
    const full: BusEvent = { id: this.#next++, at: this.now(), ...e };
    this.#recent.push(full);
    if (this.#recent.length > this.keep) this.#recent.splice(0, this.#recent.length - this.keep);
    for (const l of [...this.#listeners]) {
      try {
        l(full);
      } catch (err) {
        this.#listeners.delete(l);
        console.error(JSON.stringify({
          level: "error",
          msg: "event listener failed and was removed",
          error: String(err),
        }));
      }
    }
    return full;
  }

  /** Subscribes; returns the function that unsubscribes. */
  subscribe(l: BusListener): () => void {
    this.#listeners.add(l);
    return () => this.#listeners.delete(l);
  }

  /** Kept events with id > `afterId`, oldest first. */
  since(afterId: number): BusEvent[] {
    return this.#recent.filter((e) => e.id > afterId);
  }
}
