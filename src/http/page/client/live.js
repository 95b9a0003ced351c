// The page's live feed: one EventSource on /api/events (the browser resumes it with
// Last-Event-ID after a drop), handed to the views by event type or prefix.

/** @typedef {{ id: number, type: string, at: number, botId?: string, data?: any }} BusEvent */

/** One stream for the whole page; views subscribe and unsubscribe as they come and go. */
export class Live {
  /** @param {(connected: boolean) => void} onState */
  constructor(onState) {
    /** @type {Set<{ prefixes: string[], fn: (e: BusEvent) => void }>} */
    this.subs = new Set();
    this.onState = onState;
    this.source = new EventSource("/api/events");
    this.source.addEventListener("open", () => onState(true));
    this.source.addEventListener("error", () => onState(false));
    this.source.addEventListener("hello", () => onState(true));
    // Named events: the service sends each event with its type as the SSE event name.
    this.handler = (/** @type {MessageEvent} */ m) => {
      let e;
      try {
        e = JSON.parse(m.data);
      } catch {
        return;
      }
      for (const s of [...this.subs]) {
        if (s.prefixes.some((p) => e.type.startsWith(p))) s.fn(e);
      }
      // Also as a DOM event, for page extensions and the tests that watch the stream resume.
      globalThis.dispatchEvent(new CustomEvent("tw:event", { detail: e }));
    };
    /** @type {Set<string>} */
    this.listened = new Set();
  }

  /**
   * Calls `fn` for every event whose type starts with one of `prefixes`; returns the unsubscribe.
   * @param {string[]} prefixes e.g. ["bot.", "pending."]
   * @param {(e: BusEvent) => void} fn
   */
  on(prefixes, fn) {
    for (const p of prefixes) this.#listen(p);
    const sub = { prefixes, fn };
    this.subs.add(sub);
    return () => this.subs.delete(sub);
  }

  /** @param {string} prefix */
  #listen(prefix) {
    // EventSource dispatches by exact name; the known names of a prefix are listened to once.
    for (const name of EVENT_NAMES.filter((n) => n.startsWith(prefix))) {
      if (this.listened.has(name)) continue;
      this.listened.add(name);
      this.source.addEventListener(name, this.handler);
    }
  }

  close() {
    this.source.close();
  }
}

/** Every event type the service publishes (src/service: bot, pending, audit, incident, ...). */
export const EVENT_NAMES = [
  "bot.status",
  "bot.decision",
  "bot.order",
  "bot.fill",
  "bot.trade",
  "bot.position",
  "bot.equity",
  "bot.pending",
  "bot.reconciled",
  "bot.caught_up",
  "pending.expired",
  "pending.superseded",
  "audit",
  "incident",
  "backtest.progress",
  "backtest.done",
  "alert.state",
  "alert.received",
  "alert.duplicate",
];
