// A webhook secret that can be checked but never shown: JSON, logs and inspection print a mask.

const MASK = "[redacted]";
const encoder = new TextEncoder();

/**
 * A bot's webhook secret (from `webhook_secret` or the variable `webhook_secret_env` names). It
 * only answers whether a candidate matches it, in time that does not depend on where they
 * differ; serialised (`JSON.stringify`, template strings, `console.log`, `Deno.inspect`) it is
 * "[redacted]", so a bot config stored or logged whole never holds it in clear.
 *
 * @example
 * ```ts
 * const secret = new WebhookSecret("a-long-random-secret");
 * secret.matches(body.passphrase); // true or false
 * JSON.stringify({ secret }); // '{"secret":"[redacted]"}'
 * ```
 */
export class WebhookSecret {
  readonly #bytes: Uint8Array;

  constructor(value: string) {
    this.#bytes = encoder.encode(value);
  }

  /** True when `candidate` is the secret; the time taken depends only on the lengths. */
  matches(candidate: unknown): boolean {
    if (typeof candidate !== "string") return false;
    const c = encoder.encode(candidate);
    const s = this.#bytes;
    let diff = c.length ^ s.length;
    const n = Math.max(c.length, s.length, 1);
    for (let i = 0; i < n; i++) {
      diff |= (c[i % (c.length || 1)] ?? 0) ^ (s[i % (s.length || 1)] ?? 0);
    }
    return diff === 0;
  }

  /** The mask, for JSON. */
  toJSON(): string {
    return MASK;
  }

  /** The mask, for text. */
  toString(): string {
    return MASK;
  }

  /** The mask, for Deno.inspect and console.log. */
  [Symbol.for("Deno.customInspect")](): string {
    return MASK;
  }

  /** The mask, for node:util inspect. */
  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return MASK;
  }
}
