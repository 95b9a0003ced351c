// Content fingerprints: SHA-256 of candle columns or bytes, as hex, to tie runs to their data.

import type { CandleColumns } from "../core/candles.ts";

/**
 * SHA-256 (hex) of candle columns (the bytes of all six, in order: ts, open, high, low, close,
 * volume) or of raw bytes. The hashing runs on another thread; the bytes are taken at the call.
 */
export async function fingerprint(data: CandleColumns | Uint8Array): Promise<string> {
  const bytes = data instanceof Uint8Array ? data : columnBytes(data);
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The six columns' bytes one after the other: a view when they already lie so in one buffer
 * (as the candle store reads them), else a copy.
 */
function columnBytes(data: CandleColumns): Uint8Array {
  const cols = [data.ts, data.open, data.high, data.low, data.close, data.volume];
  const n = data.ts.length;
  const start = data.ts.byteOffset;
  const buffer = data.ts.buffer;
  if (
    buffer instanceof ArrayBuffer && // WebCrypto takes no SharedArrayBuffer
    cols.every((c, k) =>
      c.buffer === buffer && c.byteOffset === start + 8 * k * n && c.length === n
    )
  ) {
    return new Uint8Array(buffer, start, 48 * n);
  }
  const all = scratch(n * 6);
  cols.forEach((c, k) => all.set(c, k * n));
  return new Uint8Array(all.buffer, 0, all.byteLength);
}

/** The buffer columns are copied into to be hashed, kept for the next run while the GC allows. */
let kept: WeakRef<Float64Array> | undefined;

/**
 * `n` doubles of a reused buffer: a year of 1-minute candles is 25 MB, and memory fresh from the
 * system costs more to touch than the copy itself. Reuse is safe: crypto.subtle.digest takes its
 * own copy of the bytes before it returns (WebCrypto's digest steps), so the next call may
 * overwrite them.
 */
function scratch(n: number): Float64Array {
  let buf = kept?.deref();
  if (!buf || buf.length < n) {
    buf = new Float64Array(n);
    kept = new WeakRef(buf);
  }
  return buf.subarray(0, n);
}
