// The live-mode gate: real orders only with TRADING_MODE=live, TRADING_APPROVED=true and keys.

import { exchangeInfo } from "../exchange/exchanges.ts";
import type { ExchangeCredentials } from "../exchange/ccxt_client.ts";

/** The gate's answer: the keys to trade with, or what is missing (names only, never values). */
export type LiveApproval =
  | { ok: true; credentials: ExchangeCredentials }
  | { ok: false; missing: string[]; message: string };

/** Names of the key variables of an exchange: OKX has a passphrase, the others do not. */
export function keyVariables(exchange: string): string[] {
  const id = exchangeInfo(exchange).ccxtId;
  const prefix = `TIDEWATCH_${id.toUpperCase()}_API_`;
  const names = [`${prefix}KEY`, `${prefix}SECRET`];
  if (id === "okx") names.push(`${prefix}PASSWORD`);
  return names;
}

/**
 * Whether live trading on `exchange` is allowed by `env`: it needs `TRADING_MODE=live`,
 * `TRADING_APPROVED=true` and the exchange's keys (`TIDEWATCH_OKX_API_KEY`, `_SECRET` and
 * `_PASSWORD` for OKX; `TIDEWATCH_<ID>_API_KEY` and `_SECRET` for others). The message names
 * every requirement that is missing and never contains a key or secret. Values are trimmed; an
 * empty one counts as missing. Throws a ConfigError for an exchange Tidewatch does not support.
 *
 * @example
 * ```ts
 * const gate = checkLiveApproval(Deno.env.toObject(), "okx");
 * if (!gate.ok) throw new ConfigError(gate.message);
 * const ex = createExchange("okx", { credentials: gate.credentials });
 * ```
 */
export function checkLiveApproval(
  env: Record<string, string | undefined>,
  exchange: string,
): LiveApproval {
  const info = exchangeInfo(exchange);
  const missing: string[] = [];
  const why: string[] = [];
  const mode = env.TRADING_MODE?.trim();
  if (mode !== "live") {
    missing.push("TRADING_MODE=live");
    why.push(
      mode
        ? `TRADING_MODE is "${mode}", not "live"`
        : "TRADING_MODE is not set (paper is the default)",
    );
  }
  const approved = env.TRADING_APPROVED?.trim();
  if (approved !== "true") {
    missing.push("TRADING_APPROVED=true");
    why.push(
      approved ? `TRADING_APPROVED is "${approved}", not "true"` : "TRADING_APPROVED is not set",
    );
  }
  const names = keyVariables(exchange);
  const values = names.map((n) => env[n]?.trim() ?? "");
  const absent = names.filter((_, i) => values[i] === "");
  if (absent.length > 0) {
    missing.push(...absent);
    why.push(
      `the ${info.label} API keys are incomplete: ${absent.join(", ")} ${
        absent.length > 1 ? "are" : "is"
      } not set`,
    );
  }
  if (missing.length > 0) {
    return {
      ok: false,
      missing,
      message: `Live trading on ${info.label} is refused: ${why.join("; ")}. ` +
        `Set ${missing.join(", ")} in the environment or .env and start again; ` +
        `until then bots trade on paper.`,
    };
  }
  const credentials: ExchangeCredentials = { apiKey: values[0], secret: values[1] };
  if (values[2] !== undefined) credentials.password = values[2];
  return { ok: true, credentials };
}
