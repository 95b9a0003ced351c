// Content fingerprints: SHA-256 of candle columns or bytes, as hex, to tie runs to their data.

import type { CandleColumns } from "../core/candles.ts";

/** SHA-256 (hex) of candle columns (all six, in order) or of raw bytes. */
export async function fingerprint(data: CandleColumns | Uint8Array): Promise<string> {
  let bytes: Uint8Array;
  if (data instanceof Uint8Array) bytes = data;
  else {
    const n = data.ts.length;
    const all = new Float64Array(n * 6);
    [data.ts, data.open, data.high, data.low, data.close, data.volume].forEach((c, k) =>
      all.set(c, k * n)
    );
    bytes = new Uint8Array(all.buffer);
  }
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
