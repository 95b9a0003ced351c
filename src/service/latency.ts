// A window of recent latencies with percentiles (status answers and the service benchmark).

/** Keeps the last `size` samples (ms) and reports their p50/p99/max. */
export class LatencyWindow {
  readonly #xs: number[] = [];
  #next = 0;
  /** The summary of the samples as they are, until the next one (status is asked far more often). */
  #summary?: { n: number; p50: number; p99: number; max: number };

  constructor(private readonly size: number) {}

  add(ms: number): void {
    if (this.#xs.length < this.size) this.#xs.push(ms);
    else this.#xs[this.#next] = ms;
    this.#next = (this.#next + 1) % this.size;
    this.#summary = undefined;
  }

  /** Percentiles of the samples kept, or null before the first. */
  summary(): { n: number; p50: number; p99: number; max: number } | null {
    if (this.#xs.length === 0) return null;
    if (this.#summary) return { ...this.#summary };
    const s = [...this.#xs].sort((a, b) => a - b);
    const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))];
    const r = (x: number) => Math.round(x * 1000) / 1000;
    this.#summary = { n: s.length, p50: r(at(0.5)), p99: r(at(0.99)), max: r(s[s.length - 1]) };
    return { ...this.#summary };
  }
}
