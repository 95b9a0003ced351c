// Steps the engine through several symbols' candles in time order (one shared account).

import type { CandleColumns } from "../core/candles.ts";
import type { Engine, EngineSymbol } from "./engine.ts";

/** Options for {@link runTimeline}. */
export interface TimelineOptions {
  /** Called every `every` time steps with the fraction done. */
  onProgress?: (fraction: number) => void;
  signal?: AbortSignal;
}

/**
 * Runs every candle of every symbol through `engine`, in open-time order; at equal times the
 * symbols go in the order given. Returns the union of open times and the equity after each.
 * With one symbol this is a plain loop (the fast path benchmarks measure).
 */
export function runTimeline(
  engine: Engine,
  symbols: readonly EngineSymbol[],
  options: TimelineOptions = {},
): { ts: Float64Array; equity: Float64Array } {
  if (symbols.length === 1) {
    const s = symbols[0];
    const n = s.data.ts.length;
    const equity = new Float64Array(n);
    const every = Math.max(1, Math.floor(n / 200));
    // Runs of candles between progress reports, each a call of `stepRun`: a loop in this
    // function would run in V8's slower tiers at the start of every run (see stepRun).
    for (let from = 0; from < n; from += every) {
      options.signal?.throwIfAborted();
      options.onProgress?.(from / n);
      stepRun(engine, s, equity, from, Math.min(n, from + every));
    }
    return { ts: s.data.ts, equity };
  }
  const times = unionTimes(symbols.map((s) => s.data));
  const equity = new Float64Array(times.length);
  const next = new Int32Array(symbols.length);
  const every = Math.max(1, Math.floor(times.length / 200));
  let last = engine.equity();
  for (let k = 0; k < times.length; k++) {
    const t = times[k];
    for (let j = 0; j < symbols.length; j++) {
      const s = symbols[j];
      const i = next[j];
      if (i < s.data.ts.length && s.data.ts[i] === t) {
        last = engine.step(s, i);
        next[j] = i + 1;
      }
    }
    equity[k] = last;
    if (k % every === 0) {
      options.signal?.throwIfAborted();
      options.onProgress?.(k / times.length);
    }
  }
  return { ts: times, equity };
}

/**
 * Steps candles `from..to` of one symbol, equity into `equity`. Called a few hundred times a run,
 * it is compiled as a whole after the first calls; the same loop inlined in a function called
 * once a run was compiled only on the stack, run after run, and ran slower until then.
 */
function stepRun(
  engine: Engine,
  s: EngineSymbol,
  equity: Float64Array,
  from: number,
  to: number,
): void {
  for (let i = from; i < to; i++) equity[i] = engine.step(s, i);
}

/** Sorted distinct open times of several series. */
export function unionTimes(series: readonly CandleColumns[]): Float64Array {
  const all = new Float64Array(series.reduce((n, s) => n + s.ts.length, 0));
  let o = 0;
  for (const s of series) (all.set(s.ts, o), o += s.ts.length);
  all.sort();
  let w = 0;
  for (let r = 0; r < all.length; r++) if (r === 0 || all[r] !== all[w - 1]) all[w++] = all[r];
  return all.slice(0, w);
}
