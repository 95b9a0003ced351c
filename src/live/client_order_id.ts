// Exchange client order ids derived from our client ids: deterministic, short, alphanumeric.

/** Every exchange client id Tidewatch sends starts with this (so start-up can tell ours). */
export const CLIENT_ID_PREFIX = "tw";

const MASK = (1n << 64n) - 1n;
const FNV_PRIME = 0x100000001b3n;
const FNV_OFFSET = 0xcbf29ce484222325n;
/** Base-36 digits of a 128-bit number (36^25 > 2^128). */
const DIGITS = 25;

/**
 * The id to send to the exchange for our `clientId`: "tw" plus 25 base-36 digits of a 128-bit
 * hash (two 64-bit FNV-1a passes over the UTF-8 bytes, forwards and backwards), 27 characters in
 * all. OKX allows at most 32 alphanumerics, Binance 36 characters of `[.A-Z:/a-z0-9_-]`. The same
 * client id always gives the same exchange id, so a retry or a restart asks the exchange about
 * the order it may already have; two different client ids collide with probability ~2^-128.
 *
 * @example
 * ```ts
 * exchangeClientId("live-BTC/USDT-1704067200000-open"); // "tw" + 25 characters of [0-9a-z]
 * ```
 */
export function exchangeClientId(clientId: string): string {
  const bytes = new TextEncoder().encode(clientId);
  let h1 = FNV_OFFSET;
  for (let i = 0; i < bytes.length; i++) h1 = ((h1 ^ BigInt(bytes[i])) * FNV_PRIME) & MASK;
  let h2 = h1 ^ BigInt(bytes.length);
  for (let i = bytes.length - 1; i >= 0; i--) h2 = ((h2 ^ BigInt(bytes[i])) * FNV_PRIME) & MASK;
  const n = (h1 << 64n) | h2;
  return CLIENT_ID_PREFIX + n.toString(36).padStart(DIGITS, "0");
}

/** Whether `id` has the shape of an exchange client id Tidewatch makes. */
export function looksLikeOurs(id: string | undefined): boolean {
  return id !== undefined && id.length === CLIENT_ID_PREFIX.length + DIGITS &&
    id.startsWith(CLIENT_ID_PREFIX) && /^[0-9a-z]+$/.test(id);
}
