// Computes the indicators strategies declare (IndicatorSpec) with the batch kernels.

import type { CandleColumns } from "../core/candles.ts";
import type { IndicatorSpec, Line, Lines } from "../core/strategy.ts";
import {
  adx,
  atr,
  bollinger,
  ema,
  macd,
  obv,
  rma,
  roc,
  rollingMax,
  rollingMin,
  rollingStdev,
  rsi,
  sma,
  vwap,
} from "../indicators/mod.ts";

const line = (values: Float64Array): Line => ({ values });

function lines(obj: object): Lines {
  const out: Lines = {};
  for (const [k, v] of Object.entries(obj)) if (v instanceof Float64Array) out[k] = line(v);
  return out;
}

/** Computes one declared indicator over `data` (aligned to its index, NaN in warm-up). */
export function computeIndicator(spec: IndicatorSpec, data: CandleColumns): Line | Lines {
  switch (spec.kind) {
    case "sma":
      return line(sma(data[spec.source ?? "close"], spec.period));
    case "ema":
      return line(ema(data[spec.source ?? "close"], spec.period));
    case "rma":
      return line(rma(data[spec.source ?? "close"], spec.period));
    case "rsi":
      return line(rsi(data[spec.source ?? "close"], spec.period));
    case "roc":
      return line(roc(data[spec.source ?? "close"], spec.period));
    case "stdev":
      return line(rollingStdev(data[spec.source ?? "close"], spec.period));
    case "max":
      return line(rollingMax(data[spec.source ?? "high"], spec.period));
    case "min":
      return line(rollingMin(data[spec.source ?? "low"], spec.period));
    case "atr":
      return line(atr(data.high, data.low, data.close, spec.period));
    case "adx":
      return lines(adx(data.high, data.low, data.close, spec.period));
    case "macd":
      return lines(macd(data[spec.source ?? "close"], spec.fast, spec.slow, spec.signal));
    case "bbands":
      return lines(bollinger(data[spec.source ?? "close"], spec.period, spec.k));
    case "obv":
      return line(obv(data.close, data.volume));
    case "vwap":
      return line(vwap(data.high, data.low, data.close, data.volume));
  }
}
