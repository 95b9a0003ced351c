// A strategy whose entries need a TradingView alert that agrees: alerts as an extra input to a
// strategy of its own (the signals strategy takes alerts as its signals instead).

import type { ExternalSignals, StrategyInstance } from "../core/strategy.ts";
import type { ExternalSignal, SignalSide } from "../core/trading.ts";

/**
 * Wraps `inner` so that its long and short signals are taken only while the latest alert given
 * before the candle closed is of the same side; an exit alert (or none yet) lets no entry
 * through. The strategy's exits always pass. `closeOf(i)` is candle `i`'s close time.
 *
 * @example
 * ```ts
 * const gated = alertsMustAgree(def.create(params, ctx), external, (i) => ts[i] + tfMs);
 * ```
 */
export function alertsMustAgree(
  inner: StrategyInstance,
  external: ExternalSignals,
  closeOf: (i: number) => number,
): StrategyInstance {
  let waiting: ExternalSignal[] = [];
  let latest: SignalSide | undefined;
  external.subscribe((s) => waiting.push(s));
  return {
    onCandle(i) {
      const close = closeOf(i);
      if (waiting.length) {
        const due = waiting.filter((s) => s.ts <= close);
        if (due.length) {
          latest = due[due.length - 1].side;
          waiting = waiting.filter((s) => s.ts > close);
        }
      }
      const s = inner.onCandle(i);
      if (!s || s.side === "exit") return s;
      if (latest !== s.side) return null;
      return { ...s, reason: `${s.reason}; a TradingView alert agrees (${latest})` };
    },
  };
}
