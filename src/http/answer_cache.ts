// A JSON answer many clients ask for and that may be a moment old (health): computed and
// serialised at most once per interval, served as the same text meanwhile.

/** Options of {@link CachedAnswer}. */
export interface CachedAnswerOptions {
  /** How old a served answer may be, in ms [100]. */
  maxAgeMs?: number;
  /** Clock in ms [performance.now]. */
  now?: () => number;
}

/** What a {@link CachedAnswer} computes: a status and a JSON-able body. */
export interface Answer {
  status: number;
  body: unknown;
}

/**
 * One answer computed at most once per `maxAgeMs` however many ask: callers arriving while it is
 * computed wait for that computation, and every caller gets a fresh `Response` on the same text.
 * `invalidate()` makes the next caller compute it again (a state that must show at once).
 */
export class CachedAnswer {
  readonly #compute: () => Answer | Promise<Answer>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #text = "";
  #status = 200;
  #at = -Infinity;
  #computing?: Promise<void>;
  #generation = 0;

  constructor(compute: () => Answer | Promise<Answer>, options: CachedAnswerOptions = {}) {
    this.#compute = compute;
    this.#maxAgeMs = options.maxAgeMs ?? 100;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Drops the kept answer: the next caller computes a new one. */
  invalidate(): void {
    this.#at = -Infinity;
    this.#generation++;
  }

  /** The answer as a JSON response, computed now if the kept one is too old. */
  async response(): Promise<Response> {
    if (this.#now() - this.#at > this.#maxAgeMs) {
      this.#computing ??= this.#refresh().finally(() => this.#computing = undefined);
      await this.#computing;
    }
    return new Response(this.#text, {
      status: this.#status,
      headers: { "content-type": "application/json" },
    });
  }

  async #refresh(): Promise<void> {
    const generation = this.#generation;
    const started = this.#now();
    const { status, body } = await this.#compute();
    this.#text = JSON.stringify(body);
    this.#status = status;
    // Invalidated while computing: serve this answer to those waiting, but keep none.
    this.#at = generation === this.#generation ? started : -Infinity;
  }
}
