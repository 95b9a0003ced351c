// No look-ahead: changing candles after index t never changes any output at or before t.

import assert from "node:assert/strict";
import type { CandleColumns } from "../../src/core/candles.ts";
import { createRng } from "../../src/data/rng.ts";
import * as ind from "../../src/indicators/mod.ts";
import {
  asOutputs,
  assertSameSeries,
  candles,
  copyCandles,
  gappyCandles,
  KERNELS,
  type Outputs,
} from "./support.ts";

const N = 1500;
const CUTS = [0, 1, 37, 120, 777, N - 2];
const FIELDS = ["open", "high", "low", "close", "volume"] as const;

/** `base` up to and including t, then other candles (optionally with NaN holes) after it. */
function rewriteAfter(base: CandleColumns, t: number, other: CandleColumns, holes: boolean) {
  const c = copyCandles(base);
  const rng = createRng(`holes:${t}`);
  for (let i = t + 1; i < N; i++) {
    for (const f of FIELDS) c[f][i] = other[f][i];
    if (holes && rng.next() < 0.05) c[FIELDS[rng.int(0, 4)]][i] = NaN;
  }
  return c;
}

function assertPrefixesEqual(a: Outputs, b: Outputs, t: number, what: string) {
  for (const k of Object.keys(a)) {
    assertSameSeries(a[k].subarray(0, t + 1), b[k].subarray(0, t + 1), `${what}.${k} t=${t}`);
  }
}

/** A batch-only adapter run over candle columns. */
interface AdapterSpec {
  name: string;
  run(c: CandleColumns): Outputs;
}

const flags = (u: Uint8Array) => ({ value: Float64Array.from(u) });

const ADAPTERS: AdapterSpec[] = [
  { name: "ichimoku", run: (c) => asOutputs(ind.ichimoku(c)) },
  { name: "psar", run: (c) => asOutputs(ind.psar(c)) },
  { name: "cci", run: (c) => asOutputs(ind.cci(c, 20)) },
  { name: "williamsR", run: (c) => asOutputs(ind.williamsR(c, 14)) },
  { name: "mfi", run: (c) => asOutputs(ind.mfi(c, 14)) },
  { name: "bullishEngulfing", run: (c) => flags(ind.bullishEngulfing(c)) },
  { name: "bearishEngulfing", run: (c) => flags(ind.bearishEngulfing(c)) },
  { name: "doji", run: (c) => flags(ind.doji(c)) },
  { name: "hammer", run: (c) => flags(ind.hammer(c)) },
  { name: "hammerConfirmed", run: (c) => flags(ind.hammerConfirmed(c)) },
];

for (const spec of KERNELS) {
  Deno.test(`${spec.name}: no look-ahead (batch and incremental)`, () => {
    const base = candles(N, "lookahead");
    const other = candles(N, "lookahead-other");
    const full = spec.batch(base);
    for (const t of CUTS) {
      for (const holes of [false, true]) {
        const changed = rewriteAfter(base, t, other, holes);
        assertPrefixesEqual(spec.batch(changed), full, t, `${spec.name} batch`);
        assertPrefixesEqual(spec.live(changed), full, t, `${spec.name} live`);
      }
    }
  });
}

Deno.test("the look-ahead check catches a kernel that peeks one candle ahead", () => {
  const peek = (c: CandleColumns) => ({ value: c.close.map((_, i) => c.close[i + 1] ?? NaN) });
  const base = candles(N, "lookahead");
  const changed = rewriteAfter(base, 120, candles(N, "lookahead-other"), false);
  assert.throws(() => assertPrefixesEqual(peek(changed), peek(base), 120, "peek"));
});

for (const spec of ADAPTERS) {
  Deno.test(`${spec.name}: no look-ahead (technicalindicators adapter)`, () => {
    const base = gappyCandles(N, "lookahead");
    const other = gappyCandles(N, "lookahead-other");
    const full = spec.run(base);
    for (const t of CUTS) {
      assertPrefixesEqual(spec.run(rewriteAfter(base, t, other, false)), full, t, spec.name);
    }
  });
}
