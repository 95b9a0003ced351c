// Caps on server-sent event streams: how many at once in total and per client address.

/** Options of {@link SseGate}. */
export interface SseLimitOptions {
  /** Streams open at once in total [256]. */
  total?: number;
  /** Streams open at once from one client address [8]. */
  perAddress?: number;
  /**
   * Bytes of events queued for one stream and not yet taken by its client; past it the client
   * is too slow, and its stream is closed [262,144].
   */
  maxBufferedBytes?: number;
}

/** What {@link SseGate.enter} answers: a slot (release it once) or a refusal. */
export type SseEntry =
  | { ok: true; release: () => void }
  | { ok: false; error: string; retryAfter: number };

/** Counts open streams; `enter` before streaming, `release` when the stream ends. */
export class SseGate {
  readonly total: number;
  readonly perAddress: number;
  readonly maxBufferedBytes: number;
  #open = 0;
  readonly #byAddress = new Map<string, number>();
  readonly #waiting: { n: number; resolve: () => void }[] = [];

  constructor(options: SseLimitOptions = {}) {
    this.total = options.total ?? 256;
    this.perAddress = options.perAddress ?? 8;
    this.maxBufferedBytes = options.maxBufferedBytes ?? 262_144;
  }

  /** Streams open now. */
  get open(): number {
    return this.#open;
  }

  /** Resolves once at most `n` streams are open (now, or when enough have ended). */
  settled(n: number): Promise<void> {
    if (this.#open <= n) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.push({ n, resolve }));
  }

  /** A slot for a stream from `address` (undefined: in-process, counted under one name). */
  enter(address: string | undefined): SseEntry {
    const key = address ?? "in-process";
    const mine = this.#byAddress.get(key) ?? 0;
    if (this.#open >= this.total) {
      return {
        ok: false,
        error: `Too many event streams open (${this.total}); retry later.`,
        retryAfter: 5,
      };
    }
    if (mine >= this.perAddress) {
      return {
        ok: false,
        error: `Too many event streams open from ${key} (${this.perAddress}); close one first.`,
        retryAfter: 5,
      };
    }
    this.#open++;
    this.#byAddress.set(key, mine + 1);
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.#open--;
        const n = (this.#byAddress.get(key) ?? 1) - 1;
        if (n > 0) this.#byAddress.set(key, n);
        else this.#byAddress.delete(key);
        for (let i = this.#waiting.length - 1; i >= 0; i--) {
          if (this.#open <= this.#waiting[i].n) this.#waiting.splice(i, 1)[0].resolve();
        }
      },
    };
  }
}
