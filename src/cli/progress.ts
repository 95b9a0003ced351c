// Progress on long work: a redrawn bar with ETA on a terminal, plain lines elsewhere.

import { formatSeconds } from "../core/format.ts";

/** Options for {@link createProgress}. */
export interface ProgressOptions {
  /** What is being done, shown before the bar. */
  label: string;
  /** Units of work in all (0 when unknown). */
  total: number;
  /** Unit name for the counts (default "candles"). */
  unit?: string;
  /** Where to write (default stderr). */
  out?: { writeSync(p: Uint8Array): number; isTerminal(): boolean };
  /** Clock in ms (default `performance.now`); injectable for tests. */
  now?: () => number;
  /** Seconds between plain lines when not a terminal (default 5). */
  plainEverySec?: number;
}

/** A progress reporter. */
export interface Progress {
  /** Sets the amount done so far, with an optional note (e.g. the current candle time). */
  update(done: number, note?: string): void;
  /** Adjusts the total (e.g. when the real extent becomes known). */
  setTotal(total: number): void;
  /** Prints the final state and a newline. */
  finish(note?: string): void;
}

const enc = new TextEncoder();

/**
 * Creates a progress reporter.
 *
 * @example
 * ```ts
 * const p = createProgress({ label: "download okx BTC/USDT 1m", total: 525600 });
 * p.update(1000); p.finish();
 * ```
 */
export function createProgress(options: ProgressOptions): Progress {
  const out = options.out ?? Deno.stderr;
  const now = options.now ?? (() => performance.now());
  const tty = out.isTerminal();
  const unit = options.unit ?? "candles";
  const every = (options.plainEverySec ?? 5) * 1000;
  const started = now();
  let total = options.total;
  let lastDraw = -Infinity;
  let done = 0;

  const line = (note?: string): string => {
    const elapsed = (now() - started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const frac = total > 0 ? Math.min(1, done / total) : 0;
    const eta = rate > 0 && total > 0 ? (total - done) / rate : NaN;
    const counts = `${done.toLocaleString("en-US")}${
      total > 0 ? "/" + total.toLocaleString("en-US") : ""
    } ${unit}`;
    const pct = total > 0 ? `${(frac * 100).toFixed(1).padStart(5)}% ` : "";
    const width = 24;
    const bar = total > 0
      ? "[" + "#".repeat(Math.round(frac * width)).padEnd(width, "-") + "] "
      : "";
    return `${options.label} ${bar}${pct}${counts} ETA ${formatSeconds(eta)} elapsed ${
      formatSeconds(elapsed)
    }${note ? "  " + note : ""}`;
  };
  const write = (s: string) => out.writeSync(enc.encode(s));

  return {
    update(d, note) {
      done = d;
      const t = now();
      if (tty) {
        if (t - lastDraw < 100) return;
        write(`\r\x1b[2K${line(note)}`);
      } else {
        if (t - lastDraw < every) return;
        write(line(note) + "\n");
      }
      lastDraw = t;
    },
    setTotal(t) {
      total = t;
    },
    finish(note) {
      write((tty ? `\r\x1b[2K` : "") + line(note) + "\n");
    },
  };
}

/** Retry options that tell the user about each retry on stderr (for ccxt calls in CLIs). */
export function retryNotices(label: string): {
  onRetry: (info: { attempt: number; delayMs: number; error: Error }) => void;
} {
  return {
    onRetry: ({ attempt, delayMs, error }) =>
      console.error(`\n${label}: ${error.constructor.name}, retry ${attempt} in ${delayMs} ms`),
  };
}
