// One exchange as the live feed sees it: its ccxt pro client and its health (reachable, errors, reconnects).

import type { Exchange } from "ccxt";
import type { FeedHealth } from "../core/feed.ts";
import { abortable } from "./stream_loop.ts";

/** Query parameters and fields whose values must never reach a log or a status page. */
const SECRET =
  /\b(api[-_]?key|secret|sign(ature)?|passphrase|password|token|listenKey)=[^&\s"']*/gi;

/**
 * A short, secret-free description of an error for health reports and logs: the error's class
 * and message, signing parameters masked, cut to 300 characters. Wrapped errors (our
 * ExchangeTemporaryError around a ccxt one) are described by their cause.
 */
export function safeErrorMessage(err: unknown): string {
  const inner = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  const text = inner instanceof Error
    ? `${inner.constructor.name}: ${inner.message}`
    : String(inner);
  const clean = text.replace(SECRET, (m) => `${m.slice(0, m.indexOf("=") + 1)}***`);
  return clean.length > 300 ? `${clean.slice(0, 297)}...` : clean;
}

/**
 * A ccxt pro client shared by every stream of one exchange, and the health figures the feed
 * reports for it. `reachable` follows the websocket: true once a connection opens or an update
 * arrives, false after a stream error until the next connection opens. REST answers decide it
 * only while no websocket has a say (before the first connection, or for REST-only series).
 */
export class ExchangeLink {
  reachable = false;
  error: string | undefined;
  lastMessageAt: number | null = null;
  reconnects = 0;
  /** Set by `close()`: streams must not subscribe or unsubscribe any more. */
  closing = false;
  /** Work to await before the client is closed (unsubscribes in flight). */
  readonly pending = new Set<Promise<unknown>>();
  readonly #connectedUrls = new Set<string>();
  #marketsFailed = false;
  /** A websocket connected or delivered since the last stream failure. */
  #streamUp = false;
  /** A websocket stream failed and none connected since. */
  #streamDown = false;

  constructor(
    /** ccxt id, e.g. "okx". */
    readonly id: string,
    readonly ex: Exchange,
    private readonly now: () => number,
  ) {
    // ccxt's user hook, bound when each websocket client is created: fires on every open.
    const original = ex.onConnected.bind(ex);
    ex.onConnected = (client: { url?: string }, message?: unknown) => {
      original(client, message);
      this.connected(String(client?.url ?? ""));
    };
  }

  /**
   * Loads the markets once. ccxt keeps the promise of a failed `loadMarkets()` and hands the
   * same rejection to every later call, so after a failure this asks for a reload.
   */
  async markets(): Promise<void> {
    if (this.ex.markets) return;
    try {
      await this.ex.loadMarkets(this.#marketsFailed);
    } catch (err) {
      this.#marketsFailed = true;
      throw err;
    }
  }

  /** A websocket connection opened; a URL opened before counts as a reconnect. */
  connected(url: string): void {
    if (this.#connectedUrls.has(url)) this.reconnects++;
    this.#connectedUrls.add(url);
    this.#up();
  }

  /** An update arrived over the websocket. */
  message(): void {
    this.lastMessageAt = this.now();
    this.#up();
  }

  /** A websocket stream failed: unreachable until the next connection opens. */
  streamFailed(err: unknown): void {
    this.#streamUp = false;
    this.#streamDown = true;
    this.reachable = false;
    this.error = safeErrorMessage(err);
  }

  /** A REST call succeeded: reachable, unless a websocket is down (it decides then). */
  restOk(): void {
    if (this.#streamDown) return;
    this.reachable = true;
    this.error = undefined;
  }

  /** A REST call failed: unreachable, unless a websocket is up (it decides then). */
  restFailed(err: unknown): void {
    if (this.#streamUp) return;
    this.reachable = false;
    this.error = safeErrorMessage(err);
  }

  #up(): void {
    this.#streamUp = true;
    this.#streamDown = false;
    this.reachable = true;
    this.error = undefined;
  }

  /** Health of this exchange with `series` subscribed series. */
  health(series: number): FeedHealth {
    return {
      exchange: this.id,
      reachable: this.reachable,
      series,
      ...(this.error !== undefined && !this.reachable ? { error: this.error } : {}),
      lastMessageAt: this.lastMessageAt,
      reconnects: this.reconnects,
    };
  }

  /**
   * Runs a ccxt `unWatch*` call unless the client is closing, and waits for the exchange's
   * answer at most `waitMs` (default 5000); a failure means the subscription went with its
   * connection, so it is ignored.
   */
  async unsubscribe(unwatch: () => Promise<unknown>, waitMs = 5_000): Promise<void> {
    if (this.closing) return;
    const done = unwatch();
    this.pending.add(done);
    const giveUp = new AbortController();
    const timer = setTimeout(() => giveUp.abort(), waitMs);
    try {
      await abortable(done, giveUp.signal);
    } catch {
      // Disconnected, closed or unanswered: nothing is left to unsubscribe from.
    } finally {
      clearTimeout(timer);
      this.pending.delete(done);
    }
  }

  /** Closes every websocket of the client, then awaits the unsubscribes it cut short. */
  async close(): Promise<void> {
    this.closing = true;
    await this.ex.close();
    await Promise.allSettled([...this.pending]);
  }
}
