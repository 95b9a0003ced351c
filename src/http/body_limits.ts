// Request bodies, bounded: a size limit decided before reading, and a JSON nesting limit checked
// by a linear scan before JSON.parse.

import type { Context, MiddlewareHandler } from "hono";
import { shownPath } from "./shown_path.ts";

/**
 * Refuses a body larger than `maxBytes` with 413 and a JSON error naming the limit: from
 * `Content-Length` before reading anything, and while reading a chunked body (which is then
 * never kept beyond `maxBytes`).
 */
export function bodySizeLimit(maxBytes: number): MiddlewareHandler {
  const tooLarge = (c: Context) =>
    c.json({
      error: `Request body too large for ${c.req.method} ${shownPath(c.req.path)}: ` +
        `the limit is ${maxBytes} bytes.`,
    }, 413);
  return async (c, next) => {
    const raw = c.req.raw;
    if (!raw.body) return await next();
    const length = raw.headers.get("content-length");
    if (length !== null && !raw.headers.has("transfer-encoding")) {
      if (!(Number(length) <= maxBytes)) return tooLarge(c);
      return await next();
    }
    // No length announced: read up to the limit, then hand the handlers the bytes read. The
    // request is rebuilt from its parts (copying it whole would read its signal, which Deno
    // warns about).
    const reader = raw.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      size += r.value.length;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return tooLarge(c);
      }
      chunks.push(r.value);
    }
    const body = new Uint8Array(size);
    let at = 0;
    for (const ch of chunks) body.set(ch, (at += ch.length) - ch.length);
    c.req.raw = new Request(raw.url, { method: raw.method, headers: raw.headers, body });
    return await next();
  };
}

const OPEN_BRACE = 0x7b, OPEN_BRACKET = 0x5b, CLOSE_BRACE = 0x7d, CLOSE_BRACKET = 0x5d;
const QUOTE = 0x22, BACKSLASH = 0x5c;

/**
 * The nesting depth of a JSON text, or `limit + 1` as soon as it passes `limit`: one pass over
 * the characters, skipping strings, without parsing. Malformed text is left to JSON.parse.
 */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0, max = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === BACKSLASH) i++;
      else if (ch === QUOTE) inString = false;
    } else if (ch === QUOTE) inString = true;
    else if (ch === OPEN_BRACE || ch === OPEN_BRACKET) {
      if (++depth > max && (max = depth) > limit) return max;
    } else if (ch === CLOSE_BRACE || ch === CLOSE_BRACKET) depth--;
  }
  return max;
}
